//! The `steward` binary, run as a user would run it, on the committed sample workspace.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data")
}

fn steward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward")).args(args).output().expect("run steward")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn csv_rows(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}

#[test]
fn inspect_prints_columns_types_and_row_count() {
    let orders = sample().join("orders.csv");
    let o = steward(&["sources", "inspect", orders.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rows = csv_rows(&orders);
    assert!(out.contains(&format!("csv, {},{:03} rows, 7 columns", rows / 1000, rows % 1000)), "{out}");
    assert!(out.contains("delimiter `,`, header row, utf-8"), "{out}");
    for line in ["order_id     i64", "customer_id  i64", "ordered_on   date", "amount       f64", "currency     str"] {
        assert!(out.lines().any(|l| l.ends_with(line)), "missing `{line}` in\n{out}");
    }
}

#[test]
fn inspect_json_has_the_same_facts() {
    let orders = sample().join("orders.csv");
    let o = steward(&["sources", "inspect", orders.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "csv");
    assert_eq!(v["row_count"], csv_rows(&orders) as u64);
    assert_eq!(v["columns"][0], serde_json::json!({"name": "order_id", "dtype": "i64"}));
    assert_eq!(v["columns"].as_array().unwrap().len(), 7);
}

#[test]
fn inspect_resolves_a_source_id_in_the_workspace() {
    let ws = sample();
    let o = steward(&["sources", "inspect", "tickets", "--workspace", ws.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "parquet");
    assert!(v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "opened_at" && c["dtype"].as_str().unwrap().starts_with("datetime")));
}

#[test]
fn inspect_reads_the_sqlite_table_and_the_workbook_sheet_of_the_workspace() {
    let ws = sample();
    let o = steward(&["sources", "inspect", "crm", "--workspace", ws.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("[customers]  (sqlite, 500 rows, 13 columns)"), "{out}");
    assert!(out.lines().any(|l| l.ends_with("birth_date      date")), "{out}");
    let o = steward(&["sources", "inspect", "invoices", "--workspace", ws.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["table"], "Invoices");
    assert_eq!(v["tables"][0]["kind"], "sheet");
    let issued = v["columns"].as_array().unwrap().iter().find(|c| c["name"] == "issued_on").unwrap();
    assert_eq!(issued["dtype"], "date");
}

#[test]
fn list_shows_every_source_of_the_sample_workspace() {
    let ws = sample();
    let o = steward(&["sources", "list", "--workspace", ws.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for id in ["crm", "orders", "invoices", "tickets", "countries", "order_lines", "products"] {
        assert!(out.lines().any(|l| l.starts_with(&format!("{id} "))), "{id} missing:\n{out}");
    }
    let o = steward(&["sources", "list", "--workspace", ws.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sources"].as_array().unwrap().len(), 7);
    assert_eq!(v["sources"][2]["kind"], "excel");
    // The desktop's WorkspaceInfo: the same JSON from `get_workspace`.
    assert_eq!(v["name"], "Customer 360 demo", "{v}");
    assert!(v["root"].as_str().is_some_and(|r| !r.is_empty()), "{v}");
}

#[test]
fn bad_input_exits_non_zero_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.parquet");
    std::fs::write(&garbage, b"this is not parquet").unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    for (path, code) in
        [(garbage, "source.unsupported"), (empty, "source.empty"), (dir.path().join("nope.csv"), "source.not_found")]
    {
        let o = steward(&["sources", "inspect", path.to_str().unwrap()]);
        assert!(!o.status.success());
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(stderr(&o).contains(name), "{}", stderr(&o));
        let o = steward(&["sources", "inspect", path.to_str().unwrap(), "--format", "json"]);
        assert!(!o.status.success());
        let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
        assert_eq!(v["error"]["code"], code);
    }
    let o = steward(&["sources", "list", "--workspace", dir.path().to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("steward.yaml"), "{}", stderr(&o));
}

fn copy_sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(sample()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    dir
}

#[test]
fn profile_reports_nulls_distinct_and_histograms() {
    let ws = sample();
    let o = steward(&["sources", "profile", "orders", "-w", ws.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cols = v["columns"].as_array().unwrap();
    let amount = cols.iter().find(|c| c["name"] == "amount").unwrap();
    assert!(amount["nulls"].as_u64().unwrap() > 0);
    assert_eq!(amount["histogram"]["bins"].as_array().unwrap().len(), 20);
    let status = cols.iter().find(|c| c["name"] == "status").unwrap();
    assert_eq!(status["distinct"], 5);
    let o = steward(&["sources", "profile", "orders", "-w", ws.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("status") && l.contains("delivered (")), "{out}");
}

#[test]
fn classify_suggests_and_saves_decisions() {
    let dir = copy_sample();
    let w = dir.path().to_str().unwrap();
    let o = steward(&["sources", "classify", "crm", "-w", w, "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let email = v.as_array().unwrap().iter().find(|c| c["column"] == "email").unwrap();
    assert_eq!(email["suggestion"]["tag"], "email");
    let o =
        steward(&["sources", "classify", "crm", "-w", w, "--accept", "email=email", "--reject", "city=street_address"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.starts_with("email") && l.contains("accepted")), "{}", stdout(&o));
    let manifest = std::fs::read_to_string(dir.path().join("steward.yaml")).unwrap();
    assert!(manifest.contains("classifications:") && manifest.contains("accepted:"), "{manifest}");
    let o = steward(&["sources", "classify", "crm", "-w", w, "--accept", "email=passport"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("passport"), "{}", stderr(&o));
}

#[test]
fn relations_find_the_cross_system_keys() {
    let ws = sample();
    let o = steward(&["sources", "relations", "-w", ws.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = v["suggestions"].as_array().unwrap();
    let orders =
        s.iter().find(|r| r["child"] == "orders" && r["child_columns"] == serde_json::json!(["customer_id"])).unwrap();
    assert_eq!((orders["parent"].as_str(), orders["cardinality"].as_str()), (Some("crm"), Some("1:n")));
    assert!(orders["orphan_rows"].as_u64().unwrap() > 0);
}

#[test]
fn add_then_list_shows_the_new_source() {
    let dir = copy_sample();
    let w = dir.path().to_str().unwrap();
    let extra = dir.path().join("Loyalty Members.csv");
    std::fs::write(&extra, "member_id;customer_id;tier\n1;10;gold\n2;11;silver\n").unwrap();
    let o = steward(&["sources", "add", extra.to_str().unwrap(), "-w", w, "--system", "Loyalty", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["source"]["id"], "loyalty_members");
    assert_eq!(v["source"]["path"], "Loyalty Members.csv");
    assert_eq!(v["inspection"]["dialect"]["delimiter"], ";");
    let o = steward(&["sources", "list", "-w", w]);
    assert!(stdout(&o).lines().any(|l| l.starts_with("loyalty_members ")), "{}", stdout(&o));
}

#[test]
fn model_validate_passes_the_sample_and_names_the_path_of_each_problem() {
    let file = sample().join("products/customer360.yaml");
    let o = steward(&["model", "validate", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("customer360 1.0.0 — 0 errors, 2 warnings"), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replacen(
        "join:\n      - { parent: customer_id, child: customer_id }\n    cardinality: one_to_many\n    fields:\n      - { column: order_id",
        "join:\n      - { parent: email, child: customer_id }\n    cardinality: one_to_many\n    fields:\n      - { column: order_id",
        1,
    );
    std::fs::write(&broken, text).unwrap();
    let o =
        steward(&["model", "validate", broken.to_str().unwrap(), "-w", sample().to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let issue = v["issues"].as_array().unwrap().iter().find(|i| i["code"] == "model.join_type_mismatch").unwrap();
    assert_eq!(issue["path"], "related[orders].join[0]");
    assert_eq!(issue["message"], "email is str, orders.customer_id is i64");
}

#[test]
fn preview_shows_one_customer_360_and_the_product_table() {
    let file = sample().join("products/customer360.yaml");
    let o = steward(&["preview", file.to_str().unwrap(), "--entity", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("Customer 7\n"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("full_name") && l.contains("str")), "{out}");
    assert!(out.contains("\norders ("), "{out}");
    let o = steward(&["preview", file.to_str().unwrap(), "--entity", "7", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entity"][0]["customer_id"], 7);
    assert!(v["orders"].as_array().unwrap().iter().all(|r| r["customer_id"] == 7));
    let o = steward(&["preview", file.to_str().unwrap(), "--limit", "5", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    assert!(v[0]["orders"].is_array());
    let o = steward(&["preview", file.to_str().unwrap(), "--entity", "424242"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no Customer with key 424242"), "{}", stderr(&o));
}

#[test]
fn export_writes_each_format() {
    let file = sample().join("products/customer360.yaml");
    let dir = tempfile::tempdir().unwrap();
    for (format, made) in [
        ("parquet", "customer360.parquet"),
        ("ndjson", "customer360.ndjson"),
        ("csv", "customer360/orders.csv"),
        ("sqlite", "customer360.sqlite"),
    ] {
        let o = steward(&["export", file.to_str().unwrap(), "--format", format, "--out", dir.path().to_str().unwrap()]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(dir.path().join(made).is_file(), "{format}: {made} missing");
        assert!(stdout(&o).starts_with("exported 500 entities of customer360"), "{}", stdout(&o));
    }
    // In key ranges of 64 entities: the same product, byte for byte.
    let batched = tempfile::tempdir().unwrap();
    let o = steward(&[
        "export",
        file.to_str().unwrap(),
        "--format",
        "ndjson",
        "--out",
        batched.path().to_str().unwrap(),
        "--batch-entities",
        "64",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(batched.path().join("customer360.ndjson")).unwrap(),
        std::fs::read(dir.path().join("customer360.ndjson")).unwrap()
    );
    let o = steward(&["export", file.to_str().unwrap(), "--format", "table", "--out", dir.path().to_str().unwrap()]);
    assert!(!o.status.success());
}

#[test]
fn preview_quality_counts_violations_per_rule() {
    let file = sample().join("products/customer360.yaml");
    let o = steward(&["preview", file.to_str().unwrap(), "--quality", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), 7);
    let not_null = &rules[1];
    assert_eq!((not_null["rule"].as_str(), not_null["passed"].as_bool()), (Some("not_null"), Some(false)));
    assert!(!rules[3]["samples"].as_array().unwrap().is_empty(), "malformed phones are sampled");
    let o = steward(&["preview", file.to_str().unwrap(), "--quality"]);
    assert!(stdout(&o).contains("quality rules pass"), "{}", stdout(&o));
}

/// Masking uses the real OS keychain for its key: `make test` runs these under
/// scripts/with-keyring.sh. A workspace copy keeps key rotation away from the sample.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(sample()).unwrap().flatten() {
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, dir.path().join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join("products")).unwrap();
    std::fs::copy(sample().join("products/customer360.yaml"), dir.path().join("products/customer360.yaml")).unwrap();
    dir
}

#[test]
fn privacy_check_gates_on_the_profile_thresholds() {
    let ws = sample_copy();
    let file = ws.path().join("products/customer360.yaml");
    let f = file.to_str().unwrap();
    let o = steward(&["privacy", "check", f, "--profile", "analytics", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "k = 1 breaks min_k = 2: {}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["total_leaks"], 0, "{report}");
    assert_eq!(report["risk"]["k"], 1);
    assert!(report["violations"][0].as_str().unwrap().starts_with("k = 1 over birth_date, country_code"), "{report}");
    let fields: Vec<String> = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}.{} {} {}",
                x["table"].as_str().unwrap(),
                x["field"].as_str().unwrap(),
                x["rule"].as_str().unwrap(),
                x["via"].as_str().unwrap()
            )
        })
        .collect();
    assert!(fields.contains(&"orders.customer_id key_remap join key".to_string()), "{fields:?}");
    assert!(report["collisions"].as_array().unwrap().iter().all(|c| c["collisions"] == 0));
    assert!(stderr(&o).contains("breaks its thresholds"), "{}", stderr(&o));

    // Fewer quasi-identifiers: larger groups, the gate opens.
    let o = steward(&["privacy", "check", f, "--profile", "analytics", "--quasi", "country_code"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("leaks: 0 original values survive masking"), "{}", stdout(&o));

    let o = steward(&["privacy", "check", f, "--profile", "external"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no masking profile `external`; it has: analytics"), "{}", stderr(&o));
}

#[test]
fn masked_previews_and_exports_keep_joins_and_hide_originals() {
    let ws = sample_copy();
    let file = ws.path().join("products/customer360.yaml");
    let f = file.to_str().unwrap();
    let plain = steward(&["preview", f, "--entity", "7", "--format", "json"]);
    let masked = steward(&["preview", f, "--entity", "7", "--profile", "analytics", "--format", "json"]);
    assert!(masked.status.success(), "{}", stderr(&masked));
    let p: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&masked.stdout).unwrap();
    let (pe, me) = (&p["entity"][0], &m["entity"][0]);
    assert_ne!(me["customer_id"], pe["customer_id"]);
    assert_ne!(me["email"], pe["email"]);
    assert!(me["email"].as_str().unwrap().contains("@example."), "{me}");
    assert_eq!(me["segment"], pe["segment"], "unmasked fields pass through");
    // The remapped key still joins: the same orders, under the masked key.
    assert_eq!(m["orders"].as_array().unwrap().len(), p["orders"].as_array().unwrap().len());
    assert!(m["orders"].as_array().unwrap().iter().all(|o| o["customer_id"] == me["customer_id"]));
    // Deterministic: the same key gives the same output on every run.
    let again = steward(&["preview", f, "--entity", "7", "--profile", "analytics", "--format", "json"]);
    assert_eq!(again.stdout, masked.stdout);

    let out = tempfile::tempdir().unwrap();
    let o =
        steward(&["export", f, "--profile", "analytics", "--format", "ndjson", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.path().join("customer360.ndjson")).unwrap();
    assert_eq!(text.lines().count(), 500);
    assert!(!text.contains(pe["email"].as_str().unwrap()), "an original email left in the masked export");
    // Masked range by range (64 entities at a time): the same entities, masked the same way.
    let ranges = tempfile::tempdir().unwrap();
    let o = steward(&[
        "export",
        f,
        "--profile",
        "analytics",
        "--format",
        "ndjson",
        "--out",
        ranges.path().to_str().unwrap(),
        "--batch-entities",
        "64",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sorted = |t: &str| {
        let mut l: Vec<&str> = t.lines().collect();
        l.sort();
        l.join("\n")
    };
    let batched = std::fs::read_to_string(ranges.path().join("customer360.ndjson")).unwrap();
    assert_eq!(sorted(&batched), sorted(&text));

    // A new key version: every masked value changes.
    let o = steward(&["privacy", "rotate-key", f, "--profile", "analytics"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&file).unwrap().contains("    key_version: 2\n"));
    let rotated = steward(&["preview", f, "--entity", "7", "--profile", "analytics", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&rotated.stdout).unwrap();
    assert_ne!(r["entity"][0]["customer_id"], me["customer_id"]);
    assert_ne!(r["entity"][0]["email"], me["email"]);
}

#[test]
fn key_holders_reveal_fpe_masked_values() {
    let ws = sample_copy();
    let file = ws.path().join("products/customer360.yaml");
    let f = file.to_str().unwrap();
    let mut yaml = std::fs::read_to_string(&file).unwrap();
    yaml.push_str("  billing:\n    rules:\n      - { field: card_number, rule: fpe }\n      - { field: first_name, rule: fake, params: { kind: first_name } }\n");
    std::fs::write(&file, yaml).unwrap();
    let plain = steward(&["preview", f, "--entity", "7", "--format", "json"]);
    let masked = steward(&["preview", f, "--entity", "7", "--profile", "billing", "--format", "json"]);
    assert!(masked.status.success(), "{}", stderr(&masked));
    let p: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&masked.stdout).unwrap();
    let (card, masked_card) =
        (p["entity"][0]["card_number"].as_str().unwrap(), m["entity"][0]["card_number"].as_str().unwrap());
    assert_ne!(card, masked_card);
    assert_eq!(card.len(), masked_card.len(), "format kept");

    let o = steward(&[
        "privacy",
        "reveal",
        f,
        "--profile",
        "billing",
        "--field",
        "card_number",
        masked_card,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r[0]["masked"], masked_card);
    assert_eq!(r[0]["original"], card);

    // Not reversible, not masked, not a key of this keychain: each refused, by name.
    let o = steward(&["privacy", "reveal", f, "--profile", "billing", "--field", "first_name", "Ann"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not reversible; only `fpe`"), "{}", stderr(&o));
    let o = steward(&["privacy", "reveal", f, "--profile", "billing", "--field", "email", "x@y.z"]);
    assert!(
        stderr(&o).contains("`email` is not masked by this profile; it masks: card_number, first_name"),
        "{}",
        stderr(&o)
    );
    let o = steward(&[
        "privacy",
        "reveal",
        f,
        "--profile",
        "billing",
        "--field",
        "card_number",
        "--key-version",
        "9",
        masked_card,
    ]);
    assert!(stderr(&o).contains("no masking key `masking/customer360/v9` in this keychain"), "{}", stderr(&o));
}
