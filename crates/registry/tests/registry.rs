//! The registry over real HTTP on loopback, the same suite against SQLite (a temp file) and a
//! real PostgreSQL server the test starts itself.

use std::path::Path;
use steward_error::ErrorCode;

use steward_model::{Field, ProductDefinition};
use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::{KeyPair, PRODUCT_PAYLOAD_TYPE};

fn sample() -> ProductDefinition {
    steward_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"))
        .unwrap()
}

fn key(n: u8) -> KeyPair {
    KeyPair::from_seed("k", [n; 32])
}

/// Starts a registry on a free loopback port over `db`; it lives until the test process ends.
fn start(db: String, root: &KeyPair) -> Client {
    let (tx, rx) = std::sync::mpsc::channel::<Result<std::net::SocketAddr, String>>();
    let roots = vec![root.public()];
    std::thread::spawn(move || {
        let r = serve_blocking(&db, "127.0.0.1:0", roots, KeyPair::from_seed("registry", [200; 32]), |a| {
            let _ = tx.send(Ok(a));
        });
        if let Err(e) = r {
            eprintln!("registry stopped: {e}");
        }
    });
    let addr: std::net::SocketAddr = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap().unwrap();
    Client::new(&format!("http://{addr}")).unwrap()
}

fn policy(serial: u64, signers: Vec<(&str, &KeyPair, &[&str])>) -> TrustPolicy {
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

fn publish(c: &Client, def: &ProductDefinition, k: &KeyPair) -> Result<Published, RegistryError> {
    c.publish(&PublishRequest {
        envelope: sign_definition(def, k).unwrap(),
        allow_breaking: false,
        reason: None,
        evidence: None,
        waiver: None,
    })
}

/// (status, code) of a raw request, for bodies the client would never send.
fn raw(base: &str, method: &str, path: &str, body: Option<Vec<u8>>) -> (u16, String) {
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
    let code = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["code"].as_str().map(String::from))
        .unwrap_or(text);
    (status, code)
}

/// A POST whose body is larger than the registry reads, declared up front (Content-Length) or
/// streamed in chunks. Written on a raw socket: the server answers before the body is sent.
fn oversized(base: &str, chunked: bool) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    let length =
        if chunked { "Transfer-Encoding: chunked".to_string() } else { format!("Content-Length: {}", MAX_BODY + 10) };
    write!(s, "POST /v1/products HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\n{length}\r\nConnection: close\r\n\r\n").unwrap();
    let chunk = vec![b'A'; 64 * 1024];
    for _ in 0..(MAX_BODY / chunk.len() + 2) {
        let sent = if chunked {
            write!(s, "{:x}\r\n", chunk.len()).and_then(|_| s.write_all(&chunk)).and_then(|_| s.write_all(b"\r\n"))
        } else {
            s.write_all(&chunk)
        };
        // The server may stop reading (and answer) before everything is sent.
        if sent.is_err() {
            break;
        }
    }
    // Keep what arrived even if the connection is then reset (the server stops reading early).
    let mut bytes = vec![];
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let code = body.find('{').and_then(|i| {
        serde_json::from_str::<serde_json::Value>(&body[i..body.rfind('}').map(|j| j + 1).unwrap_or(body.len())]).ok()
    });
    (
        status,
        code.and_then(|v| v["code"].as_str().map(String::from)).unwrap_or_else(|| text.chars().take(300).collect()),
    )
}

/// (versions of customer360, log entries): what "nothing stored" is checked against.
fn stored(c: &Client) -> (usize, usize) {
    (c.versions("customer360").map(|v| v.len()).unwrap_or(0), c.log(0, 10_000).unwrap().len())
}

fn suite(db: String) {
    let (admin, ada, bob, eve) = (key(1), key(2), key(3), key(4));
    let c = start(db, &admin);
    let base = c.base().to_string();
    let def = sample();

    // No policy yet: nobody publishes.
    let e = publish(&c, &def, &ada).unwrap_err();
    assert_eq!((e.status(), e.code()), (403, "registry.untrusted"), "{e}");
    assert!(e.to_string().contains("no trust policy"), "{e}");

    // Only an admin key changes the policy, and only forward.
    let p1 = policy(1, vec![("ada@example.com", &ada, &["customer"]), ("bob@example.com", &bob, &["finance"])]);
    let e = c.set_trust(&sign_trust(&p1, &ada).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (403, "registry.untrusted"), "{e}");
    c.set_trust(&sign_trust(&p1, &admin).unwrap()).unwrap();
    let e = c.set_trust(&sign_trust(&p1, &admin).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (409, "registry.replay"), "a policy with the same serial again: {e}");
    assert_eq!(c.trust().unwrap().current.unwrap().serial, 1);

    // Publish, then read back every way.
    let p = publish(&c, &def, &ada).unwrap();
    assert_eq!((p.name.as_str(), p.version.as_str(), p.previous.as_deref()), ("customer360", "1.0.0", None));
    assert_eq!(c.version("customer360", "1.0.0").unwrap().digest, p.digest);
    assert_eq!(c.latest("customer360").unwrap().version, "1.0.0");
    assert_eq!(c.by_digest(&p.digest).unwrap().version, "1.0.0");
    assert_eq!(
        definition_of(&c.latest("customer360").unwrap().envelope).unwrap(),
        def,
        "the definition comes back exactly"
    );
    let listed = c.search(&Search::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].domain.as_str(), listed[0].versions), ("customer", 1));
    assert_eq!(c.search(&Search { tag: Some("pii".into()), ..Default::default() }).unwrap().len(), 1);
    assert_eq!(c.search(&Search { text: Some("SUPPORT TICKETS".into()), ..Default::default() }).unwrap().len(), 1);
    assert!(c.search(&Search { domain: Some("finance".into()), ..Default::default() }).unwrap().is_empty());
    let before = stored(&c);

    // Refusals: each with its status, and nothing stored.
    let refuse = |r: Result<Published, RegistryError>, status: u16, code: &str| {
        let e = r.unwrap_err();
        assert_eq!((e.status(), e.code()), (status, code), "{e}");
        assert_eq!(stored(&c), before, "a refused publish stored something: {e}");
        e
    };
    // Replayed envelope.
    refuse(
        c.publish(&PublishRequest {
            envelope: sign_definition(&def, &ada).unwrap(),
            allow_breaking: false,
            reason: None,
            evidence: None,
            waiver: None,
        }),
        409,
        "registry.replay",
    );
    // Overwrite of an existing version.
    let mut changed = def.clone();
    changed.metadata.description = Some("Changed after publishing".into());
    refuse(publish(&c, &changed, &ada), 409, "registry.version_exists");
    // Downgrade.
    let mut older = def.clone();
    older.metadata.version = "0.9.0".into();
    refuse(publish(&c, &older, &ada), 409, "registry.version_not_newer");
    // Tampered payload: the signature was over other bytes.
    let mut next = def.clone();
    next.metadata.version = "1.0.1".into();
    let mut env = sign_definition(&next, &ada).unwrap();
    let mut tampered = next.clone();
    tampered.masking.clear();
    env.payload = base64_of(&steward_signing::canonical_json(&tampered, "t").unwrap());
    refuse(
        c.publish(&PublishRequest { envelope: env, allow_breaking: false, reason: None, evidence: None, waiver: None }),
        403,
        "registry.signature",
    );
    // A key the registry does not know, and a known key for another domain.
    let e = refuse(publish(&c, &next, &eve), 403, "registry.untrusted");
    assert!(e.to_string().contains("does not trust"), "{e}");
    let e = refuse(publish(&c, &next, &bob), 403, "registry.untrusted");
    assert!(e.to_string().contains("bob@example.com) is not allowed to publish for domain `customer`"), "{e}");
    // Another payload type under a valid signature.
    let payload = steward_signing::canonical_json(&next, "t").unwrap();
    refuse(
        c.publish(&PublishRequest {
            envelope: ada.sign(steward_signing::ACTION_PAYLOAD_TYPE, &payload),
            allow_breaking: false,
            reason: None,
            evidence: None,
            waiver: None,
        }),
        400,
        "registry.bad_request",
    );
    // Non-canonical payload (pretty-printed), validly signed.
    let pretty = serde_json::to_vec_pretty(&next).unwrap();
    refuse(
        c.publish(&PublishRequest {
            envelope: ada.sign(PRODUCT_PAYLOAD_TYPE, &pretty),
            allow_breaking: false,
            reason: None,
            evidence: None,
            waiver: None,
        }),
        400,
        "registry.bad_request",
    );
    // Names: path traversal, control characters, a Cyrillic look-alike.
    for bad in ["../../etc/passwd", "customer\u{7}360", "\u{441}ustomer360", "Customer360"] {
        let mut d = next.clone();
        d.metadata.name = bad.into();
        refuse(publish(&c, &d, &ada), 422, "registry.invalid");
    }
    // A breaking change under a minor bump.
    let mut breaking = def.clone();
    breaking.metadata.version = "1.1.0".into();
    breaking.entity.fields.retain(|f| f.column != "phone");
    breaking.quality.retain(|q| !serde_json::to_string(q).unwrap().contains("\"phone\""));
    for p in breaking.masking.values_mut() {
        p.rules.retain(|r| r.field.as_deref() != Some("phone"));
    }
    let e = refuse(publish(&c, &breaking, &ada), 409, "registry.breaking_change");
    assert!(e.to_string().contains("needs a major bump for: entity.fields[phone]: field `phone` removed"), "{e}");
    refuse(
        c.publish(&PublishRequest {
            envelope: sign_definition(&breaking, &ada).unwrap(),
            allow_breaking: true,
            reason: None,
            evidence: None,
            waiver: None,
        }),
        400,
        "registry.bad_request",
    );

    // Raw requests: malformed JSON, oversized body, traversal in the path, injection in a search.
    assert_eq!(
        raw(&base, "POST", "/v1/products", Some(b"{\"envelope\": ".to_vec())),
        (400, "registry.bad_request".into())
    );
    assert_eq!(raw(&base, "POST", "/v1/products", Some(b"[1,2,3]".to_vec())), (400, "registry.bad_request".into()));
    assert_eq!(oversized(&base, false), (413, "registry.too_large".into()), "declared too large");
    assert_eq!(oversized(&base, true), (413, "registry.too_large".into()), "chunked past the limit");
    assert_eq!(raw(&base, "GET", "/v1/products/..%2F..%2Fetc%2Fpasswd", None), (422, "registry.invalid".into()));
    assert_eq!(raw(&base, "GET", "/v1/products/customer360/versions/..%2F1", None), (422, "registry.invalid".into()));
    assert_eq!(raw(&base, "GET", "/v1/digests/sha256:%27%20OR%201%3D1", None), (422, "registry.invalid".into()));
    let injected =
        c.search(&Search { text: Some("' OR 1=1; DROP TABLE versions; --".into()), ..Default::default() }).unwrap();
    assert!(injected.is_empty());
    assert_eq!(
        c.search(&Search { domain: Some("customer' OR '1'='1".into()), ..Default::default() }).unwrap().len(),
        0
    );
    assert_eq!(stored(&c), before, "raw refusals stored nothing");
    assert_eq!(raw(&base, "GET", "/v1/nothing-here", None), (404, "registry.not_found".into()));

    // An override is allowed with a reason, and recorded.
    let p = c
        .publish(&PublishRequest {
            envelope: sign_definition(&breaking, &ada).unwrap(),
            allow_breaking: true,
            reason: Some("phone moved to the contact product".into()),
            evidence: None,
            waiver: None,
        })
        .unwrap();
    let log = c.log(p.log_index, 1).unwrap();
    assert!(
        log[0].note.as_deref().unwrap().contains("override: major change published as minor: phone moved"),
        "{:?}",
        log[0].note
    );
    // Weakened masking: accepted with a minor bump, flagged for privacy review.
    let mut weaker = breaking.clone();
    weaker.metadata.version = "1.2.0".into();
    weaker.masking.get_mut("analytics").unwrap().rules.retain(|r| r.field.as_deref() != Some("email"));
    weaker.entity.fields.push(Field { column: "loyalty".into(), rename: None, field_type: None, description: None });
    let p = publish(&c, &weaker, &ada).unwrap();
    assert!(p.privacy_review);
    assert_eq!(p.previous.as_deref(), Some("1.1.0"));
    assert!(c.log(p.log_index, 1).unwrap()[0].note.as_deref().unwrap().contains("privacy review"));
    assert_eq!(c.latest("customer360").unwrap().version, "1.2.0");

    // Yank: only by a trusted key, once.
    let d12 = p.digest.clone();
    let e = c.act(&sign_action("yank", "customer360", "1.2.0", &d12, "leaks emails", &eve).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (403, "registry.untrusted"));
    let yank = sign_action("yank", "customer360", "1.2.0", &d12, "leaks emails", &ada).unwrap();
    c.act(&yank).unwrap();
    let e = c.act(&yank).unwrap_err();
    assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
    assert_eq!(c.latest("customer360").unwrap().version, "1.1.0", "a yanked version is not the latest");
    assert_eq!(c.version("customer360", "1.2.0").unwrap().yanked.as_deref(), Some("leaks emails"), "but still there");
    let d10 = c.version("customer360", "1.0.0").unwrap().digest;
    c.act(&sign_action("deprecate", "customer360", "1.0.0", &d10, "use 1.1", &admin).unwrap()).unwrap();

    // Offline: the bundle verifies against the root key alone, and any change is caught.
    let b = c.bundle("customer360", "1.2.0").unwrap();
    let v = verify_bundle(&b, &[admin.public()]).unwrap();
    assert_eq!((v.signer_name.as_deref(), v.yanked.as_deref()), (Some("ada@example.com"), Some("leaks emails")));
    assert!(verify_bundle(&b, &[eve.public()]).is_err(), "another root does not vouch for this trust policy");
    let mut t = b.clone();
    t.log[0].note = Some("edited".into());
    assert!(verify_bundle(&t, &[admin.public()]).unwrap_err().to_string().contains("does not match its hash"));
    let mut t = b.clone();
    t.envelope = sign_definition(&weaker, &eve).unwrap();
    assert!(verify_bundle(&t, &[admin.public()]).is_err());
    let b0 = c.bundle("customer360", "1.0.0").unwrap();
    assert_eq!(verify_bundle(&b0, &[admin.public()]).unwrap().deprecated.as_deref(), Some("use 1.1"));
    let mut t = b0.clone();
    t.log.remove(2);
    assert!(verify_bundle(&t, &[admin.public()]).unwrap_err().to_string().contains("chain is broken"));

    // A consumer remembers the head it saw, and notices a log that changed under it.
    let seen = tempfile::tempdir().unwrap();
    let v0 = verify_bundle(&b0, &[admin.public()]).unwrap();
    assert_eq!(check_seen_head(seen.path(), &[admin.public()], &b0, &v0).unwrap(), None);
    let v = verify_bundle(&b, &[admin.public()]).unwrap();
    assert_eq!(
        check_seen_head(seen.path(), &[admin.public()], &b, &v).unwrap(),
        None,
        "a later bundle of the same log"
    );
    let mut forked = b0.clone();
    let last = forked.log.len() - 1;
    forked.log[last].hash = "0".repeat(64);
    let e = check_seen_head(seen.path(), &[admin.public()], &forked, &v0).unwrap_err();
    assert!(e.to_string().contains("the registry's log changed"), "{e}");
    let older = c.bundle("customer360", "1.0.0").unwrap();
    let mut short = older.clone();
    short.log.truncate(1);
    let vs = verify_bundle(&short, &[admin.public()]).unwrap();
    let remark = check_seen_head(seen.path(), &[admin.public()], &short, &vs).unwrap().unwrap();
    assert!(remark.contains("may be stale"), "{remark}");

    // The whole log chains.
    let all = c.log(0, 10_000).unwrap();
    assert_eq!(verify_chain(&all).unwrap().as_deref(), Some(all.last().unwrap().hash.as_str()));
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["trust", "publish", "publish", "publish", "yank", "deprecate"]);
    assert!(!v.trust_expired);
    // An expired trust policy: nothing more is published, and a consumer sees the bundle is stale.
    let mut p2 = policy(2, vec![("ada@example.com", &ada, &["customer"])]);
    p2.expires = Some("2020-01-01T00:00:00Z".into());
    let e = c.set_trust(&sign_trust(&p2, &admin).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (422, "registry.invalid"), "{e}");
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    p2.expires = Some(soon.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    c.set_trust(&sign_trust(&p2, &admin).unwrap()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2000));
    let mut later = weaker.clone();
    later.metadata.version = "1.3.0".into();
    let e = publish(&c, &later, &ada).unwrap_err();
    assert_eq!((e.status(), e.code()), (403, "registry.untrusted"), "{e}");
    assert!(e.to_string().contains("expired"), "{e}");
    let v = verify_bundle(&c.bundle("customer360", "1.1.0").unwrap(), &[admin.public()]).unwrap();
    assert!(v.trust_expired);

    // The OpenAPI description is served, and documents every route.
    let (status, _) = raw(&base, "GET", "/v1/openapi.json", None);
    assert_eq!(status, 200);
}

fn base64_of(b: &[u8]) -> String {
    // The payload as the envelope carries it.
    let k = key(99);
    k.sign("x", b).payload
}

#[test]
fn registry_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(dir.path().join("registry.db").to_string_lossy().into_owned());
}

#[test]
fn registry_on_postgres() {
    let pg = steward_testkit::PgCluster::start();
    suite(format!("postgres://steward@127.0.0.1:{}/postgres", pg.port));
}

#[test]
fn the_openapi_description_names_every_route() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let src = include_str!("../src/http.rs");
    let mut routes = vec![];
    for line in src.lines() {
        if let Some(rest) = line.trim().strip_prefix(".route(\"") {
            routes.push(rest.split('"').next().unwrap());
        }
    }
    routes.sort();
    let mut documented = paths.clone();
    documented.sort();
    assert_eq!(routes, documented, "crates/registry/openapi.json and the router disagree");
}

#[test]
fn the_openapi_description_names_every_field_the_wire_types_carry() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let key = KeyPair::from_seed("steward", [1; 32]);
    let env = key.sign("application/x-test", b"{}");
    let entry = LogEntry {
        index: 1,
        at: "2026-12-02T00:00:00Z".into(),
        action: "publish".into(),
        name: Some("p".into()),
        version: Some("1.0.0".into()),
        digest: "d".into(),
        signer: "s".into(),
        trust_serial: 1,
        note: Some("n".into()),
        evidence: Some("e".into()),
        cosigner: Some("c".into()),
        prev: "p".into(),
        hash: "h".into(),
    };
    let request = PublishRequest {
        envelope: env.clone(),
        allow_breaking: true,
        reason: Some("r".into()),
        evidence: Some(env.clone()),
        waiver: Some(env.clone()),
    };
    let bundle = Bundle {
        name: "p".into(),
        version: "1.0.0".into(),
        envelope: env.clone(),
        trust: vec![],
        log: vec![entry.clone()],
        checkpoint: Some(env.clone()),
        evidence: Some(env.clone()),
        waiver: Some(env),
    };
    let (g, genv) = sign_grant(&key, key.public(), "app", "p", "^1", "support", Some("2099-01-01T00:00:00Z")).unwrap();
    let grant = GrantRecord {
        digest: "d".into(),
        grant: g,
        envelope: genv.clone(),
        signer: "s".into(),
        granted_at: "t".into(),
        log_index: 1,
        revocation: Some(genv),
    };
    // Every field set: what a client sees, each named by the description (a client following it
    // must be able to publish to a domain with requirements).
    for (schema, value) in [
        ("PublishRequest", serde_json::to_value(&request).unwrap()),
        ("Bundle", serde_json::to_value(&bundle).unwrap()),
        ("LogEntry", serde_json::to_value(&entry).unwrap()),
        ("GrantRecord", serde_json::to_value(&grant).unwrap()),
        ("Grant", serde_json::to_value(&grant.grant).unwrap()),
    ] {
        let mut wire: Vec<&String> = value.as_object().unwrap().keys().collect();
        let described = doc["components"]["schemas"][schema]["properties"].as_object().unwrap();
        let mut named: Vec<&String> = described.keys().collect();
        wire.sort();
        named.sort();
        assert_eq!(wire, named, "{schema}: crates/registry/openapi.json and the wire type disagree");
    }
}
