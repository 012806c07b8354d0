//! Recognising a file's format from its first bytes, with the extension as a hint.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::SourceError;

/// File formats Steward reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
    /// Arrow IPC file (Feather v2) or stream.
    Arrow,
    Ndjson,
    Excel,
    Sqlite,
    /// A PostgreSQL table (never detected from a file).
    Postgres,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Arrow => "arrow",
            FileFormat::Ndjson => "ndjson",
            FileFormat::Excel => "excel",
            FileFormat::Sqlite => "sqlite",
            FileFormat::Postgres => "postgres",
        }
    }

    /// Whether the file holds several tables (sheets, database tables) to choose from.
    pub fn has_tables(self) -> bool {
        matches!(self, FileFormat::Excel | FileFormat::Sqlite | FileFormat::Postgres)
    }

    /// Recognises the format from the file's first bytes and its extension. Content wins: a
    /// file named `.csv` that holds a zip archive is refused, not misread.
    pub fn detect(path: &Path) -> Result<FileFormat, SourceError> {
        let meta = std::fs::metadata(path).map_err(|e| SourceError::io(path, e))?;
        if meta.is_dir() {
            return Err(SourceError::Unsupported {
                path: path.to_path_buf(),
                reason: "is a folder, not a file".into(),
            });
        }
        if meta.len() == 0 {
            return Err(SourceError::Empty { path: path.to_path_buf() });
        }
        let mut head = vec![0u8; 4096];
        let n = std::fs::File::open(path)
            .and_then(|mut f| read_up_to(&mut f, &mut head))
            .map_err(|e| SourceError::io(path, e))?;
        head.truncate(n);
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        detect_bytes(path, &head, &ext)
    }
}

fn read_up_to(f: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// True when `head` looks like text (no NUL bytes, few control characters).
pub(crate) fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return true; // UTF-16 with a byte-order mark
    }
    let control = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    !head.contains(&0) && control * 100 <= head.len().max(1)
}

fn detect_bytes(path: &Path, head: &[u8], ext: &str) -> Result<FileFormat, SourceError> {
    let unsupported = |reason: String| Err(SourceError::Unsupported { path: path.to_path_buf(), reason });
    let is_zip = head.starts_with(b"PK\x03\x04");
    let is_cfb = head.starts_with(&CFB);
    let found = if head.starts_with(b"PAR1") {
        Some(FileFormat::Parquet)
    } else if head.starts_with(b"ARROW1") || head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) {
        Some(FileFormat::Arrow)
    } else if head.starts_with(b"SQLite format 3\0") {
        Some(FileFormat::Sqlite)
    } else if is_zip && matches!(ext, "xlsx" | "xlsm" | "xlsb" | "ods" | "xlam") {
        Some(FileFormat::Excel)
    } else if is_cfb {
        // Legacy .xls, or an encrypted OOXML workbook (a CFB container holding EncryptedPackage).
        let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
        if contains(head, &utf16("EncryptedPackage")) || contains(head, &utf16("EncryptionInfo")) {
            return Err(SourceError::Encrypted { path: path.to_path_buf() });
        }
        if matches!(ext, "xlsx" | "xlsm") {
            return Err(SourceError::Encrypted { path: path.to_path_buf() });
        }
        Some(FileFormat::Excel)
    } else {
        None
    };
    match (found, ext) {
        (Some(f), _) => {
            let expected = match ext {
                "parquet" | "pq" => Some(FileFormat::Parquet),
                "arrow" | "feather" | "ipc" | "arrows" => Some(FileFormat::Arrow),
                "sqlite" | "sqlite3" | "db" => Some(FileFormat::Sqlite),
                "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Some(FileFormat::Excel),
                "csv" | "tsv" | "txt" | "ndjson" | "jsonl" | "json" => Some(FileFormat::Csv),
                _ => None,
            };
            match expected {
                Some(e) if e != f && !(e == FileFormat::Csv && f == FileFormat::Csv) => {
                    unsupported(format!("named .{ext} but holds a {} file", describe(f)))
                }
                _ => Ok(f),
            }
        }
        (None, "parquet" | "pq") => unsupported("named .parquet but is not a Parquet file (no PAR1 magic)".into()),
        (None, "arrow" | "feather" | "ipc" | "arrows") => {
            unsupported(format!("named .{ext} but is not an Arrow IPC file (no ARROW1 magic)"))
        }
        (None, "sqlite" | "sqlite3" | "db") => {
            unsupported("not a SQLite database (no `SQLite format 3` header)".into())
        }
        (None, "xlsx" | "xlsm" | "xlsb" | "ods") => {
            Err(SourceError::corrupt(path, format!("not a valid .{ext} workbook (it is not a zip archive)")))
        }
        (None, "xls") => Err(SourceError::corrupt(path, "not a valid .xls workbook")),
        (None, _) if !looks_like_text(head) => {
            let odd_nuls = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
            if head.len() >= 8 && odd_nuls * 10 >= head.len() / 2 * 9 {
                unsupported("looks like UTF-16 text without a byte-order mark; re-save it as UTF-8".into())
            } else if is_zip {
                unsupported("is a zip archive, not a table; unzip it first".into())
            } else {
                unsupported("holds binary data that Steward does not recognise".into())
            }
        }
        (None, "ndjson" | "jsonl") => Ok(FileFormat::Ndjson),
        (None, "json") if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Ok(FileFormat::Ndjson),
        (None, "json") => {
            unsupported("holds a JSON document; Steward reads newline-delimited JSON (one object per line)".into())
        }
        (None, _) => Ok(FileFormat::Csv),
    }
}

fn describe(f: FileFormat) -> &'static str {
    match f {
        FileFormat::Csv => "text",
        FileFormat::Parquet => "Parquet",
        FileFormat::Arrow => "Arrow IPC",
        FileFormat::Ndjson => "JSON",
        FileFormat::Excel => "spreadsheet",
        FileFormat::Sqlite => "SQLite",
        FileFormat::Postgres => "PostgreSQL",
    }
}
