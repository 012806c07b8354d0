//! IPC commands: validate, call the core, translate the answer.

use steward_ipc::{IpcError, PreviewRequest, SourceInspection, WorkspaceInfo};
use steward_sources::Location;
use tauri::ipc::Response;
use tauri::State;

use crate::AppState;

/// Where a source of the opened workspace reads its rows from.
fn source_location(state: &AppState, source_id: &str) -> Result<Location, IpcError> {
    steward_ipc::validate_source_id(source_id)?;
    let guard = state.workspace.read().map_err(|_| IpcError::new("app.state", "workspace state is unavailable"))?;
    let ws = guard.as_ref().map_err(Clone::clone)?;
    let src = ws.source(source_id)?;
    Ok(steward_app::location_of(ws, src))
}

/// Runs blocking core work off the IPC thread.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, IpcError> + Send + 'static) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new("app.task", format!("background task failed: {e}")))?
}

/// The opened workspace and its sources.
#[tauri::command]
pub fn get_workspace(state: State<'_, AppState>) -> Result<WorkspaceInfo, IpcError> {
    let guard = state.workspace.read().map_err(|_| IpcError::new("app.state", "workspace state is unavailable"))?;
    let ws = guard.as_ref().map_err(Clone::clone)?;
    Ok(WorkspaceInfo::from(ws))
}

/// Columns, types and row count of one source.
#[tauri::command]
pub async fn inspect_source(state: State<'_, AppState>, source_id: String) -> Result<SourceInspection, IpcError> {
    let loc = source_location(&state, &source_id)?;
    blocking(move || {
        let i = steward_sources::inspect(&loc)?;
        Ok(SourceInspection::from_core(&source_id, i))
    })
    .await
}

/// The first rows of a source, as Arrow IPC bytes (an `ArrayBuffer` on the UI side).
#[tauri::command]
pub async fn preview_source(state: State<'_, AppState>, request: PreviewRequest) -> Result<Response, IpcError> {
    request.validate()?;
    let loc = source_location(&state, &request.source_id)?;
    blocking(move || {
        let mut df = steward_sources::preview(&loc, request.limit as usize)?;
        let bytes = steward_sources::to_arrow_ipc(&mut df, &loc.path)?;
        tracing::debug!(source = %request.source_id, rows = df.height(), bytes = bytes.len(), "preview");
        Ok(Response::new(bytes))
    })
    .await
}
