//! `steward export` writes only inside `--out`: a product whose name would climb out of it
//! (`metadata.name: "../../x"`) is refused, even though export does not run the model check.

use std::path::Path;
use std::process::Command;

use steward_testkit::copy_dir;

#[test]
fn a_product_name_climbing_out_of_the_output_folder_is_refused() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("a/b/ws");
    copy_dir(&sample, &ws);
    let file = ws.join("products/customer360.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("name: customer360", "name: \"../../escaped\"", 1)).unwrap();
    let out = dir.path().join("a/b/out");
    for format in ["csv", "parquet", "ndjson", "sqlite"] {
        let o = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["export"])
            .arg(&file)
            .args(["--format", format, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{format}: export succeeded");
        assert!(err.contains("../../escaped") && err.contains("not valid"), "{format}: {err}");
        for escaped in ["a/escaped", "a/escaped.csv", "a/escaped.parquet", "a/escaped.ndjson", "a/escaped.sqlite"] {
            assert!(!dir.path().join(escaped).exists(), "{format}: {escaped} was written outside --out");
        }
    }
}

/// Earlier versions wrote each export to `<file>.tmp` beside it, opened following symlinks: one
/// planted there (in a shared output folder) sent the export into any file.
#[cfg(unix)]
#[test]
fn symlinks_planted_at_the_old_temp_names_are_not_written_through() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&sample, &ws);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("customer360")).unwrap();
    let mut planted = vec![];
    for ext in ["parquet", "ndjson", "sqlite"] {
        planted.push(out.join(format!("customer360.{ext}.tmp")));
    }
    for table in ["entity", "orders", "invoices", "tickets", "country"] {
        planted.push(out.join(format!("customer360/{table}.csv.tmp")));
    }
    for p in &planted {
        std::os::unix::fs::symlink(&victim, p).unwrap();
    }
    for format in ["csv", "parquet", "ndjson", "sqlite"] {
        let o = Command::new(env!("CARGO_BIN_EXE_steward"))
            .arg("export")
            .arg(ws.join("products/customer360.yaml"))
            .args(["--format", format, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{format}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "{format} wrote through a symlink");
    }
    for f in ["customer360.parquet", "customer360.ndjson", "customer360.sqlite", "customer360/entity.csv"] {
        let m = std::fs::symlink_metadata(out.join(f)).unwrap();
        assert!(m.is_file() && m.len() > 0, "{f}");
    }
}
