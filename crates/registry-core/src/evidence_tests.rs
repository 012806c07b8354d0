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
        dismissed: vec![],
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

#[test]
fn a_quality_minimum_is_not_met_by_having_no_quality_rules() {
    let none = Evidence { quality: QualityEvidence { rules: 0, passed: 0, failed: vec![] }, ..evidence() };
    let s = judge(&strict(), &none);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].requirement, "min_quality_pct");
    assert!(s[0].message.contains("no quality rules"), "{}", s[0].message);
    // A minimum of 0% asks nothing.
    assert_eq!(judge(&Requirements { min_quality_pct: Some(0), ..strict() }, &none), vec![]);
}

#[test]
fn a_tag_the_policy_requires_masked_stays_required_when_the_steward_dismissed_it() {
    let mut e = evidence();
    e.dismissed = vec![PersonalField { field: "phone".into(), tag: "phone".into() }];
    let req = Requirements {
        masked: vec![TagRequirement { tag: "phone".into(), rules: vec![], irreversible: false }],
        ..strict()
    };
    let s = judge(&req, &e);
    assert_eq!(missed(&req, &e), vec!["masked[phone][analytics]"]);
    assert!(s[0].message.contains("dismissed"), "{}", s[0].message);
    // Dismissed fields do not count as uncovered: that stays the steward's call.
    assert_eq!(judge(&Requirements { masked: vec![], ..req }, &e), vec![]);
}

#[test]
fn an_override_names_a_requirement_exactly_or_for_every_profile() {
    let w = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert!(waives(&w(&["min_k[analytics]"]), "min_k[analytics]"));
    assert!(waives(&w(&["min_k"]), "min_k[analytics]"));
    assert!(waives(&w(&["masked[phone]"]), "masked[phone][analytics]"));
    assert!(!waives(&w(&["min_k[analytics]"]), "min_k[support]"));
    assert!(!waives(&w(&["min"]), "min_k[analytics]"));
    assert!(!waives(&w(&["masked[phone]"]), "masked[email][analytics]"));
    for good in ["min_k", "min_k[analytics]", "masked[phone][analytics]", "max_validation_errors"] {
        assert!(check_waived_name(good).is_ok(), "{good}");
    }
    for bad in ["", "min_qualty_pct", "min_k[", "min_k[]", "min_k[a[b]]", "min_k]x", "masked[phone]x"] {
        let e = check_waived_name(bad).unwrap_err();
        assert!(e.to_string().contains("is not a requirement an override can waive"), "{bad}: {e}");
    }
}

#[test]
fn requirements_an_admin_wrote_wrongly_are_refused_naming_the_field() {
    let check = |r: Requirements| r.check("requirements[0]").map_err(|e| e.to_string());
    assert_eq!(check(strict()), Ok(()));
    let e = check(Requirements { domains: vec![], ..strict() }).unwrap_err();
    assert!(e.starts_with("requirements[0].domains: name at least one"), "{e}");
    let e = check(Requirements { domains: vec!["Customer Data".into()], ..strict() }).unwrap_err();
    assert!(e.contains("`Customer Data` is not allowed"), "{e}");
    let e = check(Requirements { min_quality_pct: Some(150), ..strict() }).unwrap_err();
    assert!(e.starts_with("requirements[0].min_quality_pct: 150 is not a percentage"), "{e}");
    let typo = TagRequirement { tag: "emial".into(), rules: vec![], irreversible: false };
    let e = check(Requirements { masked: vec![typo], ..strict() }).unwrap_err();
    assert!(e.starts_with("requirements[0].masked[0].tag: `emial` is not a personal-data tag"), "{e}");
    let typo = TagRequirement { tag: "phone".into(), rules: vec!["redcat".into()], irreversible: false };
    let e = check(Requirements { masked: vec![typo], ..strict() }).unwrap_err();
    assert!(e.starts_with("requirements[0].masked[0].rules: `redcat` is not a masking rule"), "{e}");
}

#[test]
fn the_publisher_cannot_approve_their_own_override() {
    let steward = KeyPair::from_seed("steward", [1; 32]);
    let officer = KeyPair::from_seed("officer", [3; 32]);
    let now = chrono::Utc::now();
    let e = evidence();
    let req = Requirements { min_k: Some(5), officers: vec![steward.public(), officer.public()], ..strict() };
    let signed = sign_evidence("customer360", "1.0.0", DIGEST, &e, &steward).unwrap();
    let o = Override {
        name: "customer360".into(),
        version: "1.0.0".into(),
        digest: DIGEST.into(),
        reason: "accepted for the fraud team".into(),
        waives: vec!["min_k".into()],
        issued_at: now.to_rfc3339(),
    };
    let publish = |by: &KeyPair| {
        let w = sign_override(&o, by).unwrap();
        check_publish(
            std::slice::from_ref(&req),
            "customer",
            "customer360",
            "1.0.0",
            DIGEST,
            &steward.public(),
            Some(&signed),
            Some(&w),
            now,
        )
    };
    // Even though the policy lists the steward's key among the officers.
    let err = publish(&steward).unwrap_err();
    assert_eq!(err.code(), "registry.untrusted");
    assert!(err.to_string().contains("the key that signed the definition"), "{err}");
    let judged = publish(&officer).unwrap();
    assert_eq!(judged.waiver.map(|(_, by)| by), Some(officer.public().fingerprint()));
    assert_eq!(judged.shortfalls.len(), 1);
}
