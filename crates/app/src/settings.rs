//! The steward's own settings: which registry to publish to (later, which data nodes) and the
//! app's colours (the system's light or dark, or one of them always). They
//! belong to the person, not the workspace — a workspace is shared in git with colleagues who
//! may use another registry — so they live in the user's config folder (`settings.json` beside
//! the signing keys' public halves), written atomically. `STEWARD_REGISTRY` and `--registry`
//! still win for a run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use steward_registry_client::Client;

use crate::AppError;

/// What the steward chose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The registry's URL (`https://registry.example.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// The domain's data node (`http://127.0.0.1:7979`), whose access log the product's owners read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Light or dark colours; by default the system's.
    #[serde(default, skip_serializing_if = "Theme::is_system")]
    pub theme: Theme,
}

/// The app's colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Light or dark as the system says, following it when it changes.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    fn is_system(&self) -> bool {
        *self == Theme::System
    }
}

/// Where the settings are kept.
pub fn settings_path() -> PathBuf {
    steward_signing::config_dir().join("settings.json")
}

/// The settings as saved; the defaults when none were.
pub fn load_settings() -> Result<Settings, AppError> {
    load_settings_at(&settings_path())
}

fn load_settings_at(path: &Path) -> Result<Settings, AppError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| AppError::InvalidInput(format!("{}: {e}; fix or remove it", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(AppError::InvalidInput(format!("{}: {e}", path.display()))),
    }
}

/// Checks and saves the settings. A registry URL must be `http://` or `https://`.
pub fn save_settings(settings: &Settings) -> Result<Settings, AppError> {
    save_settings_at(&settings_path(), settings)
}

fn save_settings_at(path: &Path, settings: &Settings) -> Result<Settings, AppError> {
    let registry = match settings.registry.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) => Some(Client::new(url)?.base().to_string()),
    };
    let node = match settings.node.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) if (url.starts_with("http://") || url.starts_with("https://")) && url.len() <= 2000 => {
            Some(url.trim_end_matches('/').to_string())
        }
        Some(url) => {
            return Err(AppError::InvalidInput(format!(
                "data node URL `{}` must start with http:// or https://",
                url.escape_debug()
            )))
        }
    };
    let clean = Settings { registry, node, theme: settings.theme };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::InvalidInput(format!("{}: {e}", dir.display())))?;
    }
    let bytes = serde_json::to_vec_pretty(&clean).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    steward_workspace::write_atomic(path, &bytes)?;
    tracing::info!(path = %path.display(), "settings saved");
    Ok(clean)
}

/// What a registry answered when asked who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryCheck {
    pub url: String,
    /// The registry's own signing key (its fingerprint), which consumers pin.
    pub registry_key: Option<String>,
    /// Products it holds.
    pub products: u64,
}

/// Reaches the registry at `url`: its trust policy (which names its key) and its products.
pub fn check_registry(url: &str) -> Result<RegistryCheck, AppError> {
    let client = Client::new(url.trim())?;
    let trust = client.trust()?;
    let products = client.search(&Default::default())?.len() as u64;
    Ok(RegistryCheck { url: client.base().to_string(), registry_key: trust.registry_key, products })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_saved_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("steward/settings.json");
        assert_eq!(load_settings_at(&path).unwrap(), Settings::default(), "none saved yet");
        let e = save_settings_at(&path, &Settings { registry: Some("ftp://registry".into()), ..Default::default() })
            .unwrap_err();
        assert!(e.to_string().contains("ftp://registry"), "{e}");
        assert!(!path.exists(), "a refused URL is not saved");
        let saved = save_settings_at(
            &path,
            &Settings { registry: Some(" http://127.0.0.1:7000/ ".into()), ..Default::default() },
        )
        .unwrap();
        assert_eq!(load_settings_at(&path).unwrap(), saved);
        assert_eq!(saved.registry.as_deref(), Some("http://127.0.0.1:7000"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n  \"registry\": \"http://127.0.0.1:7000\"\n}",
            "the default theme is not written"
        );
        let dark = save_settings_at(&path, &Settings { theme: Theme::Dark, ..saved.clone() }).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("\"theme\": \"dark\""));
        assert_eq!(load_settings_at(&path).unwrap(), dark);
        std::fs::write(&path, b"{ \"theme\": \"sepia\" }").unwrap();
        let e = load_settings_at(&path).unwrap_err().to_string();
        assert!(e.contains("settings.json") && e.contains("sepia"), "{e}");
        std::fs::write(&path, b"{ \"registy\": 1 }").unwrap();
        let e = load_settings_at(&path).unwrap_err().to_string();
        assert!(e.contains("settings.json") && e.contains("registy"), "{e}");
        // Unreachable: said with the URL, never a panic.
        let e = check_registry("http://127.0.0.1:9").unwrap_err().to_string();
        assert!(e.contains("127.0.0.1:9"), "{e}");
    }
}
