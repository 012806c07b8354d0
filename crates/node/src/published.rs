//! The definition a node serves: fetched from the registry as a bundle and verified offline
//! against the pinned admin keys — signature, trust chain, log entry — before anything is
//! assembled. An unpublished, yanked or unverifiable version is refused with the reason.

use steward_model::ProductDefinition;
use steward_registry_client::{Bundle, Client, RegistryError, TrustPolicy, VerifiedBundle};
use steward_signing::PublicKey;

use crate::NodeError;

/// A verified published version, and the trust policy in force that came with it.
#[derive(Debug, Clone)]
pub struct Published {
    pub def: ProductDefinition,
    pub verified: VerifiedBundle,
    /// The newest trust policy of the bundle: which keys may grant access to this domain.
    pub policy: TrustPolicy,
}

impl Published {
    pub fn name(&self) -> &str {
        &self.verified.name
    }

    pub fn version(&self) -> &str {
        &self.verified.version
    }
}

fn registry(e: RegistryError, what: &str) -> NodeError {
    match e {
        RegistryError::NotFound(m) => NodeError::Unpublished(format!("{what}: {m}")),
        RegistryError::Signature(m) | RegistryError::Untrusted(m) => {
            NodeError::Unverified(format!("{what} does not verify against the pinned admin keys: {m}"))
        }
        other => NodeError::Registry(format!("{what}: {other}")),
    }
}

/// Verifies `bundle` against `roots`: the definition it carries, and the newest trust policy.
pub fn verify(bundle: &Bundle, roots: &[PublicKey]) -> Result<Published, NodeError> {
    let what = format!("{}@{}", bundle.name, bundle.version);
    let verified = steward_registry_client::verify_bundle(bundle, roots).map_err(|e| registry(e, &what))?;
    if let Some(why) = &verified.yanked {
        return Err(NodeError::Unpublished(format!("{what} was yanked: {why}")));
    }
    let def = verified
        .definition
        .clone()
        .ok_or_else(|| NodeError::Unverified(format!("{what}: the bundle carries no definition")))?;
    let newest = bundle.trust.last().ok_or_else(|| NodeError::Unverified(format!("{what}: no trust policy")))?;
    let policy: TrustPolicy = serde_json::from_slice(
        &newest.payload_bytes().map_err(|e| NodeError::Unverified(format!("{what}: trust policy: {e}")))?,
    )
    .map_err(|e| NodeError::Unverified(format!("{what}: trust policy: {e}")))?;
    Ok(Published { def, verified, policy })
}

/// Fetches `name` (its latest version, or `version`) and verifies it.
pub fn fetch(client: &Client, roots: &[PublicKey], name: &str, version: Option<&str>) -> Result<Published, NodeError> {
    let version = match version {
        Some(v) => v.to_string(),
        None => client.latest(name).map_err(|e| registry(e, name))?.version,
    };
    let what = format!("{name}@{version}");
    let bundle = client.bundle(name, &version).map_err(|e| registry(e, &what))?;
    verify(&bundle, roots)
}
