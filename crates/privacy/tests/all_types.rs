//! Every masking rule against a column of every type a source can produce: each answers, or
//! refuses with an error naming the column — none panics.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use polars::prelude::*;
use serde_json::json;
use steward_privacy::{apply_rule, Context, MaskingKey, PrivacyError, Rule};

fn rules() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("null", json!({})),
        ("redact", json!({})),
        ("constant", json!({ "value": "x" })),
        ("partial", json!({ "keep_last": 4 })),
        ("partial", json!({ "keep_domain": true })),
        ("keyed_pseudonym", json!({})),
        ("fpe", json!({})),
        ("key_remap", json!({})),
        ("generalise", json!({ "to": "month" })),
        ("generalise", json!({ "to": "year" })),
        ("generalise", json!({ "to": "band", "width": 10 })),
        ("generalise", json!({ "to": "age_band", "width": 20 })),
        ("generalise", json!({ "to": "prefix", "keep": 2 })),
        ("generalise", json!({ "to": "bucket", "width": 5 })),
        ("noise", json!({ "pct": 5 })),
        ("noise", json!({ "days": 3 })),
        ("shuffle", json!({})),
        ("fake", json!({ "kind": "name" })),
        ("fake", json!({ "kind": "card" })),
        ("linked_address", json!({ "part": "city", "from": ["name", "name", "name"] })),
    ]
}

#[test]
fn every_rule_answers_or_names_the_column_for_every_type() {
    let frames = [steward_samplegen::all_types_frame().unwrap(), steward_samplegen::all_types_child_frame().unwrap()];
    let key = MaskingKey([7; 32]);
    let mut answered = 0;
    let mut refused = 0;
    for df in &frames {
        let ctx = Context { entity: df.columns().first(), frame: Some(df) };
        for (name, params) in rules() {
            let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(params).unwrap();
            let rule = Rule::parse(name, &params, 1, "test").unwrap();
            for column in df.columns() {
                let what = format!("{name} {params:?} on {} ({})", column.name(), column.dtype());
                let result = catch_unwind(AssertUnwindSafe(|| apply_rule(&rule, &key, column, &ctx)))
                    .unwrap_or_else(|_| panic!("{what} panicked"));
                match result {
                    Ok(masked) => {
                        assert_eq!(masked.len(), column.len(), "{what}");
                        // Masking never loses a value silently (only `null`, and `redact` or
                        // `constant` where the type cannot hold their text, mean to).
                        if !["null", "redact", "constant"].contains(&name) {
                            assert!(
                                masked.null_count() <= column.null_count(),
                                "{what}: values became null: {masked:?}"
                            );
                        }
                        answered += 1;
                    }
                    Err(e @ PrivacyError::Column { .. }) => {
                        assert!(e.to_string().starts_with(column.name().as_str()), "{what}: {e}");
                        refused += 1;
                    }
                    Err(e) => panic!("{what}: an error that does not name the column: {e}"),
                }
            }
        }
    }
    assert!(answered > 100 && refused > 10, "answered {answered}, refused {refused}");
}

#[test]
fn noise_on_money_keeps_its_scale() {
    let df = steward_samplegen::all_types_frame().unwrap();
    let price = df.column("price").unwrap();
    let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(json!({ "pct": 5 })).unwrap();
    let rule = Rule::parse("noise", &params, 1, "test").unwrap();
    let ctx = Context { entity: df.columns().first(), frame: Some(&df) };
    let masked = apply_rule(&rule, &MaskingKey([7; 32]), price, &ctx).unwrap();
    // 9999999999999.99 ± 5% outgrows decimal(15,2): the column widens, its scale stays.
    assert!(matches!(masked.dtype(), DataType::Decimal(_, 2)), "{}", masked.dtype());
    assert_ne!(masked.get(0).unwrap().to_string(), "711.56");
    let text = masked.get(0).unwrap().to_string();
    assert_eq!(text.split('.').nth(1).map(str::len), Some(2), "{text}");
}

/// Found on unseen data: a zoned timestamp was generalised by its UTC date, so 00:59:59 CET on
/// 1 January 1970 became December 1969.
#[test]
fn zoned_timestamps_generalise_by_their_own_date() {
    let paris = TimeZone::opt_try_new(Some("Europe/Paris")).unwrap();
    let at = Series::new("at".into(), [-1_000i64]).into_datetime(TimeUnit::Milliseconds, paris);
    let df = DataFrame::new(1, vec![at.into()]).unwrap();
    let params: BTreeMap<String, serde_json::Value> = serde_json::from_value(json!({ "to": "month" })).unwrap();
    let rule = Rule::parse("generalise", &params, 1, "test").unwrap();
    let ctx = Context { entity: None, frame: Some(&df) };
    let out = apply_rule(&rule, &MaskingKey([7; 32]), df.column("at").unwrap(), &ctx).unwrap();
    assert_eq!(out.get(0).unwrap().str_value(), "1970-01");
}
