//! # steward-registry-core
//!
//! Owns what every party of the shared registry agrees on: the wire types (trust policy, signed
//! actions, log entries, checkpoints, bundles, search filters), the error codes each failure
//! travels as, the rules for names, versions and text, how definitions, policies and actions are
//! signed, the Merkle hashing of the audit log, offline verification of a downloaded bundle, and
//! the evidence a publish carries with the central policy that judges it ([`evidence`]).
//!
//! It must not do I/O beyond reading a key file: no HTTP (`steward-registry-client`), no storage
//! or server (`steward-registry`), and never Polars or product data.

mod error;
pub mod evidence;
pub mod grants;
pub mod merkle;
mod requirements;
mod rules;
mod types;
mod verify;

pub use error::RegistryError;
pub use grants::*;
pub use rules::{check_json_text, check_name, check_serial, check_text, check_version, is_deceptive_char};
pub use types::*;
pub use verify::{
    check_seen_checkpoint, check_seen_head, open_checkpoint, verify_bundle, verify_bundle_pinned, verify_extends,
    SeenHead, VerifiedBundle, Waiver,
};

use steward_model::ProductDefinition;
use steward_signing::{canonical_json, Envelope, KeyPair, PRODUCT_PAYLOAD_TYPE};

/// Signs `def` as Steward publishes it: the canonical JSON (RFC 8785) of the whole definition —
/// model, masking profiles and metadata, no data — in a DSSE envelope.
pub fn sign_definition(def: &ProductDefinition, key: &KeyPair) -> Result<Envelope, RegistryError> {
    let payload = canonical_json(def, "product definition")?;
    Ok(key.sign(PRODUCT_PAYLOAD_TYPE, &payload))
}

/// Signs a trust policy with an admin key.
pub fn sign_trust(policy: &TrustPolicy, admin: &KeyPair) -> Result<Envelope, RegistryError> {
    let payload = canonical_json(policy, "trust policy")?;
    Ok(admin.sign(steward_signing::TRUST_PAYLOAD_TYPE, &payload))
}

/// Signs a yank or deprecation of `name@version` whose content has `digest` (the action is
/// refused for any other content). Fresh for [`ACTION_WINDOW_SECS`], and applied once.
pub fn sign_action(
    action: &str,
    name: &str,
    version: &str,
    digest: &str,
    reason: &str,
    key: &KeyPair,
) -> Result<Envelope, RegistryError> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| RegistryError::Storage(format!("no randomness: {e}")))?;
    let a = Action {
        action: action.to_string(),
        name: name.to_string(),
        version: version.to_string(),
        digest: digest.to_string(),
        reason: reason.to_string(),
        nonce: steward_signing::hex(&nonce),
        issued_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let payload = canonical_json(&a, "action")?;
    Ok(key.sign(steward_signing::ACTION_PAYLOAD_TYPE, &payload))
}

/// The definition inside a published envelope (unverified: use [`verify_bundle`] to trust it).
pub fn definition_of(env: &Envelope) -> Result<ProductDefinition, RegistryError> {
    serde_json::from_slice(&env.payload_bytes()?)
        .map_err(|e| RegistryError::Invalid(format!("not a product definition: {e}")))
}

/// Root admin keys from `--admin-key` values: `ed25519:…` keys, or files holding one per line.
pub fn read_admin_keys(values: &[String]) -> Result<Vec<steward_signing::PublicKey>, RegistryError> {
    let mut out = vec![];
    for v in values {
        if v.starts_with("ed25519:") {
            out.push(steward_signing::PublicKey::from_text(v)?);
        } else {
            let text = std::fs::read_to_string(v).map_err(|e| RegistryError::Invalid(format!("{v}: {e}")))?;
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                out.push(
                    steward_signing::PublicKey::from_text(line)
                        .map_err(|e| RegistryError::Invalid(format!("{v}: {e}")))?,
                );
            }
        }
    }
    Ok(out)
}
