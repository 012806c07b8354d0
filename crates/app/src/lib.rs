//! # steward-app
//!
//! Owns every use case the CLI and the desktop shell share, so that both behave the same and
//! each is written once: opening and initialising workspaces, adding sources, profiling,
//! classification and relations; finding product definitions (by id, or by walking up from a
//! file); validation; the product session (assembled products, 360 indexes and masked tables,
//! each stale when the content it came from changes); previews, quality, privacy reports,
//! exports and key rotation; and the registry use cases (configuration, key choice, load →
//! check → sign → publish, diff, fetch, verify, yank, trust). Front-ends depend on this crate
//! alone and render what it returns; the types they render are re-exported here.
//!
//! It orchestrates the core crates. It must not parse files itself, print, know about IPC or
//! Tauri, or read or change the process environment: configuration arrives as values.

use std::path::{Path, PathBuf};

use steward_sources::FileFormat;

pub use steward_classify::thousands;
/// Every error has a stable code: front-ends send `{code, message}`.
pub use steward_error::{ErrorCode, ErrorCodes};

pub mod consume;
mod coverage;
mod definitions;
mod editing;
mod evidence;
mod insight;
mod internal;
mod masking;
mod pages;
mod preview;
mod product;
pub mod registry;
mod session;
mod settings;
mod targets;
mod validation;

pub use definitions::{
    check_definition, definition_issues, existing_product_file, load_definition, open_definition, product_definition,
    workspace_root_of,
};
pub use pages::SourcePages;
pub use preview::{
    check_privacy, new_product, parse_entity_key, preview_product, product_quality, reveal, rotate_key_in_file,
    NewProduct, Preview,
};
pub use session::{ProductSession, RowsQuery, Side};
pub use settings::{check_registry, load_settings, save_settings, settings_path, RegistryCheck, Settings, Theme};
pub use validation::{validate_product, MAX_ORPHAN_SHARE};

// What front-ends render and hand back, re-exported so that they depend on this crate alone.
pub use steward_assembly::{Entity360, ExportFormat, ExportSummary, RuleResult};
pub use steward_profile::{Cardinality, ColumnProfile, Role as RelationRole};
pub use steward_sources::pg::SslMode as PgSslMode;
pub use steward_sources::{list_tables, to_arrow_ipc, Inspection, Location, SourceError, TableInfo};
pub use steward_workspace::{is_valid_id, Id, SourceKind, SourceRef, Workspace, WorkspaceError, MANIFEST_FILE};

/// Where secrets come from: the OS keychain in the apps, a store in memory in tests.
pub mod secrets {
    pub use steward_secrets::{Keychain, MemoryStore, SecretStore};
}

/// Every value's exact text and every type's label, as all front-ends show them.
pub mod display {
    pub use steward_sources::display::*;
}

/// The product definition types front-ends show and edit (parsing and saving go through the
/// use cases here).
pub mod model {
    pub use steward_model::{
        Bump, Change, Diff, Issue, MaskingProfile, MaskingRule, ProductDefinition, Severity, TableRef, ENTITY_TABLE,
        ODCS_API_VERSION,
    };
}

/// The definition as YAML, in the canonical field order.
pub fn definition_yaml(def: &steward_model::ProductDefinition) -> String {
    steward_model::to_yaml(def)
}

/// The Open Data Contract Standard (ODCS v3) document of a product.
pub fn contract_of(def: &steward_model::ProductDefinition) -> serde_json::Value {
    steward_model::to_odcs(def)
}

/// Writes a file a person asked for (an export, a bundle), atomically: temp file + rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    Ok(steward_workspace::write_atomic(path, bytes)?)
}

pub use coverage::{leak_check, Uncovered, UNCOVERED_CONFIDENCE};
pub use editing::{
    changed_products, create_product, open_product, product_revisions, revision_of, save_layout, save_product, Layout,
    Position, ProductDocument,
};
pub use evidence::measure_evidence;
pub use insight::{
    classify, classify_frame, decide, profile, profile_column, profile_frame, profile_frame_column, relations,
    relations_with_progress, ColumnClassification, RelationsReport, SkippedSource,
};
pub use internal::{guarded, internal_message, panic_detail, quiet_panics, without_huge_pages, INTERNAL_CODE};
pub use masking::{
    export_masked, mask_collected, mask_tables, masked_assembled, masked_key, masking_key, masking_key_name,
    measure as measure_privacy, original_tables, privacy_report, profile as masking_profile, reveal_values,
    rotate_masking_key, with_tables, KeyCollisions, MaskedField, MaskedTables, PrivacyReport, TableLeaks,
};
pub use product::{
    assemble_product, assemble_product_scanned, export_product, list_products, product_path, product_sources,
    profile_product_column, source_bytes, PRODUCTS_DIR,
};
pub use targets::{
    add_postgres, credential_of, keep_as_text, location_of, manifest_ssl_mode, resolve_target, secret_name, target,
    target_of, test_postgres, AddPostgres, ReadOverrides, Target,
};

/// Makes `root` (created if missing) a workspace named `name`, or after its folder. An existing
/// workspace is never replaced.
pub fn init_workspace(root: &Path, name: Option<&str>) -> Result<Workspace, AppError> {
    let name = match name.map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => folder_name(root),
    };
    tracing::info!(root = %root.display(), "new workspace");
    Ok(Workspace::init(root, &name)?)
}

fn folder_name(root: &Path) -> String {
    std::path::absolute(root)
        .ok()
        .and_then(|p| p.components().next_back().map(|c| c.as_os_str().to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty() && n != "." && n != "/")
        .unwrap_or_else(|| "Workspace".into())
}

/// The folder holding the workspace `start` is in: `start` itself or the nearest folder above it
/// with a `steward.yaml`, like git finds its repository.
pub fn find_workspace(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    abs.ancestors().find(|d| d.join(steward_workspace::MANIFEST_FILE).is_file()).map(Path::to_path_buf)
}

/// The workspace `start` is in (see [`find_workspace`]); when there is none, the error says so
/// about `start` and how to make one.
pub fn open_workspace(start: &Path) -> Result<Workspace, AppError> {
    match find_workspace(start) {
        Some(root) => Ok(Workspace::open(&root)?),
        None => Ok(Workspace::open(start)?),
    }
}

/// The workspace `root` is in, or — when it is in none — a new one made at `root` (empty, named
/// after its folder): adding a first source is how a steward starts one.
pub fn open_or_init_workspace(root: &Path) -> Result<Workspace, AppError> {
    match find_workspace(root) {
        Some(found) => Ok(Workspace::open(&found)?),
        None => init_workspace(root, None),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{source_id}: {error}")]
    Profile { source_id: String, error: steward_profile::ProfileError },
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Secret(#[from] steward_secrets::SecretError),
    #[error(transparent)]
    Assembly(#[from] steward_assembly::AssemblyError),
    #[error(transparent)]
    Model(#[from] steward_model::ModelError),
    /// A definition changed on disk since the edit being saved was based on it.
    #[error("{0}")]
    Conflict(String),
    /// A definition with errors that need no data to find (refused before save or publish).
    #[error("fix before going on: {0}")]
    InvalidDefinition(String),
    #[error("{0}")]
    ProductNotFound(String),
    /// No entity of the product has the key asked for.
    #[error("{0}")]
    UnknownEntity(String),
    #[error(transparent)]
    Registry(#[from] steward_registry_client::RegistryError),
    #[error(transparent)]
    Signing(#[from] steward_signing::SigningError),
    /// Another error, said about a file or thing the caller names.
    #[error("{context}: {error}")]
    Context { context: String, error: Box<AppError> },
    /// A data node's refusal, with its code (one of [`consume::NODE_CODES`]).
    #[error("{message}")]
    Node { code: &'static str, message: String },
}

impl From<steward_workspace::InvalidId> for AppError {
    fn from(e: steward_workspace::InvalidId) -> Self {
        AppError::InvalidInput(e.to_string())
    }
}

/// `id` as the id of a `what` (`source`, `product`), by the one rule every id follows.
pub fn check_id(what: &'static str, id: &str) -> Result<steward_workspace::Id, AppError> {
    Ok(steward_workspace::Id::parse(what, id)?)
}

impl ErrorCode for AppError {
    fn code(&self) -> &'static str {
        match self {
            AppError::Workspace(e) => e.code(),
            AppError::Source(e) => e.code(),
            AppError::Profile { error, .. } => error.code(),
            AppError::InvalidInput(_) => "app.invalid_input",
            AppError::Secret(e) => e.code(),
            AppError::Assembly(e) => e.code(),
            AppError::Model(e) => e.code(),
            AppError::Conflict(_) => "model.conflict",
            AppError::InvalidDefinition(_) => "model.invalid",
            AppError::ProductNotFound(_) => "product.not_found",
            AppError::UnknownEntity(_) => "product.unknown_entity",
            AppError::Registry(e) => e.code(),
            AppError::Signing(e) => e.code(),
            AppError::Context { error, .. } => error.code(),
            AppError::Node { code, .. } => code,
        }
    }
}

/// The codes the use cases produce themselves (beside those of the errors they pass on).
impl ErrorCodes for AppError {
    const CODES: &'static [&'static str] = &[
        "app.invalid_input",
        "model.conflict",
        "model.invalid",
        "product.not_found",
        "product.unknown_entity",
        INTERNAL_CODE,
    ];
}

/// A data node's refusals, as a consumer receives them.
struct NodeCodes;

impl ErrorCodes for NodeCodes {
    const CODES: &'static [&'static str] = consume::NODE_CODES;
}

/// Every code a Steward error can carry, from every crate the use cases reach, sorted: what
/// front-ends may receive and match on.
pub fn error_codes() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = [
        steward_workspace::WorkspaceError::CODES,
        steward_sources::SourceError::CODES,
        steward_profile::ProfileError::CODES,
        steward_model::ModelError::CODES,
        steward_assembly::AssemblyError::CODES,
        steward_privacy::PrivacyError::CODES,
        steward_secrets::SecretError::CODES,
        steward_signing::SigningError::CODES,
        steward_registry_client::RegistryError::CODES,
        AppError::CODES,
        NodeCodes::CODES,
    ]
    .concat();
    all.sort_unstable();
    all.dedup();
    all
}

impl AppError {
    /// This error, said about `file`.
    pub fn in_file(self, file: &std::path::Path) -> AppError {
        AppError::Context { context: file.display().to_string(), error: Box::new(self) }
    }
}

/// What the steward says about a file being added; everything else is detected.
#[derive(Debug, Clone, Default)]
pub struct AddFile {
    pub path: PathBuf,
    pub id: Option<String>,
    pub name: Option<String>,
    pub table: Option<String>,
    pub header_row: Option<u32>,
    pub system: Option<String>,
    /// Text columns to keep as text though their values read as ISO-8601 dates.
    pub keep_text: Vec<String>,
}

fn kind_of(format: FileFormat) -> SourceKind {
    match format {
        FileFormat::Csv => SourceKind::Csv,
        FileFormat::Parquet => SourceKind::Parquet,
        FileFormat::Arrow => SourceKind::Arrow,
        FileFormat::Ndjson => SourceKind::Ndjson,
        FileFormat::Excel => SourceKind::Excel,
        FileFormat::Sqlite => SourceKind::Sqlite,
        FileFormat::Postgres => SourceKind::Postgres,
    }
}

/// A slug id from a file stem and table, unique in the workspace.
pub(crate) fn fresh_id(ws: &Workspace, stem: &str) -> String {
    let mut base: String = stem
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '_' })
        .collect::<String>()
        .trim_matches('_')
        .to_string();
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        base = format!("source{base}");
    }
    base.truncate(56);
    let taken = |id: &str| ws.sources().iter().any(|s| s.id == id);
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}_{n}")).find(|c| !taken(c)).unwrap_or(base)
}

/// The path as the manifest should hold it: relative when inside the workspace.
fn manifest_path(ws: &Workspace, path: &Path) -> String {
    let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match abs.strip_prefix(ws.root()) {
        Ok(rel) => rel.to_string_lossy().into_owned(),
        Err(_) => abs.to_string_lossy().into_owned(),
    }
}

/// Adds a file to the workspace once it has been read successfully. Nothing is written when the
/// file does not read: the workspace stays as it was.
pub fn add_file(ws: &mut Workspace, req: AddFile) -> Result<(SourceRef, Inspection), AppError> {
    let mut loc = Location::file(&req.path).with_table(req.table.clone());
    loc.header_row = req.header_row;
    loc.keep_text = req.keep_text.clone();
    let inspection = steward_sources::inspect(&loc)?;
    let stem = req.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let table = inspection.table.clone();
    let id_seed = match (&table, inspection.tables.len() > 1) {
        (Some(t), true) => format!("{stem}_{t}"),
        _ => stem.clone(),
    };
    let src = SourceRef {
        id: req.id.unwrap_or_else(|| fresh_id(ws, &id_seed)),
        name: req.name.unwrap_or_else(|| match &table {
            Some(t) if inspection.tables.len() > 1 => format!("{stem} · {t}"),
            _ => stem,
        }),
        kind: kind_of(inspection.format),
        path: manifest_path(ws, &req.path),
        connection: None,
        table,
        header_row: req.header_row,
        system: req.system,
        description: None,
        classifications: Default::default(),
        keep_text: req.keep_text,
    };
    ws.add_source(src.clone())?;
    tracing::info!(id = %src.id, path = %src.path, "source added");
    Ok((src, inspection))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_a_readable_file_with_a_fresh_id_and_relative_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), "T").unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let f = dir.path().join("data/Web Orders 2024.csv");
        std::fs::write(&f, "id,amount\n1,2.5\n").unwrap();
        let (a, i) = add_file(&mut ws, AddFile { path: f.clone(), ..Default::default() }).unwrap();
        assert_eq!(
            (a.id.as_str(), a.path.as_str(), a.kind),
            ("web_orders_2024", "data/Web Orders 2024.csv", SourceKind::Csv)
        );
        assert_eq!(i.row_count, 1);
        let (b, _) = add_file(&mut ws, AddFile { path: f, ..Default::default() }).unwrap();
        assert_eq!(b.id, "web_orders_2024_2");
        assert_eq!(Workspace::open(dir.path()).unwrap().sources().len(), 2);
    }

    #[test]
    fn an_unreadable_file_leaves_the_workspace_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), "T").unwrap();
        let before = std::fs::read(ws.manifest_path()).unwrap();
        let f = dir.path().join("bad.csv");
        std::fs::write(&f, "a,b\n1,2\n3\n").unwrap();
        let e = add_file(&mut ws, AddFile { path: f, ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), "source.ragged");
        assert_eq!(std::fs::read(ws.manifest_path()).unwrap(), before);
        assert!(ws.sources().is_empty());
    }
}
