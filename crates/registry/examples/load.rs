//! The registry under load on loopback: N concurrent clients publish verified, durable versions,
//! then fetch them, each request timed. Prints one JSON line per phase with requests/s, p50 and
//! p99. Runs the release `steward-registry` binary beside this example as a separate process.
//!
//!   cargo run --release -p steward-registry --example load -- --db sqlite|postgres [--clients 64] [--seconds 10]

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::KeyPair;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned()).unwrap_or_else(|| default.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(phase: &str, db: &str, clients: usize, wall: Duration, mut lat: Vec<Duration>, errors: usize) {
    lat.sort();
    println!(
        "{{\"phase\":\"{phase}\",\"db\":\"{db}\",\"clients\":{clients},\"requests\":{},\"errors\":{errors},\"per_second\":{:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2}}}",
        lat.len(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.99)
    );
}

/// Runs `work(client, i)` on `clients` threads for `seconds`; returns wall time, latencies, errors.
fn run(
    c: &Client,
    clients: usize,
    seconds: u64,
    rate: Option<f64>,
    work: impl Fn(&Client, usize, u64) -> Result<(), RegistryError> + Send + Sync + 'static,
) -> (Duration, Vec<Duration>, usize) {
    // With `rate` (requests/s over all clients), each client sends on a fixed schedule and a
    // request's latency counts from when it was due, so a slow server cannot hide its queue.
    let every = rate.map(|r| Duration::from_secs_f64(clients as f64 / r));
    let work = Arc::new(work);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (c, work, stop) = (c.clone(), work.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut lat, mut errors, mut n) = (vec![], 0, 0u64);
                let first = Instant::now() + every.map(|e| e.mul_f64(i as f64 / clients as f64)).unwrap_or_default();
                while !stop.load(Ordering::Relaxed) {
                    let t = match every {
                        Some(e) => {
                            let due = first + e.mul_f64(n as f64);
                            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            due
                        }
                        None => Instant::now(),
                    };
                    match work(&c, i, n) {
                        Ok(()) => lat.push(t.elapsed()),
                        Err(_) => errors += 1,
                    }
                    n += 1;
                }
                (lat, errors)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = vec![];
    let mut errors = 0;
    for t in threads {
        let (l, e) = t.join().expect("client thread");
        all.extend(l);
        errors += e;
    }
    (start.elapsed(), all, errors)
}

fn main() {
    let db_kind = arg("--db", "sqlite");
    let clients: usize = arg("--clients", "64").parse().expect("--clients N");
    let seconds: u64 = arg("--seconds", "10").parse().expect("--seconds N");
    let dir = tempfile::tempdir().expect("temp dir");
    let _pg;
    let db = if db_kind == "postgres" {
        let pg = steward_testkit::PgCluster::start_durable();
        let url = format!("postgres://steward@127.0.0.1:{}/postgres", pg.port);
        _pg = Some(pg);
        url
    } else {
        _pg = None;
        dir.path().join("registry.db").to_string_lossy().into_owned()
    };
    let admin = KeyPair::from_seed("admin", [1; 32]);
    let ada = Arc::new(KeyPair::from_seed("ada", [2; 32]));
    let exe = std::env::current_exe().expect("own path");
    let bin = exe.parent().and_then(|p| p.parent()).expect("target dir").join("steward-registry");
    assert!(bin.exists(), "{} is missing: cargo build --release -p steward-registry", bin.display());
    let (_server, url) = steward_testkit::spawn_listening(
        Command::new(&bin)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", &db, "--admin-key", &admin.public().to_text()])
            .args(["--registry-key", "registry-load"])
            .env("STEWARD_LOG", "warn"),
    );
    let c = Client::new(&url).expect("client");
    let policy = TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![TrustedSigner { name: "ada".into(), key: ada.public(), domains: vec!["*".into()] }],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    c.set_trust(&sign_trust(&policy, &admin).expect("sign")).expect("trust");
    let base = steward_model::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"),
    )
    .expect("sample product");

    // Publishes: every client its own product, versions 1.0.0, 1.0.1… each signed by the client.
    let (b, k) = (base.clone(), ada.clone());
    let publish = move |c: &Client, i: usize, n: u64| {
        let mut d = b.clone();
        d.metadata.name = format!("product-{i:03}");
        d.metadata.version = format!("1.0.{n}");
        let env = sign_definition(&d, &k)?;
        c.publish(&PublishRequest { envelope: env, allow_breaking: false, reason: None, evidence: None, waiver: None })
            .map(|_| ())
    };
    let publish = Arc::new(publish);
    let p = publish.clone();
    let (wall, lat, errors) = run(&c, clients, seconds, None, move |c, i, n| p(c, i, n));
    report("publish", &db_kind, clients, wall, lat, errors);
    // The same at the target rate: latency when the registry is not saturated. Versions go on
    // from where the first phase stopped.
    let offset = 1_000_000;
    let p = publish.clone();
    let (wall, lat, errors) = run(&c, clients, seconds, Some(500.0), move |c, i, n| p(c, i, n + offset));
    report("publish at 500/s", &db_kind, clients, wall, lat, errors);

    // Gets by name@version of what was published: the whole record read, status checked (the
    // record is not parsed here, so the load tool's own CPU goes to requests).
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let base = url.clone();
    let get = move |i: usize, n: u64| -> Result<(), RegistryError> {
        let mut r = agent
            .get(format!("{base}/v1/products/product-{i:03}/versions/1.0.{}", n % 10))
            .call()
            .map_err(|e| RegistryError::Unreachable(e.to_string()))?;
        let body = r.body_mut().read_to_vec().map_err(|e| RegistryError::Unreachable(e.to_string()))?;
        if r.status() == 200 && body.len() > 1000 {
            Ok(())
        } else {
            Err(RegistryError::NotFound(format!("status {}", r.status())))
        }
    };
    let get = Arc::new(get);
    let g = get.clone();
    let (wall, lat, errors) = run(&c, clients, seconds, None, move |_, i, n| g(i, n));
    report("get", &db_kind, clients, wall, lat, errors);
    let g = get.clone();
    let (wall, lat, errors) = run(&c, clients, seconds, Some(10_000.0), move |_, i, n| g(i, n));
    report("get at 10000/s", &db_kind, clients, wall, lat, errors);
    let log = c.log(0, 10_000).expect("log");
    verify_chain(&log).expect("audit chain");
}
