//! `steward grants`, `steward node serve`, `steward consume` and `steward node verify-log` end to
//! end, as separate processes: keys in the real OS keychain (the test runs under
//! scripts/with-keyring.sh), a registry and a node on loopback, and the node killed with
//! SIGKILL while consumers read — its access log still holds every answer that left it.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use steward_testkit::{spawn_listening, ServerProcess};

struct Env {
    config: tempfile::TempDir,
}

impl Env {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_steward"));
        c.args(args)
            .env("STEWARD_CONFIG_DIR", self.config.path())
            .env_remove("STEWARD_KEY")
            .env_remove("STEWARD_REGISTRY");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "steward {args:?} failed: {}{}", text(&o.stdout), text(&o.stderr));
        text(&o.stdout)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn unique(prefix: &str) -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{t}", std::process::id())
}

#[test]
fn a_consumer_reads_through_its_grant_and_a_killed_node_loses_no_answered_access() {
    let env = Env { config: tempfile::tempdir().unwrap() };
    let (admin, ada, app) = (unique("admin"), unique("ada"), unique("app"));
    for k in [&admin, &ada, &app] {
        env.ok(&["keys", "generate", k]);
    }
    let admin_pub = env.ok(&["keys", "export", &admin]).trim().to_string();
    let ada_pub = env.ok(&["keys", "export", &ada]).trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    steward_testkit::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"), &ws);
    let (_registry, url) = spawn_listening(
        env.cmd(&["registry", "serve", "--listen", "127.0.0.1:0", "--admin-key", &admin_pub, "--db"])
            .arg(dir.path().join("registry.db"))
            .stderr(Stdio::null()),
    );
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, format!("signers:\n  - name: ada\n    key: {ada_pub}\n    domains: [customer]\n")).unwrap();
    env.ok(&["registry", "trust", "--apply", policy.to_str().unwrap(), "--admin", &admin, "--registry", &url]);
    let product = ws.join("products/customer360.yaml");
    env.ok(&["publish", product.to_str().unwrap(), "--key", &ada, "--registry", &url]);

    // Not granted yet: the node refuses, with nothing of the data.
    let log = dir.path().join("access.log");
    let serve = |env: &Env| {
        spawn_listening(
            env.cmd(&[
                "node",
                "serve",
                "--registry",
                &url,
                "--admin-key",
                &admin_pub,
                "--product",
                "customer360",
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--workspace")
            .arg(&ws)
            .arg("--access-log")
            .arg(&log)
            .stderr(Stdio::null()),
        )
    };
    let (node, node_url) = serve(&env);
    let o = env.run(&["consume", "customer360", "--node", &node_url, "--key", &app, "--limit", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("a key this node does not know"), "{}", text(&o.stderr));
    assert!(!text(&o.stdout).contains('@'), "nothing of the data: {}", text(&o.stdout));
    drop(node);

    env.ok(&[
        "grants",
        "add",
        "customer360",
        "--consumer",
        &app,
        "--name",
        "analytics app",
        "--profile",
        "analytics",
        "--key",
        &ada,
        "--registry",
        &url,
    ]);
    let (node, node_url) = serve(&env);
    let page: serde_json::Value = serde_json::from_str(&env.ok(&[
        "consume",
        "customer360",
        "--node",
        &node_url,
        "--key",
        &app,
        "--limit",
        "3",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(page.as_array().unwrap().len(), 3);
    let held = page[0]["customer_id"].to_string();
    let one = env.ok(&["consume", "customer360", "--node", &node_url, "--key", &app, "--entity", &held]);
    assert!(one.contains("profile: analytics") && one.contains("\"orders\""), "{one}");
    let out = dir.path().join("customers.arrow");
    let wrote = env.ok(&["consume", "customer360", "--node", &node_url, "--key", &app, "--out", out.to_str().unwrap()]);
    assert!(wrote.contains("product: customer360@1.0.0"), "{wrote}");
    let frame = polars_frame(&out);
    assert_eq!(frame, 500, "every customer in the stream");
    readme_python_reads(dir.path(), 500);
    assert!(env.ok(&["node", "verify-log", log.to_str().unwrap()]).contains("3 entries"));

    // Consumers read while the node is killed: every answer they got is in the log.
    let key = Arc::new(steward_signing::KeyPair::load(&app, &steward_secrets::Keychain).unwrap());
    let answered = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (key, answered, node_url) = (key.clone(), answered.clone(), node_url.clone());
            std::thread::spawn(move || loop {
                match steward_app::consume::ask(
                    &node_url,
                    "customer360",
                    &key,
                    &steward_app::consume::Ask::Rows { offset: 0, limit: 5 },
                ) {
                    Ok(_) => {
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(_) => return,
                }
            })
        })
        .collect();
    while answered.load(Ordering::SeqCst) < 200 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    kill(node);
    for r in readers {
        r.join().unwrap();
    }
    let got = answered.load(Ordering::SeqCst);
    let checked = env.ok(&["node", "verify-log", log.to_str().unwrap()]);
    let entries: u64 =
        checked.split(": ").nth(1).and_then(|s| s.split(' ').next()).and_then(|n| n.parse().ok()).unwrap();
    assert!(entries >= got + 3, "{got} answers received, {entries} logged: {checked}");
    // The log is still the node's: it starts again on it and goes on.
    let (_node, node_url) = serve(&env);
    env.ok(&["consume", "customer360", "--node", &node_url, "--key", &app, "--limit", "1"]);
    assert!(env.ok(&["node", "verify-log", log.to_str().unwrap()]).contains(&format!("{} entries", entries + 1)));
}

fn kill(mut node: ServerProcess) {
    node.0.kill().unwrap();
    node.0.wait().unwrap();
}

/// Rows of an Arrow IPC stream file, read by Polars as any consumer would.
fn polars_frame(path: &Path) -> usize {
    use polars::prelude::*;
    IpcStreamReader::new(std::fs::File::open(path).unwrap()).finish().unwrap().height()
}

/// Runs the README's two Python lines (pyarrow, then Polars) where `customers.arrow` is: each
/// must read every row.
fn readme_python_reads(dir: &Path, rows: usize) {
    let python = std::env::var("STEWARD_CONSUMER_PYTHON").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| format!("{}/../../target", env!("CARGO_MANIFEST_DIR")));
        format!("{target}/tools/consumer-venv/bin/python")
    });
    assert!(Path::new(&python).exists(), "{python} is missing: run scripts/setup.sh (make test does)");
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let block = readme.split("<!-- consumer-python").nth(1).and_then(|b| b.split("```python").nth(1)).unwrap();
    let lines: Vec<&str> =
        block.split("```").next().unwrap().lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "two lines: {lines:?}");
    for (line, count) in lines.iter().zip(["table.num_rows", "customers.height"]) {
        let o =
            Command::new(&python).current_dir(dir).args(["-c", &format!("{line}\nprint({count})")]).output().unwrap();
        assert!(o.status.success(), "{line}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout).trim(), rows.to_string(), "{line}");
    }
}
