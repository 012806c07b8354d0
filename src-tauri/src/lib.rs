//! # steward-desktop
//!
//! The thin Tauri shell. It owns the window, the app state (the opened workspace) and the
//! commands; each command validates its input, calls a core crate, and translates the answer
//! into IPC: typed JSON from `steward-ipc`, `{code, message}` on failure, and previews as raw
//! Arrow IPC bytes. It must not contain data logic: reading, modelling and masking live in the
//! core crates, which never depend on Tauri.

mod commands;
mod registry;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use steward_ipc::IpcError;
use steward_workspace::Workspace;

/// Environment variable naming the workspace to open when none is given on the command line.
pub const WORKSPACE_ENV: &str = "STEWARD_WORKSPACE";

/// What the shell holds between commands.
pub struct AppState {
    /// The opened workspace, or why it could not be opened (shown by the UI).
    pub workspace: RwLock<Result<Workspace, IpcError>>,
    /// Cancellation flags of running scans, by the id the UI gave them.
    pub scans: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    /// Assembled products by id, with the modification time of the definition they came from.
    pub products: Mutex<HashMap<String, (std::time::SystemTime, steward_assembly::Assembled)>>,
    /// Per product, the 360 index built on its first 360 view, with the definition's time.
    pub lookups: Mutex<HashMap<String, (std::time::SystemTime, Arc<steward_assembly::Lookup>)>>,
    /// Per (product, masking profile), the masked tables of the privacy view, with the
    /// definition's time: the report and the side-by-side rows share one masking.
    pub masked: Mutex<HashMap<(String, String), (std::time::SystemTime, Arc<steward_app::MaskedTables>)>>,
    /// Bumped by each `watch_products`: a watcher stops when it is no longer the latest.
    pub watch_generation: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    pub fn open(path: Option<PathBuf>) -> Self {
        let workspace = match path {
            Some(p) => Workspace::open(&p).map_err(IpcError::from),
            None => Err(IpcError::new(
                "workspace.none",
                format!("no workspace given: start Steward with a workspace folder, or set {WORKSPACE_ENV}"),
            )),
        };
        if let Err(e) = &workspace {
            tracing::warn!(code = %e.code, "{}", e.message);
        }
        AppState {
            workspace: RwLock::new(workspace),
            scans: Mutex::new(HashMap::new()),
            products: Mutex::new(HashMap::new()),
            lookups: Mutex::new(HashMap::new()),
            masked: Mutex::new(HashMap::new()),
            watch_generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }
}

fn workspace_arg() -> Option<PathBuf> {
    std::env::args_os()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(WORKSPACE_ENV).map(PathBuf::from))
}

/// On Linux a window needs a display; say how to get one instead of failing inside GTK.
fn display_missing() -> bool {
    cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
}

pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    steward_app::quiet_panics();
    if display_missing() {
        eprintln!(
            "Steward needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set.\n\
             On a machine without one, run it under a virtual display:\n\n    xvfb-run -a make run\n"
        );
        return ExitCode::from(2);
    }
    let state = AppState::open(workspace_arg());
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::get_workspace,
            commands::inspect_source,
            commands::preview_source,
            commands::add_file_source,
            commands::list_file_tables,
            commands::test_postgres,
            commands::add_postgres_source,
            commands::profile_source,
            commands::cancel_scan,
            commands::classify_source,
            commands::decide_classification,
            commands::discover_relations,
            commands::list_products,
            commands::validate_product,
            commands::product_rows,
            commands::product_quality,
            commands::open_product,
            commands::save_product,
            commands::save_layout,
            commands::create_product,
            commands::watch_products,
            commands::profile_column,
            commands::privacy_report,
            commands::masked_rows,
            commands::privacy_reveal,
            registry::registry_info,
            registry::generate_signing_key,
            registry::registry_search,
            registry::registry_versions,
            registry::registry_diff,
            registry::registry_publish
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Steward could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
