//! Registry commands: the Registry panel's view of the shared registry, the local draft's diff
//! against the latest version, and publishing signed with the steward's key from the keychain.
//! The registry URL comes from `STEWARD_REGISTRY` at start-up (`make run` starts a local one);
//! every use case is `steward_app::registry`'s.

use steward_app::registry::{self, RegistryConfig};
use steward_ipc::{
    validate_product_id, AccessInfo, AddGrantRequest, DraftDiffInfo, GrantInfo, IpcError, PublishCheck,
    PublishProductRequest, PublishedInfo, RegistryCheckInfo, RegistryInfo, RegistryProduct, RegistrySearchRequest,
    RegistryVersion, RevokeGrantRequest, SaveSettingsRequest, SettingsInfo, VersionEvidence, VersionRequest,
    WaiverInfo,
};

use crate::commands::{blocking, workspace};
use crate::AppState;

fn config(state: &AppState) -> Result<RegistryConfig, IpcError> {
    state
        .registry
        .read()
        .map(|c| c.clone())
        .map_err(|_| IpcError::new("app.state", "registry configuration is unavailable"))
}

/// The registry URL and the signing key in use.
pub async fn registry_info(state: &AppState) -> Result<RegistryInfo, IpcError> {
    let cfg = config(state)?;
    blocking(move || Ok(registry::registry_status(&cfg).into())).await
}

/// Makes a signing key (secret in the OS keychain) when the steward has none, and signs with
/// it from now on.
pub async fn generate_signing_key(state: &AppState, name: String) -> Result<RegistryInfo, IpcError> {
    let mut cfg = config(state)?;
    let cfg = blocking(move || {
        registry::generate_key(&name)?;
        cfg.key = Some(name);
        Ok(cfg)
    })
    .await?;
    if let Ok(mut current) = state.registry.write() {
        current.key = cfg.key.clone();
    }
    Ok(registry::registry_status(&cfg).into())
}

/// Products of the registry, filtered.
pub async fn registry_search(
    state: &AppState,
    request: RegistrySearchRequest,
) -> Result<Vec<RegistryProduct>, IpcError> {
    request.validate()?;
    let cfg = config(state)?;
    blocking(move || {
        let filters =
            registry::Search { text: request.q, domain: request.domain, owner: request.owner, tag: request.tag };
        Ok(registry::search(&cfg, &filters)?)
    })
    .await
}

/// Versions of one product.
pub async fn registry_versions(state: &AppState, name: String) -> Result<Vec<RegistryVersion>, IpcError> {
    let cfg = config(state)?;
    blocking(move || Ok(registry::versions(&cfg, &name)?)).await
}

/// The local draft of a product against its latest published version.
pub async fn registry_diff(state: &AppState, product_id: String) -> Result<DraftDiffInfo, IpcError> {
    let ws = workspace(state)?;
    let cfg = config(state)?;
    blocking(move || {
        let (def, diff) = registry::draft_diff(&ws, &product_id, &cfg)?;
        Ok(DraftDiffInfo::new(&def, diff))
    })
    .await
}

/// Signs the product's definition file with the steward's key and publishes it. The file is
/// only read: a refused publish leaves the draft as it was.
pub async fn registry_publish(state: &AppState, request: PublishProductRequest) -> Result<PublishedInfo, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let cfg = config(state)?;
    blocking(move || {
        let choices = registry::PublishChoices {
            allow_breaking: request.allow_breaking,
            reason: request.reason,
            waiver: request.waiver.map(std::path::PathBuf::from),
            ..Default::default()
        };
        let done = registry::publish_product(&ws, &request.product_id, &cfg, &choices)?;
        Ok(done.published)
    })
    .await
}

/// Measures the product and checks it against the registry's central policy; signs nothing.
pub async fn registry_check(state: &AppState, product_id: String) -> Result<PublishCheck, IpcError> {
    validate_product_id(&product_id)?;
    let ws = workspace(state)?;
    let cfg = config(state)?;
    blocking(move || {
        let file = steward_app::existing_product_file(&ws, &product_id)?;
        let choices = registry::PublishChoices { workspace: Some(ws.root().to_path_buf()), ..Default::default() };
        let check = registry::check_publish_file(&file, &cfg, &choices)?;
        Ok(PublishCheck { evidence: check.evidence, shortfalls: check.shortfalls })
    })
    .await
}

/// The evidence and any officer's override a published version carries.
pub async fn registry_evidence(state: &AppState, request: VersionRequest) -> Result<VersionEvidence, IpcError> {
    request.validate()?;
    let cfg = config(state)?;
    blocking(move || {
        let (evidence, waiver) = registry::published_evidence(&cfg, &request.name, &request.version)?;
        Ok(VersionEvidence { evidence, waiver: waiver.map(|w| WaiverInfo { reason: w.reason, waives: w.waives }) })
    })
    .await
}

/// The grants of a product.
pub async fn registry_grants(state: &AppState, product: String) -> Result<Vec<GrantInfo>, IpcError> {
    validate_product_id(&product)?;
    let cfg = config(state)?;
    blocking(move || Ok(registry::grants(&cfg, &product)?.into_iter().map(GrantInfo::from).collect())).await
}

/// Signs a grant with the steward's key and records it.
pub async fn registry_grant(state: &AppState, request: AddGrantRequest) -> Result<GrantInfo, IpcError> {
    request.validate()?;
    validate_product_id(&request.product)?;
    let cfg = config(state)?;
    blocking(move || {
        let req = registry::GrantRequest {
            product: request.product,
            consumer: request.consumer.trim().to_string(),
            consumer_name: request.consumer_name.trim().to_string(),
            profile: request.profile,
            versions: request.versions.filter(|v| !v.trim().is_empty()),
            expires: request.expires.filter(|v| !v.trim().is_empty()),
        };
        Ok(registry::grant(&cfg, &req)?.into())
    })
    .await
}

/// Signs the revocation of a grant and records it.
pub async fn registry_revoke_grant(state: &AppState, request: RevokeGrantRequest) -> Result<(), IpcError> {
    request.validate()?;
    let cfg = config(state)?;
    blocking(move || {
        registry::revoke_grant(&cfg, &request.digest, &request.reason)?;
        Ok(())
    })
    .await
}

fn settings_info_of(saved: &steward_app::Settings, cfg: &RegistryConfig) -> SettingsInfo {
    SettingsInfo {
        registry: saved.registry.clone(),
        registry_in_use: cfg.url.clone().filter(|u| !u.trim().is_empty()),
        path: steward_app::settings_path().display().to_string(),
        theme: saved.theme,
        node: saved.node.clone(),
    }
}

/// The steward's settings: the registry saved and the one in use.
pub async fn settings_info(state: &AppState) -> Result<SettingsInfo, IpcError> {
    let cfg = config(state)?;
    blocking(move || Ok(settings_info_of(&steward_app::load_settings()?, &cfg))).await
}

/// Saves the settings (in the user's config folder) and uses the registry from now on.
pub async fn save_settings(state: &AppState, request: SaveSettingsRequest) -> Result<SettingsInfo, IpcError> {
    request.validate()?;
    let saved = blocking(move || {
        let before = steward_app::load_settings()?;
        let theme = request.theme.unwrap_or(before.theme);
        let node = request.node.or(before.node);
        Ok(steward_app::save_settings(&steward_app::Settings { registry: request.registry, node, theme })?)
    })
    .await?;
    let cfg = {
        let mut current =
            state.registry.write().map_err(|_| IpcError::new("app.state", "registry configuration is unavailable"))?;
        current.url = saved.registry.clone();
        current.clone()
    };
    Ok(settings_info_of(&saved, &cfg))
}

/// The newest accesses to a product, from the data node in the settings, signed with the
/// steward's key (which needs an `unmasked` grant: the access log is for the product's owners).
pub async fn node_accesses(state: &AppState, product: String) -> Result<Vec<AccessInfo>, IpcError> {
    validate_product_id(&product)?;
    let cfg = config(state)?;
    blocking(move || {
        let node = steward_app::load_settings()?.node.ok_or_else(|| {
            IpcError::new(
                "app.no_node",
                "no data node configured: set its URL in Settings to see who read this product",
            )
        })?;
        let key = cfg.signing_key()?;
        Ok(steward_app::consume::accesses(&node, &product, &key, 50)?.into_iter().map(AccessInfo::from).collect())
    })
    .await
}

/// Reaches a registry: its key and how many products it holds.
pub async fn check_registry(_state: &AppState, url: String) -> Result<RegistryCheckInfo, IpcError> {
    if url.trim().is_empty() || url.len() > 2000 {
        return Err(IpcError::invalid_input("url: give the registry's URL (http:// or https://)"));
    }
    blocking(move || Ok(steward_app::check_registry(&url)?.into())).await
}
