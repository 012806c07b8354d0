//! What the node tests share: a registry on loopback with a trust policy, the sample workspace
//! copied, the product published, and a node started over it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use steward_registry::*;
use steward_registry_client::Client;
use steward_secrets::MemoryStore;
use steward_signing::KeyPair;

pub fn key(n: u8) -> KeyPair {
    KeyPair::from_seed("k", [n; 32])
}

pub struct World {
    pub _dir: tempfile::TempDir,
    pub ws: std::path::PathBuf,
    pub registry: String,
    pub client: Client,
    pub admin: KeyPair,
    pub ada: KeyPair,
}

pub fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    steward_testkit::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"), &ws);
    let db = format!("sqlite://{}", dir.path().join("registry.db").display());
    let (admin, ada) = (key(1), key(2));
    let (tx, rx) = std::sync::mpsc::channel();
    let roots = vec![admin.public()];
    std::thread::spawn(move || {
        let _ = serve_blocking(&db, "127.0.0.1:0", roots, KeyPair::from_seed("registry", [200; 32]), |a| {
            let _ = tx.send(a);
        });
    });
    let addr: std::net::SocketAddr = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    let registry = format!("http://{addr}");
    let client = Client::new(&registry).unwrap();
    let policy = TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![TrustedSigner { name: "ada".into(), key: ada.public(), domains: vec!["customer".into()] }],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    client.set_trust(&sign_trust(&policy, &admin).unwrap()).unwrap();
    World { _dir: dir, ws, registry, client, admin, ada }
}

pub fn args(w: &World, products: &[&str], admin: &KeyPair) -> steward_node::ServeArgs {
    steward_node::ServeArgs {
        workspace: w.ws.clone(),
        registry: w.registry.clone(),
        admin_keys: vec![admin.public().to_text()],
        products: products.iter().map(|p| p.to_string()).collect(),
        listen: "127.0.0.1:0".into(),
        access_log: w.ws.join("access.log"),
        access_log_sync: steward_node::access::LogSync::Answer,
        refresh_secs: 3600,
        signature_window: 60,
    }
}

pub fn publish(w: &World) -> String {
    publish_product(w, "customer360")
}

/// Publishes `products/<id>.yaml` of the world's workspace, signed by ada; returns its digest.
pub fn publish_product(w: &World, id: &str) -> String {
    let def = steward_model::load(&w.ws.join(format!("products/{id}.yaml"))).unwrap();
    let p = w
        .client
        .publish(&PublishRequest {
            envelope: sign_definition(&def, &w.ada).unwrap(),
            allow_breaking: false,
            reason: None,
            evidence: None,
            waiver: None,
        })
        .unwrap();
    p.digest
}

/// Starts a node; returns its URL and state.
pub fn node(w: &World) -> (String, Arc<steward_node::NodeState>, Arc<steward_node::Context>) {
    node_with(w, &["customer360"], Arc::new(MemoryStore::new()))
}

/// Starts a node serving `products`, reading secrets from `store`.
pub fn node_with(
    w: &World,
    products: &[&str],
    store: Arc<dyn steward_secrets::SecretStore>,
) -> (String, Arc<steward_node::NodeState>, Arc<steward_node::Context>) {
    let (state, cx) = steward_node::start(&args(w, products, &w.admin), store).unwrap();
    let cx = Arc::new(cx);
    let (tx, rx) = std::sync::mpsc::channel();
    let (st, c) = (state.clone(), cx.clone());
    std::thread::spawn(move || {
        let every = std::time::Duration::from_secs(3600);
        let _ = steward_node::serve_blocking(
            st,
            "127.0.0.1:0",
            every,
            move |s| steward_node::refresh(s, &c),
            |a| {
                let _ = tx.send(a);
            },
        );
    });
    let addr: std::net::SocketAddr = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    (format!("http://{addr}"), state, cx)
}
