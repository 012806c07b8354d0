//! The sources panel's shapes: workspace and source summaries, inspections, previews, adding
//! files and PostgreSQL tables, profiles, classifications and relationships.

use super::*;

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
                })
                .collect(),
        }
    }
}

/// A column of an inspected source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ColumnInfo {
    pub name: String,
    /// Polars' type name: `str`, `i64`, `f64`, `date`…
    pub dtype: String,
}

/// Columns and size of a source, shown above its preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SourceInspection {
    pub source_id: String,
    pub format: String,
    pub table: Option<String>,
    pub columns: Vec<ColumnInfo>,
    pub row_count: u64,
}

impl SourceInspection {
    pub fn from_core(source_id: &str, i: steward_sources::Inspection) -> Self {
        SourceInspection {
            source_id: source_id.to_string(),
            format: i.format.as_str().to_string(),
            table: i.table,
            columns: i.columns.into_iter().map(|c| ColumnInfo { name: c.name, dtype: c.dtype }).collect(),
            row_count: i.row_count,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HistogramBin {
    pub start: String,
    pub end: String,
    pub count: u64,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnProfile {
    pub name: String,
    pub dtype: String,
    pub rows: u64,
    pub nulls: u64,
    pub null_share: f64,
    pub distinct: u64,
    pub distinct_exact: bool,
    pub min: Option<String>,
    pub max: Option<String>,
    pub top: Vec<TopValue>,
    /// `number`, `date` or `datetime`; absent for text.
    pub histogram_kind: Option<String>,
    pub histogram: Vec<HistogramBin>,
}

impl From<steward_profile::ColumnProfile> for ColumnProfile {
    fn from(p: steward_profile::ColumnProfile) -> Self {
        ColumnProfile {
            name: p.name,
            dtype: p.dtype,
            rows: p.rows,
            nulls: p.nulls,
            null_share: p.null_share,
            distinct: p.distinct,
            distinct_exact: p.distinct_exact,
            min: p.min,
            max: p.max,
            top: p.top.into_iter().map(|t| TopValue { value: t.value, count: t.count }).collect(),
            histogram_kind: p.histogram.as_ref().map(|h| h.kind.clone()),
            histogram: p
                .histogram
                .map(|h| {
                    h.bins.into_iter().map(|b| HistogramBin { start: b.start, end: b.end, count: b.count }).collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Progress of a long scan, sent over a channel while it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub done: u32,
    pub total: u32,
    pub stage: String,
}

/// A column's sensitive-data suggestion and the steward's decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnClassification {
    pub column: String,
    pub dtype: String,
    pub tag: Option<String>,
    pub confidence: Option<f64>,
    pub evidence: Option<String>,
    pub accepted: Vec<String>,
    pub rejected: Vec<String>,
}

impl From<steward_app::ColumnClassification> for ColumnClassification {
    fn from(c: steward_app::ColumnClassification) -> Self {
        ColumnClassification {
            column: c.column,
            dtype: c.dtype,
            tag: c.suggestion.as_ref().map(|s| s.tag.as_str().to_string()),
            confidence: c.suggestion.as_ref().map(|s| s.confidence),
            evidence: c.suggestion.map(|s| s.evidence),
            accepted: c.accepted,
            rejected: c.rejected,
        }
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

/// A suggested join key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    pub parent: String,
    pub parent_column: String,
    pub child: String,
    pub child_column: String,
    pub score: f64,
    pub inclusion: f64,
    pub orphan_share: f64,
    pub orphan_rows: u64,
    /// `1:1` or `1:n`.
    pub cardinality: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RelationsReport {
    pub suggestions: Vec<Relation>,
    /// Sources that could not be read, as errors.
    pub skipped: Vec<IpcError>,
}

impl From<steward_app::RelationsReport> for RelationsReport {
    fn from(r: steward_app::RelationsReport) -> Self {
        RelationsReport {
            suggestions: r
                .suggestions
                .into_iter()
                .map(|s| Relation {
                    cardinality: match s.cardinality {
                        steward_profile::Cardinality::OneToOne => "1:1".into(),
                        steward_profile::Cardinality::OneToMany => "1:n".into(),
                    },
                    parent: s.parent,
                    parent_column: s.parent_column,
                    child: s.child,
                    child_column: s.child_column,
                    score: s.score,
                    inclusion: s.inclusion,
                    orphan_share: s.orphan_share,
                    orphan_rows: s.orphan_rows,
                    evidence: s.evidence,
                })
                .collect(),
            skipped: r
                .skipped
                .into_iter()
                .map(|k| IpcError::new(k.code, format!("{}: {}", k.source_id, k.message)))
                .collect(),
        }
    }
}
