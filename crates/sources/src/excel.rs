//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) through calamine.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use polars::prelude::*;

use crate::cells::{self, Cell};
use crate::SourceError;

fn open(path: &Path) -> Result<calamine::Sheets<std::io::BufReader<std::fs::File>>, SourceError> {
    open_workbook_auto(path).map_err(|e| {
        let msg = e.to_string();
        if msg.to_ascii_lowercase().contains("password") || msg.to_ascii_lowercase().contains("encrypt") {
            SourceError::Encrypted { path: path.to_path_buf() }
        } else {
            SourceError::corrupt(path, format!("the workbook is damaged or not a spreadsheet: {msg}"))
        }
    })
}

pub(crate) fn sheet_names(path: &Path) -> Result<Vec<String>, SourceError> {
    Ok(open(path)?.sheet_names())
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Null,
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::String(s) if s.trim().is_empty() => Cell::Null,
        Data::String(s) => Cell::Text(s.clone()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => Cell::Date(t.date()),
            Some(t) => Cell::DateTime(t),
            None => Cell::Float(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// A sheet read into a frame, and its total number of data rows.
pub(crate) struct Sheet {
    pub frame: DataFrame,
    pub rows: u64,
}

/// Reads `sheet` (default: the first), taking `header_row` (1-based sheet row; default: the first
/// non-empty row) as column names. `limit` caps the rows turned into columns.
pub(crate) fn read(
    path: &Path,
    sheet: Option<&str>,
    header_row: Option<u32>,
    limit: Option<usize>,
    keep: &[String],
) -> Result<Sheet, SourceError> {
    let mut wb = open(path)?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| SourceError::NoSuchTable {
            path: path.to_path_buf(),
            what: "sheet",
            name: s.to_string(),
            available: names.clone(),
        })?,
        None => names.first().cloned().ok_or_else(|| SourceError::corrupt(path, "the workbook has no sheets"))?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| SourceError::corrupt(path, format!("sheet `{name}`: cannot be read: {e}")))?;
    let Some((start_row, _)) = range.start() else {
        return Err(SourceError::Read { path: path.to_path_buf(), message: format!("sheet `{name}` is empty") });
    };
    let width = range.width();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header_idx = match header_row {
        Some(r)
            if r == 0
                || (r as usize) < start_row as usize + 1
                || (r as usize - 1 - start_row as usize) >= rows.len() =>
        {
            return Err(SourceError::Read {
                path: path.to_path_buf(),
                message: format!(
                    "sheet `{name}`: header row {r} is outside the sheet's rows {}..={}",
                    start_row + 1,
                    start_row as usize + rows.len()
                ),
            })
        }
        Some(r) => r as usize - 1 - start_row as usize,
        None => rows.iter().position(|r| r.iter().any(|c| !matches!(c, Data::Empty))).unwrap_or(0),
    };
    let header: Vec<Cell> = rows[header_idx].iter().map(cell).collect();
    let names = cells::header_names(&header, width);
    let mut data: Vec<&[Data]> = rows[header_idx + 1..].to_vec();
    while data.last().is_some_and(|r| r.iter().all(|c| matches!(c, Data::Empty))) {
        data.pop();
    }
    let total = data.len() as u64;
    let take = limit.unwrap_or(usize::MAX).min(data.len());
    let mut columns = Vec::with_capacity(width);
    for (i, col_name) in names.iter().enumerate() {
        let cells: Vec<Cell> = data[..take].iter().map(|r| r.get(i).map(cell).unwrap_or(Cell::Null)).collect();
        columns.push(cells::column_kept(col_name, &cells, keep).map_err(|e| SourceError::read(path, e))?);
    }
    let frame = DataFrame::new(take, columns).map_err(|e| SourceError::read(path, e))?;
    Ok(Sheet { frame, rows: total })
}
