//! Registry commands: the Registry panel's view of the shared registry, the local draft's diff
//! against the latest version, and publishing signed with the steward's key from the keychain.
//! The registry URL comes from `STEWARD_REGISTRY` (`make run` starts a local one).

use steward_ipc::{
    DraftDiffInfo, IpcError, PublishProductRequest, PublishedInfo, RegistryInfo, RegistryProduct,
    RegistrySearchRequest, RegistryVersion,
};
use steward_registry::Client;
use steward_secrets::Keychain;
use steward_signing::{KeyPair, KeyRing};
use tauri::State;

use crate::commands::{blocking, product_file, workspace};
use crate::AppState;

/// The signing key generated in this session, handed to the key ring as a value (never by
/// changing the process environment from a worker thread). `None`: the key ring's own choice
/// (`STEWARD_KEY` as set at start-up, or the only key).
static CHOSEN_KEY: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn chosen_key() -> Option<String> {
    CHOSEN_KEY.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

fn client() -> Result<Client, IpcError> {
    match std::env::var("STEWARD_REGISTRY") {
        Ok(url) if !url.is_empty() => Ok(Client::new(&url)?),
        _ => Err(IpcError::new(
            "registry.unconfigured",
            "no registry configured: start Steward with STEWARD_REGISTRY=<url> (make run starts a local one)",
        )),
    }
}

fn info() -> RegistryInfo {
    let url = std::env::var("STEWARD_REGISTRY").ok().filter(|u| !u.is_empty());
    match KeyRing::default_location().choose(chosen_key().as_deref()) {
        Ok(k) => RegistryInfo {
            url,
            key_name: Some(k.name),
            fingerprint: Some(k.fingerprint),
            public_key: Some(k.public_key),
            key_error: None,
        },
        Err(e) => {
            RegistryInfo { url, key_name: None, fingerprint: None, public_key: None, key_error: Some(e.to_string()) }
        }
    }
}

/// The registry URL and the signing key in use.
#[tauri::command]
pub async fn registry_info() -> Result<RegistryInfo, IpcError> {
    blocking(|| Ok(info())).await
}

/// Makes a signing key (secret in the OS keychain) when the steward has none.
#[tauri::command]
pub async fn generate_signing_key(name: String) -> Result<RegistryInfo, IpcError> {
    steward_registry::check_name("key name", &name)?;
    blocking(move || {
        KeyRing::default_location().generate(&name, &Keychain)?;
        *CHOSEN_KEY.lock().unwrap_or_else(|p| p.into_inner()) = Some(name);
        Ok(info())
    })
    .await
}

/// Products of the registry, filtered.
#[tauri::command]
pub async fn registry_search(request: RegistrySearchRequest) -> Result<Vec<RegistryProduct>, IpcError> {
    request.validate()?;
    blocking(move || {
        let found = client()?.search(&steward_registry::Search {
            text: request.q,
            domain: request.domain,
            owner: request.owner,
            tag: request.tag,
        })?;
        Ok(found.into_iter().map(Into::into).collect())
    })
    .await
}

/// Versions of one product.
#[tauri::command]
pub async fn registry_versions(name: String) -> Result<Vec<RegistryVersion>, IpcError> {
    steward_registry::check_name("product name", &name)?;
    blocking(move || Ok(client()?.versions(&name)?.into_iter().map(Into::into).collect())).await
}

/// The local draft of a product against its latest published version.
#[tauri::command]
pub async fn registry_diff(state: State<'_, AppState>, product_id: String) -> Result<DraftDiffInfo, IpcError> {
    steward_ipc::validate_product_id(&product_id)?;
    let ws = workspace(&state)?;
    blocking(move || {
        let path = product_file(&ws, &product_id)?;
        let def = steward_model::load(&path).map_err(|e| IpcError::new(e.code(), e.to_string()))?;
        let diff = steward_registry::draft_diff(&client()?, &def)?;
        Ok(DraftDiffInfo::new(&def, diff))
    })
    .await
}

/// Signs the product's definition file with the steward's key and publishes it. The file is
/// only read: a refused publish leaves the draft as it was.
#[tauri::command]
pub async fn registry_publish(
    state: State<'_, AppState>,
    request: PublishProductRequest,
) -> Result<PublishedInfo, IpcError> {
    request.validate()?;
    let ws = workspace(&state)?;
    blocking(move || {
        let path = product_file(&ws, &request.product_id)?;
        let def = steward_model::load(&path).map_err(|e| IpcError::new(e.code(), e.to_string()))?;
        let key = KeyRing::default_location().choose(chosen_key().as_deref())?;
        let pair = KeyPair::load(&key.name, &Keychain)?;
        let out =
            steward_registry::publish_definition(&client()?, &def, &pair, request.allow_breaking, request.reason)?;
        tracing::info!(product = %out.name, version = %out.version, "published");
        Ok(out.into())
    })
    .await
}
