//! Grants over real HTTP on loopback: who may grant, replay and freshness, listing, revocation
//! and the log entries both leave; what a node then verifies offline.

use std::path::Path;

use steward_error::ErrorCode;
use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::KeyPair;

fn key(n: u8) -> KeyPair {
    KeyPair::from_seed("k", [n; 32])
}

fn start(root: &KeyPair) -> (tempfile::TempDir, Client) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("registry.db").display());
    let (tx, rx) = std::sync::mpsc::channel::<std::net::SocketAddr>();
    let roots = vec![root.public()];
    std::thread::spawn(move || {
        let r = serve_blocking(&db, "127.0.0.1:0", roots, KeyPair::from_seed("registry", [200; 32]), |a| {
            let _ = tx.send(a);
        });
        if let Err(e) = r {
            eprintln!("registry stopped: {e}");
        }
    });
    let addr = rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap();
    (dir, Client::new(&format!("http://{addr}")).unwrap())
}

#[test]
fn grants_are_signed_by_the_domain_logged_listed_and_revoked() {
    let (admin, ada, bob, app, other_app) = (key(1), key(2), key(3), key(4), key(5));
    let (_dir, c) = start(&admin);
    let signer = |name: &str, k: &KeyPair, d: &str| TrustedSigner {
        name: name.into(),
        key: k.public(),
        domains: vec![d.into()],
    };
    let policy = TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![signer("ada", &ada, "customer"), signer("bob", &bob, "finance")],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    c.set_trust(&sign_trust(&policy, &admin).unwrap()).unwrap();
    let grant = |k: &KeyPair, product: &str, profile: &str| {
        sign_grant(k, app.public(), "support-app@example.com", product, "^1", profile, None).unwrap().1
    };

    // Nothing published yet: nothing to grant.
    let e = c.grant(&grant(&ada, "customer360", "support")).unwrap_err();
    assert_eq!((e.status(), e.code()), (404, "registry.not_found"), "{e}");
    let def =
        steward_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"))
            .unwrap();
    c.publish(&PublishRequest {
        envelope: sign_definition(&def, &ada).unwrap(),
        allow_breaking: false,
        reason: None,
        evidence: None,
        waiver: None,
    })
    .unwrap();

    // Bob is trusted for finance, not customer: refused, and said why.
    let e = c.grant(&grant(&bob, "customer360", "support")).unwrap_err();
    assert_eq!((e.status(), e.code()), (403, "registry.untrusted"), "{e}");
    assert!(e.to_string().contains("domain `customer`"), "{e}");

    // Ada grants; the same signed grant again is a replay.
    let env = grant(&ada, "customer360", "support");
    let rec = c.grant(&env).unwrap();
    assert_eq!((rec.grant.profile.as_str(), rec.signer.as_str()), ("support", ada.public().fingerprint().as_str()));
    let e = c.grant(&env).unwrap_err();
    assert_eq!(e.code(), "registry.replay", "{e}");
    // An admin may grant too, and `unmasked` is a grant of its own.
    let owners = sign_grant(&admin, other_app.public(), "owners", "customer360", "*", UNMASKED, None).unwrap().1;
    c.grant(&owners).unwrap();

    // Listed per product, and per consumer key (a fingerprint with `+`, `/` and `:`).
    assert_eq!(c.grants("customer360", None).unwrap().len(), 2);
    let mine = c.grants("customer360", Some(&app.public().fingerprint())).unwrap();
    assert_eq!(mine, vec![rec.clone()]);
    assert_eq!(c.grant_record(&rec.digest).unwrap(), rec);

    // What a node checks offline, against the policy it verified itself.
    let now = chrono::Utc::now();
    let policy_now = c.trust().unwrap().current.unwrap().policy;
    let g = verify_grant(&mine[0], &policy_now, &[admin.public()], "customer", "customer360", "1.0.0", now).unwrap();
    assert_eq!(g.consumer, app.public());

    // Only a key that could grant revokes; then the node refuses the grant.
    let e = c.revoke_grant(&sign_revocation(&bob, &rec.digest, "not yours").unwrap()).unwrap_err();
    assert_eq!(e.code(), "registry.untrusted", "{e}");
    let entry = c.revoke_grant(&sign_revocation(&ada, &rec.digest, "the support app was retired").unwrap()).unwrap();
    assert_eq!((entry.action.as_str(), entry.digest.as_str()), ("revoke-grant", rec.digest.as_str()));
    let e = c.revoke_grant(&sign_revocation(&ada, &rec.digest, "again").unwrap()).unwrap_err();
    assert_eq!(e.code(), "registry.replay", "{e}");
    let revoked = c.grant_record(&rec.digest).unwrap();
    let e =
        verify_grant(&revoked, &policy_now, &[admin.public()], "customer", "customer360", "1.0.0", now).unwrap_err();
    assert!(e.to_string().contains("the support app was retired"), "{e}");

    // Both are in the hash-chained log, which still verifies.
    let log = c.log(0, 100).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["trust", "publish", "grant", "grant", "revoke-grant"]);
    assert!(log[2].note.as_deref().unwrap().contains("may read customer360 ^1 as `support`"), "{:?}", log[2].note);
    verify_chain(&log).unwrap();
}

#[test]
fn a_stale_or_malformed_grant_is_refused() {
    let (admin, app) = (key(1), key(4));
    let (_dir, c) = start(&admin);
    // Signed long ago: the registry takes grants only within minutes of signing.
    let old = Grant {
        consumer: app.public(),
        consumer_name: "app".into(),
        product: "customer360".into(),
        versions: "^1".into(),
        profile: "support".into(),
        expires: None,
        issued_at: "2020-01-01T00:00:00Z".into(),
        nonce: "00112233445566778899aabbccddeeff".into(),
    };
    let env = admin.sign(GRANT_PAYLOAD_TYPE, &steward_signing::canonical_json(&old, "grant").unwrap());
    assert_eq!(c.grant(&env).unwrap_err().code(), "registry.replay");
    // Not a grant at all, under the grant's payload type.
    let env = admin.sign(GRANT_PAYLOAD_TYPE, b"{\"consumer\":1}");
    assert_eq!(c.grant(&env).unwrap_err().status(), 422);
    // A grant under another payload type.
    let env = admin.sign(REVOCATION_PAYLOAD_TYPE, &steward_signing::canonical_json(&old, "grant").unwrap());
    assert_eq!(c.grant(&env).unwrap_err().status(), 400);
}

/// A product with more grants than one page holds: every one is listed, page after page, in
/// the order they were logged (a node that read only the first page would lose the rest).
#[test]
fn grants_beyond_one_page_are_all_listed() {
    let (admin, ada) = (key(1), key(2));
    let (_dir, c) = start(&admin);
    let policy = TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![TrustedSigner { name: "ada".into(), key: ada.public(), domains: vec!["customer".into()] }],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    c.set_trust(&sign_trust(&policy, &admin).unwrap()).unwrap();
    let def =
        steward_model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml"))
            .unwrap();
    c.publish(&PublishRequest {
        envelope: sign_definition(&def, &ada).unwrap(),
        allow_breaking: false,
        reason: None,
        evidence: None,
        waiver: None,
    })
    .unwrap();
    let n = MAX_GRANTS_LISTED + 5;
    let mut made = vec![];
    for i in 0..n {
        let consumer =
            KeyPair::from_seed("consumer", [(i % 251) as u8, (i / 251) as u8, 7, 7].repeat(8).try_into().unwrap());
        let env =
            sign_grant(&ada, consumer.public(), &format!("app {i}"), "customer360", "^1", "support", None).unwrap().1;
        made.push(c.grant(&env).unwrap().digest);
    }
    let first = c.grants_page("customer360", None, None).unwrap();
    assert_eq!(first.len(), MAX_GRANTS_LISTED);
    let rest = c.grants_page("customer360", None, first.last().map(|g| g.log_index)).unwrap();
    assert_eq!(rest.len(), 5);
    let all: Vec<String> = c.grants("customer360", None).unwrap().into_iter().map(|g| g.digest).collect();
    assert_eq!(all, made, "every grant, in the order logged");
    assert!(c.grants_page("customer360", None, Some(u64::MAX)).unwrap().is_empty());
}
