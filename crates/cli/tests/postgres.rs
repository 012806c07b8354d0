//! `steward sources add postgres://…` with a real server and the real OS keychain (make test
//! runs this inside scripts/with-keyring.sh).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use steward_testkit::PgCluster;

const PASSWORD: &str = "kEy-in-the-keychain-7";

fn steward(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run steward");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[test]
fn add_inspect_and_classify_a_postgres_table() {
    let pg = PgCluster::start();
    pg.create_password_user("shop_reader", PASSWORD);
    pg.psql(
        "CREATE SCHEMA shop;
         CREATE TABLE shop.buyers (buyer_id int PRIMARY KEY, email text, joined date);
         INSERT INTO shop.buyers SELECT i, 'b' || i || '@shop.example', DATE '2020-01-01' + i FROM generate_series(1, 75) i;
         CREATE TABLE shop.audit (x int);
         GRANT USAGE ON SCHEMA shop TO shop_reader;
         GRANT SELECT ON ALL TABLES IN SCHEMA shop TO shop_reader;",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("steward.yaml"), "version: 1\nname: PG\nsources: []\n").unwrap();
    let w = dir.path().to_str().unwrap();
    // This throwaway cluster has no TLS; SCRAM keeps the password off the wire.
    let url = format!("postgres://shop_reader@127.0.0.1:{}/postgres?sslmode=disable", pg.port);

    // The password in the URL is refused; a wrong one is refused without echoing it.
    let o = steward(
        &["sources", "add", &format!("postgres://shop_reader:{PASSWORD}@127.0.0.1:{}/postgres", pg.port), "-w", w],
        None,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--password-stdin"));
    let o =
        steward(&["sources", "add", &url, "--table", "shop.buyers", "--password-stdin", "-w", w], Some("nope-wrong\n"));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("authentication failed") && !err.contains("nope-wrong"), "{err}");
    // Two tables and none chosen: the steward is told which exist.
    let o = steward(&["sources", "add", &url, "--password-stdin", "-w", w], Some(&format!("{PASSWORD}\n")));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("shop.audit, shop.buyers"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = steward(
        &["sources", "add", &url, "--table", "shop.buyers", "--password-stdin", "-w", w],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(dir.path().join("steward.yaml")).unwrap();
    assert!(!manifest.contains(PASSWORD), "the workspace never holds the password:\n{manifest}");
    assert!(manifest.contains("secret: postgres/shop_reader@127.0.0.1:"), "{manifest}");

    // Later commands read the password from the keychain.
    let o = steward(&["sources", "inspect", "buyers", "-w", w, "--format", "json"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["format"].as_str(), v["row_count"].as_u64()), (Some("postgres"), Some(75)));
    let o = steward(&["sources", "classify", "buyers", "-w", w, "--accept", "email=email"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).lines().any(|l| l.starts_with("email") && l.contains("accepted")));
    for out in [&o.stdout, &o.stderr] {
        assert!(!String::from_utf8_lossy(out).contains(PASSWORD));
    }
}
