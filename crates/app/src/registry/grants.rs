//! Grants, written once for the CLI and the desktop: grant a consumer key read access to a
//! published product under one of its masking profiles (or `unmasked`), list a product's grants,
//! revoke one. Each is signed with the steward's key from the OS keychain.

use steward_registry_client::{GrantRecord, LogEntry, UNMASKED};
use steward_signing::{KeyRing, PublicKey};

use super::RegistryConfig;
use crate::AppError;

/// What a steward asks for when granting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub product: String,
    /// The consumer's public key (`ed25519:…`), or the name of a key on this machine.
    pub consumer: String,
    /// Who holds it (`support-app@example.com`).
    pub consumer_name: String,
    /// A masking profile of the product, or `unmasked`.
    pub profile: String,
    /// A semver range; default: the latest version's major (`^1`).
    pub versions: Option<String>,
    /// RFC 3339, or a date (`2027-06-30`, the end of that day in UTC).
    pub expires: Option<String>,
}

fn consumer_key(text: &str) -> Result<PublicKey, AppError> {
    if text.trim().starts_with("ed25519:") {
        return Ok(PublicKey::from_text(text)?);
    }
    Ok(PublicKey::from_text(&KeyRing::default_location().get(text)?.public_key)?)
}

fn expiry(text: &str) -> Result<String, AppError> {
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Ok(text.to_string());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| format!("{d}T23:59:59Z")).map_err(|_| {
        AppError::InvalidInput(format!("--expires: `{text}` is neither a date (2027-06-30) nor an RFC 3339 time"))
    })
}

/// Grants as `req` says, after checking that the product is published and defines the profile.
pub fn grant(config: &RegistryConfig, req: &GrantRequest) -> Result<GrantRecord, AppError> {
    let c = config.client()?;
    let latest = c.latest(&req.product)?;
    let def = steward_registry_client::definition_of(&latest.envelope)?;
    if req.profile != UNMASKED && !def.masking.contains_key(&req.profile) {
        let have: Vec<&str> = def.masking.keys().map(String::as_str).collect();
        return Err(AppError::InvalidInput(format!(
            "{} {} has no masking profile `{}`; it has: {} (or `{UNMASKED}`, for its owners)",
            req.product,
            latest.version,
            req.profile,
            if have.is_empty() { "none".to_string() } else { have.join(", ") }
        )));
    }
    let versions = match &req.versions {
        Some(v) => v.clone(),
        None => {
            let major = latest.version.split('.').next().unwrap_or("0");
            format!("^{major}")
        }
    };
    let expires = req.expires.as_deref().map(expiry).transpose()?;
    let key = config.signing_key()?;
    let (_, env) = steward_registry_client::sign_grant(
        &key,
        consumer_key(&req.consumer)?,
        &req.consumer_name,
        &req.product,
        &versions,
        &req.profile,
        expires.as_deref(),
    )?;
    Ok(c.grant(&env)?)
}

/// The grants of `product`, oldest first.
pub fn grants(config: &RegistryConfig, product: &str) -> Result<Vec<GrantRecord>, AppError> {
    Ok(config.client()?.grants(product, None)?)
}

/// Revokes the grant with `digest`, for `reason`.
pub fn revoke_grant(config: &RegistryConfig, digest: &str, reason: &str) -> Result<LogEntry, AppError> {
    let key = config.signing_key()?;
    let env = steward_registry_client::sign_revocation(&key, digest, reason)?;
    Ok(config.client()?.revoke_grant(&env)?)
}
