//! Masking throughput on generated PII, for `bench/run-privacy.sh`:
//!
//!   throughput ROWS      prints one JSON object with values/s and seconds per measure.
//!
//! The inputs are deterministic (row i always holds the same name, email, phone…), so the
//! Python Faker side of the benchmark substitutes exactly the same values.

use std::collections::BTreeMap;
use std::time::Instant;

use polars::prelude::*;
use steward_privacy::{apply_rules, reidentification, MaskingKey, Rule};

fn rule(name: &str, params: serde_json::Value) -> Rule {
    let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(params).expect("params");
    Rule::parse(name, &params, 1, name).expect("rule")
}

/// Row i's input values, shared with bench/privacy_vs_faker.py.
pub fn name_of(i: usize) -> String {
    const FIRST: [&str; 8] = ["Zoë", "Jan", "Amélie", "Jürgen", "Maria", "João", "Noah", "Emma"];
    const LAST: [&str; 8] = ["Ærø", "Smit", "Dubois", "Müller", "Rossi", "Silva", "Brown", "Jansen"];
    format!("{} {} {}", FIRST[i % 8], LAST[(i / 8) % 8], i)
}

fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let names: Vec<String> = (0..rows).map(name_of).collect();
    let emails: Vec<String> = (0..rows).map(|i| format!("person{i}@example.com")).collect();
    let phones: Vec<String> =
        (0..rows).map(|i| format!("+33 6 {:02} {:02} {:02} {:02}", i % 97, i % 89, i % 83, i % 79)).collect();
    let cards: Vec<String> =
        (0..rows).map(|i| format!("4111 {:04} {:04} {:04}", i % 9973, (i / 7) % 9973, i % 10000)).collect();
    let births: Vec<i32> = (0..rows).map(|i| 3650 + (i % 20000) as i32).collect();
    let ids: Vec<i64> = (0..rows as i64).collect();
    let df = df!(
        "customer_id" => ids,
        "name" => names,
        "email" => emails,
        "phone" => phones,
        "card" => cards,
        "birth_date" => births,
    )
    .expect("frame");
    let mut df = df;
    let d = df.column("birth_date").expect("col").cast(&DataType::Date).expect("date");
    df.with_column(d).expect("with");
    let key = MaskingKey([42; 32]);

    let mix = [
        ("customer_id", rule("key_remap", serde_json::json!({}))),
        ("name", rule("fake", serde_json::json!({"kind": "name", "locale": "fr_fr"}))),
        ("email", rule("keyed_pseudonym", serde_json::json!({"prefix": "u_"}))),
        ("phone", rule("partial", serde_json::json!({"keep_last": 4}))),
        ("card", rule("partial", serde_json::json!({"keep_last": 4}))),
        ("birth_date", rule("generalise", serde_json::json!({"to": "age_band", "width": 10}))),
    ];
    let rules: Vec<(&str, &Rule)> = mix.iter().map(|(c, r)| (*c, r)).collect();
    let t = Instant::now();
    let masked = apply_rules(&df, &rules, &key, Some("customer_id")).expect("mask");
    let mix_s = t.elapsed().as_secs_f64();

    let fake = rule("fake", serde_json::json!({"kind": "name", "locale": "en"}));
    let t = Instant::now();
    apply_rules(&df, &[("name", &fake)], &key, None).expect("fake");
    let fake_s = t.elapsed().as_secs_f64();

    let quasi: Vec<String> = ["birth_date", "phone", "card", "region"].iter().map(|s| s.to_string()).collect();
    let mut q = masked.clone();
    // Four quasi-identifiers with realistic cardinalities: age band, area code, card brand, region.
    let area = q
        .column("phone")
        .expect("phone")
        .str()
        .expect("str")
        .apply_values(|v| v.chars().take(6).collect::<String>().into());
    q.with_column(area.into_column()).expect("area");
    let brand = q
        .column("card")
        .expect("card")
        .str()
        .expect("str")
        .apply_values(|v| v.chars().take(1).collect::<String>().into());
    q.with_column(brand.into_column()).expect("brand");
    let region: Vec<String> = (0..rows).map(|i| format!("r{}", (i * 7919) % 40)).collect();
    q.with_column(Column::new("region".into(), region)).expect("region");
    let t = Instant::now();
    let r = reidentification(&q, &quasi, None).expect("risk");
    let kanon_s = t.elapsed().as_secs_f64();

    println!(
        "{}",
        serde_json::json!({
            "rows": rows,
            "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "mix_seconds": mix_s,
            "mix_values_per_second": (rows * 6) as f64 / mix_s,
            "fake_name_seconds": fake_s,
            "fake_names_per_second": rows as f64 / fake_s,
            "kanon_seconds": kanon_s,
            "k": r.k,
            "classes": r.classes,
        })
    );
}
