//! The central policy at publish: evidence required and judged, shortfalls refused with each one
//! named and nothing stored, overrides only co-signed by a privacy officer the policy names, and
//! the evidence carried in the bundle and checked offline like the definition.

mod common;

use common::*;
use steward_error::ErrorCode;
use steward_registry::evidence::*;
use steward_registry::*;
use steward_registry_client::Client;
use steward_signing::KeyPair;

fn evidence(k: u64) -> Evidence {
    Evidence {
        measured_at: "2026-12-02T10:00:00Z".into(),
        steward: "0.1.0".into(),
        entities: 200,
        validation: ValidationEvidence { errors: 0, warnings: 1 },
        quality: QualityEvidence { rules: 7, passed: 7, failed: vec![] },
        personal_data: vec![PersonalField { field: "email".into(), tag: "email".into() }],
        dismissed: vec![],
        profiles: vec![ProfileEvidence {
            name: "support".into(),
            masked: vec![MaskedFieldEvidence { field: "email".into(), rule: "fake".into(), reversible: false }],
            k: Some(k),
            quasi_identifiers: vec!["city".into(), "country_code".into()],
            leaks: 0,
            uncovered: vec![],
            violations: vec![],
        }],
    }
}

struct Setup {
    c: Client,
    admin: KeyPair,
    ada: KeyPair,
    officer: KeyPair,
}

/// A registry whose policy asks the customer domain for k ≥ 2, no leaks, and emails masked by a
/// rule that cannot be reversed, with one privacy officer.
fn setup(db: &std::path::Path) -> Setup {
    let (admin, ada, officer) = (key(1), key(2), key(3));
    let c = start(&db.to_string_lossy(), &admin);
    let mut p = policy(1, vec![("ada", &ada, &["customer"])]);
    p.requirements = vec![Requirements {
        domains: vec!["customer".into()],
        max_leaks: Some(0),
        min_k: Some(2),
        masked: vec![TagRequirement { tag: "email".into(), rules: vec![], irreversible: true }],
        officers: vec![officer.public()],
        ..Default::default()
    }];
    c.set_trust(&sign_trust(&p, &admin).unwrap()).unwrap();
    Setup { c, admin, ada, officer }
}

fn request(
    def: &steward_model::ProductDefinition,
    k: &KeyPair,
    e: Option<&Evidence>,
    waiver: Option<Envelope>,
) -> PublishRequest {
    let envelope = sign_definition(def, k).unwrap();
    let digest = steward_signing::digest(&envelope.payload_bytes().unwrap());
    let evidence = e.map(|e| sign_evidence(&def.metadata.name, &def.metadata.version, &digest, e, k).unwrap());
    PublishRequest { envelope, allow_breaking: false, reason: None, evidence, waiver }
}

fn waiver(def: &steward_model::ProductDefinition, by: &KeyPair, waives: &[&str]) -> Envelope {
    let envelope = sign_definition(def, &key(2)).unwrap();
    sign_override(
        &Override {
            name: def.metadata.name.clone(),
            version: def.metadata.version.clone(),
            digest: steward_signing::digest(&envelope.payload_bytes().unwrap()),
            reason: "k = 1 accepted for the fraud team (DPIA 2026-14)".into(),
            waives: waives.iter().map(|w| w.to_string()).collect(),
            issued_at: chrono::Utc::now().to_rfc3339(),
        },
        by,
    )
    .unwrap()
}

use steward_signing::Envelope;

#[test]
fn a_publish_below_policy_is_refused_with_each_shortfall_and_nothing_is_stored() {
    let db = tempfile::tempdir().unwrap();
    let s = setup(&db.path().join("r.db"));
    let def = sample();
    // Without evidence: refused.
    let e = s.c.publish(&request(&def, &s.ada, None, None)).unwrap_err();
    assert_eq!((e.status(), e.code()), (422, "registry.policy"), "{e}");
    assert!(e.to_string().contains("requires evidence"), "{e}");
    // k = 1 and a reversible rule on email: both named, with their fixes.
    let mut weak = evidence(1);
    weak.profiles[0].masked[0] = MaskedFieldEvidence { field: "email".into(), rule: "fpe".into(), reversible: true };
    let e = s.c.publish(&request(&def, &s.ada, Some(&weak), None)).unwrap_err();
    assert_eq!(e.code(), "registry.policy");
    let m = e.to_string();
    assert!(m.contains("min_k[support]: k = 1 over city, country_code"), "{m}");
    assert!(
        m.contains("masked[email][support]: email (email) is masked by `fpe`, which the key holder can reverse"),
        "{m}"
    );
    assert!(m.contains("fix: "), "{m}");
    assert!(s.c.versions("customer360").map(|v| v.is_empty()).unwrap_or(true), "nothing is stored");
    assert_eq!(s.c.log(0, 100).unwrap().len(), 1, "only the trust policy is in the log");

    // Meeting the policy: published, and the bundle carries the evidence, checked offline.
    let p = s.c.publish(&request(&def, &s.ada, Some(&evidence(3)), None)).unwrap();
    let bundle = s.c.bundle("customer360", &p.version).unwrap();
    let v = verify_bundle(&bundle, &[s.admin.public()]).unwrap();
    assert_eq!(v.evidence.as_ref().map(|e| e.profiles[0].k), Some(Some(3)));
    assert_eq!(v.waiver, None);
    let entry = &bundle.log[0];
    assert_eq!(
        entry.evidence.as_deref(),
        Some(steward_signing::digest(&bundle.evidence.as_ref().unwrap().payload_bytes().unwrap()).as_str())
    );
}

#[test]
fn evidence_tampered_bound_elsewhere_or_signed_by_another_key_is_refused() {
    let db = tempfile::tempdir().unwrap();
    let s = setup(&db.path().join("r.db"));
    let def = sample();
    // Tampered after signing: a better k written in.
    let mut r = request(&def, &s.ada, Some(&evidence(1)), None);
    let env = r.evidence.as_mut().unwrap();
    let text = String::from_utf8(env.payload_bytes().unwrap()).unwrap().replace("\"k\":1", "\"k\":9");
    use base64::Engine as _;
    env.payload = base64::engine::general_purpose::STANDARD.encode(text);
    let e = s.c.publish(&r).unwrap_err();
    assert_eq!(e.code(), "registry.signature", "{e}");
    // Bound to another definition (the evidence of 1.0.0 sent with 1.1.0).
    let other = versioned("1.1.0");
    let mut r = request(&other, &s.ada, None, None);
    r.evidence = request(&def, &s.ada, Some(&evidence(3)), None).evidence;
    let e = s.c.publish(&r).unwrap_err();
    assert_eq!(e.code(), "registry.signature", "{e}");
    assert!(e.to_string().contains("not customer360@1.1.0"), "{e}");
    // Signed by a key that did not sign the definition.
    let mut r = request(&def, &s.ada, None, None);
    r.evidence = request(&def, &s.officer, Some(&evidence(3)), None).evidence;
    let e = s.c.publish(&r).unwrap_err();
    assert_eq!(e.code(), "registry.signature", "{e}");
    assert!(s.c.versions("customer360").map(|v| v.is_empty()).unwrap_or(true), "nothing is stored");
}

#[test]
fn an_override_needs_a_named_officer_and_must_waive_every_shortfall() {
    let db = tempfile::tempdir().unwrap();
    let s = setup(&db.path().join("r.db"));
    let def = sample();
    // Co-signed by the steward's own key: not an officer.
    let e =
        s.c.publish(&request(&def, &s.ada, Some(&evidence(1)), Some(waiver(&def, &s.ada, &["min_k[support]"]))))
            .unwrap_err();
    assert_eq!(e.code(), "registry.untrusted", "{e}");
    // By the officer, but waiving something else.
    let e = s
        .c
        .publish(&request(&def, &s.ada, Some(&evidence(1)), Some(waiver(&def, &s.officer, &["max_leaks[support]"]))))
        .unwrap_err();
    assert_eq!(e.code(), "registry.policy", "{e}");
    assert!(e.to_string().contains("does not waive: min_k[support]"), "{e}");
    // By the officer for another version.
    let e =
        s.c.publish(&request(
            &def,
            &s.ada,
            Some(&evidence(1)),
            Some(waiver(&versioned("2.0.0"), &s.officer, &["min_k[support]"])),
        ))
        .unwrap_err();
    assert_eq!(e.code(), "registry.signature", "{e}");
    assert!(s.c.versions("customer360").map(|v| v.is_empty()).unwrap_or(true), "nothing is stored");

    // The right override: published, and the log records the officer and the reason.
    let p =
        s.c.publish(&request(&def, &s.ada, Some(&evidence(1)), Some(waiver(&def, &s.officer, &["min_k[support]"]))))
            .unwrap();
    let bundle = s.c.bundle("customer360", &p.version).unwrap();
    let entry = &bundle.log[0];
    assert_eq!(entry.cosigner.as_deref(), Some(s.officer.public().fingerprint().as_str()));
    assert!(entry.note.as_deref().unwrap_or("").contains("policy override co-signed by"), "{:?}", entry.note);
    assert!(entry.note.as_deref().unwrap_or("").contains("DPIA 2026-14"), "{:?}", entry.note);
    let v = verify_bundle(&bundle, &[s.admin.public()]).unwrap();
    assert_eq!(v.waiver.as_ref().map(|w| w.waives.clone()), Some(vec!["min_k[support]".to_string()]));

    // A consumer handed the bundle without its override: refused offline.
    let mut stripped = bundle.clone();
    stripped.waiver = None;
    let e = verify_bundle(&stripped, &[s.admin.public()]).unwrap_err();
    assert!(e.to_string().contains("the log records an override the bundle does not carry"), "{e}");
    // Or without its evidence.
    let mut stripped = bundle;
    stripped.evidence = None;
    let e = verify_bundle(&stripped, &[s.admin.public()]).unwrap_err();
    assert!(e.to_string().contains("the log records evidence the bundle does not carry"), "{e}");
}
