//! Attacks an outside review reproduced against the registry, each refused now: over real HTTP
//! on loopback, against SQLite and a real PostgreSQL server where storage matters.

mod common;

use common::*;
use steward_error::ErrorCode;
use steward_registry::*;
use steward_signing::{EnvelopeSignature, KeyPair, ACTION_PAYLOAD_TYPE, MAX_SIGNATURES};

/// A serial beyond 2^53 − 1 once wrapped to a negative number in storage: accepted and logged
/// but never in force, after which an older serial was accepted (rollback) and every bundle
/// failed verification.
#[test]
fn a_huge_trust_serial_is_refused_and_the_newest_accepted_policy_is_in_force() {
    on_both(|db| {
        let (admin, ada) = (key(1), key(2));
        let c = start(db, &admin);
        c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
        publish(&c, &sample(), &ada).unwrap();
        // 2^63 as canonical JSON writes it.
        let huge = policy(9_223_372_036_854_776_000, vec![]);
        let e = c.set_trust(&sign_trust(&huge, &admin).unwrap()).unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "registry.invalid"), "{e}");
        let e = c.set_trust(&sign_trust(&policy(MAX_SERIAL + 1, vec![]), &admin).unwrap()).unwrap_err();
        assert_eq!(e.code(), "registry.invalid", "{e}");
        // The largest serial allowed revokes Ada, and is enforced.
        c.set_trust(&sign_trust(&policy(MAX_SERIAL, vec![]), &admin).unwrap()).unwrap();
        assert_eq!(c.trust().unwrap().current.unwrap().serial, MAX_SERIAL);
        let e = publish(&c, &versioned("1.1.0"), &ada).unwrap_err();
        assert_eq!((e.status(), e.code()), (403, "registry.untrusted"), "the revoked signer still published: {e}");
        // No rollback to an older serial.
        let e = c.set_trust(&sign_trust(&policy(2, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
        // Bundles still verify, and show the revocation.
        let v = verify_bundle(&c.bundle("customer360", "1.0.0").unwrap(), &[admin.public()]).unwrap();
        assert_eq!((v.trust_serial, v.newest_trust_serial, v.signer_revoked), (1, MAX_SERIAL, true));
        assert_eq!(c.log(0, 100).unwrap().len(), 3, "refused policies are not logged");
    });
}

/// One unauthenticated request with thousands of bogus signatures held the single writer for
/// seconds. Now: at most 8 signatures, one per key, refused before any is verified.
#[test]
fn envelopes_with_too_many_or_repeated_signatures_are_refused_before_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada) = (key(1), key(2));
    let c = start(&dir.path().join("r.db").to_string_lossy(), &admin);
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    let mut env = sign_definition(&sample(), &ada).unwrap();
    let bogus = EnvelopeSignature { keyid: env.signatures[0].keyid.clone(), sig: "A".repeat(86) + "==" };
    env.signatures = vec![bogus; 6000];
    let body = serde_json::to_vec(&serde_json::json!({ "envelope": env })).unwrap();
    assert!(body.len() < MAX_BODY);
    let started = std::time::Instant::now();
    let (status, code, message) = raw(c.base(), "POST", "/v1/products", Some(body));
    assert_eq!((status, code.as_str()), (400, "registry.bad_request"), "{message}");
    assert!(message.contains("at most 8"), "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
    // Nine distinct key ids, a key signing twice: refused; on every signed endpoint.
    let good = sign_definition(&sample(), &ada).unwrap();
    let mut nine = good.clone();
    for i in 0..MAX_SIGNATURES {
        nine.signatures.push(EnvelopeSignature { keyid: format!("SHA256:k{i}"), sig: good.signatures[0].sig.clone() });
    }
    let mut twice = good.clone();
    twice.signatures.push(good.signatures[0].clone());
    for env in [&nine, &twice] {
        let e = c
            .publish(&PublishRequest {
                envelope: env.clone(),
                allow_breaking: false,
                reason: None,
                evidence: None,
                waiver: None,
            })
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "registry.bad_request"), "{e}");
        let mut act = env.clone();
        act.payload_type = ACTION_PAYLOAD_TYPE.into();
        assert_eq!(c.act(&act).unwrap_err().status(), 400);
        let mut trust = env.clone();
        trust.payload_type = steward_signing::TRUST_PAYLOAD_TYPE.into();
        assert_eq!(c.set_trust(&trust).unwrap_err().status(), 400);
    }
    // The legitimate publish goes through.
    publish(&c, &sample(), &ada).unwrap();
}

/// `1.1.0+rebuild` with other content was accepted and became the latest.
#[test]
fn build_metadata_never_makes_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada) = (key(1), key(2));
    let c = start(&dir.path().join("r.db").to_string_lossy(), &admin);
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    publish(&c, &versioned("1.1.0"), &ada).unwrap();
    let mut rebuilt = versioned("1.1.0+rebuild");
    rebuilt.metadata.description = Some("other content".into());
    let e = publish(&c, &rebuilt, &ada).unwrap_err();
    assert_eq!((e.status(), e.code()), (422, "registry.invalid"), "{e}");
    assert!(e.to_string().contains("build metadata"), "{e}");
    assert_eq!(c.latest("customer360").unwrap().version, "1.1.0");
    assert_eq!(c.versions("customer360").unwrap().len(), 1);
}

/// An action as a steward would sign it, with every field chosen.
fn action(
    kind: &str,
    version: &str,
    digest: &str,
    issued_at: chrono::DateTime<chrono::Utc>,
    k: &KeyPair,
) -> steward_signing::Envelope {
    let mut nonce = [0u8; 16];
    getrandom_fill(&mut nonce);
    let a = Action {
        action: kind.into(),
        name: "customer360".into(),
        version: version.into(),
        digest: digest.into(),
        reason: "test".into(),
        nonce: steward_signing::hex(&nonce),
        issued_at: issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    k.sign(ACTION_PAYLOAD_TYPE, &steward_signing::canonical_json(&a, "action").unwrap())
}

fn getrandom_fill(b: &mut [u8]) {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    for (i, x) in b.iter_mut().enumerate() {
        *x = (t >> (i % 16 * 8)) as u8 ^ i as u8;
    }
}

/// A yank signed before 2.0.0 existed was refused (404), then accepted when replayed after 2.0.0
/// was published; refused actions left no trace.
#[test]
fn actions_are_fresh_bound_to_their_content_applied_once_and_refusals_kept() {
    on_both(|db| {
        let (admin, ada) = (key(1), key(2));
        let c = start(db, &admin);
        c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
        let v1 = publish(&c, &versioned("1.0.0"), &ada).unwrap();
        let now = chrono::Utc::now();
        // Signed before 2.0.0 existed, naming the content Ada had then: refused, and kept.
        let early = action("yank", "2.0.0", &v1.digest, now, &ada);
        let e = c.act(&early).unwrap_err();
        assert_eq!(e.code(), "registry.not_found", "{e}");
        let v2 = publish(&c, &versioned("2.0.0"), &ada).unwrap();
        let e = c.act(&early).unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "registry.invalid"), "the replay applied: {e}");
        assert!(e.to_string().contains("names content"), "{e}");
        assert!(c.version("customer360", "2.0.0").unwrap().yanked.is_none());
        // Stale or dated in the future: refused.
        for when in [now - chrono::Duration::minutes(6), now + chrono::Duration::minutes(6)] {
            let e = c.act(&action("yank", "2.0.0", &v2.digest, when, &ada)).unwrap_err();
            assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
            assert!(e.to_string().contains("sign it again"), "{e}");
        }
        // Fresh and bound: applied once; the same envelope again is refused.
        let yank = action("yank", "2.0.0", &v2.digest, now - chrono::Duration::seconds(30), &ada);
        c.act(&yank).unwrap();
        let e = c.act(&yank).unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
        assert!(c.version("customer360", "2.0.0").unwrap().yanked.is_some());
        // Every refusal of a signed action is on record, newest first; unsigned junk is not.
        let mut junk = early.clone();
        junk.signatures[0].keyid = "SHA256:nobody".into();
        assert_eq!(c.act(&junk).unwrap_err().code(), "registry.untrusted");
        let r = c.refusals(100).unwrap();
        let codes: Vec<&str> = r.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(
            codes,
            ["registry.replay", "registry.replay", "registry.replay", "registry.invalid", "registry.not_found"],
            "{r:?}"
        );
        assert!(r.iter().all(|x| x.signer == ada.public().fingerprint() && x.version == "2.0.0"));
        let actions: Vec<String> = c.log(0, 100).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["trust", "publish", "publish", "yank"]);
    });
}

/// ANSI/OSC escapes in `owner` were stored and printed raw; `/v1/log?from=2^64-1` wrapped to 0.
#[test]
fn control_characters_are_refused_and_log_offsets_do_not_wrap() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada) = (key(1), key(2));
    let c = start(&dir.path().join("r.db").to_string_lossy(), &admin);
    let mut p = policy(1, vec![("ada", &ada, &["customer"])]);
    p.signers[0].name = "ada\u{1b}[2J".into();
    let e = c.set_trust(&sign_trust(&p, &admin).unwrap()).unwrap_err();
    assert_eq!(e.status(), 400, "{e}");
    assert!(e.to_string().contains("signers[0].name"), "{e}");
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    let mut d = sample();
    d.metadata.owner = "team\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}".into();
    let e = publish(&c, &d, &ada).unwrap_err();
    assert_eq!((e.status(), e.code()), (400, "registry.bad_request"), "{e}");
    assert!(e.to_string().starts_with("metadata.owner: control character U+001B"), "{e}");
    let mut d = sample();
    d.metadata.tags.push("x\u{9b}31m".into());
    assert_eq!(publish(&c, &d, &ada).unwrap_err().status(), 400, "a C1 escape");
    // Found by a second review: a right-to-left override showed `admin\u{202e}gro.elpmaxe@evil`
    // as another owner; zero-width and separator characters hid text the same way.
    for hidden in
        ["admin\u{202e}gro.elpmaxe@evil", "te\u{200b}am@example.com", "a\u{2028}b", "\u{feff}team", "x\u{2066}y"]
    {
        let mut d = sample();
        d.metadata.owner = hidden.into();
        let e = publish(&c, &d, &ada).unwrap_err();
        assert_eq!(e.status(), 400, "{hidden:?}: {e}");
        assert!(e.to_string().contains("invisible or bidirectional character"), "{e}");
    }
    // Scripts that need zero-width (non-)joiners keep them.
    assert!(!"می\u{200c}خواهم".chars().any(steward_registry::is_deceptive_char));
    let e = c
        .publish(&PublishRequest {
            envelope: sign_definition(&sample(), &ada).unwrap(),
            allow_breaking: true,
            reason: Some("because\u{1b}[31m".into()),
            evidence: None,
            waiver: None,
        })
        .unwrap_err();
    assert!(e.to_string().starts_with("reason:"), "{e}");
    publish(&c, &sample(), &ada).unwrap();
    for from in ["18446744073709551615", "9223372036854775808"] {
        let (status, code, _) = raw(c.base(), "GET", &format!("/v1/log?from={from}"), None);
        assert_eq!((status, code.as_str()), (400, "registry.bad_request"), "from={from}");
    }
    let (status, _, _) = raw(c.base(), "GET", "/v1/log?from=9223372036854775807", None);
    assert_eq!(status, 200);
}

/// A trust policy signed as a draft long ago, or over another policy than the one in force,
/// is refused when it names what it replaces and when it was signed.
#[test]
fn trust_policies_can_be_bound_to_the_policy_they_replace_and_to_their_time() {
    let dir = tempfile::tempdir().unwrap();
    let (admin, ada, bob) = (key(1), key(2), key(3));
    let c = start(&dir.path().join("r.db").to_string_lossy(), &admin);
    let now = chrono::Utc::now();
    let stamp = |t: chrono::DateTime<chrono::Utc>| Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let mut p1 = policy(1, vec![("ada", &ada, &["customer"])]);
    (p1.replaces, p1.issued_at) = (Some(0), stamp(now));
    c.set_trust(&sign_trust(&p1, &admin).unwrap()).unwrap();
    // A draft that meant to replace nothing (signed before policy 1 existed).
    let mut draft = policy(5, vec![("bob", &bob, &["*"])]);
    draft.replaces = Some(0);
    let e = c.set_trust(&sign_trust(&draft, &admin).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
    assert!(e.to_string().contains("policy 1 is in force"), "{e}");
    // Signed an hour ago.
    let mut stale = policy(2, vec![("bob", &bob, &["*"])]);
    (stale.replaces, stale.issued_at) = (Some(1), stamp(now - chrono::Duration::hours(1)));
    let e = c.set_trust(&sign_trust(&stale, &admin).unwrap()).unwrap_err();
    assert_eq!((e.status(), e.code()), (409, "registry.replay"), "{e}");
    // Bound and fresh: accepted, and the bundle's chain of policies checks the binding.
    stale.issued_at = stamp(now);
    c.set_trust(&sign_trust(&stale, &admin).unwrap()).unwrap();
    publish(&c, &sample(), &bob).unwrap();
    let b = c.bundle("customer360", "1.0.0").unwrap();
    verify_bundle(&b, &[admin.public()]).unwrap();
    // Policy 1 left out: policy 2 alone would verify, but it names what it replaced.
    let mut dropped = b.clone();
    dropped.trust.remove(0);
    let e = verify_bundle(&dropped, &[admin.public()]).unwrap_err();
    assert!(e.to_string().contains("replaces policy"), "{e}");
}

/// A definition naming a masking rule the catalog does not know (or a parameter a rule does not
/// take) was stored: nothing checked rules without data. Signed by a trusted key, it is now a bad
/// request, and nothing is stored or logged.
#[test]
fn a_signed_definition_with_an_unknown_masking_rule_or_parameter_is_refused_and_not_stored() {
    let db = tempfile::tempdir().unwrap();
    let db = db.path().join("r.db").to_string_lossy().into_owned();
    let (admin, ada) = (key(1), key(2));
    let c = start(&db, &admin);
    c.set_trust(&sign_trust(&policy(1, vec![("ada", &ada, &["customer"])]), &admin).unwrap()).unwrap();
    let head = c.log(0, 100).unwrap().len();
    let good = serde_json::to_value(sample()).unwrap();
    let mut misspelled = good.clone();
    misspelled["masking"]["analytics"]["rules"][0]["rule"] = "key_remapp".into();
    let mut unknown_param = good.clone();
    unknown_param["masking"]["analytics"]["rules"][1]["params"]["flavour"] = "mild".into();
    let mut wrong_type = good.clone();
    wrong_type["masking"]["analytics"]["rules"][1]["params"]["kind"] = 7.into();
    for (what, doc) in
        [("misspelled rule", misspelled), ("unknown parameter", unknown_param), ("wrong type", wrong_type)]
    {
        let payload = steward_signing::canonical_json(&doc, "definition").unwrap();
        let env = ada.sign(steward_signing::PRODUCT_PAYLOAD_TYPE, &payload);
        let e = c
            .publish(&PublishRequest {
                envelope: env,
                allow_breaking: false,
                reason: None,
                evidence: None,
                waiver: None,
            })
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (400, "registry.bad_request"), "{what}: {e}");
        assert!(e.to_string().contains("not a product definition"), "{what}: {e}");
    }
    assert!(c.versions("customer360").map(|v| v.is_empty()).unwrap_or(true), "nothing is stored");
    assert_eq!(c.log(0, 100).unwrap().len(), head, "nothing is logged");
    // The same definition with its rules as the catalog has them publishes.
    publish(&c, &sample(), &ada).unwrap();
}
