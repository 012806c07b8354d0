//! Durability: 32 concurrent publishers, the server killed with SIGKILL mid-stream, restarted on
//! the same database. Every acknowledged publish must be there and verify; the audit chain must
//! verify; no version may exist without its log entry (nothing half-written).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::KeyPair;
use steward_testkit::{spawn_listening, ServerProcess};

/// The registry's own key for one server process: in the keychain (this test runs under
/// scripts/with-keyring.sh), its public half in a temporary key ring, a name of its own.
fn registry_key(cmd: &mut Command) -> &mut Command {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!("registry-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    cmd.args(["--registry-key", &name]).env("STEWARD_CONFIG_DIR", std::env::temp_dir().join("steward-test-config"))
}

fn serve(db: &str, admin: &KeyPair) -> (ServerProcess, Client) {
    let (server, url) = spawn_listening(
        registry_key(Command::new(env!("CARGO_BIN_EXE_steward-registry")).args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db,
            "--admin-key",
            &admin.public().to_text(),
        ]))
        .stderr(Stdio::null()),
    );
    (server, Client::new(&url).unwrap())
}

fn product(i: usize, patch: u64) -> steward_model::ProductDefinition {
    let mut d = steward_model::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"),
    )
    .unwrap();
    d.metadata.name = format!("product-{i:02}");
    d.metadata.version = format!("1.0.{patch}");
    d
}

fn kill_mid_stream(db: String) {
    let admin = KeyPair::from_seed("admin", [7; 32]);
    let ada = KeyPair::from_seed("ada", [8; 32]);
    let (mut server, c) = serve(&db, &admin);
    let policy = TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![TrustedSigner { name: "ada".into(), key: ada.public(), domains: vec!["*".into()] }],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    c.set_trust(&sign_trust(&policy, &admin).unwrap()).unwrap();

    let acked: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..32)
        .map(|i| {
            let (c, acked, stop, ada) = (c.clone(), acked.clone(), stop.clone(), KeyPair::from_seed("ada", [8; 32]));
            std::thread::spawn(move || {
                let mut patch = 0;
                // Bounded: until the server dies, or 20 s at most.
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(20) {
                    let env = sign_definition(&product(i, patch), &ada).unwrap();
                    match c.publish(&PublishRequest {
                        envelope: env,
                        allow_breaking: false,
                        reason: None,
                        evidence: None,
                        waiver: None,
                    }) {
                        Ok(p) => {
                            acked.lock().unwrap().push((p.name, p.version, p.digest));
                            patch += 1;
                        }
                        Err(RegistryError::Unreachable(_)) | Err(RegistryError::Storage(_)) => break,
                        Err(e) => panic!("publisher {i}: {e}"),
                    }
                }
            })
        })
        .collect();
    // Let publishes flow, then SIGKILL the server mid-stream.
    while acked.lock().unwrap().len() < 200 && started.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.0.kill().unwrap();
    let _ = server.0.wait();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 200, "only {} publishes acknowledged before the kill", acked.len());

    let (_server, c) = serve(&db, &admin);
    for (name, version, digest) in &acked {
        let rec = c.version(name, version).unwrap_or_else(|e| panic!("acknowledged {name}@{version} lost: {e}"));
        assert_eq!(&rec.digest, digest);
    }
    // A sample of bundles verifies offline.
    for (name, version, _) in acked.iter().step_by(acked.len() / 10 + 1) {
        verify_bundle(&c.bundle(name, version).unwrap(), &[admin.public()]).unwrap();
    }
    // The whole chain, and every stored version has its log entry with its digest.
    let log = c.log(0, 10_000).unwrap();
    verify_chain(&log).unwrap();
    let products = c.search(&Search::default()).unwrap();
    let mut versions = 0;
    for p in &products {
        for v in c.versions(&p.name).unwrap() {
            versions += 1;
            let rec = c.version(&p.name, &v.version).unwrap();
            let e = &log[rec.log_index as usize];
            assert_eq!((e.action.as_str(), e.digest.as_str()), ("publish", rec.digest.as_str()));
        }
    }
    assert_eq!(versions, log.len() - 1, "one publish entry per stored version (plus the trust entry)");
    assert!(versions >= acked.len());
    // And it keeps working after the restart.
    let next = acked.iter().filter(|(n, _, _)| n == "product-00").count() as u64;
    let more = 1 + versions as u64;
    let env = sign_definition(&product(0, next + more), &ada).unwrap();
    c.publish(&PublishRequest { envelope: env, allow_breaking: false, reason: None, evidence: None, waiver: None })
        .unwrap();
}

#[test]
fn sqlite_survives_kill_9_mid_stream() {
    let dir = tempfile::tempdir().unwrap();
    kill_mid_stream(dir.path().join("registry.db").to_string_lossy().into_owned());
}

#[test]
fn postgres_survives_kill_9_mid_stream() {
    let pg = steward_testkit::PgCluster::start();
    kill_mid_stream(format!("postgres://steward@127.0.0.1:{}/postgres", pg.port));
}

/// A team's PostgreSQL with a password: given on standard input, never in the URL (a URL with
/// one is refused before anything connects).
#[test]
fn postgres_password_comes_from_stdin_never_the_url() {
    use std::io::Write;
    let pg = steward_testkit::PgCluster::start();
    pg.create_password_user("registry", "s3cret-pw");
    pg.psql("GRANT ALL ON SCHEMA public TO registry;");
    let admin = KeyPair::from_seed("admin", [7; 32]);
    let url = format!("postgres://registry@127.0.0.1:{}/postgres", pg.port);
    let spawn = |db: &str, stdin: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_steward-registry"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--db", db, "--admin-key", &admin.public().to_text()]);
        let mut child = registry_key(&mut cmd)
            .args(stdin.map(|_| "--db-password-stdin"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(p) = stdin {
            writeln!(child.stdin.take().unwrap(), "{p}").unwrap();
        }
        child
    };
    // In the URL: refused, and the password is not echoed back.
    let out = spawn(&format!("postgres://registry:s3cret-pw@127.0.0.1:{}/postgres", pg.port), None)
        .wait_with_output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("no password in the URL") && !err.contains("s3cret-pw"), "{err}");
    // A wrong password fails to connect, naming the database without the password.
    let out = spawn(&url, Some("wrong")).wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains(&format!("postgres://registry@127.0.0.1:{}/postgres", pg.port)),
        "{err}"
    );
    // On stdin: it serves.
    let mut child = spawn(&url, Some("s3cret-pw"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let Some(base) = line.trim().strip_prefix("listening on ").map(String::from) else {
        let out = child.wait_with_output().unwrap();
        panic!("the registry did not start: {}", String::from_utf8_lossy(&out.stderr));
    };
    let _server = ServerProcess(child);
    let c = Client::new(&base).unwrap();
    assert!(c.trust().unwrap().current.is_none());
}
