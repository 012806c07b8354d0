//! Inspection and preview of file sources.

use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::SourceError;

/// Rows shown by default in a preview.
pub const DEFAULT_PREVIEW_ROWS: usize = 200;
/// Upper bound on rows a single preview request may ask for.
pub const MAX_PREVIEW_ROWS: usize = 100_000;
/// Rows read to infer CSV column types.
const INFER_ROWS: usize = 10_000;

/// File formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
        }
    }

    /// Recognises the format from the file's first bytes and its extension. Content wins: a
    /// file named `.csv` that starts with Parquet's magic is refused, not misread.
    pub fn detect(path: &Path) -> Result<FileFormat, SourceError> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound { path: path.to_path_buf() },
            _ => SourceError::Io { path: path.to_path_buf(), source: e },
        })?;
        if meta.is_dir() {
            return Err(SourceError::Unsupported {
                path: path.to_path_buf(),
                reason: "is a folder, not a file".into(),
            });
        }
        if meta.len() == 0 {
            return Err(SourceError::Empty { path: path.to_path_buf() });
        }
        let mut head = [0u8; 8];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|source| SourceError::Io { path: path.to_path_buf(), source })?;
        let head = &head[..n];
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        let looks_binary = head.starts_with(b"PAR1")
            || head.starts_with(b"PK\x03\x04")
            || head.starts_with(b"SQLite f")
            || head.starts_with(b"ARROW1")
            || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        match ext.as_str() {
            "parquet" | "pq" if head.starts_with(b"PAR1") => Ok(FileFormat::Parquet),
            "parquet" | "pq" => Err(SourceError::Unsupported {
                path: path.to_path_buf(),
                reason: "named .parquet but is not a Parquet file (no PAR1 magic)".into(),
            }),
            "csv" | "tsv" | "txt" if !looks_binary => Ok(FileFormat::Csv),
            "csv" | "tsv" | "txt" => Err(SourceError::Unsupported {
                path: path.to_path_buf(),
                reason: "named as text but holds a binary file".into(),
            }),
            _ if head.starts_with(b"PAR1") => Ok(FileFormat::Parquet),
            other => Err(SourceError::Unsupported {
                path: path.to_path_buf(),
                reason: format!("reading `.{other}` files is not supported yet (CSV and Parquet are)"),
            }),
        }
    }
}

/// One column as inferred by Polars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    /// Polars' name for the inferred type (`str`, `i64`, `f64`, `date`…).
    pub dtype: String,
}

/// What `steward sources inspect` reports for a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub path: PathBuf,
    pub format: FileFormat,
    pub columns: Vec<ColumnInfo>,
    /// Exact number of data rows (the CSV header is not counted).
    pub row_count: u64,
}

fn pl_path(path: &Path) -> Result<PlRefPath, SourceError> {
    PlRefPath::try_from_path(path).map_err(|e| SourceError::read(path, e))
}

fn csv_options(n_rows: Option<usize>) -> CsvReadOptions {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(INFER_ROWS))
        .with_n_rows(n_rows)
        .map_parse_options(|o| o.with_try_parse_dates(true))
}

fn schema_columns(schema: &Schema) -> Vec<ColumnInfo> {
    schema.iter().map(|(name, dtype)| ColumnInfo { name: name.to_string(), dtype: dtype.to_string() }).collect()
}

/// Inspects a file: columns with inferred types, and the exact row count.
pub fn inspect(path: &Path) -> Result<Inspection, SourceError> {
    let format = FileFormat::detect(path)?;
    let (columns, row_count) = match format {
        FileFormat::Csv => {
            let sample = csv_options(Some(INFER_ROWS))
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|r| r.finish())
                .map_err(|e| SourceError::read(path, e))?;
            let count = LazyCsvReader::new(pl_path(path)?)
                .with_has_header(true)
                .with_infer_schema_length(Some(INFER_ROWS))
                .finish()
                .and_then(|lf| lf.select([len()]).collect())
                .map_err(|e| SourceError::read(path, e))?;
            (schema_columns(sample.schema()), first_count(&count, path)?)
        }
        FileFormat::Parquet => {
            let file =
                std::fs::File::open(path).map_err(|source| SourceError::Io { path: path.to_path_buf(), source })?;
            let mut reader = ParquetReader::new(file);
            let schema = reader.schema().map_err(|e| SourceError::read(path, e))?;
            let rows = reader.num_rows().map_err(|e| SourceError::read(path, e))?;
            let schema = Schema::from_arrow_schema(schema.as_ref());
            (schema_columns(&schema), rows as u64)
        }
    };
    tracing::debug!(path = %path.display(), format = format.as_str(), rows = row_count, "inspected");
    Ok(Inspection { path: path.to_path_buf(), format, columns, row_count })
}

fn first_count(df: &DataFrame, path: &Path) -> Result<u64, SourceError> {
    let col = df.columns().first().ok_or_else(|| SourceError::read(path, "row count returned no column"))?;
    let v = col.get(0).map_err(|e| SourceError::read(path, e))?;
    v.extract::<u64>().ok_or_else(|| SourceError::read(path, format!("row count is not a number: {v}")))
}

/// Reads the first `limit` rows of a file (capped at [`MAX_PREVIEW_ROWS`]).
pub fn preview(path: &Path, limit: usize) -> Result<DataFrame, SourceError> {
    let limit = limit.min(MAX_PREVIEW_ROWS);
    match FileFormat::detect(path)? {
        FileFormat::Csv => csv_options(Some(limit))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| SourceError::read(path, e)),
        FileFormat::Parquet => {
            let file =
                std::fs::File::open(path).map_err(|source| SourceError::Io { path: path.to_path_buf(), source })?;
            ParquetReader::new(file).with_slice(Some((0, limit))).finish().map_err(|e| SourceError::read(path, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn inspects_csv_columns_types_and_exact_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "orders.csv",
            "order_id,customer_id,amount,ordered_on,note\n1,10,9.5,2024-01-03,first\n2,11,12.25,2024-02-29,\n3,10,1.0,2024-03-01,Zoë\n"
                .as_bytes(),
        );
        let i = inspect(&p).unwrap();
        assert_eq!(i.format, FileFormat::Csv);
        assert_eq!(i.row_count, 3);
        let got: Vec<(&str, &str)> = i.columns.iter().map(|c| (c.name.as_str(), c.dtype.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("order_id", "i64"),
                ("customer_id", "i64"),
                ("amount", "f64"),
                ("ordered_on", "date"),
                ("note", "str")
            ]
        );
    }

    #[test]
    fn preview_returns_first_rows_in_order_and_respects_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("id,name\n");
        for i in 0..50 {
            text.push_str(&format!("{i},n{i}\n"));
        }
        let p = write(dir.path(), "a.csv", text.as_bytes());
        let df = preview(&p, 5).unwrap();
        assert_eq!(df.height(), 5);
        let col = df.column("name").unwrap();
        let names: Vec<String> = (0..df.height()).map(|i| col.get(i).unwrap().get_str().unwrap().to_string()).collect();
        assert_eq!(names, vec!["n0", "n1", "n2", "n3", "n4"]);
    }

    #[test]
    fn parquet_round_trip_inspect_and_preview() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let mut df = df!("id" => [1i64, 2, 3], "email" => ["a@x.org", "b@y.org", "c@z.org"]).unwrap();
        ParquetWriter::new(std::fs::File::create(&p).unwrap()).finish(&mut df).unwrap();
        let i = inspect(&p).unwrap();
        assert_eq!(i.format, FileFormat::Parquet);
        assert_eq!(i.row_count, 3);
        assert_eq!(i.columns[1], ColumnInfo { name: "email".into(), dtype: "str".into() });
        assert_eq!(preview(&p, 2).unwrap().height(), 2);
    }

    #[test]
    fn bad_files_get_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.csv");
        let e = inspect(&missing).unwrap_err();
        assert_eq!(e.code(), "source.not_found");
        assert!(e.to_string().contains("missing.csv"));

        let empty = write(dir.path(), "empty.csv", b"");
        assert_eq!(inspect(&empty).unwrap_err().code(), "source.empty");

        let fake_parquet = write(dir.path(), "fake.parquet", b"id,name\n1,a\n");
        let e = inspect(&fake_parquet).unwrap_err();
        assert_eq!(e.code(), "source.unsupported");
        assert!(e.to_string().contains("fake.parquet"));

        let zip_as_csv = write(dir.path(), "book.csv", b"PK\x03\x04garbage");
        assert_eq!(preview(&zip_as_csv, 10).unwrap_err().code(), "source.unsupported");

        let truncated = write(dir.path(), "cut.parquet", b"PAR1\x00\x00\x00");
        let e = inspect(&truncated).unwrap_err();
        assert_eq!(e.code(), "source.read");
        assert!(e.to_string().contains("cut.parquet"), "{e}");
    }

    #[test]
    fn arrow_ipc_bytes_are_a_readable_arrow_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.csv", "id,name\n1,Åsa\n2,Björn\n".as_bytes());
        let mut df = preview(&p, 10).unwrap();
        let bytes = crate::to_arrow_ipc(&mut df, &p).unwrap();
        assert!(bytes.starts_with(b"ARROW1"));
        let back = IpcReader::new(std::io::Cursor::new(bytes)).finish().unwrap();
        assert!(back.equals(&df));
    }
}
