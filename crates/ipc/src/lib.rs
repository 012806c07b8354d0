//! # steward-ipc
//!
//! Owns the shapes that cross the desktop IPC boundary: request and response types, and the
//! `{code, message}` error every command returns. The TypeScript in `ui/src/bindings.ts` is
//! generated from these types ([`typescript_bindings`]); a test fails when it is stale.
//!
//! It converts core results into these shapes and nothing more: no I/O, no Tauri, no Polars
//! calls of its own. Binary previews (Arrow IPC bytes) do not pass through here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every failed command resolves to this, as JSON `{"code": "...", "message": "..."}`.
/// `code` is stable and machine-readable (`source.not_found`); `message` is for people and
/// names the file, table, row or field involved. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        IpcError { code: code.into(), message: message.into() }
    }

    /// A request the shell refused before calling the core (bad argument shape or range).
    pub fn invalid_input(message: impl Into<String>) -> Self {
        IpcError::new("ipc.invalid_input", message)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<steward_workspace::WorkspaceError> for IpcError {
    fn from(e: steward_workspace::WorkspaceError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_app::AppError> for IpcError {
    fn from(e: steward_app::AppError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_sources::SourceError> for IpcError {
    fn from(e: steward_sources::SourceError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

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
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
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

fn check_text(field: &str, v: Option<&str>, max: usize) -> Result<(), IpcError> {
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

/// A product definition in the workspace's `products/` folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductSummary {
    /// File stem, used to address the product in commands.
    pub id: String,
    pub name: String,
    pub version: String,
    pub entity: String,
    pub key: Vec<String>,
    pub related: Vec<String>,
    /// Why the file could not be read, if it could not.
    pub error: Option<IpcError>,
}

/// A validation finding at a precise place in the definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ModelIssue {
    pub path: String,
    /// `error` or `warning`.
    pub severity: String,
    pub code: String,
    pub message: String,
}

impl From<steward_model::Issue> for ModelIssue {
    fn from(i: steward_model::Issue) -> Self {
        ModelIssue {
            severity: match i.severity {
                steward_model::Severity::Error => "error".into(),
                steward_model::Severity::Warning => "warning".into(),
            },
            path: i.path,
            code: i.code,
            message: i.message,
        }
    }
}

/// How one quality rule fared on the assembled product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QualityResult {
    /// `quality[3]`: where the rule is in the definition.
    pub path: String,
    pub rule: String,
    pub table: String,
    pub columns: Vec<String>,
    pub violations: u64,
    pub checked: u64,
    pub samples: Vec<String>,
    pub passed: bool,
}

impl From<steward_assembly::RuleResult> for QualityResult {
    fn from(r: steward_assembly::RuleResult) -> Self {
        QualityResult {
            path: format!("quality[{}]", r.index),
            rule: r.rule,
            table: r.table,
            columns: r.columns,
            violations: r.violations,
            checked: r.checked,
            samples: r.samples,
            passed: r.passed,
        }
    }
}

/// Arguments of `product_rows`: a page of the product table, or one entity's rows of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductRowsRequest {
    pub product_id: String,
    /// One value per key field: that entity's rows of `table`. Absent: a page of the product table.
    pub key: Option<Vec<String>>,
    /// `entity` or a related table's name (with `key`).
    pub table: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

impl ProductRowsRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.limit == 0 || self.limit > 10_000 {
            return Err(IpcError::invalid_input("limit: must be 1-10,000"));
        }
        if let Some(k) = &self.key {
            if k.is_empty() || k.len() > 8 || k.iter().any(|v| v.len() > 256 || v.chars().any(char::is_control)) {
                return Err(IpcError::invalid_input("key: 1-8 values of at most 256 characters"));
            }
        }
        check_text("table", self.table.as_deref(), 64)
    }
}

/// Product ids are file stems of `products/*.yaml`: short slugs, never paths.
pub fn validate_product_id(id: &str) -> Result<(), IpcError> {
    validate_source_id(id)
        .map_err(|_| IpcError::invalid_input(format!("productId: `{}` is not a product id", id.escape_debug())))
}

/// Arguments of `profile_column`: one column of a source, or of a product's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColumnProfileRequest {
    pub source_id: Option<String>,
    pub product_id: Option<String>,
    /// With `productId`: `entity` (default) or a related table's name.
    pub table: Option<String>,
    pub column: String,
}

impl ColumnProfileRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        match (&self.source_id, &self.product_id) {
            (Some(s), None) => validate_source_id(s)?,
            (None, Some(p)) => validate_product_id(p)?,
            _ => return Err(IpcError::invalid_input("give either sourceId or productId")),
        }
        check_text("table", self.table.as_deref(), 64)?;
        check_text("column", Some(&self.column), 256)?;
        if self.column.is_empty() {
            return Err(IpcError::invalid_input("column: empty"));
        }
        Ok(())
    }
}

/// Arguments of `privacy_report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivacyRequest {
    pub product_id: String,
    pub profile: String,
    /// Quasi-identifiers (entity fields); absent: the profile's.
    pub quasi: Option<Vec<String>>,
    pub sensitive: Option<String>,
}

impl PrivacyRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        if self.quasi.as_ref().is_some_and(|q| q.len() > 32) {
            return Err(IpcError::invalid_input("quasi: at most 32 fields"));
        }
        for q in self.quasi.iter().flatten() {
            check_text("quasi", Some(q), 256)?;
        }
        check_text("sensitive", self.sensitive.as_deref(), 256)
    }
}

/// A masked field, the rule masking it, and what the rule guarantees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MaskedFieldInfo {
    pub table: String,
    pub field: String,
    pub at: String,
    pub rule: String,
    pub via: String,
    pub deterministic: bool,
    pub reversible: bool,
    pub format_preserving: bool,
    pub unique_preserving: bool,
    pub locale_aware: bool,
}

/// Leak check of one masked field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldLeaks {
    pub table: String,
    pub field: String,
    /// Original values kept in their own record (same or another masked column).
    pub leaks: u64,
    /// Originals that appear elsewhere in the column (information, not leaks).
    pub anywhere: u64,
}

/// Re-identification risk over the chosen quasi-identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RiskInfo {
    pub quasi: Vec<String>,
    pub rows: u64,
    pub classes: u64,
    pub k: u64,
    /// `[class size, classes of that size]`, smallest first.
    pub class_sizes: Vec<(u64, u64)>,
    pub unique_share: f64,
    pub prosecutor_max: f64,
    pub prosecutor_avg: f64,
    pub sensitive: Option<String>,
    pub l: Option<u64>,
}

/// What the privacy officer's view shows for one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyReportInfo {
    pub profile: String,
    pub key_version: u32,
    pub fields: Vec<MaskedFieldInfo>,
    pub leaks: Vec<FieldLeaks>,
    pub total_leaks: u64,
    pub collisions: Vec<(String, u64)>,
    pub risk: Option<RiskInfo>,
    pub warnings: Vec<String>,
    pub violations: Vec<String>,
}

impl From<steward_app::PrivacyReport> for PrivacyReportInfo {
    fn from(r: steward_app::PrivacyReport) -> Self {
        PrivacyReportInfo {
            profile: r.profile,
            key_version: r.key_version,
            fields: r
                .fields
                .into_iter()
                .map(|f| MaskedFieldInfo {
                    table: f.table,
                    field: f.field,
                    at: f.at,
                    rule: f.rule,
                    via: f.via,
                    deterministic: f.properties.deterministic,
                    reversible: f.properties.reversible,
                    format_preserving: f.properties.format_preserving,
                    unique_preserving: f.properties.unique_preserving,
                    locale_aware: f.properties.locale_aware,
                })
                .collect(),
            leaks: r
                .leaks
                .iter()
                .flat_map(|t| {
                    t.columns.iter().map(|c| FieldLeaks {
                        table: t.table.clone(),
                        field: c.column.clone(),
                        leaks: c.total(),
                        anywhere: c.anywhere,
                    })
                })
                .collect(),
            total_leaks: r.total_leaks,
            collisions: r.collisions.into_iter().map(|c| (format!("{}.{}", c.table, c.field), c.collisions)).collect(),
            risk: r.risk.map(|k| RiskInfo {
                quasi: k.quasi_identifiers,
                rows: k.rows,
                classes: k.classes,
                k: k.k,
                class_sizes: k.class_sizes,
                unique_share: k.unique_share,
                prosecutor_max: k.prosecutor_max,
                prosecutor_avg: k.prosecutor_avg,
                sensitive: k.sensitive,
                l: k.l,
            }),
            warnings: r.warnings,
            violations: r.violations,
        }
    }
}

/// Arguments of `masked_rows`: rows of one table of the product (the entity, or a related
/// table), masked or (for revealed columns) original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaskedRowsRequest {
    pub product_id: String,
    pub profile: String,
    /// `entity` (absent) or a related table's name.
    pub table: Option<String>,
    /// `masked`, or `original` (then only `columns` are sent: originals are revealed per column).
    pub side: String,
    pub columns: Option<Vec<String>>,
    pub limit: u32,
}

impl MaskedRowsRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        if self.side != "masked" && self.side != "original" {
            return Err(IpcError::invalid_input("side: `masked` or `original`"));
        }
        check_text("table", self.table.as_deref(), 256)?;
        if self.side == "original" && self.columns.as_ref().is_none_or(|c| c.is_empty()) {
            return Err(IpcError::invalid_input("columns: name the revealed columns to show originals"));
        }
        for c in self.columns.iter().flatten() {
            check_text("columns", Some(c), 256)?;
        }
        if self.limit == 0 || self.limit > 10_000 {
            return Err(IpcError::invalid_input("limit: must be 1-10,000"));
        }
        Ok(())
    }
}

/// Arguments of `privacy_reveal`: masked values of one field to give back to a key holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevealRequest {
    pub product_id: String,
    pub profile: String,
    /// `card_number` (entity) or `orders.card`.
    pub field: String,
    pub values: Vec<String>,
    /// The key version the values were masked with; absent: the profile's current one.
    pub key_version: Option<u32>,
}

impl RevealRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        check_text("field", Some(&self.field), 256)?;
        if self.field.trim().is_empty() {
            return Err(IpcError::invalid_input("field: name the masked field"));
        }
        if self.values.is_empty() || self.values.len() > 1_000 {
            return Err(IpcError::invalid_input("values: 1-1,000 masked values"));
        }
        for v in &self.values {
            check_text("values", Some(v), 256)?;
        }
        if self.key_version == Some(0) {
            return Err(IpcError::invalid_input("key_version: versions start at 1"));
        }
        Ok(())
    }
}

/// The registry the app publishes to, and the signing key it signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistryInfo {
    /// Absent: no registry configured (`STEWARD_REGISTRY`).
    pub url: Option<String>,
    pub key_name: Option<String>,
    pub fingerprint: Option<String>,
    /// The public key (`ed25519:…`), to give to a registry admin.
    pub public_key: Option<String>,
    /// Why there is no key to sign with.
    pub key_error: Option<String>,
}

/// Arguments of `registry_search`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrySearchRequest {
    pub q: Option<String>,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
}

impl RegistrySearchRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        for (f, v) in [("q", &self.q), ("domain", &self.domain), ("owner", &self.owner), ("tag", &self.tag)] {
            check_text(f, v.as_deref(), 200)?;
        }
        Ok(())
    }
}

/// A product in the registry: its latest version that is not yanked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistryProduct {
    pub name: String,
    pub latest: String,
    pub domain: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub versions: u32,
    pub deprecated: Option<String>,
}

impl From<steward_registry::ProductSummary> for RegistryProduct {
    fn from(p: steward_registry::ProductSummary) -> Self {
        RegistryProduct {
            name: p.name,
            latest: p.latest,
            domain: p.domain,
            owner: p.owner,
            tags: p.tags,
            description: p.description,
            versions: p.versions.min(u32::MAX as u64) as u32,
            deprecated: p.deprecated,
        }
    }
}

/// One published version of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistryVersion {
    pub version: String,
    pub digest: String,
    pub signer: String,
    pub published_at: String,
    pub yanked: Option<String>,
    pub deprecated: Option<String>,
}

impl From<steward_registry::VersionInfo> for RegistryVersion {
    fn from(v: steward_registry::VersionInfo) -> Self {
        RegistryVersion {
            version: v.version,
            digest: v.digest,
            signer: v.signer,
            published_at: v.published_at,
            yanked: v.yanked,
            deprecated: v.deprecated,
        }
    }
}

/// One change between the latest published version and the local draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffChangeInfo {
    pub path: String,
    pub kind: String,
    pub message: String,
    /// `none`, `patch`, `minor` or `major`.
    pub bump: String,
}

/// The local draft against the latest published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftDiffInfo {
    pub product: String,
    pub draft_version: String,
    /// The latest published version; absent when the product is not published yet.
    pub published: Option<String>,
    pub changes: Vec<DiffChangeInfo>,
    /// The bump the changes call for (`none`…`major`).
    pub suggested: String,
    /// The draft's version does not increase enough: publishing will be refused.
    pub under_bumped: bool,
    pub privacy_review: bool,
}

impl DraftDiffInfo {
    pub fn new(def: &steward_model::ProductDefinition, diff: Option<steward_model::Diff>) -> DraftDiffInfo {
        match diff {
            None => DraftDiffInfo {
                product: def.metadata.name.clone(),
                draft_version: def.metadata.version.clone(),
                published: None,
                changes: vec![],
                suggested: "none".into(),
                under_bumped: false,
                privacy_review: false,
            },
            Some(d) => DraftDiffInfo {
                product: d.product.clone(),
                draft_version: d.to_version.clone(),
                published: Some(d.from_version.clone()),
                suggested: d.required().as_str().into(),
                under_bumped: d.under_bumped(),
                privacy_review: d.privacy_review,
                changes: d
                    .changes
                    .into_iter()
                    .map(|c| DiffChangeInfo {
                        path: c.path,
                        kind: c.kind,
                        message: c.message,
                        bump: c.bump.as_str().into(),
                    })
                    .collect(),
            },
        }
    }
}

/// Arguments of `registry_publish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishProductRequest {
    pub product_id: String,
    /// Publish a breaking change without a major bump; needs `reason`, recorded in the audit log.
    pub allow_breaking: bool,
    pub reason: Option<String>,
}

impl PublishProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        check_text("reason", self.reason.as_deref(), 1000)?;
        if self.allow_breaking && self.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(IpcError::invalid_input("reason: say why a breaking change goes out without a major bump"));
        }
        Ok(())
    }
}

/// A publish the registry accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PublishedInfo {
    pub name: String,
    pub version: String,
    pub digest: String,
    pub log_index: u32,
    pub privacy_review: bool,
    pub previous: Option<String>,
}

impl From<steward_registry::Published> for PublishedInfo {
    fn from(p: steward_registry::Published) -> Self {
        PublishedInfo {
            name: p.name,
            version: p.version,
            digest: p.digest,
            log_index: p.log_index.min(u32::MAX as u64) as u32,
            privacy_review: p.privacy_review,
            previous: p.previous,
        }
    }
}

impl From<steward_registry::RegistryError> for IpcError {
    fn from(e: steward_registry::RegistryError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_signing::SigningError> for IpcError {
    fn from(e: steward_signing::SigningError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

/// Where a node sits on the modeller's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasPosition {
    pub x: f64,
    pub y: f64,
}

/// A product definition opened in the modeller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductDocument {
    pub product_id: String,
    /// Identifies the file's content; saves name the revision they build on.
    pub revision: String,
    pub definition: steward_model::ProductDefinition,
    /// Node positions by node id (`entity`, `related:orders`, `reference:country`).
    pub layout: std::collections::BTreeMap<String, CanvasPosition>,
    /// Problems found without reading data (names, references, rules).
    pub issues: Vec<ModelIssue>,
}

impl ProductDocument {
    pub fn from_core(product_id: &str, d: steward_app::ProductDocument) -> Self {
        ProductDocument {
            product_id: product_id.to_string(),
            revision: d.revision,
            issues: steward_model::check(&d.definition).into_iter().map(Into::into).collect(),
            definition: d.definition,
            layout: d.layout.into_iter().map(|(k, p)| (k, CanvasPosition { x: p.x, y: p.y })).collect(),
        }
    }
}

/// Arguments of `save_product`: the whole edited definition and the revision it was based on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveProductRequest {
    pub product_id: String,
    pub base_revision: String,
    pub definition: steward_model::ProductDefinition,
}

/// Limits that keep one request from a misbehaving UI from writing an absurd file.
const MAX_TABLES: usize = 200;
const MAX_FIELDS: usize = 5_000;
const MAX_TEXT: usize = 10_000;

/// Checks sizes and characters of a definition sent by the UI; its meaning is checked by
/// `steward_model::check`, whose findings are shown to the steward rather than refused.
pub fn validate_definition(def: &steward_model::ProductDefinition) -> Result<(), IpcError> {
    if def.related.len() + def.reference.len() > MAX_TABLES {
        return Err(IpcError::invalid_input(format!("definition: more than {MAX_TABLES} tables")));
    }
    let fields = def.entity.fields.len()
        + def.entity.derived.len()
        + def.related.iter().map(|r| r.fields.len() + r.derived.len()).sum::<usize>()
        + def.reference.iter().map(|r| r.fields.len()).sum::<usize>();
    if fields > MAX_FIELDS {
        return Err(IpcError::invalid_input(format!("definition: more than {MAX_FIELDS} fields")));
    }
    let text = serde_json::to_string(def).map_err(|e| IpcError::invalid_input(format!("definition: {e}")))?;
    if text.len() > MAX_FIELDS * MAX_TEXT / 10 {
        return Err(IpcError::invalid_input("definition: larger than 5 MB"));
    }
    let derived = def.entity.derived.iter().chain(def.related.iter().flat_map(|r| r.derived.iter()));
    for d in derived {
        if d.sql.len() > MAX_TEXT {
            return Err(IpcError::invalid_input(format!(
                "derived field `{}`: SQL longer than {MAX_TEXT} bytes",
                d.name
            )));
        }
    }
    if text.contains("\\u0000") {
        return Err(IpcError::invalid_input("definition: contains a NUL character"));
    }
    Ok(())
}

impl SaveProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.base_revision.len() != 16 || !self.base_revision.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IpcError::invalid_input("baseRevision: not a revision"));
        }
        validate_definition(&self.definition)
    }
}

/// What a save answers: the new revision and the problems found without reading data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedProduct {
    pub revision: String,
    pub issues: Vec<ModelIssue>,
}

/// Arguments of `save_layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveLayoutRequest {
    pub product_id: String,
    pub layout: std::collections::BTreeMap<String, CanvasPosition>,
}

impl SaveLayoutRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.layout.len() > MAX_TABLES + 1 {
            return Err(IpcError::invalid_input("layout: too many nodes"));
        }
        for (id, p) in &self.layout {
            if id.len() > 200 || id.chars().any(char::is_control) || !p.x.is_finite() || !p.y.is_finite() {
                return Err(IpcError::invalid_input(format!("layout: bad position of `{}`", id.escape_debug())));
            }
        }
        Ok(())
    }

    pub fn into_core(self) -> steward_app::Layout {
        self.layout.into_iter().map(|(k, p)| (k, steward_app::Position { x: p.x, y: p.y })).collect()
    }
}

/// Arguments of `create_product`: a new product over one root source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProductRequest {
    /// File stem and product name: lowercase letters, digits, `-` and `_`.
    pub product_id: String,
    /// Business name of the entity (`Customer`).
    pub entity: String,
    pub source_id: String,
    /// Column(s) of the source that identify one entity.
    pub key: Vec<String>,
    /// Who answers for the product (a team or an address).
    pub owner: String,
}

impl CreateProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if !self.product_id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err(IpcError::invalid_input("productId: use lowercase letters, digits, `-` and `_`"));
        }
        validate_source_id(&self.source_id)?;
        check_text("entity", Some(&self.entity), 100)?;
        if self.entity.trim().is_empty() {
            return Err(IpcError::invalid_input("entity: give the entity a name"));
        }
        check_text("owner", Some(&self.owner), 200)?;
        if self.owner.trim().is_empty() {
            return Err(IpcError::invalid_input("owner: say who answers for the product"));
        }
        if self.key.is_empty() || self.key.len() > 8 {
            return Err(IpcError::invalid_input("key: choose 1-8 key columns"));
        }
        for k in &self.key {
            check_text("key", Some(k), 200)?;
        }
        Ok(())
    }

    /// The new product's definition: the root source with all its columns, no related tables.
    pub fn definition(&self) -> steward_model::ProductDefinition {
        use steward_model::*;
        ProductDefinition {
            steward: FORMAT.into(),
            metadata: Metadata {
                name: self.product_id.clone(),
                domain: self.entity.to_lowercase(),
                owner: self.owner.trim().to_string(),
                description: None,
                version: "0.1.0".into(),
                tags: vec![],
            },
            entity: Entity {
                name: self.entity.trim().to_string(),
                source: self.source_id.clone(),
                key: if self.key.len() == 1 {
                    Columns::One(self.key[0].clone())
                } else {
                    Columns::Many(self.key.clone())
                },
                fields: vec![],
                derived: vec![],
            },
            related: vec![],
            reference: vec![],
            quality: vec![],
            masking: Default::default(),
        }
    }
}

/// Sent on the `watch_products` channel when definition files change on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductsChanged {
    /// Ids of the products added, edited or removed.
    pub changed: Vec<String>,
    /// The current revision of every product.
    pub revisions: std::collections::BTreeMap<String, String>,
}

/// The whole generated TypeScript module for the UI, in a fixed order.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        IpcError::decl(&cfg),
        SourceKind::decl(&cfg),
        SourceSummary::decl(&cfg),
        WorkspaceInfo::decl(&cfg),
        ColumnInfo::decl(&cfg),
        SourceInspection::decl(&cfg),
        PreviewRequest::decl(&cfg),
        AddFileRequest::decl(&cfg),
        PostgresRequest::decl(&cfg),
        PostgresProbe::decl(&cfg),
        FileTable::decl(&cfg),
        TopValue::decl(&cfg),
        HistogramBin::decl(&cfg),
        ColumnProfile::decl(&cfg),
        ScanProgress::decl(&cfg),
        ColumnClassification::decl(&cfg),
        DecisionRequest::decl(&cfg),
        Relation::decl(&cfg),
        RelationsReport::decl(&cfg),
        ProductSummary::decl(&cfg),
        ModelIssue::decl(&cfg),
        ProductRowsRequest::decl(&cfg),
        QualityResult::decl(&cfg),
        steward_model::FieldType::decl(&cfg),
        steward_model::Field::decl(&cfg),
        steward_model::Derived::decl(&cfg),
        steward_model::Columns::decl(&cfg),
        steward_model::JoinPair::decl(&cfg),
        steward_model::Cardinality::decl(&cfg),
        steward_model::Metadata::decl(&cfg),
        steward_model::Entity::decl(&cfg),
        steward_model::Related::decl(&cfg),
        steward_model::Reference::decl(&cfg),
        steward_model::QualityRule::decl(&cfg),
        <serde_json::Value as TS>::decl(&cfg),
        steward_model::MaskingRule::decl(&cfg),
        steward_model::PrivacyChecks::decl(&cfg),
        steward_model::MaskingProfile::decl(&cfg),
        steward_model::ProductDefinition::decl(&cfg),
        ColumnProfileRequest::decl(&cfg),
        PrivacyRequest::decl(&cfg),
        MaskedFieldInfo::decl(&cfg),
        FieldLeaks::decl(&cfg),
        RiskInfo::decl(&cfg),
        PrivacyReportInfo::decl(&cfg),
        MaskedRowsRequest::decl(&cfg),
        RevealRequest::decl(&cfg),
        RegistryInfo::decl(&cfg),
        RegistrySearchRequest::decl(&cfg),
        RegistryProduct::decl(&cfg),
        RegistryVersion::decl(&cfg),
        DiffChangeInfo::decl(&cfg),
        DraftDiffInfo::decl(&cfg),
        PublishProductRequest::decl(&cfg),
        PublishedInfo::decl(&cfg),
        CanvasPosition::decl(&cfg),
        ProductDocument::decl(&cfg),
        SaveProductRequest::decl(&cfg),
        SavedProduct::decl(&cfg),
        SaveLayoutRequest::decl(&cfg),
        CreateProductRequest::decl(&cfg),
        ProductsChanged::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/ipc by `make bindings`. Do not edit: a test fails when this is stale.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shape_is_pinned() {
        let e = IpcError::new("source.not_found", "orders.csv: file not found");
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"source.not_found","message":"orders.csv: file not found"}"#
        );
    }

    #[test]
    fn core_errors_keep_their_code_and_name_the_file() {
        let e: IpcError =
            steward_sources::inspect(&steward_sources::Location::file("no/such/orders.csv")).unwrap_err().into();
        assert_eq!(e.code, "source.not_found");
        assert!(e.message.contains("orders.csv"));
        let json: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 2, "only code and message cross IPC: {json}");
    }

    #[test]
    fn preview_requests_are_validated() {
        assert!(PreviewRequest { source_id: "orders".into(), limit: 200 }.validate().is_ok());
        let bad = [("orders", 0), ("orders", 100_001), ("../etc", 10), ("", 10), ("Orders", 10)];
        for (id, limit) in bad {
            let e = PreviewRequest { source_id: id.into(), limit }.validate().unwrap_err();
            assert_eq!(e.code, "ipc.invalid_input", "{id} {limit}");
        }
        let e: Result<PreviewRequest, _> = serde_json::from_str(r#"{"sourceId":"a","limit":1,"path":"/etc"}"#);
        assert!(e.is_err(), "unknown fields are refused");
    }

    #[test]
    fn requests_are_validated_before_the_core_sees_them() {
        let ok = AddFileRequest { path: "/data/orders.csv".into(), table: None, system: None };
        assert!(ok.validate().is_ok());
        for bad in ["", "relative.csv", "/a\0b"] {
            assert_eq!(
                AddFileRequest { path: bad.into(), ..ok.clone() }.validate().unwrap_err().code,
                "ipc.invalid_input"
            );
        }
        let pg = PostgresRequest {
            host: "db".into(),
            port: 5432,
            database: "crm".into(),
            user: "app".into(),
            password: Some("s3cret".into()),
            table: None,
            system: None,
            ssl_mode: Some("verify-ca".into()),
            ssl_root_cert: Some("certs/ca.pem".into()),
        };
        assert!(pg.validate().is_ok());
        assert_eq!(pg.clone().into_core().ssl_mode, steward_sources::pg::SslMode::VerifyCa);
        assert_eq!(
            PostgresRequest { ssl_mode: None, ..pg.clone() }.into_core().ssl_mode,
            steward_sources::pg::SslMode::VerifyFull
        );
        let bad_mode = PostgresRequest { ssl_mode: Some("allow".into()), ..pg.clone() }.validate().unwrap_err();
        assert!(bad_mode.message.contains("verify-full"), "{}", bad_mode.message);
        assert!(PostgresRequest { ssl_root_cert: Some("ca\u{1b}[2J.pem".into()), ..pg.clone() }.validate().is_err());
        assert!(!format!("{pg:?}").contains("s3cret"), "Debug never shows the password");
        assert!(PostgresRequest { port: 0, ..pg.clone() }.validate().is_err());
        assert!(PostgresRequest { host: " ".into(), ..pg.clone() }.validate().is_err());
        assert!(PostgresRequest { user: "a\nb".into(), ..pg }.validate().is_err());
        let d =
            DecisionRequest { source_id: "crm".into(), column: "email".into(), tag: "email".into(), accepted: true };
        assert!(d.validate().is_ok());
        assert!(DecisionRequest { source_id: "../x".into(), ..d }.validate().is_err());
    }

    #[test]
    fn modeller_requests_are_validated() {
        let create = CreateProductRequest {
            product_id: "customer_orders".into(),
            entity: "Customer".into(),
            source_id: "crm".into(),
            key: vec!["customer_id".into()],
            owner: "team@example.com".into(),
        };
        assert!(create.validate().is_ok());
        assert!(
            steward_model::check(&create.definition()).is_empty(),
            "{:?}",
            steward_model::check(&create.definition())
        );
        for bad in [
            CreateProductRequest { product_id: "Customer Orders".into(), ..create.clone() },
            CreateProductRequest { product_id: "../x".into(), ..create.clone() },
            CreateProductRequest { entity: " ".into(), ..create.clone() },
            CreateProductRequest { owner: "".into(), ..create.clone() },
            CreateProductRequest { key: vec![], ..create.clone() },
        ] {
            assert_eq!(bad.validate().unwrap_err().code, "ipc.invalid_input", "{bad:?}");
        }
        let save = SaveProductRequest {
            product_id: "customer_orders".into(),
            base_revision: "00ff00ff00ff00ff".into(),
            definition: create.definition(),
        };
        assert!(save.validate().is_ok());
        assert!(SaveProductRequest { base_revision: "HEAD".into(), ..save.clone() }.validate().is_err());
        let mut huge = save.clone();
        huge.definition.entity.derived =
            vec![steward_model::Derived { name: "x".into(), sql: "a".repeat(20_000), field_type: None }];
        assert!(huge.validate().unwrap_err().message.contains("derived field `x`"));
        let layout = SaveLayoutRequest {
            product_id: "customer_orders".into(),
            layout: [("entity".to_string(), CanvasPosition { x: f64::NAN, y: 0.0 })].into(),
        };
        assert!(layout.validate().is_err(), "positions must be finite");
        // The definition crosses IPC as the YAML's own shape, `as` and `type` included.
        let json = serde_json::to_value(&save).unwrap();
        assert_eq!(json["definition"]["entity"]["key"], "customer_id");
        assert!(json["definition"].get("related").is_none(), "empty lists are left out, as in the file");
    }

    /// The UI's bindings must match the Rust types. Run `make bindings` to regenerate.
    #[test]
    fn privacy_and_registry_requests_are_validated() {
        let reveal = RevealRequest {
            product_id: "customer360".into(),
            profile: "billing".into(),
            field: "card_number".into(),
            values: vec!["4111 1111 1111 1111".into()],
            key_version: None,
        };
        assert!(reveal.validate().is_ok());
        for bad in [
            RevealRequest { values: vec![], ..reveal.clone() },
            RevealRequest { values: vec!["x".into(); 1001], ..reveal.clone() },
            RevealRequest { values: vec!["a\u{0}b".into()], ..reveal.clone() },
            RevealRequest { field: " ".into(), ..reveal.clone() },
            RevealRequest { key_version: Some(0), ..reveal.clone() },
            RevealRequest { product_id: "../etc".into(), ..reveal.clone() },
        ] {
            assert_eq!(bad.validate().unwrap_err().code, "ipc.invalid_input", "{bad:?}");
        }
        let publish = PublishProductRequest { product_id: "customer360".into(), allow_breaking: false, reason: None };
        assert!(publish.validate().is_ok());
        let e = PublishProductRequest { allow_breaking: true, ..publish.clone() }.validate().unwrap_err();
        assert!(e.message.starts_with("reason:"), "{}", e.message);
        assert!(PublishProductRequest { allow_breaking: true, reason: Some("moved".into()), ..publish }
            .validate()
            .is_ok());
        let search = RegistrySearchRequest { q: Some("x".repeat(201)), ..Default::default() };
        assert!(search.validate().is_err());
        assert!(RegistrySearchRequest { q: Some("' OR 1=1 --".into()), ..Default::default() }.validate().is_ok());
        let rows = MaskedRowsRequest {
            product_id: "customer360".into(),
            profile: "analytics".into(),
            table: Some("orders\n".into()),
            side: "masked".into(),
            columns: None,
            limit: 10,
        };
        assert!(rows.validate().is_err(), "control characters in a table name");
    }

    #[test]
    fn typescript_bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let want = typescript_bindings();
        if std::env::var_os("STEWARD_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "ui/src/bindings.ts is stale: run `make bindings` and commit the result");
    }
}
