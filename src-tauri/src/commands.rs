//! IPC commands: validate, call the core, translate the answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use steward_app::model::TableRef;
use steward_app::secrets::Keychain;
use steward_app::{RowsQuery, Side, Target, Workspace};
use steward_ipc::{
    AddFileRequest, ColumnClassification, ColumnProfile, DecisionRequest, FileTable, IpcError, KeepTextRequest,
    ModelIssue, PostgresProbe, PostgresRequest, PreviewRequest, ProductRowsRequest, ProductSummary, QualityResult,
    RelationsReport, ScanProgress, SourceInspection, WorkspaceInfo,
};
use steward_ipc::{
    CheckDraftRequest, ColumnProfileRequest, CreateProductRequest, ProductDocument, ProductsChanged, SaveLayoutRequest,
    SaveProductRequest, SavedProduct,
};
use steward_ipc::{MaskedRowsRequest, PrivacyReport, PrivacyRequest, RevealRequest};
use tauri::ipc::{Channel, Response};

use crate::AppState;

fn state_err() -> IpcError {
    IpcError::new("app.state", "workspace state is unavailable")
}

/// A copy of the opened workspace (cheap: the manifest only).
pub(crate) fn workspace(state: &AppState) -> Result<Workspace, IpcError> {
    let guard = state.workspace.read().map_err(|_| state_err())?;
    guard.as_ref().cloned().map_err(Clone::clone)
}

/// Runs `f` on the opened workspace and keeps its changes.
fn with_workspace_mut<T>(
    state: &AppState,
    f: impl FnOnce(&mut Workspace) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let mut guard = state.workspace.write().map_err(|_| state_err())?;
    let ws = guard.as_mut().map_err(|e| e.clone())?;
    f(ws)
}

/// Where a source of the opened workspace reads its rows from.
fn source_target(state: &AppState, source_id: &str) -> Result<Target, IpcError> {
    steward_ipc::validate_source_id(source_id)?;
    let ws = workspace(state)?;
    Ok(steward_app::target(&ws, source_id, &Keychain)?)
}

/// Runs blocking core work off the IPC thread.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || {
        steward_app::guarded("this", |message| IpcError::new(steward_app::INTERNAL_CODE, message), f)
    })
    .await
    .map_err(|e| IpcError::new(steward_app::INTERNAL_CODE, format!("Steward could not finish this: {e}")))?
}

/// The opened workspace and its sources.
pub async fn get_workspace(state: &AppState) -> Result<WorkspaceInfo, IpcError> {
    Ok(WorkspaceInfo::from(&workspace(state)?))
}

/// Columns, types and row count of one source.
pub async fn inspect_source(state: &AppState, source_id: String) -> Result<SourceInspection, IpcError> {
    let target = source_target(state, &source_id)?;
    blocking(move || Ok(target.inspect()?)).await
}

/// A page of a source's rows (the first, or any other the grid scrolls to), as Arrow IPC bytes
/// (an `ArrayBuffer` on the UI side).
pub async fn preview_source(state: &AppState, request: PreviewRequest) -> Result<Response, IpcError> {
    request.validate()?;
    let target = source_target(state, &request.source_id)?;
    let pages = state.source_pages.clone();
    blocking(move || {
        let offset = request.offset.unwrap_or(0) as usize;
        let mut df = pages.page(&request.source_id, &target, offset, request.limit as usize)?;
        let bytes = steward_app::to_arrow_ipc(&mut df, &target.label())?;
        tracing::debug!(source = %request.source_id, rows = df.height(), bytes = bytes.len(), "preview");
        Ok(Response::new(bytes))
    })
    .await
}

/// Adds a file after checking it reads; the workspace is unchanged when it does not.
pub async fn add_file_source(state: &AppState, request: AddFileRequest) -> Result<WorkspaceInfo, IpcError> {
    request.validate()?;
    let mut ws = workspace(state)?;
    let ws = blocking(move || {
        steward_app::add_file(
            &mut ws,
            steward_app::AddFile {
                path: request.path.into(),
                table: request.table.filter(|t| !t.trim().is_empty()),
                system: request.system.filter(|s| !s.trim().is_empty()),
                ..Default::default()
            },
        )?;
        Ok(ws)
    })
    .await?;
    with_workspace_mut(state, |current| {
        *current = ws;
        Ok(WorkspaceInfo::from(&*current))
    })
}

/// The sheets or tables inside a file the steward is about to add (empty for single-table files).
pub async fn list_file_tables(_state: &AppState, path: String) -> Result<Vec<FileTable>, IpcError> {
    AddFileRequest { path: path.clone(), table: None, system: None }.validate()?;
    blocking(move || {
        Ok(steward_app::list_tables(std::path::Path::new(&path))?
            .into_iter()
            .map(|t| FileTable { name: t.name, kind: t.kind })
            .collect())
    })
    .await
}

/// Connects to a PostgreSQL server and lists the tables the user may read.
pub async fn test_postgres(state: &AppState, request: PostgresRequest) -> Result<PostgresProbe, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    blocking(move || {
        let (version, tables) = steward_app::test_postgres(&ws, &request.into_core())?;
        Ok(PostgresProbe { version, tables })
    })
    .await
}

/// Adds a PostgreSQL table; its password goes to the OS keychain, never the workspace.
pub async fn add_postgres_source(state: &AppState, request: PostgresRequest) -> Result<WorkspaceInfo, IpcError> {
    request.validate()?;
    let mut ws = workspace(state)?;
    let ws = blocking(move || {
        steward_app::add_postgres(&mut ws, request.into_core(), &Keychain)?;
        Ok(ws)
    })
    .await?;
    with_workspace_mut(state, |current| {
        *current = ws;
        Ok(WorkspaceInfo::from(&*current))
    })
}

/// Profiles every column of a source, reporting progress on `on_progress`; `cancel_scan` with
/// the same `scan_id` stops it.
pub async fn profile_source(
    state: &AppState,
    source_id: String,
    scan_id: u32,
    on_progress: Channel<ScanProgress>,
) -> Result<Vec<ColumnProfile>, IpcError> {
    steward_ipc::validate_source_id(&source_id)?;
    let ws = workspace(state)?;
    let cancel = Arc::new(AtomicBool::new(false));
    state.scans.lock().map_err(|_| state_err())?.insert(scan_id, cancel.clone());
    let result = blocking(move || {
        let _ = on_progress.send(ScanProgress { done: 0, total: 0, stage: "reading".into() });
        let profiles = steward_app::profile(&ws, &source_id, &Keychain, |done, total| {
            let _ =
                on_progress.send(ScanProgress { done: done as u32, total: total as u32, stage: "profiling".into() });
            !cancel.load(Ordering::Relaxed)
        })?;
        Ok(profiles)
    })
    .await;
    if let Ok(mut scans) = state.scans.lock() {
        scans.remove(&scan_id);
    }
    result
}

/// Asks a running scan to stop; it ends with a `profile.cancelled` error.
pub async fn cancel_scan(state: &AppState, scan_id: u32) -> Result<bool, IpcError> {
    let scans = state.scans.lock().map_err(|_| state_err())?;
    Ok(match scans.get(&scan_id) {
        Some(flag) => {
            flag.store(true, Ordering::Relaxed);
            true
        }
        None => false,
    })
}

/// Sensitive-data suggestions for every column of a source, with the saved decisions.
pub async fn classify_source(state: &AppState, source_id: String) -> Result<Vec<ColumnClassification>, IpcError> {
    steward_ipc::validate_source_id(&source_id)?;
    let ws = workspace(state)?;
    blocking(move || Ok(steward_app::classify(&ws, &source_id, &Keychain)?)).await
}

/// Accepts or rejects a suggestion; saved in the workspace manifest.
pub async fn decide_classification(
    state: &AppState,
    request: DecisionRequest,
) -> Result<Vec<ColumnClassification>, IpcError> {
    request.validate()?;
    let mut ws = workspace(state)?;
    let (ws, rows) = blocking(move || {
        steward_app::decide(&mut ws, &request.source_id, &request.column, &request.tag, request.accepted, &Keychain)?;
        let rows = steward_app::classify(&ws, &request.source_id, &Keychain)?;
        Ok((ws, rows))
    })
    .await?;
    with_workspace_mut(state, |current| {
        *current = ws;
        Ok(rows)
    })
}

/// Keeps a column as text, or reads it as dates again; answers with the workspace.
pub async fn keep_text(state: &AppState, request: KeepTextRequest) -> Result<WorkspaceInfo, IpcError> {
    request.validate()?;
    let mut ws = workspace(state)?;
    let ws = blocking(move || {
        steward_app::keep_as_text(&mut ws, &request.source_id, &request.column, request.keep)?;
        Ok(ws)
    })
    .await?;
    with_workspace_mut(state, |current| {
        *current = ws;
        Ok(WorkspaceInfo::from(&*current))
    })
}

/// Join-key suggestions across every source of the workspace.
pub async fn discover_relations(
    state: &AppState,
    scan_id: u32,
    on_progress: Channel<ScanProgress>,
) -> Result<RelationsReport, IpcError> {
    let ws = workspace(state)?;
    let session = session(state);
    let cancel = Arc::new(AtomicBool::new(false));
    state.scans.lock().map_err(|_| state_err())?.insert(scan_id, cancel.clone());
    let result = blocking(move || {
        let report = session.relations(&ws, &Keychain, &mut |done, total, stage| {
            let _ = on_progress.send(ScanProgress { done: done as u32, total: total as u32, stage: stage.to_string() });
            !cancel.load(Ordering::Relaxed)
        })?;
        Ok(RelationsReport::clone(&report))
    })
    .await;
    if let Ok(mut scans) = state.scans.lock() {
        scans.remove(&scan_id);
    }
    result
}

/// The product session, shared with worker threads.
fn session(state: &AppState) -> Arc<steward_app::ProductSession> {
    state.session.clone()
}

/// The product definitions of the workspace.
pub async fn list_products(state: &AppState) -> Result<Vec<ProductSummary>, IpcError> {
    let ws = workspace(state)?;
    Ok(steward_app::list_products(&ws).into_iter().map(|(id, def)| ProductSummary::from_listing(id, def)).collect())
}

/// Validates a product against its sources and data.
pub async fn validate_product(state: &AppState, product_id: String) -> Result<Vec<ModelIssue>, IpcError> {
    let ws = workspace(state)?;
    blocking(move || {
        let def = steward_app::product_definition(&ws, &product_id)?;
        Ok(steward_app::validate_product(&ws, &def, &Keychain)?)
    })
    .await
}

/// Validates an edit before it is saved: the workspace's data judges the draft as it would the
/// saved file (the product must exist; its file is not read or written).
pub async fn check_draft(state: &AppState, request: CheckDraftRequest) -> Result<Vec<ModelIssue>, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    blocking(move || {
        steward_app::existing_product_file(&ws, &request.product_id)?;
        Ok(steward_app::validate_product(&ws, &request.definition, &Keychain)?)
    })
    .await
}

/// Rows of a product as Arrow IPC bytes: a page of the product table (related tables nested), or
/// one entity's rows of one table (`entity` or a related table) for the 360 view.
pub async fn product_rows(state: &AppState, request: ProductRowsRequest) -> Result<Response, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || {
        let origin = steward_app::existing_product_file(&ws, &request.product_id)?;
        let query = match request.key {
            None => RowsQuery::Page { offset: request.offset, limit: request.limit },
            Some(key) => RowsQuery::Entity { key, table: TableRef::parse(request.table.as_deref()) },
        };
        let mut df = session.rows(&ws, &request.product_id, &query, &Keychain)?;
        if matches!(query, RowsQuery::Page { .. }) {
            // The first page came from the sources; the next ones, the 360 view and the Privacy
            // tab come from the index, built now while the steward looks at this one.
            let (session, ws, id) = (session.clone(), ws.clone(), request.product_id.clone());
            tauri::async_runtime::spawn_blocking(move || {
                if let Err(e) = session.prepare_lookup(&ws, &id, &Keychain) {
                    tracing::debug!(product = %id, error = %e, "the product's index was not built ahead");
                }
            });
        }
        Ok(Response::new(steward_app::to_arrow_ipc(&mut df, &origin)?))
    })
    .await
}

/// The product's quality rules evaluated on its assembled tables.
pub async fn product_quality(state: &AppState, product_id: String) -> Result<Vec<QualityResult>, IpcError> {
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || Ok(session.quality(&ws, &product_id, &Keychain)?)).await
}

/// Opens a product definition for the modeller, with its revision and canvas layout.
pub async fn open_product(state: &AppState, product_id: String) -> Result<ProductDocument, IpcError> {
    steward_ipc::validate_product_id(&product_id)?;
    let ws = workspace(state)?;
    blocking(move || Ok(ProductDocument::from_core(&product_id, steward_app::open_product(&ws, &product_id)?))).await
}

/// Saves an edit from the modeller atomically; `model.conflict` when the file changed outside.
pub async fn save_product(state: &AppState, request: SaveProductRequest) -> Result<SavedProduct, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    blocking(move || {
        let revision =
            steward_app::save_product(&ws, &request.product_id, &request.definition, &request.base_revision)?;
        let issues = steward_app::definition_issues(&request.definition);
        Ok(SavedProduct { revision, issues })
    })
    .await
}

/// Saves where the modeller's nodes are.
pub async fn save_layout(state: &AppState, request: SaveLayoutRequest) -> Result<(), IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let id = request.product_id.clone();
    blocking(move || Ok(steward_app::save_layout(&ws, &id, &request.into_core())?)).await
}

/// Creates a product over one root source and opens it.
pub async fn create_product(state: &AppState, request: CreateProductRequest) -> Result<ProductDocument, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    blocking(move || {
        let id = request.product_id.clone();
        steward_app::new_product(&ws, &request.into_core(), &Keychain)?;
        Ok(ProductDocument::from_core(&id, steward_app::open_product(&ws, &id)?))
    })
    .await
}

/// How often the definitions folder is checked for edits made outside Steward.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(400);

/// Reports on `on_change` whenever a definition file is added, edited or removed on disk. One
/// watcher runs at a time: a new call (a reloaded window) replaces the previous one.
pub async fn watch_products(state: &AppState, on_change: Channel<ProductsChanged>) -> Result<(), IpcError> {
    let ws = workspace(state)?;
    let generation = state.watch_generation.fetch_add(1, Ordering::SeqCst) + 1;
    let current = state.watch_generation.clone();
    std::thread::Builder::new()
        .name("steward-watch-products".into())
        .spawn(move || {
            let mut seen = steward_app::product_revisions(&ws);
            while current.load(Ordering::SeqCst) == generation {
                std::thread::sleep(WATCH_EVERY);
                let now = steward_app::product_revisions(&ws);
                let changed = steward_app::changed_products(&seen, &now);
                if !changed.is_empty() {
                    tracing::debug!(?changed, "product definitions changed on disk");
                    if on_change.send(ProductsChanged { changed, revisions: now.clone() }).is_err() {
                        break;
                    }
                    seen = now;
                }
            }
        })
        .map_err(|e| IpcError::new("app.task", format!("could not watch the products folder: {e}")))?;
    Ok(())
}

/// Profiles one column on demand: of a source (all its rows) or of a product's table.
pub async fn profile_column(state: &AppState, request: ColumnProfileRequest) -> Result<ColumnProfile, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || match &request.product_id {
        Some(product_id) => {
            let table = TableRef::parse(request.table.as_deref());
            Ok(session.profile_column(&ws, product_id, &table, &request.column, &Keychain)?)
        }
        None => {
            let source_id = request.source_id.clone().unwrap_or_default();
            Ok(steward_app::profile_column(&ws, &source_id, &request.column, &Keychain)?)
        }
    })
    .await
}

/// Masks the product with a profile and measures it: the privacy officer's view. The masking is
/// kept for the side-by-side rows until the definition or the accepted tags change.
pub async fn privacy_report(state: &AppState, request: PrivacyRequest) -> Result<PrivacyReport, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || {
        let report = session.privacy_report(
            &ws,
            &request.product_id,
            &request.profile,
            request.quasi.as_deref(),
            request.sensitive.as_deref(),
            &Keychain,
        )?;
        Ok(report)
    })
    .await
}

/// The originals of values masked with a reversible rule, for a holder of the masking key.
pub async fn privacy_reveal(state: &AppState, request: RevealRequest) -> Result<Vec<String>, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || {
        Ok(session.reveal(
            &ws,
            &request.product_id,
            &request.profile,
            &request.field,
            &request.values,
            request.key_version,
            &Keychain,
        )?)
    })
    .await
}

/// The first rows of one table of a product, masked — or, for the columns the officer revealed, original.
pub async fn masked_rows(state: &AppState, request: MaskedRowsRequest) -> Result<Response, IpcError> {
    request.validate()?;
    let ws = workspace(state)?;
    let session = session(state);
    blocking(move || {
        let origin = steward_app::existing_product_file(&ws, &request.product_id)?;
        let side = if request.side == "masked" {
            Side::Masked
        } else {
            Side::Original { columns: request.columns.clone().unwrap_or_default() }
        };
        let table = TableRef::parse(request.table.as_deref());
        let mut df = session.masked_rows(
            &ws,
            &request.product_id,
            &request.profile,
            &table,
            &side,
            request.limit as usize,
            &Keychain,
        )?;
        Ok(Response::new(steward_app::to_arrow_ipc(&mut df, &origin)?))
    })
    .await
}
