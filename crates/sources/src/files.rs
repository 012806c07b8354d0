//! Single-table binary and JSON files: Parquet, Arrow IPC (file and stream), NDJSON.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::SourceError;

fn open(path: &Path) -> Result<std::fs::File, SourceError> {
    std::fs::File::open(path).map_err(|e| SourceError::io(path, e))
}

pub(crate) fn damaged(path: &Path, what: &str, e: PolarsError) -> SourceError {
    SourceError::corrupt(
        path,
        format!("the {what} file is damaged or truncated: {}", steward_display::without_plan(&e.to_string())),
    )
}

/// Why Steward cannot read a column of this Arrow type exactly, if it cannot: refused with the
/// column's name rather than read as nulls, or failing the whole file deep inside the reader.
fn unreadable(dtype: &ArrowDataType) -> Option<String> {
    match dtype {
        ArrowDataType::Time32(_) => {
            Some("is a 32-bit time (TIME in milliseconds), which Steward cannot read exactly yet; write it as a 64-bit time (microseconds)".into())
        }
        ArrowDataType::Timestamp(_, Some(tz)) if tz.starts_with(['+', '-']) || tz.parse::<i64>().is_ok() => Some(format!(
            "has the fixed offset `{tz}` as its time zone, which Steward cannot read yet; store it in UTC or with a named zone (for example Asia/Kolkata)"
        )),
        ArrowDataType::Decimal256(p, _) => {
            Some(format!("is a 256-bit decimal ({p} digits); Steward reads decimals of up to 38 digits"))
        }
        ArrowDataType::Interval(_) => Some("is an interval, which Steward cannot read yet; store it as a duration".into()),
        ArrowDataType::List(f) | ArrowDataType::LargeList(f) | ArrowDataType::FixedSizeList(f, _) => unreadable(f.dtype()),
        ArrowDataType::Struct(fields) => fields.iter().find_map(|f| unreadable(f.dtype())),
        _ => None,
    }
}

/// Refuses a file holding a column Steward cannot read exactly, naming the column.
pub(crate) fn check_schema(path: &Path, schema: &ArrowSchema) -> Result<(), SourceError> {
    for (name, field) in schema.iter() {
        if let Some(why) = unreadable(field.dtype()) {
            return Err(SourceError::Read { path: path.to_path_buf(), message: format!("column `{name}` {why}") });
        }
    }
    Ok(())
}

pub(crate) fn parquet_rows_and_schema(path: &Path) -> Result<(u64, Schema), SourceError> {
    let mut reader = ParquetReader::new(open(path)?);
    let schema = reader.schema().map_err(|e| damaged(path, "Parquet", e))?;
    check_schema(path, schema.as_ref())?;
    let rows = reader.num_rows().map_err(|e| damaged(path, "Parquet", e))?;
    Ok((rows as u64, Schema::from_arrow_schema(schema.as_ref())))
}

pub(crate) fn parquet(path: &Path, limit: Option<usize>) -> Result<DataFrame, SourceError> {
    let mut r = ParquetReader::new(open(path)?);
    check_schema(path, r.schema().map_err(|e| damaged(path, "Parquet", e))?.as_ref())?;
    if let Some(n) = limit {
        r = r.with_slice(Some((0, n)));
    }
    r.finish().map_err(|e| damaged(path, "Parquet", e))
}

/// Rows `offset .. offset + limit` of a Parquet file: row groups before them are not decoded.
pub(crate) fn parquet_slice(path: &Path, offset: usize, limit: usize) -> Result<DataFrame, SourceError> {
    let mut r = ParquetReader::new(open(path)?);
    check_schema(path, r.schema().map_err(|e| damaged(path, "Parquet", e))?.as_ref())?;
    r.with_slice(Some((offset, limit))).finish().map_err(|e| damaged(path, "Parquet", e))
}

/// Checks the columns of an Arrow IPC file (file format) before a plan scans it.
pub(crate) fn check_arrow_file(path: &Path) -> Result<(), SourceError> {
    let schema = IpcReader::new(open(path)?).schema().map_err(|e| damaged(path, "Arrow IPC", e))?;
    check_schema(path, schema.as_ref())
}

/// Whether an Arrow IPC file is in the file format (`ARROW1` magic), not the stream format.
pub(crate) fn is_arrow_file(path: &Path) -> Result<bool, SourceError> {
    let mut head = [0u8; 6];
    std::io::Read::read_exact(&mut open(path)?, &mut head).map_err(|e| SourceError::io(path, e))?;
    Ok(&head == b"ARROW1")
}

pub(crate) fn arrow(path: &Path, limit: Option<usize>) -> Result<DataFrame, SourceError> {
    let mut head = [0u8; 6];
    std::io::Read::read_exact(&mut open(path)?, &mut head).map_err(|e| SourceError::io(path, e))?;
    let df = if &head == b"ARROW1" {
        let mut r = IpcReader::new(open(path)?);
        check_schema(path, r.schema().map_err(|e| damaged(path, "Arrow IPC", e))?.as_ref())?;
        r.with_n_rows(limit).finish().map_err(|e| damaged(path, "Arrow IPC", e))?
    } else {
        let mut r = IpcStreamReader::new(open(path)?);
        check_schema(path, &r.arrow_schema().map_err(|e| damaged(path, "Arrow IPC stream", e))?)?;
        let df = r.finish().map_err(|e| damaged(path, "Arrow IPC stream", e))?;
        match limit {
            Some(n) => df.head(Some(n)),
            None => df,
        }
    };
    Ok(df)
}

/// Reads newline-delimited JSON; a line that is not a JSON object is reported by number.
pub(crate) fn ndjson(path: &Path, limit: Option<usize>) -> Result<(DataFrame, u64), SourceError> {
    let bytes = std::fs::read(path).map_err(|e| SourceError::io(path, e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut total = 0u64;
    let mut end = bytes.len();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => {
                return Err(SourceError::Malformed {
                    path: path.to_path_buf(),
                    line: i as u64 + 1,
                    message: "expected a JSON object per line".into(),
                })
            }
            Err(e) => {
                return Err(SourceError::Malformed {
                    path: path.to_path_buf(),
                    line: i as u64 + 1,
                    message: e.to_string(),
                })
            }
        }
        total += 1;
        if Some(total as usize) == limit {
            let offset = line.as_ptr() as usize - bytes.as_ptr() as usize + line.len();
            end = end.min(offset);
        }
    }
    let df = JsonReader::new(Cursor::new(bytes[..end].to_vec()))
        .with_json_format(JsonFormat::JsonLines)
        .finish()
        .map_err(|e| SourceError::read(path, e))?;
    Ok((df, total))
}
