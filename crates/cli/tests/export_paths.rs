//! `steward export` writes only inside `--out`: a product whose name would climb out of it
//! (`metadata.name: "../../x"`) is refused, even though export does not run the model check.

use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

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
