//! The corpus of broken inputs in tests/bad-inputs: each one gets a clear error naming the file,
//! a non-zero exit (never a panic), and leaves the workspace exactly as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad-inputs")
}

fn steward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward")).args(args).output().expect("run steward")
}

struct Case {
    file: String,
    code: String,
    needle: String,
}

fn cases() -> Vec<Case> {
    std::fs::read_to_string(corpus().join("expected.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            Case {
                file: f.next().unwrap().into(),
                code: f.next().unwrap().into(),
                needle: f.next().unwrap_or("").into(),
            }
        })
        .collect()
}

fn json_error(o: &Output) -> (String, String) {
    let v: serde_json::Value = serde_json::from_slice(&o.stderr)
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    (v["error"]["code"].as_str().unwrap().into(), v["error"]["message"].as_str().unwrap().into())
}

#[test]
fn the_corpus_has_at_least_thirty_inputs_and_all_exist() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} broken inputs", cases.len());
    for c in &cases {
        assert!(corpus().join(&c.file).is_file(), "{} is listed but missing", c.file);
    }
}

#[test]
fn every_broken_input_is_refused_clearly() {
    let mut failures = vec![];
    for c in cases() {
        let path = corpus().join(&c.file);
        let o = steward(&["sources", "inspect", path.to_str().unwrap(), "--format", "json"]);
        if o.status.code() != Some(1) {
            failures.push(format!(
                "{}: exit {:?} (want 1): {}",
                c.file,
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let (code, message) = json_error(&o);
        if code != c.code {
            failures.push(format!("{}: code {code}, want {}: {message}", c.file, c.code));
        }
        if !message.contains(&c.file) {
            failures.push(format!("{}: message does not name the file: {message}", c.file));
        }
        if !message.contains(&c.needle) {
            failures.push(format!("{}: message lacks `{}`: {message}", c.file, c.needle));
        }
        // The table output is an error line on stderr naming the file, and nothing on stdout.
        let o = steward(&["sources", "inspect", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        if o.status.code() != Some(1) || !stderr.starts_with("error: ") || !o.stdout.is_empty() {
            failures.push(format!("{}: table output: exit {:?}, stderr {stderr}", c.file, o.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn adding_a_broken_input_leaves_the_workspace_intact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("steward.yaml"), "version: 1\nname: Intact\nsources: []\n").unwrap();
    let before = std::fs::read(dir.path().join("steward.yaml")).unwrap();
    for c in cases() {
        let path = corpus().join(&c.file);
        let o = steward(&["sources", "add", path.to_str().unwrap(), "--workspace", dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}: {}", c.file, String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(std::fs::read(dir.path().join("steward.yaml")).unwrap(), before);
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, [".steward", "steward.yaml"], "no temp files are left behind");
}

#[test]
fn huge_fields_and_very_wide_headers_read_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big_field.csv");
    let field = "x".repeat(10 * 1024 * 1024);
    std::fs::write(&big, format!("id,blob\n1,\"{field}\"\n2,small\n")).unwrap();
    let o = steward(&["sources", "inspect", big.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["row_count"], 2);

    let wide = dir.path().join("wide.csv");
    let header: Vec<String> = (0..20_000).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    std::fs::write(&wide, format!("{}\n{}\n", header.join(","), row.join(","))).unwrap();
    let o = steward(&["sources", "inspect", wide.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["columns"].as_array().unwrap().len(), 20_000);
    assert_eq!(v["columns"][19_999]["name"], "c19999");
}

#[test]
fn folders_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("looks_like.csv");
    std::fs::create_dir(&folder).unwrap();
    let (code, message) = json_error(&steward(&["sources", "inspect", folder.to_str().unwrap(), "--format", "json"]));
    assert_eq!(code, "source.unsupported");
    assert!(message.contains("looks_like.csv") && message.contains("folder"), "{message}");
    let missing = dir.path().join("gone.parquet");
    let (code, message) = json_error(&steward(&["sources", "inspect", missing.to_str().unwrap(), "--format", "json"]));
    assert_eq!(code, "source.not_found");
    assert!(message.contains("gone.parquet"));
}

/// `steward preview … | head -1`: the reader closes the pipe early, and Steward ends quietly as
/// Unix tools do — no panic, no "failed printing to stdout".
#[cfg(unix)]
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["preview", sample.to_str().unwrap(), "--limit", "500"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run steward");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(!first.is_empty());
    // The reader is gone now.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panic") && !err.contains("Broken pipe"), "{err}");
    assert!(out.status.success() || out.status.signal() == Some(13), "{:?}: {err}", out.status);
}
