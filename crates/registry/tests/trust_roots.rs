//! What a consumer can prove offline: a signer revoked by the newest trust policy is reported,
//! a back-dated log entry is caught, and with the registry's own key pinned, a log cut short or
//! forked is refused through the checkpoint the registry signed. And with two registry
//! processes on one database, both tell the same status of a version.

mod common;

use common::*;
use steward_registry::*;
use steward_signing::{KeyPair, CHECKPOINT_PAYLOAD_TYPE};

/// Recomputes the hashes and links of `log` from entry `from` on, as a server rewriting its
/// history would.
fn rechain(log: &mut [LogEntry], from: usize) {
    for i in from..log.len() {
        if i > 0 {
            log[i].prev = log[i - 1].hash.clone();
            log[i].index = log[i - 1].index + 1;
        }
        log[i].hash = log[i].compute_hash().unwrap();
    }
}

#[test]
fn verify_reports_revoked_signers_back_dating_and_a_log_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada, bob) = (key(1), key(2), key(3));
    let c = start(&dir.path().join("r.db").to_string_lossy(), &admin);
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    publish(&c, &sample(), &ada).unwrap();
    // Ada's key is revoked: policy 2 trusts Bob only.
    c.set_trust(&sign_trust(&policy(2, vec![("bob", &bob, &["customer"])]), &admin).unwrap()).unwrap();
    let view = c.trust().unwrap();
    assert_eq!(view.current.as_ref().unwrap().serial, 2, "consumers can ask for the newest policy");
    let registry = steward_signing::PublicKey::from_text(view.registry_key.as_deref().unwrap()).unwrap();
    assert_eq!(registry, common::registry_key().public());
    let roots = [admin.public()];

    let b = c.bundle("customer360", "1.0.0").unwrap();
    let v = verify_bundle_pinned(&b, &roots, Some(&registry)).unwrap();
    assert!(v.signer_revoked, "the newest policy the bundle carries no longer trusts Ada");
    assert_eq!((v.trust_serial, v.newest_trust_serial), (1, 2));
    assert!(v.checkpoint_at.is_some());

    // A server hiding the revocation: the log and policies cut short. Without the registry key
    // nothing shows it; with it, the checkpoint the registry signed does not match.
    let mut cut = b.clone();
    cut.log.truncate(1);
    cut.trust.truncate(1);
    assert!(!verify_bundle(&cut, &roots).unwrap().signer_revoked);
    let e = verify_bundle_pinned(&cut, &roots, Some(&registry)).unwrap_err();
    assert!(e.to_string().contains("the registry signed log head"), "{e}");
    let mut bare = cut.clone();
    bare.checkpoint = None;
    let e = verify_bundle_pinned(&bare, &roots, Some(&registry)).unwrap_err();
    assert!(e.to_string().contains("no checkpoint"), "{e}");
    // A checkpoint signed by another key (a mirror's, an attacker's) is refused.
    let e = verify_bundle_pinned(&b, &roots, Some(&key(9).public())).unwrap_err();
    assert!(e.to_string().contains("not signed by the registry key"), "{e}");
    // The policy kept but the log entry accepting it dropped: the publish entry then names a
    // policy older than the one in force, which is back-dating.
    let mut hidden = b.clone();
    hidden.log.truncate(1);
    let e = verify_bundle(&hidden, &roots).unwrap_err();
    assert!(e.to_string().contains("back-dated"), "{e}");
    // A later trust entry whose policy is left out of the bundle.
    let mut missing = b.clone();
    missing.trust.truncate(1);
    let e = verify_bundle(&missing, &roots).unwrap_err();
    assert!(e.to_string().contains("does not carry"), "{e}");
    // A rewritten history (an entry changed, the chain recomputed) fails the checkpoint.
    let mut forged = b.clone();
    forged.log[1].at = "2020-01-01T00:00:00.000Z".into();
    rechain(&mut forged.log, 1);
    assert!(verify_bundle(&forged, &roots).is_ok(), "the chain alone cannot tell");
    assert!(verify_bundle_pinned(&forged, &roots, Some(&registry)).is_err());

    // The head now, signed by the registry.
    let cp = c.checkpoint().unwrap();
    let payload = cp.verify(CHECKPOINT_PAYLOAD_TYPE, &[registry]).unwrap().payload;
    let cp: Checkpoint = serde_json::from_slice(&payload).unwrap();
    let head = c.log(0, 100).unwrap().pop().unwrap();
    assert_eq!((cp.index, cp.hash, cp.registry), (head.index, head.hash, registry.fingerprint()));
}

/// Two registry processes on one database served a yanked version as not yanked from one of
/// them. Only immutable envelopes are cached; status is read from the database.
#[test]
fn two_instances_on_one_database_agree_on_yanks() {
    on_both(|db| {
        let (admin, ada) = (key(1), key(2));
        let a = start(db, &admin);
        let b = start(db, &admin);
        a.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
        publish(&a, &versioned("1.0.0"), &ada).unwrap();
        let p2 = publish(&a, &versioned("2.0.0"), &ada).unwrap();
        // B reads (and caches) 2.0.0 before the yank.
        assert!(b.version("customer360", "2.0.0").unwrap().yanked.is_none());
        assert_eq!(b.latest("customer360").unwrap().version, "2.0.0");
        a.act(&sign_action("yank", "customer360", "2.0.0", &p2.digest, "broken", &ada).unwrap()).unwrap();
        assert_eq!(b.version("customer360", "2.0.0").unwrap().yanked.as_deref(), Some("broken"));
        assert_eq!(b.latest("customer360").unwrap().version, "1.0.0");
        assert_eq!(b.versions("customer360").unwrap()[1].yanked.as_deref(), Some("broken"));
        assert_eq!(b.search(&Search::default()).unwrap()[0].latest, "1.0.0");
        // And a deprecation through B is seen by A.
        let d1 = b.version("customer360", "1.0.0").unwrap().digest;
        b.act(&sign_action("deprecate", "customer360", "1.0.0", &d1, "use 3", &ada).unwrap()).unwrap();
        assert_eq!(a.version("customer360", "1.0.0").unwrap().deprecated.as_deref(), Some("use 3"));
    });
}

/// Found by a review: two registry processes on one SQLite file answered 500 "database is
/// locked" to some of many concurrent publishes. The writers now wait for each other.
#[test]
fn two_instances_on_one_sqlite_file_publish_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    let (admin, ada) = (key(1), key(2));
    let a = start(&db, &admin);
    let b = start(&db, &admin);
    a.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["*"])]), &admin).unwrap()).unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (c, ada) = (if t % 2 == 0 { &a } else { &b }, &ada);
            s.spawn(move || {
                for i in 0..5 {
                    let mut d = sample();
                    d.metadata.name = format!("product-{t}-{i}");
                    publish(c, &d, ada).unwrap_or_else(|e| panic!("product-{t}-{i}: {e}"));
                }
            });
        }
    });
    assert_eq!(a.search_page(&Search::default(), None, 100).unwrap().0.len(), 40);
}

/// The read cache holds envelopes only, bounded by bytes; listings come a page at a time.
#[test]
fn listings_are_paginated_and_the_cache_is_bounded_by_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    let (admin, ada) = (key(1), key(2));
    let c = start(&db, &admin);
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["*"])]), &admin).unwrap()).unwrap();
    for i in 0..7 {
        let mut d = sample();
        d.metadata.name = format!("product-{i}");
        publish(&c, &d, &ada).unwrap();
    }
    let (page, next) = c.search_page(&Search::default(), None, 3).unwrap();
    let names: Vec<&str> = page.iter().map(|p| p.name.as_str()).collect();
    assert_eq!((names, next.as_deref()), (vec!["product-0", "product-1", "product-2"], Some("product-2")));
    let (page, _) = c.search_page(&Search::default(), Some("product-2"), 3).unwrap();
    assert_eq!(page[0].name, "product-3");
    assert_eq!(c.search(&Search::default()).unwrap().len(), 7, "the client follows every page");
    let (s, code, _) = raw(c.base(), "GET", "/v1/products?limit=501", None);
    assert_eq!((s, code.as_str()), (422, "registry.invalid"));
    let (s, _, _) = raw(c.base(), "GET", "/v1/products?after=..%2Fx", None);
    assert_eq!(s, 422);

    let reg = Registry::open(&DbUrl::parse(&db), vec![admin.public()], KeyPair::from_seed("r", [5; 32])).unwrap();
    for i in 0..7 {
        reg.get(&format!("product-{i}"), "1.0.0").unwrap();
    }
    let held = reg.cache_bytes();
    let one = serde_json::to_vec(&reg.get("product-0", "1.0.0").unwrap().envelope).unwrap().len();
    assert!(held >= 7 * one / 2 && held <= CACHE_BYTES, "{held} bytes for 7 envelopes of ~{one}");
}

/// A consumer that saw one checkpoint can check a later one extends it (RFC 9162 consistency
/// proof), and a registry that rewrote its history (a fork under the same key) cannot prove it.
#[test]
fn later_checkpoints_prove_they_extend_earlier_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada) = (key(1), key(2));
    let registry = common::registry_key().public();
    let run = |db: &str| {
        let c = start(db, &admin);
        c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
        publish(&c, &versioned("1.0.0"), &ada).unwrap();
        c
    };
    let c = run(&dir.path().join("a.db").to_string_lossy());
    let seen = open_checkpoint(&c.checkpoint().unwrap(), &registry).unwrap();
    assert_eq!(seen.index, 1);
    for v in ["1.1.0", "1.2.0", "1.3.0", "1.4.0"] {
        publish(&c, &versioned(v), &ada).unwrap();
    }
    let now = open_checkpoint(&c.checkpoint().unwrap(), &registry).unwrap();
    let proof = c.consistency(seen.index + 1, now.index + 1).unwrap();
    verify_extends(&seen, &now, &proof).unwrap();
    // The bundle's checkpoint carries the same tree.
    let b = c.bundle("customer360", "1.4.0").unwrap();
    let cp = open_checkpoint(b.checkpoint.as_ref().unwrap(), &registry).unwrap();
    assert_eq!((cp.index, &cp.root), (now.index, &now.root));
    // The same registry key over another history.
    let fork = run(&dir.path().join("b.db").to_string_lossy());
    for v in ["1.1.0", "1.2.0"] {
        publish(&fork, &versioned(v), &ada).unwrap();
    }
    let forked = open_checkpoint(&fork.checkpoint().unwrap(), &registry).unwrap();
    let proof = fork.consistency(seen.index + 1, forked.index + 1).unwrap();
    let e = verify_extends(&seen, &forked, &proof).unwrap_err();
    assert!(e.to_string().contains("does not extend"), "{e}");
    // What a consumer remembers: the same registry later is fine, the fork is refused.
    let seen_dir = tempfile::tempdir().unwrap();
    let first = c.bundle("customer360", "1.0.0").unwrap().checkpoint.unwrap();
    assert_eq!(check_seen_checkpoint(seen_dir.path(), &registry, &first, |a, b| c.consistency(a, b)).unwrap(), None);
    publish(&c, &versioned("1.5.0"), &ada).unwrap();
    let later = c.checkpoint().unwrap();
    assert_eq!(check_seen_checkpoint(seen_dir.path(), &registry, &later, |a, b| c.consistency(a, b)).unwrap(), None);
    let remark = check_seen_checkpoint(seen_dir.path(), &registry, &first, |a, b| c.consistency(a, b)).unwrap();
    assert!(remark.unwrap().contains("older than one seen"));
    let e =
        check_seen_checkpoint(seen_dir.path(), &registry, &fork.checkpoint().unwrap(), |a, b| fork.consistency(a, b))
            .unwrap_err();
    assert!(e.to_string().contains("not the one seen before"), "{e}");
    let (status, code, _) = raw(c.base(), "GET", "/v1/log/consistency?from=0&to=2", None);
    assert_eq!((status, code.as_str()), (400, "registry.bad_request"));
    let (status, _, _) = raw(c.base(), "GET", "/v1/log/consistency?from=2&to=99", None);
    assert_eq!(status, 400);
}

/// A registry made before policies were ordered by their log entries and before the Merkle
/// tree: on start, both are carried over from the log, and everything verifies as before.
#[test]
fn an_older_database_is_carried_over_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let (admin, ada) = (key(1), key(2));
    let url = DbUrl::parse(&db.to_string_lossy());
    let reg = Registry::open(&url, vec![admin.public()], common::registry_key()).unwrap();
    reg.set_trust(sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    reg.publish(PublishRequest {
        envelope: sign_definition(&sample(), &ada).unwrap(),
        allow_breaking: false,
        reason: None,
        evidence: None,
        waiver: None,
    })
    .unwrap();
    reg.set_trust(sign_trust(&policy(2, vec![("ada", &ada, &["*"])]), &admin).unwrap()).unwrap();
    let before = open_checkpoint(&reg.checkpoint().unwrap(), &common::registry_key().public()).unwrap();
    drop(reg);
    let old = rusqlite::Connection::open(&db).unwrap();
    old.execute_batch(
        "INSERT INTO trust SELECT serial, envelope FROM trust_policies; DELETE FROM trust_policies; DELETE FROM merkle;",
    )
    .unwrap();
    drop(old);
    let reg = Registry::open(&url, vec![admin.public()], common::registry_key()).unwrap();
    assert_eq!(reg.trust().unwrap().unwrap().serial, 2);
    assert_eq!(reg.trust_history().unwrap().len(), 2);
    let after = open_checkpoint(&reg.checkpoint().unwrap(), &common::registry_key().public()).unwrap();
    assert_eq!((after.index, after.root), (before.index, before.root));
    verify_bundle(&reg.bundle("customer360", "1.0.0").unwrap(), &[admin.public()]).unwrap();
}
