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

    /// The UI's bindings must match the Rust types. Run `make bindings` to regenerate.
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
