//! The `steward.yaml` manifest: parsing, validation with precise paths, and serialisation.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{is_contained_relative, WorkspaceError};

/// Manifest format version this build reads and writes.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceManifest {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}

/// What kind of system a source is. File formats are detected from the content as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Csv => "csv",
            SourceKind::Parquet => "parquet",
            SourceKind::Arrow => "arrow",
            SourceKind::Ndjson => "ndjson",
            SourceKind::Excel => "excel",
            SourceKind::Sqlite => "sqlite",
            SourceKind::Postgres => "postgres",
        }
    }
}

/// One entry of the steward's source list. Holds no secret: unknown fields (say, `password`)
/// are refused rather than silently kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Stable id used by product definitions (`[a-z0-9_-]`, starting with a letter or digit).
    pub id: String,
    /// Human name shown in the app.
    pub name: String,
    pub kind: SourceKind,
    /// File path, relative to the workspace root (or absolute); empty for database servers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// How to reach a database server; its password lives in the OS keychain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
    /// Sheet of a workbook, or table/view of a SQLite database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// 1-based sheet row holding the column names, when it is not the first non-empty row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u32>,
    /// The system of record this source comes from (CRM, billing…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The steward's decisions on sensitive-data suggestions, per column. Masking rules attached
    /// to a tag cover every column where that tag is accepted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classifications: BTreeMap<String, ColumnTags>,
    /// Text columns the steward keeps as text, though every value reads as an ISO-8601 date
    /// (Steward otherwise reads such columns of SQLite, Excel and JSON lines as dates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep_text: Vec<String>,
}

/// A database server connection. No secret: the password lives in the OS keychain under the
/// entry derived from user, host, port and database (`postgres/<user>@<host>:<port>/<database>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// The keychain entry, as earlier versions wrote it. Informative only: Steward derives the
    /// entry from the login and refuses a source whose `secret` names any other entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// TLS use, as libpq's `sslmode`; `verify-full` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sslmode: Option<SslMode>,
    /// PEM file of the CA(s) to trust for this server instead of the public ones, relative to
    /// the workspace root or absolute (libpq's `sslrootcert`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sslrootcert: Option<String>,
}

/// How a database connection uses TLS, named as libpq names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Accepted and rejected classification tags of one column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTags {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
}

impl WorkspaceManifest {
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Self, WorkspaceError> {
        let manifest: WorkspaceManifest = serde_norway::from_str(text).map_err(|e| WorkspaceError::Invalid {
            path: path.to_path_buf(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        manifest.validate(path)?;
        Ok(manifest)
    }

    pub(crate) fn validate(&self, path: &Path) -> Result<(), WorkspaceError> {
        let invalid = |message: String| WorkspaceError::Invalid { path: path.to_path_buf(), line: None, message };
        if self.version > MANIFEST_VERSION {
            return Err(invalid(format!(
                "version {} is newer than this Steward understands (up to {MANIFEST_VERSION}); update Steward",
                self.version
            )));
        }
        if self.version == 0 {
            return Err(invalid("version: must be 1 or more".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            if !crate::is_valid_id(&s.id) {
                return Err(invalid(format!(
                    "sources[{i}].id: `{}` must be 1-64 characters of a-z, 0-9, `_` or `-`, starting with a letter or digit",
                    s.id
                )));
            }
            if !seen.insert(s.id.as_str()) {
                return Err(invalid(format!("sources[{i}].id: duplicate id `{}`", s.id)));
            }
            if s.name.trim().is_empty() {
                return Err(invalid(format!("sources[{i}].name: must not be empty")));
            }
            if s.kind == SourceKind::Postgres {
                let Some(c) = &s.connection else {
                    return Err(invalid(format!(
                        "sources[{i}].connection: a postgres source needs host, port, database and user"
                    )));
                };
                if c.host.trim().is_empty() || c.database.trim().is_empty() || c.user.trim().is_empty() || c.port == 0 {
                    return Err(invalid(format!(
                        "sources[{i}].connection: host, port, database and user must all be set"
                    )));
                }
                if let Some(root) = &c.sslrootcert {
                    let p = Path::new(root);
                    if root.is_empty() || (!p.is_absolute() && !is_contained_relative(p)) {
                        return Err(invalid(format!(
                            "sources[{i}].connection.sslrootcert: `{root}` leaves the workspace folder; use a path inside it, or an absolute path"
                        )));
                    }
                }
                continue;
            }
            if s.connection.is_some() {
                return Err(invalid(format!("sources[{i}].connection: only database sources have a connection")));
            }
            let p = Path::new(&s.path);
            if s.path.is_empty() || (!p.is_absolute() && !is_contained_relative(p)) {
                return Err(invalid(format!(
                    "sources[{i}].path: `{}` leaves the workspace folder; use a path inside it, or an absolute path",
                    s.path
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn to_yaml(&self) -> String {
        let body = serde_norway::to_string(self).unwrap_or_else(|e| {
            // Serialising plain strings and enums cannot fail; keep the file valid regardless.
            tracing::error!(error = %e, "could not serialise workspace manifest");
            String::new()
        });
        format!("# Steward workspace: the steward's list of sources (no secrets here).\n{body}")
    }
}
