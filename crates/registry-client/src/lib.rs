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

/// Checks `def`, signs it with `key` and publishes it through `client`. The caller's file is
/// never touched, so a refused publish loses nothing.
pub fn publish_definition(
    client: &Client,
    def: &ProductDefinition,
    key: &KeyPair,
    allow_breaking: bool,
    reason: Option<String>,
) -> Result<Published, RegistryError> {
    let errors: Vec<String> = steward_model::check(def)
        .into_iter()
        .filter(|i| i.severity == steward_model::Severity::Error)
        .map(|i| i.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(RegistryError::Invalid(format!("fix before publishing: {}", errors.join("; "))));
    }
    let envelope = sign_definition(def, key)?;
    client.publish(&PublishRequest { envelope, allow_breaking, reason })
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
