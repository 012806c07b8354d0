//! Every command over a workspace holding one column of every type a source can produce
//! (decimals of any precision and scale, i128 and u64, time, duration, binary, categorical, enum,
//! null, lists, structs, arrays, time-zone-aware timestamps). Valid data never crashes Steward and
//! is never shown wrong: each command answers, or refuses with a message naming the column.
//! Masking needs the real keychain: run under `scripts/with-keyring.sh`.

use std::path::Path;
use std::process::{Command, Output};

fn steward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward")).args(args).output().expect("run steward")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A panic (exit 101) or a Rust panic message anywhere in the output fails the test.
fn no_panic(o: &Output, what: &str) {
    let out = text(o);
    assert_ne!(o.status.code(), Some(101), "{what} panicked:\n{out}");
    for word in ["panicked", "not yet implemented", "activate '", "RUST_BACKTRACE"] {
        assert!(!out.contains(word), "{what} printed `{word}`:\n{out}");
    }
}

fn ok(args: &[&str]) -> String {
    let o = steward(args);
    no_panic(&o, &args.join(" "));
    assert!(o.status.success(), "{} failed:\n{}", args.join(" "), text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    steward_samplegen::write_all_types(dir.path()).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn sources_commands_answer_for_every_type() {
    let ws = workspace();
    let w = s(ws.path());
    for format in ["table", "json"] {
        let out = ok(&["sources", "inspect", "types", "-w", w, "--format", format]);
        for label in
            ["decimal[15,2]", "decimal[38,10]", "i128", "u64", "time", "duration[ms]", "binary", "cat", "enum", "null"]
        {
            assert!(out.contains(label), "inspect --format {format} lacks type `{label}`:\n{out}");
        }
        let out = ok(&["sources", "profile", "types", "-w", w, "--format", format]);
        assert!(out.contains("price"), "{out}");
        ok(&["sources", "classify", "types", "-w", w, "--format", format]);
        ok(&["sources", "relations", "-w", w, "--format", format]);
    }
}

#[test]
fn profile_gives_exact_decimal_ranges() {
    let ws = workspace();
    let out = ok(&["sources", "profile", "types", "-w", s(ws.path()), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let price = v["columns"].as_array().unwrap().iter().find(|c| c["name"] == "price").unwrap();
    assert_eq!(price["min"], "-0.05", "{price}");
    assert_eq!(price["max"], "9999999999999.99", "{price}");
    assert_eq!(price["dtype"], "decimal[15,2]");
}

#[test]
fn validate_preview_and_quality_answer_for_every_type() {
    let ws = workspace();
    let file = ws.path().join("products/all_types.yaml");
    let f = s(&file);
    ok(&["model", "validate", f]);
    ok(&["model", "validate", f, "--format", "json"]);
    // The product table and one entity's 360 view, as a person reads them.
    // (The table wraps long cells; the full texts are checked in the entity view and JSON.)
    let table = ok(&["preview", f]);
    assert!(table.contains("711.56") && table.contains("-0.05"), "{table}");
    // Every column is there, none hidden, each value as the desktop's grid shows it.
    let header = table.lines().nth(1).unwrap_or_default();
    for column in ["id", "price", "wait", "blob", "tiny", "day", "children"] {
        assert!(header.split_whitespace().any(|h| h == column), "no `{column}` in {header}");
    }
    for value in ["0x0001ff", "1d 1h 1m 1s 1ms", "2 rows", "2023-11-14 23:13:20+01:00", "decimal[15,2]"] {
        assert!(table.contains(value), "the product table lacks `{value}`:\n{table}");
    }
    let one = ok(&["preview", f, "--entity", "1"]);
    for value in [
        "711.56",
        "3.1415926535",
        "170141183460469231731687303715884105727",
        "18446744073709551615",
        "13:45:30.123456789",
        "1d 1h 1m 1s 1ms",
        "decimal[15,2]",
        "10.125",
    ] {
        assert!(one.contains(value), "the 360 view lacks `{value}`:\n{one}");
    }
    // JSON keeps every decimal exact, as text, and every big integer exact.
    let json = ok(&["preview", f, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v.as_array().unwrap_or_else(|| panic!("rows: {json}"));
    assert_eq!(rows[0]["price"], "711.56");
    assert_eq!(rows[2]["ratio"], "123456789012345678901234567.0000000001");
    assert_eq!(rows[0]["big"], "170141183460469231731687303715884105727");
    assert_eq!(rows[0]["counter"], serde_json::json!(u64::MAX));
    assert_eq!(rows[0]["children"][0]["amount"], "10.125");
    let one = ok(&["preview", f, "--entity", "1", "--format", "json"]);
    assert!(one.contains("\"10.125\""), "{one}");
    let csv = ok(&["preview", f, "--format", "csv"]);
    assert!(csv.contains("711.56") && csv.contains("9999999999999.99"), "{csv}");
    ok(&["preview", f, "--quality"]);
    ok(&["preview", f, "--quality", "--format", "json"]);
}

#[test]
fn exports_write_every_type_in_every_format() {
    let ws = workspace();
    let file = ws.path().join("products/all_types.yaml");
    for format in ["parquet", "csv", "ndjson", "sqlite"] {
        let out = tempfile::tempdir().unwrap();
        ok(&["export", s(&file), "--format", format, "--out", s(out.path())]);
        let written: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
        assert!(!written.is_empty(), "{format}: nothing written");
    }
    // Decimals survive an export exactly.
    let out = tempfile::tempdir().unwrap();
    ok(&["export", s(&file), "--format", "ndjson", "--out", s(out.path())]);
    let nd = std::fs::read_dir(out.path()).unwrap().next().unwrap().unwrap().path();
    let body = std::fs::read_to_string(nd).unwrap();
    assert!(body.contains("\"711.56\""), "{body}");
}

#[test]
fn masking_and_privacy_check_answer_for_every_type() {
    let ws = workspace();
    let file = ws.path().join("products/all_types.yaml");
    let f = s(&file);
    let o = steward(&["privacy", "check", f, "--profile", "everything", "--format", "json"]);
    no_panic(&o, "privacy check");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    assert!(v["fields"].is_array(), "{v}");
    ok(&["preview", f, "--profile", "everything"]);
    ok(&["preview", f, "--profile", "everything", "--entity", "1", "--format", "json"]);
    let out = tempfile::tempdir().unwrap();
    ok(&["export", f, "--profile", "everything", "--format", "parquet", "--out", s(out.path())]);
}

#[test]
fn adding_a_first_source_to_an_empty_folder_makes_the_workspace() {
    let data = workspace();
    let fresh = tempfile::tempdir().unwrap();
    let folder = fresh.path().join("new-ws");
    std::fs::create_dir(&folder).unwrap();
    ok(&["sources", "add", s(&data.path().join("types.parquet")), "-w", s(&folder)]);
    let listed = ok(&["sources", "list", "-w", s(&folder)]);
    assert!(listed.contains("types"), "{listed}");
    assert!(folder.join("steward.yaml").exists());
}

#[test]
fn declaring_a_u64_column_as_i64_is_an_error_naming_it() {
    let ws = workspace();
    let file = ws.path().join("products/all_types.yaml");
    let yaml =
        std::fs::read_to_string(&file).unwrap().replace("- { column: counter }", "- { column: counter, type: i64 }");
    std::fs::write(&file, yaml).unwrap();
    let o = steward(&["model", "validate", s(&file)]);
    no_panic(&o, "model validate");
    assert!(!o.status.success());
    assert!(text(&o).contains("declared i64, but types.counter is u64"), "{}", text(&o));
}
