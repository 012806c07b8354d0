//! Helpers shared by the attack tests: a registry on loopback, keys, policies, raw requests.
#![allow(dead_code)]

use std::path::Path;

use steward_model::ProductDefinition;
use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::KeyPair;

pub fn sample() -> ProductDefinition {
    steward_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"))
        .unwrap()
}

pub fn key(n: u8) -> KeyPair {
    KeyPair::from_seed("k", [n; 32])
}

/// The registry's own key in these tests.
pub fn registry_key() -> KeyPair {
    KeyPair::from_seed("registry", [200; 32])
}

/// Starts a registry on a free loopback port over `db`; it lives until the test process ends.
pub fn start(db: &str, root: &KeyPair) -> Client {
    let (tx, rx) = std::sync::mpsc::channel::<std::net::SocketAddr>();
    let roots = vec![root.public()];
    let db = db.to_string();
    std::thread::spawn(move || {
        let r = serve_blocking(&db, "127.0.0.1:0", roots, registry_key(), |a| {
            let _ = tx.send(a);
        });
        if let Err(e) = r {
            eprintln!("registry stopped: {e}");
        }
    });
    let addr = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    Client::new(&format!("http://{addr}")).unwrap()
}

pub fn policy(serial: u64, signers: Vec<(&str, &KeyPair, &[&str])>) -> TrustPolicy {
    TrustPolicy {
        serial,
        admins: vec![],
        signers: signers
            .into_iter()
            .map(|(n, k, d)| TrustedSigner {
                name: n.into(),
                key: k.public(),
                domains: d.iter().map(|x| x.to_string()).collect(),
            })
            .collect(),
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    }
}

pub fn publish(c: &Client, def: &ProductDefinition, k: &KeyPair) -> Result<Published, RegistryError> {
    c.publish(&PublishRequest {
        envelope: sign_definition(def, k).unwrap(),
        allow_breaking: false,
        reason: None,
        evidence: None,
        waiver: None,
    })
}

pub fn versioned(v: &str) -> ProductDefinition {
    let mut d = sample();
    d.metadata.version = v.into();
    d
}

/// (status, code, message) of a raw request.
pub fn raw(base: &str, method: &str, path: &str, body: Option<Vec<u8>>) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let url = format!("{base}{path}");
    let mut resp = match (method, body) {
        ("GET", _) => agent.get(&url).call().unwrap(),
        ("POST", Some(b)) => agent.post(&url).header("content-type", "application/json").send(&b[..]).unwrap(),
        ("PUT", Some(b)) => agent.put(&url).header("content-type", "application/json").send(&b[..]).unwrap(),
        _ => unreachable!(),
    };
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let v = serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default();
    (status, v["code"].as_str().unwrap_or_default().to_string(), v["message"].as_str().unwrap_or(&text).to_string())
}

/// Runs `f` against a SQLite file and against a real PostgreSQL server.
pub fn on_both(f: impl Fn(&str)) {
    let dir = tempfile::tempdir().unwrap();
    f(&dir.path().join("registry.db").to_string_lossy());
    let pg = steward_testkit::PgCluster::start();
    f(&format!("postgres://steward@127.0.0.1:{}/postgres", pg.port));
}
