//! # steward-sources
//!
//! Owns reading the steward's sources with Polars: recognising a file's format from its bytes,
//! listing the tables inside it (spreadsheet sheets, SQLite tables and views), inspecting one
//! (columns, inferred types, exact row count, CSV dialect) and reading rows, which leave this
//! crate as a `DataFrame` or as Arrow IPC bytes for the desktop grid.
//!
//! It must not know about workspaces, the desktop shell or IPC: callers hand it a [`Location`]
//! and get typed results or a [`SourceError`] that names the file, and the line, sheet or table.

mod arrow_ipc;
mod cells;
mod csv;
pub mod dates;
mod error;
mod excel;
mod files;
mod format;
pub mod pg;
mod sqlite;

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

pub use arrow_ipc::{to_arrow_ipc, TYPES_METADATA_KEY};
pub use csv::{CsvDialect, CsvOptions};
pub use error::SourceError;
pub use format::FileFormat;
pub use steward_display as display;

/// Re-exported so callers can hold frames without naming Polars' version themselves.
pub use polars::prelude::DataFrame;

pub type Result<T, E = SourceError> = std::result::Result<T, E>;

/// Rows shown by default in a preview.
pub const DEFAULT_PREVIEW_ROWS: usize = 200;
/// Upper bound on rows a single preview request may ask for.
pub const MAX_PREVIEW_ROWS: usize = 100_000;

/// Which rows to read: a file and, for files holding several tables, which one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// Sheet of a workbook, or table/view of a SQLite database.
    pub table: Option<String>,
    /// 1-based row of a sheet holding the column names (default: the first non-empty row).
    pub header_row: Option<u32>,
    pub csv: CsvOptions,
    /// Text columns kept as text though their values read as ISO-8601 dates (see [`dates`]).
    pub keep_text: Vec<String>,
}

impl Location {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location { path: path.into(), ..Default::default() }
    }

    pub fn with_table(mut self, table: Option<String>) -> Self {
        self.table = table;
        self
    }
}

/// A table inside a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableInfo {
    pub name: String,
    /// `table`, `view` or `sheet`.
    pub kind: String,
}

/// One column as inferred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnInfo {
    pub name: String,
    /// Polars' name for the type (`str`, `i64`, `f64`, `date`…).
    pub dtype: String,
}

/// What `steward sources inspect` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SourceInspection"))]
pub struct Inspection {
    pub path: PathBuf,
    pub format: FileFormat,
    /// The table, sheet or view inspected, for files that hold several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Every table in the file (empty for single-table formats).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableInfo>,
    pub columns: Vec<ColumnInfo>,
    /// Exact number of data rows (a header row is not counted).
    pub row_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dialect: Option<CsvDialect>,
}

fn columns_of(schema: &Schema) -> Vec<ColumnInfo> {
    schema.iter().map(|(n, d)| ColumnInfo { name: n.to_string(), dtype: d.to_string() }).collect()
}

/// Lists the tables inside a file (sheets, SQLite tables and views); empty for single-table files.
pub fn list_tables(path: &Path) -> Result<Vec<TableInfo>> {
    match FileFormat::detect(path)? {
        FileFormat::Sqlite => sqlite::tables(path),
        FileFormat::Excel => {
            Ok(excel::sheet_names(path)?.into_iter().map(|name| TableInfo { name, kind: "sheet".into() }).collect())
        }
        _ => Ok(vec![]),
    }
}

fn not_a_file(path: &Path) -> SourceError {
    SourceError::Unsupported {
        path: path.to_path_buf(),
        reason: "a PostgreSQL table is read with `pg`, not as a file".into(),
    }
}

fn refuse_table(loc: &Location, format: FileFormat) -> Result<()> {
    match &loc.table {
        Some(t) if !format.has_tables() => Err(SourceError::Unsupported {
            path: loc.path.clone(),
            reason: format!("a {} file has one table; `{t}` cannot be chosen", format.as_str()),
        }),
        _ => Ok(()),
    }
}

/// A text file decoded to UTF-8, and its dialect.
fn decode_csv(loc: &Location) -> Result<(Vec<u8>, CsvDialect)> {
    let path = loc.path.as_path();
    let raw = std::fs::read(path).map_err(|e| SourceError::io(path, e))?;
    let decoded = csv::decode(path, &raw, true)?;
    if decoded.text.iter().all(u8::is_ascii_whitespace) {
        return Err(SourceError::Empty { path: path.to_path_buf() });
    }
    let dialect = csv::sniff(&decoded.text, &loc.csv, decoded.encoding);
    // UTF-8 input is handed on as read, without a second copy of the file.
    let text = match decoded.text {
        std::borrow::Cow::Owned(t) => t,
        std::borrow::Cow::Borrowed(b) => {
            let skip = b.as_ptr() as usize - raw.as_ptr() as usize;
            let mut raw = raw;
            raw.drain(..skip);
            raw
        }
    };
    Ok((text, dialect))
}

/// Parses a text file with Polars while, on another thread, a full record scan counts the rows
/// exactly and looks for ragged rows and unterminated quotes. The scan's findings win: they name
/// the line.
fn read_csv(loc: &Location, limit: Option<usize>) -> Result<(DataFrame, CsvDialect, csv::Scan)> {
    let path = loc.path.as_path();
    let (text, dialect) = decode_csv(loc)?;
    let allow = loc.csv.allow_ragged;
    let (scan, frame) = std::thread::scope(|s| {
        let scan = s.spawn(|| csv::scan_records(path, &text, &dialect, allow, true));
        let frame = csv::read_frame(path, &text, &dialect, allow, limit);
        let scan = scan.join().unwrap_or_else(|_| Err(SourceError::read(path, "the record scan stopped unexpectedly")));
        (scan, frame)
    });
    let scan = scan?;
    Ok((frame?, dialect, scan))
}

/// Inspects a source: columns with inferred types and the exact row count.
pub fn inspect(loc: &Location) -> Result<Inspection> {
    let path = loc.path.as_path();
    let format = FileFormat::detect(path)?;
    refuse_table(loc, format)?;
    let mut out = Inspection {
        path: path.to_path_buf(),
        format,
        table: None,
        tables: vec![],
        columns: vec![],
        row_count: 0,
        dialect: None,
    };
    match format {
        FileFormat::Csv => {
            let (df, dialect, scan) = read_csv(loc, Some(csv::INFER_ROWS))?;
            out.columns = columns_of(df.schema());
            out.row_count = scan.rows;
            out.dialect = Some(dialect);
        }
        FileFormat::Parquet => {
            let (rows, schema) = files::parquet_rows_and_schema(path)?;
            out.columns = columns_of(&schema);
            out.row_count = rows;
        }
        FileFormat::Arrow => {
            let df = files::arrow(path, None)?;
            out.columns = columns_of(df.schema());
            out.row_count = df.height() as u64;
        }
        FileFormat::Ndjson => {
            let (df, rows) = files::ndjson(path, Some(csv::INFER_ROWS))?;
            let df = dates::typed(df, &loc.keep_text);
            out.columns = columns_of(df.schema());
            out.row_count = rows;
        }
        FileFormat::Excel => {
            out.tables = list_tables(path)?;
            let sheet = excel::read(path, loc.table.as_deref(), loc.header_row, None, &loc.keep_text)?;
            out.table = Some(loc.table.clone().unwrap_or_else(|| out.tables[0].name.clone()));
            out.columns = columns_of(sheet.frame.schema());
            out.row_count = sheet.rows;
        }
        FileFormat::Sqlite => {
            out.tables = sqlite::tables(path)?;
            let table = sqlite::choose(path, loc.table.as_deref())?;
            let df = sqlite::read(path, &table, Some(csv::INFER_ROWS), &loc.keep_text)?;
            out.columns = columns_of(df.schema());
            out.row_count = sqlite::count(path, &table)?;
            out.table = Some(table);
        }
        FileFormat::Postgres => return Err(not_a_file(path)),
    }
    tracing::debug!(path = %path.display(), format = format.as_str(), rows = out.row_count, "inspected");
    Ok(out)
}

/// Reads the first `limit` rows (capped at [`MAX_PREVIEW_ROWS`]).
pub fn preview(loc: &Location, limit: usize) -> Result<DataFrame> {
    read(loc, Some(limit.min(MAX_PREVIEW_ROWS)))
}

/// Whether rows at any offset are read without the rows before them: Parquet and Arrow files
/// (their row groups and record batches are skipped) and SQLite tables. Other formats are read
/// whole to reach a later page, so callers keep them between pages.
pub fn pages_in_place(loc: &Location) -> Result<bool> {
    let path = loc.path.as_path();
    Ok(match FileFormat::detect(path)? {
        FileFormat::Parquet | FileFormat::Sqlite => true,
        FileFormat::Arrow => files::is_arrow_file(path)?,
        _ => false,
    })
}

/// Rows `offset .. offset + limit` of a source in its own order (`limit` capped at
/// [`MAX_PREVIEW_ROWS`]); fewer, or none, past its end.
pub fn page(loc: &Location, offset: usize, limit: usize) -> Result<DataFrame> {
    let limit = limit.min(MAX_PREVIEW_ROWS);
    if offset == 0 {
        return preview(loc, limit);
    }
    let path = loc.path.as_path();
    let format = FileFormat::detect(path)?;
    refuse_table(loc, format)?;
    match format {
        FileFormat::Parquet => files::parquet_slice(path, offset, limit),
        FileFormat::Sqlite => {
            let table = sqlite::choose(path, loc.table.as_deref())?;
            sqlite::read_page(path, &table, offset, limit, &loc.keep_text)
        }
        FileFormat::Arrow if files::is_arrow_file(path)? => scan(loc)?
            .slice(offset as i64, limit as IdxSize)
            .collect()
            .map_err(|e| files::damaged(path, "Arrow IPC", e)),
        _ => Ok(read(loc, None)?.slice(offset as i64, limit)),
    }
}

/// Reads every row of a source.
pub fn load(loc: &Location) -> Result<DataFrame> {
    read(loc, None)
}

/// A lazy scan of a source, for work that must not hold the whole source in memory (exports of
/// products larger than memory). Parquet and Arrow IPC files are scanned by Polars (filters and
/// column selections are pushed into the reader); other formats are read whole first.
pub fn scan(loc: &Location) -> Result<LazyFrame> {
    let path = loc.path.as_path();
    let format = FileFormat::detect(path)?;
    refuse_table(loc, format)?;
    let pl_path =
        || PlRefPath::try_from_path(path).map_err(|e| SourceError::io(path, std::io::Error::other(e.to_string())));
    match format {
        FileFormat::Parquet => {
            // Reading the footer first reports a damaged file by name, before any plan runs.
            files::parquet_rows_and_schema(path)?;
            LazyFrame::scan_parquet(pl_path()?, ScanArgsParquet::default())
                .map_err(|e| files::damaged(path, "Parquet", e))
        }
        FileFormat::Arrow if files::is_arrow_file(path)? => {
            files::check_arrow_file(path)?;
            LazyFrame::scan_ipc(pl_path()?, Default::default(), Default::default())
                .map_err(|e| files::damaged(path, "Arrow IPC", e))
        }
        _ => read(loc, None).map(DataFrame::lazy),
    }
}

fn read(loc: &Location, limit: Option<usize>) -> Result<DataFrame> {
    let path = loc.path.as_path();
    let format = FileFormat::detect(path)?;
    refuse_table(loc, format)?;
    match format {
        FileFormat::Csv => read_csv(loc, limit).map(|(df, _, _)| df),
        FileFormat::Parquet => files::parquet(path, limit),
        FileFormat::Arrow => files::arrow(path, limit),
        FileFormat::Ndjson => files::ndjson(path, limit).map(|(df, _)| dates::typed(df, &loc.keep_text)),
        FileFormat::Excel => {
            excel::read(path, loc.table.as_deref(), loc.header_row, limit, &loc.keep_text).map(|s| s.frame)
        }
        FileFormat::Sqlite => {
            let table = sqlite::choose(path, loc.table.as_deref())?;
            sqlite::read(path, &table, limit, &loc.keep_text)
        }
        FileFormat::Postgres => Err(not_a_file(path)),
    }
}

#[cfg(test)]
mod tests;
