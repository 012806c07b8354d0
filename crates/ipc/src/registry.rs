//! The registry tab's shapes: registry info, search, versions, draft diff, publishing.

use super::*;
use steward_error::ErrorCode;

/// The registry the app publishes to, and the signing key it signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistryInfo {
    /// Absent: no registry configured (`STEWARD_REGISTRY`).
    pub url: Option<String>,
    pub key_name: Option<String>,
    pub fingerprint: Option<String>,
    /// The public key (`ed25519:…`), to give to a registry admin.
    pub public_key: Option<String>,
    /// Why there is no key to sign with.
    pub key_error: Option<String>,
}

impl From<steward_app::registry::RegistryStatus> for RegistryInfo {
    fn from(s: steward_app::registry::RegistryStatus) -> Self {
        match s.key {
            Ok(k) => RegistryInfo {
                url: s.url,
                key_name: Some(k.name),
                fingerprint: Some(k.fingerprint),
                public_key: Some(k.public_key),
                key_error: None,
            },
            Err(e) => {
                RegistryInfo { url: s.url, key_name: None, fingerprint: None, public_key: None, key_error: Some(e) }
            }
        }
    }
}

/// The steward's own settings (kept in their config folder, not the workspace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    /// The registry saved in the settings.
    pub registry: Option<String>,
    /// The registry this run uses: `STEWARD_REGISTRY` when it was set at start-up, else the saved one.
    pub registry_in_use: Option<String>,
    /// Where the settings file is.
    pub path: String,
    /// The app's colours.
    pub theme: steward_app::Theme,
    /// The domain's data node, whose access log the product's owners read.
    pub node: Option<String>,
}

/// Arguments of `save_settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveSettingsRequest {
    /// Registry URL; empty or absent: no registry.
    pub registry: Option<String>,
    /// The app's colours; absent: as saved.
    #[serde(default)]
    pub theme: Option<steward_app::Theme>,
    /// The data node's URL; absent: as saved; empty: none.
    #[serde(default)]
    pub node: Option<String>,
}

impl SaveSettingsRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        check_text("registry", self.registry.as_deref(), 2000)?;
        check_text("node", self.node.as_deref(), 2000)
    }
}

/// What a registry answered to "Check connection".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistryCheckInfo {
    pub url: String,
    /// The fingerprint of the registry's own key, which consumers pin.
    pub registry_key: Option<String>,
    pub products: u32,
}

impl From<steward_app::RegistryCheck> for RegistryCheckInfo {
    fn from(c: steward_app::RegistryCheck) -> Self {
        RegistryCheckInfo { url: c.url, registry_key: c.registry_key, products: c.products.min(u32::MAX as u64) as u32 }
    }
}

/// Arguments of `registry_search`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrySearchRequest {
    pub q: Option<String>,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
}

impl RegistrySearchRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        for (f, v) in [("q", &self.q), ("domain", &self.domain), ("owner", &self.owner), ("tag", &self.tag)] {
            check_text(f, v.as_deref(), 200)?;
        }
        Ok(())
    }
}

/// The registry's own wire type: the same JSON as its HTTP API and the CLI.
pub use steward_registry_core::ProductSummary as RegistryProduct;

/// The registry's own wire type: the same JSON as its HTTP API and the CLI.
pub use steward_registry_core::VersionInfo as RegistryVersion;

/// One change between the latest published version and the local draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffChangeInfo {
    pub path: String,
    pub kind: String,
    pub message: String,
    /// `none`, `patch`, `minor` or `major`.
    pub bump: String,
}

/// The local draft against the latest published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftDiffInfo {
    pub product: String,
    pub draft_version: String,
    /// The latest published version; absent when the product is not published yet.
    pub published: Option<String>,
    pub changes: Vec<DiffChangeInfo>,
    /// The bump the changes call for (`none`…`major`).
    pub suggested: String,
    /// The draft's version does not increase enough: publishing will be refused.
    pub under_bumped: bool,
    pub privacy_review: bool,
}

impl DraftDiffInfo {
    pub fn new(def: &steward_model::ProductDefinition, diff: Option<steward_model::Diff>) -> DraftDiffInfo {
        match diff {
            None => DraftDiffInfo {
                product: def.metadata.name.clone(),
                draft_version: def.metadata.version.clone(),
                published: None,
                changes: vec![],
                suggested: "none".into(),
                under_bumped: false,
                privacy_review: false,
            },
            Some(d) => DraftDiffInfo {
                product: d.product.clone(),
                draft_version: d.to_version.clone(),
                published: Some(d.from_version.clone()),
                suggested: d.required().as_str().into(),
                under_bumped: d.under_bumped(),
                privacy_review: d.privacy_review,
                changes: d
                    .changes
                    .into_iter()
                    .map(|c| DiffChangeInfo {
                        path: c.path,
                        kind: c.kind,
                        message: c.message,
                        bump: c.bump.as_str().into(),
                    })
                    .collect(),
            },
        }
    }
}

/// Arguments of `registry_publish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishProductRequest {
    pub product_id: String,
    /// Publish a breaking change without a major bump; needs `reason`, recorded in the audit log.
    pub allow_breaking: bool,
    pub reason: Option<String>,
    /// A privacy officer's signed override of the central policy: the file `steward registry
    /// waive` wrote (an absolute path).
    pub waiver: Option<String>,
}

impl PublishProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        check_text("reason", self.reason.as_deref(), 1000)?;
        if let Some(w) = &self.waiver {
            check_text("waiver", Some(w), 4096)?;
            if w.contains('\0') || !std::path::Path::new(w).is_absolute() {
                return Err(IpcError::invalid_input(format!("waiver: `{w}` must be an absolute file path")));
            }
        }
        if self.allow_breaking && self.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(IpcError::invalid_input("reason: say why a breaking change goes out without a major bump"));
        }
        Ok(())
    }
}

/// The registry's own wire type: the same JSON as its HTTP API and the CLI.
pub use steward_registry_core::Published as PublishedInfo;

impl From<steward_registry_core::RegistryError> for IpcError {
    fn from(e: steward_registry_core::RegistryError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_signing::SigningError> for IpcError {
    fn from(e: steward_signing::SigningError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

/// The evidence a publish would carry, measured on the workspace's data, and what the registry's
/// central policy finds missing in it: the check made before anything is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PublishCheck {
    pub evidence: Evidence,
    pub shortfalls: Vec<Shortfall>,
}

/// The signed evidence shapes, as the registry and the CLI's JSON carry them.
pub use steward_registry_core::evidence::{Evidence, Shortfall};

/// What a published version was published with: its evidence and any officer's override, as the
/// registry holds them (verify the bundle to trust them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VersionEvidence {
    pub evidence: Option<Evidence>,
    pub waiver: Option<WaiverInfo>,
}

/// An officer's override of the central policy: why, and what it waived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaiverInfo {
    pub reason: String,
    pub waives: Vec<String>,
}

/// Arguments of `registry_evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionRequest {
    pub name: String,
    pub version: String,
}

impl VersionRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        check_text("name", Some(&self.name), 64)?;
        check_text("version", Some(&self.version), 64)?;
        Ok(())
    }
}

/// One grant of a product, as the Registry tab lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GrantInfo {
    /// `sha256:…` of the signed grant: how it is named and revoked.
    pub digest: String,
    pub consumer_name: String,
    /// The consumer key's fingerprint.
    pub consumer: String,
    pub profile: String,
    /// A semver range.
    pub versions: String,
    pub expires: Option<String>,
    pub granted_at: String,
    /// Fingerprint of the key that signed the grant.
    pub signer: String,
    /// Why it was revoked; absent while it is in force.
    pub revoked: Option<String>,
}

impl From<steward_app::registry::GrantRecord> for GrantInfo {
    fn from(r: steward_app::registry::GrantRecord) -> Self {
        let revoked = r.revocation.as_ref().map(|env| {
            env.payload_bytes()
                .ok()
                .and_then(|p| serde_json::from_slice::<steward_registry_core::Revocation>(&p).ok())
                .map_or_else(|| "revoked".to_string(), |r| r.reason)
        });
        GrantInfo {
            digest: r.digest,
            consumer_name: r.grant.consumer_name,
            consumer: r.grant.consumer.fingerprint(),
            profile: r.grant.profile,
            versions: r.grant.versions,
            expires: r.grant.expires,
            granted_at: r.granted_at,
            signer: r.signer,
            revoked,
        }
    }
}

/// A grant to sign with the steward's key and record in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddGrantRequest {
    pub product: String,
    /// The consumer's public key (`ed25519:…`), or the name of a key on this machine.
    pub consumer: String,
    pub consumer_name: String,
    /// A masking profile of the product, or `unmasked`.
    pub profile: String,
    /// A semver range; default: the latest version's major.
    pub versions: Option<String>,
    /// A date (`2027-06-30`) or an RFC 3339 time.
    pub expires: Option<String>,
}

impl AddGrantRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        check_text("product", Some(&self.product), 64)?;
        check_text("consumer", Some(&self.consumer), 200)?;
        check_text("consumer name", Some(&self.consumer_name), 200)?;
        check_text("profile", Some(&self.profile), 64)?;
        check_text("versions", self.versions.as_deref(), 100)?;
        check_text("expires", self.expires.as_deref(), 64)?;
        if self.consumer.trim().is_empty() || self.consumer_name.trim().is_empty() || self.profile.trim().is_empty() {
            return Err(IpcError::invalid_input("a grant names a consumer key, who holds it and a profile"));
        }
        Ok(())
    }
}

/// The revocation of one grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeGrantRequest {
    pub digest: String,
    pub reason: String,
}

impl RevokeGrantRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        check_text("grant", Some(&self.digest), 80)?;
        check_text("reason", Some(&self.reason), 1000)?;
        if self.reason.trim().is_empty() {
            return Err(IpcError::invalid_input("say why the grant is revoked"));
        }
        Ok(())
    }
}

/// One access to a product, from the node's access log: who read it, when, how, how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccessInfo {
    pub index: u64,
    pub at: String,
    pub consumer_name: String,
    /// The consumer key's fingerprint.
    pub consumer: String,
    pub version: String,
    pub profile: String,
    /// `entity`, `rows`, `arrow`, `parquet` or `accesses`.
    pub endpoint: String,
    pub entities: u64,
}

impl From<steward_app::consume::NodeAccess> for AccessInfo {
    fn from(a: steward_app::consume::NodeAccess) -> Self {
        AccessInfo {
            index: a.index,
            at: a.at,
            consumer_name: a.consumer_name,
            consumer: a.consumer,
            version: a.version,
            profile: a.profile,
            endpoint: a.endpoint,
            entities: a.entities,
        }
    }
}
