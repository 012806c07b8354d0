//! Starting from nothing with the CLI — `workspace init`, `sources add`, `model new` — finding a
//! product's workspace from a file deep inside it, and definitions refused before any data is
//! read or anything is signed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data")
}

fn steward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .current_dir(dir)
        // No registry or key from the machine running the tests.
        .env_remove("STEWARD_REGISTRY")
        .env_remove("STEWARD_KEY")
        .args(args)
        .output()
        .expect("run steward")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = steward(dir, args);
    assert!(o.status.success(), "steward {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_error(o: &Output) -> serde_json::Value {
    assert!(!o.status.success(), "expected a refusal");
    let text = String::from_utf8_lossy(&o.stderr);
    let line = text.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON error in {text}"));
    serde_json::from_str::<serde_json::Value>(line).unwrap()["error"].clone()
}

#[test]
fn a_new_user_starts_a_workspace_adds_a_source_and_starts_a_product() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    let out = ok(dir.path(), &["workspace", "init", "shop", "--name", "Shop"]);
    assert!(out.contains("created workspace `Shop`"), "{out}");
    assert!(root.join("steward.yaml").is_file());
    // Never replaced.
    let again = steward(dir.path(), &["workspace", "init", "shop"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    std::fs::copy(sample().join("countries.csv"), root.join("countries.csv")).unwrap();
    ok(&root, &["sources", "add", "countries.csv"]);
    // A key that is not a column is refused, naming the columns there are; nothing is written.
    let o = steward(&root, &["model", "new", "--root", "countries", "--key", "code", "--format", "json"]);
    let e = json_error(&o);
    assert_eq!(e["code"], "app.invalid_input");
    assert!(e["message"].as_str().unwrap().contains("`code` is not a column of source `countries`"), "{e}");
    assert!(!root.join("products/countries.yaml").exists());

    let out = ok(&root, &["model", "new", "--root", "countries", "--key", "country_code", "--entity", "Country"]);
    assert!(out.contains("created product `countries`"), "{out}");
    let def = std::fs::read_to_string(root.join("products/countries.yaml")).unwrap();
    assert!(def.contains("name: Country") && def.contains("key: country_code"), "{def}");
    // Made as the desktop makes it: it validates against the data at once.
    ok(&root, &["model", "validate", "products/countries.yaml"]);
    // A second product of the same id is refused.
    assert!(!steward(&root, &["model", "new", "--root", "countries", "--key", "country_code"]).status.success());
}

#[test]
fn a_product_file_finds_its_workspace_by_walking_up_like_git() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("products/drafts")).unwrap();
    for f in [
        "steward.yaml",
        "crm.sqlite",
        "orders.csv",
        "invoices.xlsx",
        "tickets.parquet",
        "countries.csv",
        "order_lines.csv",
        "products.parquet",
    ] {
        std::fs::copy(sample().join(f), ws.join(f)).unwrap();
    }
    let draft = ws.join("products/drafts/customer360.yaml");
    std::fs::copy(sample().join("products/customer360.yaml"), &draft).unwrap();
    // Run from elsewhere, with no --workspace: the workspace is the one above the file.
    let out = ok(dir.path(), &["model", "validate", draft.to_str().unwrap()]);
    assert!(out.contains("customer360"), "{out}");
    // A file in no workspace is refused, naming it and how to make one.
    let lonely = dir.path().join("lonely.yaml");
    std::fs::copy(sample().join("products/customer360.yaml"), &lonely).unwrap();
    let e = json_error(&steward(dir.path(), &["model", "validate", lonely.to_str().unwrap(), "--format", "json"]));
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("lonely.yaml") && m.contains("steward workspace init"), "{m}");
}

/// A definition whose rule is misspelled, has a parameter its rule does not take, or one of the
/// wrong type: `model validate` refuses it in a workspace with no data at all, and `publish`
/// refuses it before any key is loaded or any registry contacted.
#[test]
fn unknown_rules_and_parameters_are_refused_without_data_and_before_signing() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["workspace", "init", "."]);
    std::fs::create_dir_all(dir.path().join("products")).unwrap();
    let text = std::fs::read_to_string(sample().join("products/customer360.yaml")).unwrap();
    let cases = [
        (
            "misspelled rule",
            text.replacen("rule: key_remap", "rule: key_remapp", 1),
            "`key_remapp` is not a masking rule",
        ),
        (
            "unknown parameter",
            text.replacen("params: { kind: first_name }", "params: { kind: first_name, flavour: mild }", 1),
            "`fake` has no parameter `flavour`",
        ),
        (
            "wrong type",
            text.replacen("params: { kind: first_name }", "params: { kind: 7 }", 1),
            "kind `7` is not one of",
        ),
    ];
    for (what, yaml, says) in cases {
        let file = dir.path().join("products/bad.yaml");
        std::fs::write(&file, &yaml).unwrap();
        let f = file.to_str().unwrap();
        let e = json_error(&steward(dir.path(), &["model", "validate", f, "--format", "json"]));
        assert_eq!(e["code"], "model.parse", "{what}: {e}");
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("bad.yaml") && m.contains(says), "{what}: {m}");
        // A registry that would refuse the connection, and a key that does not exist: the
        // definition is refused first.
        let e = json_error(&steward(
            dir.path(),
            &["publish", f, "--registry", "http://127.0.0.1:9", "--key", "nobody", "--format", "json"],
        ));
        assert_eq!(e["code"], "model.parse", "{what}: publish must refuse before signing: {e}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), yaml, "{what}: the draft is left as it was");
    }
}

/// Found by a new user on a database Steward had never seen (Chinook, from PyPI): adding a source
/// from a sub-folder made a second workspace there, `model validate` passed a join on a column
/// the entity does not have when the entity selects every column (as `model new` writes it),
/// and `preview --quality --profile` showed original values under a masking profile's name.
#[test]
fn commands_from_a_sub_folder_use_the_workspace_above_and_validate_checks_join_parents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["workspace", "init", "."]);
    for f in ["crm.sqlite", "orders.csv"] {
        std::fs::copy(sample().join(f), root.join(f)).unwrap();
    }
    std::fs::create_dir_all(root.join("products")).unwrap();
    let sub = root.join("products");
    let out = ok(&sub, &["sources", "add", "../orders.csv"]);
    assert!(out.contains(&root.join("steward.yaml").canonicalize().unwrap().display().to_string()), "{out}");
    assert!(!sub.join("steward.yaml").exists(), "no second workspace in the sub-folder");
    ok(&sub, &["sources", "add", "../crm.sqlite", "--table", "customers", "--id", "customers"]);
    let list = ok(&sub, &["sources", "list"]);
    assert!(list.contains("orders") && list.contains("customers"), "{list}");
    ok(&sub, &["model", "new", "--root", "customers", "--key", "customer_id"]);

    let file = sub.join("customers.yaml");
    let mut def = std::fs::read_to_string(&file).unwrap();
    def = def.replace(
        "related: []",
        "related:\n  - name: orders\n    source: orders\n    join:\n      - { parent: client_no, child: customer_id }\n    cardinality: one_to_many",
    );
    if !def.contains("name: orders") {
        def.push_str("related:\n  - name: orders\n    source: orders\n    join:\n      - { parent: client_no, child: customer_id }\n    cardinality: one_to_many\n");
    }
    std::fs::write(&file, &def).unwrap();
    let o = steward(&sub, &["model", "validate", "customers.yaml"]);
    assert!(!o.status.success(), "an unknown join parent must fail validation");
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains("related[orders].join[0].parent: `client_no` is not a column of the entity"), "{report}");

    let e = json_error(&steward(
        &sub,
        &["preview", "customers.yaml", "--quality", "--profile", "analytics", "--format", "json"],
    ));
    assert_eq!(e["code"], "cli.invalid_input");
}

/// ISO text dates read as dates (found on Chinook's `birthdate`, `2007-01-01T00:00:00Z`); a
/// steward who wants one kept as text says so once, and it is kept in steward.yaml.
#[test]
fn a_date_column_can_be_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["workspace", "init", "."]);
    std::fs::copy(sample().join("crm.sqlite"), root.join("crm.sqlite")).unwrap();
    ok(root, &["sources", "add", "crm.sqlite", "--table", "customers", "--id", "typed"]);
    ok(root, &["sources", "add", "crm.sqlite", "--table", "customers", "--id", "kept", "--keep-text", "birth_date"]);
    let typed = ok(root, &["sources", "inspect", "typed"]);
    let kept = ok(root, &["sources", "inspect", "kept"]);
    let birth = |t: &str| {
        t.lines().find(|l| l.contains("birth_date")).map(|l| l.split_whitespace().last().unwrap_or("").to_string())
    };
    assert_eq!(birth(&typed).as_deref(), Some("date"), "{typed}");
    assert_eq!(birth(&kept).as_deref(), Some("str"), "{kept}");
    let manifest = std::fs::read_to_string(root.join("steward.yaml")).unwrap();
    assert!(manifest.contains("keep_text:") && manifest.contains("birth_date"), "{manifest}");

    // Later, on a source already added: kept, then read as dates again, as the app's toggle does.
    assert_eq!(ok(root, &["sources", "keep-text", "typed", "birth_date"]), "typed.birth_date is kept as text\n");
    assert_eq!(birth(&ok(root, &["sources", "inspect", "typed"])).as_deref(), Some("str"));
    let info: serde_json::Value =
        serde_json::from_str(&ok(root, &["sources", "keep-text", "kept", "birth_date", "--dates", "--format", "json"]))
            .unwrap();
    let kept_info = info["sources"].as_array().unwrap().iter().find(|s| s["id"] == "kept").unwrap();
    assert_eq!(kept_info["keepText"], serde_json::json!([]), "the desktop's shape, with the column back to dates");
    assert_eq!(birth(&ok(root, &["sources", "inspect", "kept"])).as_deref(), Some("date"));
    // A column that is not there, or a source that types its own columns: refused, said plainly.
    let e = steward(root, &["sources", "keep-text", "typed", "birthday"]);
    assert_eq!(e.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr)
        .contains("`birthday` is not a column of source `typed`; it has: customer_id"));
}
