//! The sources panel's shapes: workspace and source summaries, inspections, previews, adding
//! files and PostgreSQL tables, profiles, classifications and relationships.

use super::*;

/// Results the core writes once for the CLI and the desktop alike (their TypeScript is derived
/// behind each crate's `ts` feature): an inspection, a column's profile, a classification,
/// relationship suggestions.
pub use steward_app::{ColumnClassification, RelationsReport};
pub use steward_profile::ColumnProfile;
pub use steward_sources::Inspection as SourceInspection;

/// Kinds of source, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Csv,
    Parquet,
    Arrow,
    Ndjson,
    Excel,
    Sqlite,
    Postgres,
}

impl From<steward_workspace::SourceKind> for SourceKind {
    fn from(k: steward_workspace::SourceKind) -> Self {
        match k {
            steward_workspace::SourceKind::Csv => SourceKind::Csv,
            steward_workspace::SourceKind::Parquet => SourceKind::Parquet,
            steward_workspace::SourceKind::Arrow => SourceKind::Arrow,
            steward_workspace::SourceKind::Ndjson => SourceKind::Ndjson,
            steward_workspace::SourceKind::Excel => SourceKind::Excel,
            steward_workspace::SourceKind::Sqlite => SourceKind::Sqlite,
            steward_workspace::SourceKind::Postgres => SourceKind::Postgres,
        }
    }
}

/// One source in the workspace's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceSummary {
    pub id: String,
    pub name: String,
    pub kind: SourceKind,
    /// Path as written in the workspace manifest (usually relative to the workspace).
    pub path: String,
    /// Sheet or table inside the file, for workbooks and databases.
    pub table: Option<String>,
    /// `user@host:port/database` of a database source (never a password).
    pub server: Option<String>,
    pub system: Option<String>,
    pub description: Option<String>,
    /// Columns kept as text though their values read as ISO-8601 dates.
    pub keep_text: Vec<String>,
}

/// The opened workspace, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceInfo {
    pub root: String,
    pub name: String,
    pub sources: Vec<SourceSummary>,
}

impl From<&steward_workspace::Workspace> for WorkspaceInfo {
    fn from(ws: &steward_workspace::Workspace) -> Self {
        WorkspaceInfo {
            root: ws.root().display().to_string(),
            name: ws.name().to_string(),
            sources: ws
                .sources()
                .iter()
                .map(|s| SourceSummary {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    kind: s.kind.into(),
                    path: s.path.clone(),
                    table: s.table.clone(),
                    server: s.connection.as_ref().map(|c| format!("{}@{}:{}/{}", c.user, c.host, c.port, c.database)),
                    system: s.system.clone(),
                    description: s.description.clone(),
                    keep_text: s.keep_text.clone(),
                })
                .collect(),
        }
    }
}

/// Arguments of the `preview_source` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    pub source_id: String,
    /// Rows to return, 1 to 100,000.
    pub limit: u32,
    /// Rows to skip first: a grid fetches the page the steward scrolls or jumps to.
    #[serde(default)]
    #[ts(optional)]
    pub offset: Option<u32>,
}

impl PreviewRequest {
    /// Checks the request before any file is touched.
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_source_id(&self.source_id)?;
        if self.limit == 0 || self.limit as usize > steward_sources::MAX_PREVIEW_ROWS {
            return Err(IpcError::invalid_input(format!(
                "limit: {} is outside 1..={}",
                self.limit,
                steward_sources::MAX_PREVIEW_ROWS
            )));
        }
        Ok(())
    }
}

/// Source ids are short slugs; anything else is refused before it reaches the core.
pub fn validate_source_id(id: &str) -> Result<(), IpcError> {
    // The one rule every id follows.
    if steward_app::is_valid_id(id) {
        Ok(())
    } else {
        Err(IpcError::invalid_input(format!("sourceId: `{}` is not a source id", id.escape_debug())))
    }
}

/// Arguments of `add_file_source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddFileRequest {
    /// Absolute path of the file.
    pub path: String,
    pub table: Option<String>,
    pub system: Option<String>,
}

impl AddFileRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        let p = std::path::Path::new(&self.path);
        if self.path.trim().is_empty() || !p.is_absolute() || self.path.contains('\0') {
            return Err(IpcError::invalid_input(format!(
                "path: `{}` must be an absolute file path",
                self.path.escape_debug()
            )));
        }
        check_text("table", self.table.as_deref(), 256)?;
        check_text("system", self.system.as_deref(), 80)
    }
}

pub(crate) fn check_text(field: &str, v: Option<&str>, max: usize) -> Result<(), IpcError> {
    match v {
        Some(s) if s.len() > max || s.chars().any(char::is_control) => {
            Err(IpcError::invalid_input(format!("{field}: at most {max} characters, no control characters")))
        }
        _ => Ok(()),
    }
}

/// A sheet of a workbook, or a table or view of a SQLite file, offered when adding the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FileTable {
    pub name: String,
    /// `sheet`, `table` or `view`.
    pub kind: String,
}

/// A PostgreSQL connection typed into the app. The password goes to the OS keychain.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostgresRequest {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: Option<String>,
    pub table: Option<String>,
    pub system: Option<String>,
    /// TLS as libpq names it (`verify-full`, the default when absent; `verify-ca`, `require`,
    /// `prefer`, `disable`).
    pub ssl_mode: Option<String>,
    /// PEM file of a private CA, relative to the workspace or absolute.
    pub ssl_root_cert: Option<String>,
}

impl std::fmt::Debug for PostgresRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresRequest({}@{}:{}/{})", self.user, self.host, self.port, self.database)
    }
}

impl PostgresRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        for (field, v, max) in [("host", &self.host, 255), ("database", &self.database, 63), ("user", &self.user, 63)] {
            if v.trim().is_empty() {
                return Err(IpcError::invalid_input(format!("{field}: required")));
            }
            check_text(field, Some(v), max)?;
        }
        if self.port == 0 {
            return Err(IpcError::invalid_input("port: must be 1-65535"));
        }
        check_text("table", self.table.as_deref(), 256)?;
        check_text("system", self.system.as_deref(), 80)?;
        check_text("ssl_root_cert", self.ssl_root_cert.as_deref(), 1024)?;
        match self.ssl_mode.as_deref() {
            None => Ok(()),
            Some(m) if steward_sources::pg::SslMode::parse(m).is_some() => Ok(()),
            Some(m) => Err(IpcError::invalid_input(format!(
                "ssl_mode: `{}` is not one of {}",
                m.escape_debug(),
                steward_sources::pg::SslMode::ALL.map(|m| m.as_str()).join(", ")
            ))),
        }
    }

    pub fn into_core(self) -> steward_app::AddPostgres {
        steward_app::AddPostgres {
            host: self.host.trim().to_string(),
            port: self.port,
            database: self.database.trim().to_string(),
            user: self.user.trim().to_string(),
            password: self.password.filter(|p| !p.is_empty()),
            table: self.table.filter(|t| !t.trim().is_empty()),
            id: None,
            name: None,
            system: self.system.filter(|s| !s.trim().is_empty()),
            ssl_mode: self.ssl_mode.as_deref().and_then(steward_sources::pg::SslMode::parse).unwrap_or_default(),
            ssl_root_cert: self.ssl_root_cert.filter(|s| !s.trim().is_empty()),
        }
    }
}

/// What "Test connection" reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostgresProbe {
    pub version: String,
    /// `schema.table` names the user may read.
    pub tables: Vec<String>,
}

/// Progress of a long scan, sent over a channel while it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub done: u32,
    pub total: u32,
    pub stage: String,
}

/// Arguments of `keep_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeepTextRequest {
    pub source_id: String,
    pub column: String,
    /// Keep the column as text; false reads it as dates again.
    pub keep: bool,
}

impl KeepTextRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_source_id(&self.source_id)?;
        check_text("column", Some(&self.column), 256)
    }
}

/// Arguments of `decide_classification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRequest {
    pub source_id: String,
    pub column: String,
    pub tag: String,
    pub accepted: bool,
}

impl DecisionRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_source_id(&self.source_id)?;
        check_text("column", Some(&self.column), 256)?;
        check_text("tag", Some(&self.tag), 40)
    }
}
