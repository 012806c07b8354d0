//! # steward-sources
//!
//! Owns reading the steward's sources with Polars: recognising a file's format, inspecting it
//! (columns, inferred types, row count) and reading preview rows, which leave this crate as a
//! `DataFrame` or as Arrow IPC bytes for the desktop grid.
//!
//! It must not know about workspaces, the desktop shell or IPC: callers hand it a path and get
//! typed results or a [`SourceError`] that names the file.

mod arrow_ipc;
mod error;
mod inspect;

pub use arrow_ipc::to_arrow_ipc;
pub use error::SourceError;
pub use inspect::{inspect, preview, ColumnInfo, FileFormat, Inspection, DEFAULT_PREVIEW_ROWS, MAX_PREVIEW_ROWS};

/// Re-exported so callers can hold previews without naming Polars' version themselves.
pub use polars::prelude::DataFrame;

pub type Result<T, E = SourceError> = std::result::Result<T, E>;
