//! # steward-registry-client
//!
//! Owns talking to a shared registry over HTTP — search, versions, bundles, publishing, signed
//! actions and trust changes — and the steward's publishing workflow: check the definition,
//! sign it with the steward's key, send it, and diff a draft against what is published.
//!
//! It must not run a server or open the registry's storage (`steward-registry`), and never reads
//! product data: it sends definitions, never rows.

mod client;

pub use client::Client;
pub use steward_registry_core::*;

use steward_model::ProductDefinition;
use steward_signing::KeyPair;

/// How to publish: the overrides a steward chose, the evidence measured, and an officer's
/// signed override of the central policy.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// Publish a breaking change without the major bump it needs (with `reason`).
    pub allow_breaking: bool,
    pub reason: Option<String>,
    /// What Steward measured on the data; signed with the definition's key and bound to it.
    pub evidence: Option<evidence::Evidence>,
    /// A privacy officer's override ([`evidence::sign_override`]) for a publish that misses
    /// the central policy.
    pub waiver: Option<steward_signing::Envelope>,
}

/// The digest a definition is published under: sha256 of its canonical JSON.
pub fn definition_digest(def: &ProductDefinition) -> Result<String, RegistryError> {
    Ok(steward_signing::digest(&steward_signing::canonical_json(def, "product definition")?))
}

/// What the central policy in force at `client` finds missing in `evidence` for `def`'s domain:
/// the check the registry makes, made before anything is signed.
pub fn policy_shortfalls(
    client: &Client,
    def: &ProductDefinition,
    evidence: &evidence::Evidence,
) -> Result<Vec<evidence::Shortfall>, RegistryError> {
    let view = client.trust()?;
    let requirements = view.current.map(|t| t.policy.requirements).unwrap_or_default();
    Ok(evidence::judge_all(&requirements, &def.metadata.domain, evidence))
}

/// Checks `def`, checks its evidence against the central policy, signs both with `key` and
/// publishes them through `client`. The caller's file is never touched, so a refused publish
/// loses nothing.
pub fn publish_definition(
    client: &Client,
    def: &ProductDefinition,
    key: &KeyPair,
    options: PublishOptions,
) -> Result<Published, RegistryError> {
    let errors: Vec<String> = steward_model::check(def)
        .into_iter()
        .filter(|i| i.severity == steward_model::Severity::Error)
        .map(|i| i.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(RegistryError::Invalid(format!("fix before publishing: {}", errors.join("; "))));
    }
    if let (Some(e), None) = (&options.evidence, &options.waiver) {
        let missing = policy_shortfalls(client, def, e)?;
        if !missing.is_empty() {
            return Err(RegistryError::Policy(format!(
                "{}@{} misses the central policy of domain `{}`: {}. Nothing was signed or sent",
                def.metadata.name,
                def.metadata.version,
                def.metadata.domain,
                missing.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("; ")
            )));
        }
    }
    let envelope = sign_definition(def, key)?;
    let evidence = options
        .evidence
        .as_ref()
        .map(|e| {
            let digest = steward_signing::digest(&envelope.payload_bytes()?);
            evidence::sign_evidence(&def.metadata.name, &def.metadata.version, &digest, e, key)
        })
        .transpose()?;
    client.publish(&PublishRequest {
        envelope,
        allow_breaking: options.allow_breaking,
        reason: options.reason,
        evidence,
        waiver: options.waiver,
    })
}

/// The draft `def` against the latest published version of its product: `None` when nothing
/// is published under its name yet.
pub fn draft_diff(client: &Client, def: &ProductDefinition) -> Result<Option<steward_model::Diff>, RegistryError> {
    match client.latest(&def.metadata.name) {
        Ok(latest) => Ok(Some(steward_model::diff(&definition_of(&latest.envelope)?, def))),
        Err(RegistryError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
