use super::*;
use steward_error::ErrorCode;
use steward_signing::KeyPair;

const DIGEST: &str = "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn evidence() -> Evidence {
    Evidence {
        measured_at: "2026-12-02T10:00:00Z".into(),
        steward: "0.1.0".into(),
        entities: 1000,
        validation: ValidationEvidence { errors: 0, warnings: 2 },
        quality: QualityEvidence { rules: 4, passed: 3, failed: vec!["regex phone".into()] },
        personal_data: vec![
            PersonalField { field: "email".into(), tag: "email".into() },
            PersonalField { field: "invoices.billing_address".into(), tag: "street_address".into() },
        ],
        profiles: vec![ProfileEvidence {
            name: "analytics".into(),
            masked: vec![
                MaskedFieldEvidence { field: "email".into(), rule: "fake".into(), reversible: false },
                MaskedFieldEvidence {
                    field: "invoices.billing_address".into(),
                    rule: "redact".into(),
                    reversible: false,
                },
            ],
            k: Some(3),
            quasi_identifiers: vec!["city".into(), "country_code".into()],
            leaks: 0,
            uncovered: vec![],
            violations: vec![],
        }],
    }
}

fn strict() -> Requirements {
    Requirements {
        domains: vec!["customer".into()],
        max_leaks: Some(0),
        min_k: Some(2),
        max_uncovered: Some(0),
        min_quality_pct: Some(75),
        max_validation_errors: Some(0),
        masked: vec![TagRequirement { tag: "email".into(), rules: vec![], irreversible: true }],
        officers: vec![],
    }
}

fn missed(req: &Requirements, e: &Evidence) -> Vec<String> {
    judge(req, e).into_iter().map(|s| s.requirement).collect()
}

#[test]
fn evidence_that_meets_every_requirement_passes() {
    assert_eq!(judge(&strict(), &evidence()), vec![]);
    // Another domain's requirements do not apply.
    let other = Requirements { domains: vec!["billing".into()], min_k: Some(50), ..strict() };
    assert_eq!(judge_all(&[other], "customer", &evidence()), vec![]);
}

#[test]
fn each_shortfall_names_its_requirement_the_measure_and_the_fix() {
    let mut e = evidence();
    e.profiles[0].k = Some(1);
    let s = judge(&strict(), &e);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].requirement, "min_k[analytics]");
    assert_eq!(s[0].message, "k = 1 over city, country_code in profile `analytics` (at least 2 required)");
    assert!(s[0].fix.contains("generalise city, country_code"), "{}", s[0].fix);

    let mut e = evidence();
    e.profiles[0].k = None;
    e.profiles[0].leaks = 7;
    e.profiles[0].uncovered = vec!["phone phone".into()];
    e.quality.passed = 2;
    e.validation.errors = 1;
    assert_eq!(
        missed(&strict(), &e),
        [
            "max_validation_errors",
            "min_quality_pct",
            "max_leaks[analytics]",
            "min_k[analytics]",
            "max_uncovered[analytics]"
        ]
    );
    assert!(judge(&strict(), &e)[1].fix.contains("regex phone"));
}

#[test]
fn a_classification_must_be_masked_by_an_allowed_rule_that_cannot_be_reversed() {
    let mut e = evidence();
    e.profiles[0].masked[0] = MaskedFieldEvidence { field: "email".into(), rule: "fpe".into(), reversible: true };
    let s = judge(&strict(), &e);
    assert_eq!(missed(&strict(), &e), ["masked[email][analytics]"]);
    assert_eq!(
        s[0].message,
        "email (email) is masked by `fpe`, which the key holder can reverse in profile `analytics`"
    );
    e.profiles[0].masked.remove(0);
    assert_eq!(judge(&strict(), &e)[0].message, "email (email) is not masked in profile `analytics`");
    let only_fake = Requirements {
        masked: vec![TagRequirement { tag: "street_address".into(), rules: vec!["fake".into()], irreversible: false }],
        ..strict()
    };
    assert_eq!(
        judge(&only_fake, &evidence())[0].message,
        "invoices.billing_address (street_address) is masked by `redact` in profile `analytics`"
    );
}

#[test]
fn a_product_without_profiles_fails_a_policy_that_asks_for_masking() {
    let mut e = evidence();
    e.profiles.clear();
    assert_eq!(missed(&strict(), &e), ["profiles"]);
    let quality_only = Requirements { domains: vec!["*".into()], min_quality_pct: Some(50), ..Default::default() };
    assert_eq!(judge(&quality_only, &e), vec![]);
}

#[test]
fn evidence_opens_only_for_its_own_definition_and_signer() {
    let key = KeyPair::from_seed("steward", [1; 32]);
    let env = sign_evidence("customer360", "1.0.0", DIGEST, &evidence(), &key).unwrap();
    assert_eq!(open_evidence(&env, &key.public(), "customer360", "1.0.0", DIGEST).unwrap(), evidence());

    let other = "sha256:ffff2233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let e = open_evidence(&env, &key.public(), "customer360", "1.0.0", other).unwrap_err();
    assert_eq!(e.code(), "registry.signature");
    assert!(e.to_string().contains("it is about customer360@1.0.0"), "{e}");
    let e = open_evidence(&env, &key.public(), "customer360", "1.0.1", DIGEST).unwrap_err();
    assert!(e.to_string().contains("not customer360@1.0.1"), "{e}");

    let stranger = KeyPair::from_seed("stranger", [2; 32]);
    let e = open_evidence(&env, &stranger.public(), "customer360", "1.0.0", DIGEST).unwrap_err();
    assert!(e.to_string().contains("not a trusted key"), "{e}");

    // A better k written into the signed statement: the signature no longer holds.
    let mut tampered = env.clone();
    let text = String::from_utf8(tampered.payload_bytes().unwrap()).unwrap().replace("\"k\":3", "\"k\":30");
    use base64::Engine as _;
    tampered.payload = base64::engine::general_purpose::STANDARD.encode(text);
    let e = open_evidence(&tampered, &key.public(), "customer360", "1.0.0", DIGEST).unwrap_err();
    assert!(e.to_string().contains("does not verify"), "{e}");
}

#[test]
fn an_override_holds_only_for_its_publish_its_officer_and_a_week() {
    let officer = KeyPair::from_seed("officer", [3; 32]);
    let now = chrono::Utc::now();
    let o = Override {
        name: "customer360".into(),
        version: "1.0.0".into(),
        digest: DIGEST.into(),
        reason: "k = 1 accepted for the internal fraud team (DPIA 2026-14)".into(),
        waives: vec!["min_k[analytics]".into()],
        issued_at: now.to_rfc3339(),
    };
    let env = sign_override(&o, &officer).unwrap();
    let (opened, by) = open_override(&env, &[officer.public()], "customer360", "1.0.0", DIGEST, now).unwrap();
    assert_eq!((opened, by), (o.clone(), officer.public().fingerprint()));

    let steward = KeyPair::from_seed("steward", [1; 32]);
    let e =
        open_override(&sign_override(&o, &steward).unwrap(), &[officer.public()], "customer360", "1.0.0", DIGEST, now)
            .unwrap_err();
    assert_eq!(e.code(), "registry.untrusted");
    let e = open_override(&env, &[], "customer360", "1.0.0", DIGEST, now).unwrap_err();
    assert!(e.to_string().contains("names no privacy officer"), "{e}");
    let e = open_override(&env, &[officer.public()], "customer360", "2.0.0", DIGEST, now).unwrap_err();
    assert!(e.to_string().contains("not customer360@2.0.0"), "{e}");
    let later = now + chrono::Duration::days(8);
    let e = open_override(&env, &[officer.public()], "customer360", "1.0.0", DIGEST, later).unwrap_err();
    assert!(e.to_string().contains("more than 7 days ago"), "{e}");
    let blank = Override { reason: " ".into(), ..o };
    let e = open_override(
        &sign_override(&blank, &officer).unwrap(),
        &[officer.public()],
        "customer360",
        "1.0.0",
        DIGEST,
        now,
    )
    .unwrap_err();
    assert!(e.to_string().contains("a reason"), "{e}");
}

#[test]
fn requirements_round_trip_and_old_policies_keep_their_bytes() {
    let r: Requirements = serde_json::from_value(serde_json::json!({
        "domains": ["customer"], "max_leaks": 0, "min_k": 5, "masked": [{"tag": "email", "irreversible": true}]
    }))
    .unwrap();
    assert_eq!(r.min_k, Some(5));
    assert!(r.masked[0].irreversible);
    let policy = crate::TrustPolicy {
        serial: 1,
        admins: vec![],
        signers: vec![],
        expires: None,
        replaces: None,
        issued_at: None,
        requirements: vec![],
    };
    // A policy without requirements serialises as it did before requirements existed.
    assert_eq!(
        String::from_utf8(canonical_json(&policy, "p").unwrap()).unwrap(),
        r#"{"admins":[],"serial":1,"signers":[]}"#
    );
}
