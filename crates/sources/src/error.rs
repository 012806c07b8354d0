use std::path::PathBuf;

/// Errors reading a source. Every variant names the file it is about, and the line, sheet or
/// table where that is known. Messages never carry credentials.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: file not found")]
    NotFound { path: PathBuf },
    #[error("{path}: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: cannot open: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("preview of {path} could not be encoded as Arrow IPC: {message}")]
    Encode { path: PathBuf, message: String },
    #[error("{path}: line {line} has {found} field{}, expected {expected}{}", if *.found == 1 { "" } else { "s" }, more_lines(.more))]
    Ragged { path: PathBuf, line: u64, expected: usize, found: usize, more: Vec<u64> },
    #[error("{path}: line {line}: {message}")]
    Malformed { path: PathBuf, line: u64, message: String },
    #[error("{path}: {message}")]
    Encoding { path: PathBuf, message: String },
    #[error("{path}: the workbook is password-protected (encrypted); remove the password in the spreadsheet app and save it again")]
    Encrypted { path: PathBuf },
    #[error("{path}: {what} `{name}` not found; it has: {}", available.join(", "))]
    NoSuchTable { path: PathBuf, what: &'static str, name: String, available: Vec<String> },
    #[error("{path}: {what} must be chosen; it has: {}", available.join(", "))]
    TableRequired { path: PathBuf, what: &'static str, available: Vec<String> },
    #[error("{path}: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("scan cancelled")]
    Cancelled,
    #[error("{target}: authentication failed: {message}")]
    Auth { target: String, message: String },
    #[error("{target}: cannot reach the server: {message}")]
    Unreachable { target: String, message: String },
}

steward_error::error_codes!(SourceError {
    Self::NotFound { .. } => "source.not_found",
    Self::Unsupported { .. } => "source.unsupported",
    Self::Empty { .. } => "source.empty",
    Self::Read { .. } => "source.read",
    Self::Io { .. } => "source.io",
    Self::Encode { .. } => "source.encode",
    Self::Ragged { .. } => "source.ragged",
    Self::Malformed { .. } => "source.malformed",
    Self::Encoding { .. } => "source.encoding",
    Self::Encrypted { .. } => "source.encrypted",
    Self::NoSuchTable { .. } => "source.no_such_table",
    Self::TableRequired { .. } => "source.table_required",
    Self::Corrupt { .. } => "source.corrupt",
    Self::Cancelled => "source.cancelled",
    Self::Auth { .. } => "source.auth",
    Self::Unreachable { .. } => "source.unreachable",
});

fn more_lines(more: &[u64]) -> String {
    if more.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = more.iter().take(5).map(u64::to_string).collect();
    let rest = more.len().saturating_sub(5);
    let tail = if rest > 0 { format!(" and {rest} more") } else { String::new() };
    format!(" (also ragged: lines {}{tail})", shown.join(", "))
}

impl SourceError {
    pub(crate) fn read(path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        SourceError::Read { path: path.to_path_buf(), message: err.to_string() }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        match source.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound { path: path.to_path_buf() },
            _ => SourceError::Io { path: path.to_path_buf(), source },
        }
    }

    pub(crate) fn corrupt(path: &std::path::Path, message: impl Into<String>) -> Self {
        SourceError::Corrupt { path: path.to_path_buf(), message: message.into() }
    }
}
