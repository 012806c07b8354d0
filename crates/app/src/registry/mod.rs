//! Registry use cases, written once for the CLI and the desktop: which registry and which
//! signing key, load → check → sign → publish, a draft's diff against what is published,
//! search, fetch, offline verification, signed yanks and deprecations, and the trust policy.
//!
//! Configuration arrives as values ([`RegistryConfig`]): front-ends read flags and environment
//! variables, this module never reads or changes the process environment.

use std::path::{Path, PathBuf};

use steward_model::{Diff, ProductDefinition};
/// Evidence a publish carries, the central policy's requirements, and what it finds missing.
pub use steward_registry_client::evidence::{Evidence, Override, Requirements, Shortfall};
use steward_registry_client::Client;
/// The registry's wire types, as front-ends render them.
pub use steward_registry_client::{
    is_deceptive_char, Bundle, LogEntry, ProductSummary, Published, RegistryError, Search, TrustPolicy, TrustView,
    VerifiedBundle, VersionInfo, VersionRecord,
};
use steward_secrets::Keychain;
pub use steward_signing::KeyInfo;
use steward_signing::{KeyPair, KeyRing};
use steward_workspace::Workspace;

use crate::AppError;

mod grants;
mod policy;
pub use grants::{grant, grants, revoke_grant, GrantRequest};
pub use policy::{check_publish_file, published_evidence, require, waive_file, PolicyCheck};
pub use steward_registry_client::{Grant, GrantRecord, UNMASKED};

/// Where the registry is and which signing key to use: what the steward said (`--registry`,
/// `--key`) or, failing that, what the environment said at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    pub url: Option<String>,
    /// The signing key by name; `None`: `STEWARD_KEY` as read at start-up, else the only key.
    pub key: Option<String>,
}

impl RegistryConfig {
    /// The registry URL, or a plain error saying how to give one.
    pub fn client(&self) -> Result<Client, AppError> {
        match self.url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => Ok(Client::new(url)?),
            _ => Err(AppError::Registry(RegistryError::Unconfigured(
                "no registry configured: choose one in the app's Settings, pass --registry URL or set STEWARD_REGISTRY (make run starts a local one)"
                    .into(),
            ))),
        }
    }

    /// The signing key in use: the named one, else the machine's only key.
    pub fn key_info(&self) -> Result<KeyInfo, AppError> {
        Ok(KeyRing::default_location().choose(self.key.as_deref())?)
    }

    /// The signing key with its secret from the OS keychain.
    pub fn signing_key(&self) -> Result<KeyPair, AppError> {
        Ok(KeyPair::load(&self.key_info()?.name, &Keychain)?)
    }
}

/// The registry and signing key a steward would publish with, or why there is no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryStatus {
    pub url: Option<String>,
    pub key: Result<KeyInfo, String>,
}

pub fn registry_status(config: &RegistryConfig) -> RegistryStatus {
    RegistryStatus {
        url: config.url.clone().filter(|u| !u.trim().is_empty()),
        key: config.key_info().map_err(|e| e.to_string()),
    }
}

/// Makes a signing key: the secret goes into the OS keychain, the public key into the key ring.
pub fn generate_key(name: &str) -> Result<KeyInfo, AppError> {
    steward_registry_client::check_name("key name", name)?;
    Ok(KeyRing::default_location().generate(name, &Keychain)?)
}

pub fn list_keys() -> Result<Vec<KeyInfo>, AppError> {
    Ok(KeyRing::default_location().list()?)
}

pub fn key(name: &str) -> Result<KeyInfo, AppError> {
    Ok(KeyRing::default_location().get(name)?)
}

/// What a publish did, and with what.
#[derive(Debug, Clone)]
pub struct PublishOutcome {
    pub published: Published,
    pub registry: String,
    pub key: KeyInfo,
    /// The evidence published with it (measured on the workspace's data).
    pub evidence: Option<Evidence>,
}

/// How to publish, beyond the definition itself.
#[derive(Debug, Clone, Default)]
pub struct PublishChoices {
    /// Publish a breaking change without the major bump it needs (with `reason`).
    pub allow_breaking: bool,
    pub reason: Option<String>,
    /// The workspace whose data the evidence is measured on (default: the one holding the file).
    pub workspace: Option<PathBuf>,
    /// Publish without measuring: refused by a registry whose policy asks for evidence.
    pub without_evidence: bool,
    /// A privacy officer's signed override (a file written by `steward registry waive`).
    pub waiver: Option<PathBuf>,
}

/// The evidence of `def` in `file`, measured on the workspace's data; `None` only when asked
/// to publish without it.
fn evidence_for(file: &Path, def: &ProductDefinition, choices: &PublishChoices) -> Result<Option<Evidence>, AppError> {
    if choices.without_evidence {
        return Ok(None);
    }
    let root = choices.workspace.clone().or_else(|| crate::workspace_root_of(file)).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "{}: publishing measures the product on its data (validation, quality, privacy), and this file is \
             not in a Steward workspace: pass -w WORKSPACE, or --without-evidence (refused where the central \
             policy asks for evidence)",
            file.display()
        ))
    })?;
    let ws = Workspace::open(&root)?;
    Ok(Some(crate::measure_evidence(&ws, def, &Keychain)?))
}

/// Checks, measures, signs and publishes the definition in `file` with its evidence. The file
/// is only read: a refused publish leaves the draft as it was. Errors name the file.
pub fn publish_file(
    file: &Path,
    config: &RegistryConfig,
    choices: &PublishChoices,
) -> Result<PublishOutcome, AppError> {
    let def = crate::load_definition(file)?;
    publish_definition(file, &def, config, choices).map_err(|e| e.in_file(file))
}

/// [`publish_file`] for a product of the workspace, by id.
pub fn publish_product(
    ws: &Workspace,
    product_id: &str,
    config: &RegistryConfig,
    choices: &PublishChoices,
) -> Result<PublishOutcome, AppError> {
    let choices = PublishChoices { workspace: Some(ws.root().to_path_buf()), ..choices.clone() };
    publish_file(&crate::existing_product_file(ws, product_id)?, config, &choices)
}

fn publish_definition(
    file: &Path,
    def: &ProductDefinition,
    config: &RegistryConfig,
    choices: &PublishChoices,
) -> Result<PublishOutcome, AppError> {
    // Everything a definition may hold is checked before anything is signed: a misspelled
    // masking rule is refused here, not by the registry after signing.
    crate::check_definition(def)?;
    let client = config.client()?;
    let key = config.key_info()?;
    let waiver = choices.waiver.as_deref().map(policy::read_waiver).transpose()?;
    let evidence = evidence_for(file, def, choices)?;
    let pair = KeyPair::load(&key.name, &Keychain)?;
    let options = steward_registry_client::PublishOptions {
        allow_breaking: choices.allow_breaking,
        reason: choices.reason.clone(),
        evidence: evidence.clone(),
        waiver,
    };
    let published = steward_registry_client::publish_definition(&client, def, &pair, options)?;
    tracing::info!(product = %published.name, version = %published.version, "published");
    Ok(PublishOutcome { published, registry: client.base().to_string(), key, evidence })
}

/// The draft in `file` against the latest published version of its product: `None` when
/// nothing is published under its name yet.
pub fn draft_diff_file(file: &Path, config: &RegistryConfig) -> Result<(ProductDefinition, Option<Diff>), AppError> {
    let def = crate::load_definition(file)?;
    let diff = steward_registry_client::draft_diff(&config.client()?, &def)?;
    Ok((def, diff))
}

/// [`draft_diff_file`] for a product of the workspace, by id.
pub fn draft_diff(
    ws: &Workspace,
    product_id: &str,
    config: &RegistryConfig,
) -> Result<(ProductDefinition, Option<Diff>), AppError> {
    draft_diff_file(&crate::existing_product_file(ws, product_id)?, config)
}

/// Two published versions compared.
pub fn diff_versions(config: &RegistryConfig, from: (&str, &str), to: (&str, &str)) -> Result<Diff, AppError> {
    let (old, _) = published_version(config, from.0, from.1)?;
    let (new, _) = published_version(config, to.0, to.1)?;
    Ok(steward_model::diff(&old, &new))
}

pub fn search(config: &RegistryConfig, filters: &Search) -> Result<Vec<ProductSummary>, AppError> {
    Ok(config.client()?.search(filters)?)
}

pub fn versions(config: &RegistryConfig, name: &str) -> Result<Vec<VersionInfo>, AppError> {
    steward_registry_client::check_name("product name", name)?;
    Ok(config.client()?.versions(name)?)
}

/// One published version with the definition inside it (as published: verify a bundle to trust
/// it).
pub fn published_version(
    config: &RegistryConfig,
    name: &str,
    version: &str,
) -> Result<(ProductDefinition, VersionRecord), AppError> {
    let rec = config.client()?.version(name, version)?;
    Ok((steward_registry_client::definition_of(&rec.envelope)?, rec))
}

/// Downloads `name@version` as a bundle and writes it atomically to `out`.
pub fn fetch_bundle(config: &RegistryConfig, name: &str, version: &str, out: &Path) -> Result<Bundle, AppError> {
    let b = config.client()?.bundle(name, version)?;
    let text = serde_json::to_vec_pretty(&b)
        .map_err(|e| AppError::InvalidInput(format!("{name}@{version}: the bundle does not serialise: {e}")))?;
    steward_workspace::write_atomic(out, &text)?;
    Ok(b)
}

/// What to verify: a bundle file, or `name@version` fetched from the registry first.
pub enum BundleSource<'a> {
    File(&'a Path),
    Registry { config: &'a RegistryConfig, name: &'a str, version: &'a str },
}

/// A verified bundle, and why it may be stale: this machine saw a newer log head before.
#[derive(Debug, Clone)]
pub struct Verification {
    pub verified: VerifiedBundle,
    pub stale: Option<String>,
    /// Whether the log head was checked against a checkpoint signed by the pinned registry key.
    pub pinned: bool,
}

/// Verifies a bundle against the registry's root admin keys (`ed25519:…` or files of them) and,
/// when given, the registry's own key. What this machine saw of the log before must still be
/// there; fetched online, the registry must also prove its log extends the checkpoint seen.
pub fn verify(
    source: BundleSource<'_>,
    admin_keys: &[String],
    registry_key: Option<&str>,
) -> Result<Verification, AppError> {
    let roots = steward_registry_client::read_admin_keys(admin_keys)?;
    let (bundle, online): (Bundle, Option<Client>) = match source {
        BundleSource::File(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AppError::InvalidInput(format!("{}: {e}", path.display())))?;
            let b = serde_json::from_str(&text).map_err(|e| {
                AppError::Registry(RegistryError::BadRequest(format!("{}: not a bundle: {e}", path.display())))
            })?;
            (b, None)
        }
        BundleSource::Registry { config, name, version } => {
            let c = config.client()?;
            (c.bundle(name, version)?, Some(c))
        }
    };
    let pinned = match registry_key.map(str::trim) {
        Some(k) if !k.is_empty() => Some(steward_signing::PublicKey::from_text(k)?),
        _ => None,
    };
    let verified = steward_registry_client::verify_bundle_pinned(&bundle, &roots, pinned.as_ref())?;
    let seen = steward_signing::config_dir().join("seen");
    let mut stale = steward_registry_client::check_seen_head(&seen, &roots, &bundle, &verified)?;
    if let (Some(key), Some(c), Some(cp)) = (&pinned, &online, &bundle.checkpoint) {
        let r = steward_registry_client::check_seen_checkpoint(&seen, key, cp, |a, z| c.consistency(a, z))?;
        stale = stale.or(r);
    }
    Ok(Verification { verified, stale, pinned: pinned.is_some() })
}

/// A signed change of a published version's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Yank,
    Deprecate,
}

impl StatusAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Yank => "yank",
            StatusAction::Deprecate => "deprecate",
        }
    }
}

/// Signs and sends a yank or deprecation of `name@version`, bound to the content with `digest`
/// (default: the one the registry shows now).
pub fn change_status(
    config: &RegistryConfig,
    action: StatusAction,
    name: &str,
    version: &str,
    digest: Option<&str>,
    reason: &str,
) -> Result<LogEntry, AppError> {
    let key = config.signing_key()?;
    let c = config.client()?;
    let digest = match digest {
        Some(d) => d.to_string(),
        None => c.version(name, version)?.digest,
    };
    let env = steward_registry_client::sign_action(action.as_str(), name, version, &digest, reason, &key)?;
    Ok(c.act(&env)?)
}

pub fn trust_view(config: &RegistryConfig) -> Result<TrustView, AppError> {
    Ok(config.client()?.trust()?)
}

/// Signs the policy in `file` (JSON or YAML) with the admin key of `config` and applies it.
/// `serial` defaults to the one in force + 1; the policy is bound to the one it replaces and to
/// now, so a signed draft cannot be applied later.
pub fn apply_trust(config: &RegistryConfig, file: &Path) -> Result<(TrustPolicy, LogEntry), AppError> {
    let c = config.client()?;
    let view = c.trust()?;
    let text = std::fs::read_to_string(file).map_err(|e| AppError::InvalidInput(format!("{}: {e}", file.display())))?;
    let mut doc: serde_json::Value =
        serde_norway::from_str(&text).map_err(|e| AppError::InvalidInput(format!("{}: {e}", file.display())))?;
    let in_force = view.current.as_ref().map(|t| t.serial).unwrap_or(0);
    if doc.get("serial").is_none() {
        doc["serial"] = (in_force + 1).into();
    }
    if doc.get("replaces").is_none() {
        doc["replaces"] = in_force.into();
    }
    if doc.get("issued_at").is_none() {
        doc["issued_at"] = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
    }
    // Errors name the field (`requirements[0].min_k: invalid value…`).
    let policy: TrustPolicy = serde_path_to_error::deserialize(doc)
        .map_err(|e| AppError::InvalidInput(format!("{}: {}: {}", file.display(), e.path(), e.inner())))?;
    // Checked here as the registry will, before anything is signed.
    for (i, r) in policy.requirements.iter().enumerate() {
        r.check(&format!("{}: requirements[{i}]", file.display()))?;
    }
    let key = config.signing_key()?;
    let entry = c.set_trust(&steward_registry_client::sign_trust(&policy, &key)?)?;
    Ok((policy, entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn no_registry_is_said_plainly_with_how_to_give_one() {
        for url in [None, Some(String::new()), Some("  ".into())] {
            let e = RegistryConfig { url, key: None }.client().err().expect("refused");
            assert_eq!(e.code(), "registry.unconfigured");
            assert!(e.to_string().contains("STEWARD_REGISTRY"), "{e}");
        }
    }

    #[test]
    fn a_definition_with_an_unknown_rule_is_refused_before_registry_or_key_are_looked_at() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml");
        let text = std::fs::read_to_string(sample).expect("sample");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("draft.yaml");
        std::fs::write(&file, text.replacen("rule: key_remap", "rule: key_remapp", 1)).expect("write");
        // No registry and no key: were the definition not checked first, these would be the errors.
        let e = publish_file(&file, &RegistryConfig::default(), &PublishChoices::default()).expect_err("refused");
        assert_eq!(e.code(), "model.parse", "{e}");
        assert!(e.to_string().contains("`key_remapp` is not a masking rule"), "{e}");
    }

    #[test]
    fn a_bad_key_name_is_refused_before_the_keychain_is_touched() {
        let e = generate_key("Bad Name").expect_err("refused");
        assert_eq!(e.code(), "registry.invalid");
    }
}
