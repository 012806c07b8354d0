//! Evidence of how well a published definition protects and describes its data, and the central
//! policy it is held to.
//!
//! Before publishing, Steward measures the product on the steward's data — data-level validation,
//! quality rules, and every masking profile's checks — and signs the results as an in-toto
//! Statement whose subject is the definition's digest, in its own DSSE envelope. Only counts,
//! measures, thresholds and field names travel: never a data value.
//!
//! The trust policy names, per domain, the minimums that evidence must meet ([`Requirements`]).
//! The registry, the CLI and the app all judge evidence with [`judge`], so a steward learns
//! locally, before signing, exactly what the registry would refuse.

use serde::{Deserialize, Serialize};
use steward_signing::{canonical_json, Envelope, KeyPair, PublicKey};

use crate::RegistryError;

pub use crate::requirements::{
    check_waived_name, judge, judge_all, waives, Requirements, Shortfall, TagRequirement, REQUIREMENT_NAMES,
};

/// DSSE payload type of an in-toto Statement.
pub const STATEMENT_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The in-toto Statement's own type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Steward's predicate: the evidence below.
pub const EVIDENCE_PREDICATE: &str = "urn:steward:evidence:v1";
/// DSSE payload type of a privacy officer's co-signed override of the central policy.
pub const OVERRIDE_PAYLOAD_TYPE: &str = "application/vnd.steward.override+json; version=1";
/// How long an officer's override may wait before the publish it allows (seconds: 7 days).
pub const OVERRIDE_WINDOW_SECS: i64 = 7 * 24 * 3600;
/// Profiles, fields or messages an evidence document may list at most (each): bounds what the
/// registry reads from a request.
pub const MAX_EVIDENCE_ITEMS: usize = 2000;

/// An in-toto Statement (v1) about one published definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub kind: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Evidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// `name@version`.
    pub name: String,
    pub digest: SubjectDigest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectDigest {
    /// Hex sha256 of the signed definition's canonical JSON.
    pub sha256: String,
}

/// What Steward measured on the steward's data before publishing. Counts and names only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// When it was measured (RFC 3339).
    pub measured_at: String,
    /// The Steward release that measured it.
    pub steward: String,
    /// Instances of the entity the measures cover.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub entities: u64,
    pub validation: ValidationEvidence,
    pub quality: QualityEvidence,
    /// Fields holding personal data (accepted classifications, or suggestions Steward is sure of).
    pub personal_data: Vec<PersonalField>,
    /// Suggestions Steward was sure of that the steward dismissed: recorded so the policy and its
    /// officers, not the steward alone, decide about a tag the policy requires masked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissed: Vec<PersonalField>,
    pub profiles: Vec<ProfileEvidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ValidationEvidence {
    pub errors: u32,
    pub warnings: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct QualityEvidence {
    pub rules: u32,
    pub passed: u32,
    /// The rules that failed, as `rule column` (`regex phone`), never with a value.
    pub failed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PersonalField {
    /// As rules name it: `email`, `invoices.billing_address`.
    pub field: String,
    /// `email`, `phone`, `street_address`…
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ProfileEvidence {
    pub name: String,
    /// Every masked field and the rule that masks it.
    pub masked: Vec<MaskedFieldEvidence>,
    /// k-anonymity over the profile's quasi-identifiers; `None` when it declares none.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub k: Option<u64>,
    pub quasi_identifiers: Vec<String>,
    /// Original values found in the masked product, anywhere.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub leaks: u64,
    /// Personal-data fields no rule of the profile masks (`field tag`).
    pub uncovered: Vec<String>,
    /// The profile's own thresholds that the masked product breaks.
    pub violations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MaskedFieldEvidence {
    pub field: String,
    pub rule: String,
    /// Whether a holder of the masking key can get the original back.
    pub reversible: bool,
}

/// Signs `evidence` about the definition with `digest` (`sha256:…`) published as `name@version`.
pub fn sign_evidence(
    name: &str,
    version: &str,
    digest: &str,
    evidence: &Evidence,
    key: &KeyPair,
) -> Result<Envelope, RegistryError> {
    let sha256 = digest.strip_prefix("sha256:").unwrap_or(digest).to_string();
    let s = Statement {
        kind: STATEMENT_TYPE.into(),
        subject: vec![Subject { name: format!("{name}@{version}"), digest: SubjectDigest { sha256 } }],
        predicate_type: EVIDENCE_PREDICATE.into(),
        predicate: evidence.clone(),
    };
    Ok(key.sign(STATEMENT_PAYLOAD_TYPE, &canonical_json(&s, "evidence")?))
}

/// Opens evidence signed by `signer` and checks it is about exactly `name@version` with `digest`,
/// and within bounds. Returns the evidence.
pub fn open_evidence(
    env: &Envelope,
    signer: &PublicKey,
    name: &str,
    version: &str,
    digest: &str,
) -> Result<Evidence, RegistryError> {
    let v = env
        .verify(STATEMENT_PAYLOAD_TYPE, std::slice::from_ref(signer))
        .map_err(|e| RegistryError::Signature(format!("evidence: {e} (it must be signed by the definition's key)")))?;
    let s: Statement = serde_json::from_slice(&v.payload)
        .map_err(|e| RegistryError::BadRequest(format!("evidence: not a Steward evidence statement: {e}")))?;
    if s.kind != STATEMENT_TYPE || s.predicate_type != EVIDENCE_PREDICATE {
        return Err(RegistryError::BadRequest(format!(
            "evidence: statement type `{}` with predicate `{}`; expected `{STATEMENT_TYPE}` with `{EVIDENCE_PREDICATE}`",
            s.kind.escape_debug(),
            s.predicate_type.escape_debug()
        )));
    }
    let want = digest.strip_prefix("sha256:").unwrap_or(digest);
    let about = format!("{name}@{version}");
    match s.subject.as_slice() {
        [one] if one.name == about && one.digest.sha256 == want => {}
        _ => {
            return Err(RegistryError::Signature(format!(
                "evidence: it is about {}, not {about} with digest sha256:{want}",
                s.subject
                    .iter()
                    .map(|x| format!("{} (sha256:{})", x.name.escape_debug(), x.digest.sha256.escape_debug()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
    check_bounds(&s.predicate)?;
    Ok(s.predicate)
}

fn check_bounds(e: &Evidence) -> Result<(), RegistryError> {
    let too_many = |what: &str, n: usize| {
        (n > MAX_EVIDENCE_ITEMS)
            .then(|| RegistryError::TooLarge(format!("evidence: {n} {what} (at most {MAX_EVIDENCE_ITEMS})")))
    };
    let counts = [
        ("personal-data fields", e.personal_data.len()),
        ("dismissed fields", e.dismissed.len()),
        ("profiles", e.profiles.len()),
    ]
    .into_iter()
    .chain(e.profiles.iter().flat_map(|p| {
        [("masked fields", p.masked.len()), ("uncovered fields", p.uncovered.len()), ("violations", p.violations.len())]
    }))
    .chain([("failed quality rules", e.quality.failed.len())]);
    for (what, n) in counts {
        if let Some(err) = too_many(what, n) {
            return Err(err);
        }
    }
    crate::check_json_text("evidence", &serde_json::to_value(e).map_err(|x| RegistryError::Storage(x.to_string()))?)
}

/// A privacy officer's override of the central policy for one publish: bound to the exact
/// definition, with the reason and the requirements it waives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub name: String,
    pub version: String,
    pub digest: String,
    pub reason: String,
    /// The requirements it waives (`min_k[analytics]`); a shortfall not listed is not waived.
    pub waives: Vec<String>,
    /// When the officer signed it (RFC 3339); good for [`OVERRIDE_WINDOW_SECS`].
    pub issued_at: String,
}

/// Signs an override with a privacy officer's key.
pub fn sign_override(o: &Override, officer: &KeyPair) -> Result<Envelope, RegistryError> {
    Ok(officer.sign(OVERRIDE_PAYLOAD_TYPE, &canonical_json(o, "override")?))
}

/// Opens an override signed by one of `officers` for exactly `name@version` with `digest`,
/// fresh at `now`. Returns it and the officer's key id.
pub fn open_override(
    env: &Envelope,
    officers: &[PublicKey],
    name: &str,
    version: &str,
    digest: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Override, String), RegistryError> {
    if officers.is_empty() {
        return Err(RegistryError::Untrusted(
            "override: the policy names no privacy officer who may co-sign one for this domain".into(),
        ));
    }
    let v = env.verify(OVERRIDE_PAYLOAD_TYPE, officers).map_err(|e| {
        RegistryError::Untrusted(format!("override: {e} (a privacy officer the policy names must sign it)"))
    })?;
    let o: Override = serde_json::from_slice(&v.payload)
        .map_err(|e| RegistryError::BadRequest(format!("override: not an override: {e}")))?;
    if o.name != name || o.version != version || o.digest != digest {
        return Err(RegistryError::Signature(format!(
            "override: it allows {}@{} ({}), not {name}@{version} ({digest})",
            o.name.escape_debug(),
            o.version.escape_debug(),
            o.digest.escape_debug()
        )));
    }
    if o.reason.trim().is_empty() || o.reason.len() > 1000 {
        return Err(RegistryError::BadRequest("override: a reason of 1 to 1,000 characters is required".into()));
    }
    crate::check_text("override reason", &o.reason, false)?;
    if o.waives.is_empty() || o.waives.len() > 100 {
        return Err(RegistryError::BadRequest("override: it must waive 1 to 100 requirements".into()));
    }
    for w in &o.waives {
        check_waived_name(w).map_err(|e| RegistryError::BadRequest(format!("override: {e}")))?;
    }
    let at = chrono::DateTime::parse_from_rfc3339(&o.issued_at).map_err(|_| {
        RegistryError::BadRequest(format!("override: issued_at `{}` is not a time", o.issued_at.escape_debug()))
    })?;
    let age = now.signed_duration_since(at).num_seconds();
    if !(-crate::ACTION_WINDOW_SECS..=OVERRIDE_WINDOW_SECS).contains(&age) {
        return Err(RegistryError::Untrusted(format!(
            "override: signed at {}, more than {} days ago (or in the future): ask the officer for a new one",
            o.issued_at,
            OVERRIDE_WINDOW_SECS / 86_400
        )));
    }
    Ok((o, v.keyid))
}

/// What a publish's evidence showed against the policy in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub evidence: Option<Evidence>,
    /// What the evidence missed; each waived by `waiver` (else the publish is refused).
    pub shortfalls: Vec<Shortfall>,
    /// The officer's override and the officer's key id.
    pub waiver: Option<(Override, String)>,
}

/// The one judgement of a publish, made by the registry when it is published and by a consumer
/// verifying it offline: the evidence, if any, is signed by the definition's `signer` about
/// exactly this definition; when `requirements` apply to `domain`, evidence is required and each
/// shortfall must be waived by an override a privacy officer of those requirements signed.
#[allow(clippy::too_many_arguments)]
pub fn check_publish(
    requirements: &[Requirements],
    domain: &str,
    name: &str,
    version: &str,
    digest: &str,
    signer: &PublicKey,
    evidence: Option<&Envelope>,
    waiver: Option<&Envelope>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Judged, RegistryError> {
    let opened = evidence.map(|e| open_evidence(e, signer, name, version, digest)).transpose()?;
    let applicable: Vec<&Requirements> = requirements.iter().filter(|r| r.applies_to(domain)).collect();
    if applicable.is_empty() {
        return Ok(Judged { evidence: opened, shortfalls: vec![], waiver: None });
    }
    let Some(e) = &opened else {
        return Err(RegistryError::Policy(format!(
            "{name}@{version}: the central policy of domain `{domain}` requires evidence (validation, quality and \
             privacy measures, signed): publish without `--without-evidence`, so that Steward measures the product first"
        )));
    };
    let shortfalls: Vec<Shortfall> = applicable.iter().flat_map(|r| judge(r, e)).collect();
    if shortfalls.is_empty() {
        return Ok(Judged { evidence: opened, shortfalls, waiver: None });
    }
    let list = |s: &[&Shortfall]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("; ");
    let Some(w) = waiver else {
        return Err(RegistryError::Policy(format!(
            "{name}@{version} misses the central policy of domain `{domain}`: {}. Fix these, or publish with an \
             override a privacy officer named by the policy signed",
            list(&shortfalls.iter().collect::<Vec<_>>())
        )));
    };
    // The publisher never approves their own exception, even when the policy also names their
    // key as an officer's.
    if w.keyids().contains(&signer.fingerprint().as_str()) {
        return Err(RegistryError::Untrusted(format!(
            "override: signed with {}, the key that signed the definition; a privacy officer other than the \
             publisher must sign it",
            signer.fingerprint()
        )));
    }
    let officers: Vec<PublicKey> =
        applicable.iter().flat_map(|r| r.officers.iter().copied()).filter(|k| k != signer).collect();
    let (o, by) = open_override(w, &officers, name, version, digest, now)?;
    let unwaived: Vec<&Shortfall> = shortfalls.iter().filter(|s| !waives(&o.waives, &s.requirement)).collect();
    if !unwaived.is_empty() {
        return Err(RegistryError::Policy(format!("the override does not waive: {}", list(&unwaived))));
    }
    Ok(Judged { evidence: opened, shortfalls, waiver: Some((o, by)) })
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
