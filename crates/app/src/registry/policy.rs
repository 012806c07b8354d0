//! The central policy from the steward's side: what a draft's evidence misses before anything
//! is signed (with any officer's override taken into account, as the registry will), an
//! officer's override, the evidence a published version carries, and a consumer's own bar.

use std::path::Path;

use serde::Serialize;
use steward_registry_client::evidence::{self as ev, Evidence, Override, Requirements, Shortfall};
use steward_signing::{Envelope, PublicKey};

use super::{evidence_for, PublishChoices, RegistryConfig, VerifiedBundle};
use crate::AppError;

/// A draft judged against the registry's central policy: what its evidence misses, and what an
/// officer's override waives of that.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyCheck {
    pub evidence: Evidence,
    /// Shortfalls left once the override is applied: the publish would be refused for these.
    pub shortfalls: Vec<Shortfall>,
    /// Shortfalls the override waives.
    pub waived: Vec<Shortfall>,
    /// The key id of the officer who signed the override, when one was given and holds.
    pub officer: Option<String>,
}

/// Reads an officer's override written by `steward registry waive`.
pub(super) fn read_waiver(path: &Path) -> Result<Envelope, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| AppError::InvalidInput(format!("{}: {e}", path.display())))?;
    serde_json::from_str::<Envelope>(&text).map_err(|e| {
        AppError::InvalidInput(format!(
            "{}: not a signed override (steward registry waive writes one): {e}",
            path.display()
        ))
    })
}

/// The evidence of the definition in `file` and what the central policy of the registry finds
/// missing in it — with the override in `choices.waiver`, if any, judged as the registry will
/// judge it — measured and checked without signing or sending anything.
pub fn check_publish_file(
    file: &Path,
    config: &RegistryConfig,
    choices: &PublishChoices,
) -> Result<PolicyCheck, AppError> {
    let def = crate::load_definition(file)?;
    crate::check_definition(&def).map_err(|e| e.in_file(file))?;
    let evidence = evidence_for(file, &def, &PublishChoices { without_evidence: false, ..choices.clone() })?
        .ok_or_else(|| AppError::InvalidInput("no evidence".into()))?;
    let view = config.client()?.trust()?;
    let requirements: Vec<Requirements> = view.current.map(|t| t.policy.requirements).unwrap_or_default();
    let domain = &def.metadata.domain;
    let shortfalls = ev::judge_all(&requirements, domain, &evidence);
    let Some(path) = choices.waiver.as_deref() else {
        return Ok(PolicyCheck { evidence, shortfalls, waived: vec![], officer: None });
    };
    let env = read_waiver(path)?;
    let at = |e: AppError| AppError::InvalidInput(format!("{}: {e}", path.display()));
    // The publisher's own key never approves their exception (the registry refuses it too).
    let signer = config.key_info().ok().and_then(|k| PublicKey::from_text(&k.public_key).ok());
    if let Some(s) = &signer {
        if env.keyids().contains(&s.fingerprint().as_str()) {
            return Err(at(AppError::InvalidInput(format!(
                "signed with {}, the key that signs the definition; a privacy officer other than the publisher \
                 must sign the override",
                s.fingerprint()
            ))));
        }
    }
    let officers: Vec<PublicKey> = requirements
        .iter()
        .filter(|r| r.applies_to(domain))
        .flat_map(|r| r.officers.iter().copied())
        .filter(|k| Some(k) != signer.as_ref())
        .collect();
    let digest = steward_registry_client::definition_digest(&def)?;
    let (o, by) =
        ev::open_override(&env, &officers, &def.metadata.name, &def.metadata.version, &digest, chrono::Utc::now())
            .map_err(|e| at(e.into()))?;
    let (waived, shortfalls) = shortfalls.into_iter().partition(|s| ev::waives(&o.waives, &s.requirement));
    Ok(PolicyCheck { evidence, shortfalls, waived, officer: Some(by) })
}

/// A privacy officer's override of the central policy for the definition in `file` published
/// as it is now: bound to its digest, with the reason and the requirements it waives, signed
/// with the officer's key. Written atomically to `out`, which must not exist yet.
pub fn waive_file(
    file: &Path,
    config: &RegistryConfig,
    reason: &str,
    waives: &[String],
    out: &Path,
) -> Result<Override, AppError> {
    let def = crate::load_definition(file)?;
    if reason.trim().is_empty() || reason.len() > 1000 {
        return Err(AppError::InvalidInput(
            "--reason: an override needs a reason of 1 to 1,000 characters, recorded in the audit log".into(),
        ));
    }
    steward_registry_client::check_text("--reason", reason, false)?;
    if waives.is_empty() {
        return Err(AppError::InvalidInput(
            "--waive: name each requirement the override waives (as the refused publish listed them: min_k[analytics])"
                .into(),
        ));
    }
    for w in waives {
        ev::check_waived_name(w).map_err(|e| AppError::InvalidInput(format!("--waive: {e}")))?;
    }
    if out.exists() {
        return Err(AppError::InvalidInput(format!(
            "--out: {} exists already; an override is never overwritten (choose another file, or delete it)",
            out.display()
        )));
    }
    let o = Override {
        name: def.metadata.name.clone(),
        version: def.metadata.version.clone(),
        digest: steward_registry_client::definition_digest(&def)?,
        reason: reason.to_string(),
        waives: waives.to_vec(),
        issued_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let env = ev::sign_override(&o, &config.signing_key()?)?;
    let text = serde_json::to_vec_pretty(&env)
        .map_err(|e| AppError::InvalidInput(format!("the override does not serialise: {e}")))?;
    steward_workspace::write_atomic(out, &text)?;
    Ok(o)
}

/// The evidence published with `name@version`, as the registry holds it (unverified: verify
/// the bundle to trust it), and the officer's override it was published under.
pub fn published_evidence(
    config: &RegistryConfig,
    name: &str,
    version: &str,
) -> Result<(Option<Evidence>, Option<Override>), AppError> {
    let b = config.client()?.bundle(name, version)?;
    let evidence = b
        .evidence
        .as_ref()
        .map(|e| -> Result<Evidence, AppError> {
            let s: ev::Statement = serde_json::from_slice(&e.payload_bytes()?)
                .map_err(|x| AppError::InvalidInput(format!("{name}@{version}: the evidence is unreadable: {x}")))?;
            Ok(s.predicate)
        })
        .transpose()?;
    let waiver = b
        .waiver
        .as_ref()
        .map(|w| -> Result<Override, AppError> {
            serde_json::from_slice(&w.payload_bytes()?)
                .map_err(|x| AppError::InvalidInput(format!("{name}@{version}: the override is unreadable: {x}")))
        })
        .transpose()?;
    Ok((evidence, waiver))
}

/// What a verified version's signed evidence misses of a consumer's own requirements, written
/// `k>=5,leaks=0,uncovered=0,quality>=95,errors=0` (`leaks<=2` too). A version published
/// without evidence misses every requirement.
pub fn require(verified: &VerifiedBundle, spec: &str) -> Result<Vec<Shortfall>, AppError> {
    let mut req = Requirements { domains: vec!["*".into()], ..Default::default() };
    let mut seen: Vec<&str> = vec![];
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            AppError::InvalidInput(format!(
                "--require: `{part}` is not a requirement; write k>=N, leaks=N, uncovered=N, quality>=PCT or errors=N"
            ))
        };
        let (name, op, value) = ["<=", ">=", "="]
            .iter()
            .find_map(|op| part.split_once(op).map(|(n, v)| (n.trim(), *op, v.trim())))
            .ok_or_else(bad)?;
        let n: u64 = value.parse().map_err(|_| bad())?;
        // A later `k>=5` must not loosen an earlier `k>=20`: each is said once.
        if seen.contains(&name) {
            return Err(AppError::InvalidInput(format!("--require: `{name}` is given twice; give each once")));
        }
        seen.push(name);
        match (name, op) {
            ("k", ">=") => req.min_k = Some(n),
            ("leaks", "=" | "<=") => req.max_leaks = Some(n),
            ("uncovered", "=" | "<=") => req.max_uncovered = Some(n),
            ("quality", ">=") if n <= 100 => req.min_quality_pct = Some(n as u32),
            ("errors", "=" | "<=") => req.max_validation_errors = Some(u32::try_from(n).map_err(|_| bad())?),
            _ => return Err(bad()),
        }
    }
    if seen.is_empty() {
        return Err(AppError::InvalidInput(
            "--require: name at least one requirement (k>=N, leaks=N, uncovered=N, quality>=PCT, errors=N)".into(),
        ));
    }
    match &verified.evidence {
        Some(e) => Ok(ev::judge(&req, e)),
        None => Ok(vec![Shortfall {
            requirement: "evidence".into(),
            message: format!("{}@{} was published without evidence", verified.name, verified.version),
            fix: "ask its owner to publish a new version with Steward, which measures the product first".into(),
        }]),
    }
}
