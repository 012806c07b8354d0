//! # steward-desktop
//!
//! The thin Tauri shell. It owns the window, the app state (the opened workspace, the product
//! session, the registry configuration) and the commands; each command validates its input,
//! calls `steward-app` — the one use-case layer, shared with the CLI — and translates the answer
//! into IPC: typed JSON from `steward-ipc`, `{code, message}` on failure, previews as raw Arrow
//! IPC bytes, progress on an `ipc::Channel`. It must not contain data logic, and depends on no
//! Steward crate but `steward-app` and `steward-ipc` (checked by `make test`).

mod commands;
mod registry;

/// The handler of every command, by name (the table's names are the handlers' names).
mod handlers {
    pub use crate::commands::*;
    pub use crate::registry::*;
}

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};

use steward_app::registry::RegistryConfig;
use steward_app::{ProductSession, Workspace};
use steward_ipc::IpcError;

/// What a command answering with rows sends: Arrow IPC bytes, an `ArrayBuffer` in the UI.
pub type ArrowBytes = tauri::ipc::Response;

/// One Tauri command per line of `steward_ipc::with_commands!`, each a thin wrapper with the
/// table's signature around the handler of the same name: a handler whose arguments or answer
/// differ from the table does not compile, and neither does a command without a handler.
macro_rules! desktop_commands {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        mod ipc_commands {
            use steward_ipc::*;
            use tauri::ipc::Channel;

            use crate::{AppState, ArrowBytes};

            $(
                $(#[doc = $doc])*
                #[tauri::command]
                pub async fn $name(state: tauri::State<'_, AppState>, $($arg: $ty),*) -> Result<$ret, IpcError> {
                    crate::handlers::$name(&state, $($arg),*).await
                }
            )*
        }

        fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(ipc_commands::$name),*]
        }
    };
}

steward_ipc::with_commands!(desktop_commands);

/// Environment variable naming the workspace to open when none is given on the command line.
pub const WORKSPACE_ENV: &str = "STEWARD_WORKSPACE";

/// What the shell holds between commands.
pub struct AppState {
    /// The opened workspace, or why it could not be opened (shown by the UI).
    pub workspace: RwLock<Result<Workspace, IpcError>>,
    /// Cancellation flags of running scans, by the id the UI gave them.
    pub scans: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    /// Assembled products, their 360 indexes and masked tables, with when each is stale.
    pub session: Arc<ProductSession>,
    /// Sources read whole to reach later pages of their grid (CSV, Excel, JSON lines).
    pub source_pages: Arc<steward_app::SourcePages>,
    /// The registry and signing key: from the environment at start-up, then the key the
    /// steward generates in the app.
    pub registry: RwLock<RegistryConfig>,
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
            session: Arc::new(ProductSession::new()),
            source_pages: Arc::new(steward_app::SourcePages::new()),
            registry: RwLock::new(RegistryConfig {
                // The environment wins for this run; else the registry the steward chose in Settings.
                url: std::env::var("STEWARD_REGISTRY")
                    .ok()
                    .filter(|u| !u.is_empty())
                    .or_else(|| steward_app::load_settings().ok().and_then(|s| s.registry)),
                key: std::env::var("STEWARD_KEY").ok().filter(|k| !k.is_empty()),
            }),
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
        .invoke_handler(invoke_handler())
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Steward could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
