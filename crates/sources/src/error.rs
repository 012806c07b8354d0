use std::path::PathBuf;

/// Errors reading a source. Every variant names the file it is about.
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
}

impl SourceError {
    /// Stable machine-readable code for the CLI's JSON output and IPC errors.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::NotFound { .. } => "source.not_found",
            SourceError::Unsupported { .. } => "source.unsupported",
            SourceError::Empty { .. } => "source.empty",
            SourceError::Read { .. } => "source.read",
            SourceError::Io { .. } => "source.io",
            SourceError::Encode { .. } => "source.encode",
        }
    }

    pub(crate) fn read(path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        SourceError::Read { path: path.to_path_buf(), message: err.to_string() }
    }
}
