//! Changing the process environment while other threads run is unsound (they may read it at the
//! same moment). Steward's code never does it, except the CLI's `main` before anything else
//! starts: the desktop passes choices (the signing key) as values instead.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target" && n != "node_modules") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_code_changes_the_environment_once_threads_may_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![];
    for dir in ["crates", "src-tauri/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found the sources: {}", files.len());
    let cli_main = root.join("crates/cli/src/main.rs").canonicalize().unwrap();
    let mut offenders = vec![];
    for f in &files {
        // Tests may set variables for child processes they spawn; only shipped code counts.
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
        if rel.contains("/tests/") || rel.contains("/benches/") || rel.contains("/examples/") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
        let hits: Vec<usize> = shipped.match_indices("env::set_var(").map(|(i, _)| i).collect();
        if hits.is_empty() {
            continue;
        }
        if f.canonicalize().unwrap() == cli_main {
            // Allowed only at the very start of `main`, before the command line is parsed.
            let main = shipped.find("fn main()").expect("main");
            let parse = shipped.find("Cli::parse()").expect("parse");
            if hits.iter().all(|&i| i > main && i < parse) {
                continue;
            }
        }
        offenders.push(rel);
    }
    assert!(offenders.is_empty(), "set_var outside start-up in: {offenders:?}");
}
