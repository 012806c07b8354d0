//! Typing columns of loosely typed cells (spreadsheets, SQLite) the way a steward expects:
//! whole numbers as integers, dates as dates, text that is all ISO dates as dates, and anything
//! mixed as text — never a silent loss of values.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Bytes(Vec<u8>),
}

impl Cell {
    fn as_text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(f.to_string()),
            Cell::Bool(b) => Some(b.to_string()),
            Cell::Text(s) => Some(s.clone()),
            Cell::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Cell::DateTime(t) => Some(t.format("%Y-%m-%d %H:%M:%S").to_string()),
            Cell::Bytes(b) => steward_display::cell_text(&AnyValue::Binary(b)),
        }
    }
}

pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    (s.len() == 10).then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

/// `2002-08-14 00:00:00`, `2007-01-01T00:00:00.5`, and the same in UTC with a `Z`.
pub(crate) fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    if s.len() < 19 {
        return None;
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// One column from cells: typed, or as text when the steward keeps it as text (`keep_text`).
pub(crate) fn column_kept(name: &str, cells: &[Cell], keep_text: &[String]) -> PolarsResult<Column> {
    if keep_text.iter().any(|k| k == name) && cells.iter().all(|c| matches!(c, Cell::Null | Cell::Text(_))) {
        let v: Vec<Option<String>> = cells.iter().map(Cell::as_text).collect();
        return Ok(Series::new(name.into(), v).into());
    }
    column(name, cells)
}

/// Builds one typed column from cells.
pub(crate) fn column(name: &str, cells: &[Cell]) -> PolarsResult<Column> {
    let name: PlSmallStr = name.into();
    let present = || cells.iter().filter(|c| **c != Cell::Null);
    let all = |f: fn(&Cell) -> bool| present().all(f);
    if present().next().is_none() {
        return Ok(Series::new_null(name, cells.len()).cast(&DataType::String)?.into());
    }
    if all(|c| matches!(c, Cell::Bytes(_))) {
        let v: Vec<Option<&[u8]>> =
            cells.iter().map(|c| if let Cell::Bytes(b) = c { Some(b.as_slice()) } else { None }).collect();
        return Ok(Series::new(name, v).into());
    }
    if all(|c| matches!(c, Cell::Int(_)) || matches!(c, Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15)) {
        let v: Vec<Option<i64>> = cells
            .iter()
            .map(|c| match c {
                Cell::Int(i) => Some(*i),
                Cell::Float(f) => Some(*f as i64),
                _ => None,
            })
            .collect();
        return Ok(Series::new(name, v).into());
    }
    if all(|c| matches!(c, Cell::Int(_) | Cell::Float(_))) {
        let v: Vec<Option<f64>> = cells
            .iter()
            .map(|c| match c {
                Cell::Int(i) => Some(*i as f64),
                Cell::Float(f) => Some(*f),
                _ => None,
            })
            .collect();
        return Ok(Series::new(name, v).into());
    }
    if all(|c| matches!(c, Cell::Bool(_))) {
        let v: Vec<Option<bool>> = cells.iter().map(|c| if let Cell::Bool(b) = c { Some(*b) } else { None }).collect();
        return Ok(Series::new(name, v).into());
    }
    let as_date = |c: &Cell| match c {
        Cell::Date(d) => Some(*d),
        Cell::DateTime(t) if t.time() == chrono::NaiveTime::MIN => Some(t.date()),
        Cell::Text(s) => parse_date(s),
        _ => None,
    };
    if present().all(|c| as_date(c).is_some()) {
        let v: Vec<Option<i32>> = cells.iter().map(|c| as_date(c).map(|d| (d - EPOCH).num_days() as i32)).collect();
        return Ok(Series::new(name, v).cast(&DataType::Date)?.into());
    }
    let as_dt = |c: &Cell| match c {
        Cell::Date(d) => d.and_hms_opt(0, 0, 0),
        Cell::DateTime(t) => Some(*t),
        Cell::Text(s) => parse_datetime(s).or_else(|| parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0))),
        _ => None,
    };
    if present().all(|c| as_dt(c).is_some()) {
        let v: Vec<Option<i64>> = cells.iter().map(|c| as_dt(c).map(|t| t.and_utc().timestamp_millis())).collect();
        return Ok(Series::new(name, v).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?.into());
    }
    let v: Vec<Option<String>> = cells.iter().map(Cell::as_text).collect();
    Ok(Series::new(name, v).into())
}

/// A declared SQL type that is an exact decimal: `numeric(p,s)` / `decimal(p,s)` → its precision
/// and scale (`Some(Some(..))`); plain `numeric` / `decimal` → `Some(None)`; anything else `None`.
pub(crate) fn declared_decimal(decl: &str) -> Option<Option<(usize, usize)>> {
    let t = decl.trim().to_ascii_lowercase();
    let rest = t.strip_prefix("numeric").or_else(|| t.strip_prefix("decimal"))?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(None);
    }
    let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'))?;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<usize>().ok());
    let p = parts.next().flatten()?;
    let s = parts.next().flatten().unwrap_or(0);
    Some(((1..=38).contains(&p) && s <= p).then_some((p, s)))
}

/// The exact decimal text of a cell, if it has one.
fn decimal_text(c: &Cell) -> Option<Option<String>> {
    let plain = |s: &str| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && digits.matches('.').count() <= 1
    };
    match c {
        Cell::Null => Some(None),
        Cell::Int(i) => Some(Some(i.to_string())),
        // The shortest text that reads back as the same float; exponents are not decimals.
        Cell::Float(f) => Some(format!("{f:?}")).filter(|t| plain(t)).map(Some),
        Cell::Text(t) => Some(t.trim().to_string()).filter(|t| plain(t)).map(Some),
        _ => None,
    }
}

/// A column declared as an exact decimal (`numeric(15,2)`, as databases keep money): a decimal
/// at the declared precision and scale — or, for a plain `numeric`, 38 digits at the largest
/// scale its values use — when every value is one exactly; otherwise typed as usual, never
/// rounded.
pub(crate) fn decimal_column(name: &str, declared: Option<(usize, usize)>, cells: &[Cell]) -> PolarsResult<Column> {
    let texts: Option<Vec<Option<String>>> = cells.iter().map(decimal_text).collect();
    let Some(texts) = texts else { return column(name, cells) };
    // Digits after the point as written (a plain numeric keeps its values' own scale), and
    // those that matter (trailing zeros fit any scale).
    let frac = |t: &str| t.split_once('.').map_or(0, |(_, f)| f.len());
    let needed = |t: &str| t.split_once('.').map_or(0, |(_, f)| f.trim_end_matches('0').len());
    let widest = texts.iter().flatten().map(|t| needed(t)).max().unwrap_or(0);
    let (precision, scale) = declared.unwrap_or((38, texts.iter().flatten().map(|t| frac(t)).max().unwrap_or(0)));
    if widest > scale {
        tracing::info!(column = name, scale, "values finer than the declared decimal scale; typed as usual");
        return column(name, cells);
    }
    match Series::new(name.into(), &texts).strict_cast(&DataType::Decimal(precision, scale)) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            tracing::info!(column = name, error = %e, "values no decimal holds exactly; typed as usual");
            column(name, cells)
        }
    }
}

/// Column names from header cells: blanks become `column_N`, repeats get `_2`, `_3`…
pub(crate) fn header_names(cells: &[Cell], width: usize) -> Vec<String> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    (0..width)
        .map(|i| {
            let base = cells.get(i).and_then(Cell::as_text).map(|s| s.trim().to_string()).unwrap_or_default();
            let base = if base.is_empty() { format!("column_{}", i + 1) } else { base };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}_{n}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dtype(cells: &[Cell]) -> DataType {
        column("c", cells).unwrap().dtype().clone()
    }

    #[test]
    fn types_follow_the_values() {
        use Cell::*;
        assert_eq!(dtype(&[Float(1.0), Int(2), Null]), DataType::Int64);
        assert_eq!(dtype(&[Float(1.5), Int(2)]), DataType::Float64);
        assert_eq!(dtype(&[Bool(true), Null]), DataType::Boolean);
        assert_eq!(dtype(&[Text("2024-01-02".into()), Null]), DataType::Date);
        assert_eq!(dtype(&[Text("2024-01-02 10:00:00".into())]), DataType::Datetime(TimeUnit::Milliseconds, None));
        assert_eq!(dtype(&[Int(1), Text("x".into())]), DataType::String);
        assert_eq!(dtype(&[Null, Null]), DataType::String);
        let mixed = column("c", &[Int(1), Text("x".into())]).unwrap();
        assert_eq!(mixed.get(0).unwrap().get_str(), Some("1"), "numbers in a text column keep their value");
    }

    #[test]
    fn header_names_fill_blanks_and_repeats() {
        use Cell::*;
        assert_eq!(
            header_names(&[Text("id".into()), Null, Text("id".into())], 4),
            ["id", "column_2", "id_2", "column_4"]
        );
    }
}
