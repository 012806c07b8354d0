//! ISO-8601 text read as dates, in JSON lines (SQLite and Excel cells get the same reading in
//! `cells`, CSV files from Polars' reader). A steward expects a birth date to be a date — profiled
//! as one, masked by date rules, compared as a date. A text column whose every value read is an
//! ISO-8601 date becomes a `date` column; one whose values are
//! dates and times (`2007-01-01T00:00:00Z`) a `datetime` column (milliseconds, as SQLite's declared datetimes).
//! A column holding anything else — one value that is not a date, an offset other than `Z` —
//! stays text, and so do the columns the steward keeps as text (`keep_text` in steward.yaml).
//! CSV files get the same from Polars' reader.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::cells::{parse_date as date, parse_datetime};

/// What the values of a column read as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Date,
    DateTime,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");

/// A date and time, to the minute at least (`2002-08-14 09:30`, `2007-01-01T00:00:00Z`).
fn date_time(v: &str) -> Option<chrono::NaiveDateTime> {
    parse_datetime(v).or_else(|| {
        let v = v.strip_suffix('Z').unwrap_or(v);
        ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"].iter().find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
    })
}

/// The kind every non-null value of `ca` reads as, if one does (`None` for no values).
fn kind_of(ca: &StringChunked) -> Option<Kind> {
    let mut kind = None;
    for v in ca.iter().flatten() {
        let v = v.trim();
        let k = if date(v).is_some() {
            Kind::Date
        } else if date_time(v).is_some() {
            Kind::DateTime
        } else {
            return None;
        };
        kind = Some(match (kind, k) {
            (Some(Kind::DateTime), _) | (_, Kind::DateTime) => Kind::DateTime,
            _ => Kind::Date,
        });
    }
    kind
}

fn column(ca: &StringChunked, kind: Kind) -> Column {
    let name = ca.name().clone();
    match kind {
        Kind::Date => Int32Chunked::from_iter_options(
            name,
            ca.iter().map(|v| v.and_then(|v| date(v.trim())).map(|d| (d - EPOCH).num_days() as i32)),
        )
        .into_date()
        .into_column(),
        Kind::DateTime => Int64Chunked::from_iter_options(
            name,
            ca.iter().map(|v| {
                v.and_then(|v| {
                    let v = v.trim();
                    date_time(v).or_else(|| date(v).and_then(|d| d.and_hms_opt(0, 0, 0)))
                })
                .map(|t| t.and_utc().timestamp_millis())
            }),
        )
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_column(),
    }
}

/// `df` with its ISO-8601 text columns read as dates, but for those in `keep_text`.
pub fn typed(mut df: DataFrame, keep_text: &[String]) -> DataFrame {
    let found: Vec<Column> = df
        .columns()
        .iter()
        .filter(|c| !keep_text.iter().any(|k| k == c.name().as_str()))
        .filter_map(|c| {
            let ca = c.str().ok()?;
            Some(column(ca, kind_of(ca)?))
        })
        .collect();
    for c in found {
        // The column exists and keeps its length: replacing it cannot fail.
        let _ = df.with_column(c);
    }
    df
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_text_becomes_dates_and_anything_else_stays_text() {
        let df = df!(
            "birthdate" => [Some("1962-02-18"), None, Some("1973-08-29")],
            "hiredate" => [Some("2002-08-14 00:00:00"), Some("2003-05-03T12:30:00Z"), Some("2004-01-01")],
            "note" => [Some("2002-08-14"), Some("soon"), None],
            "offset" => [Some("2002-08-14T00:00:00+02:00"), None, None],
            "kept" => [Some("2002-08-14"), None, None],
            "id" => [1i64, 2, 3]
        )
        .unwrap();
        let out = typed(df, &["kept".to_string()]);
        let types: Vec<String> = out.columns().iter().map(|c| c.dtype().to_string()).collect();
        assert_eq!(types, ["date", "datetime[ms]", "str", "str", "str", "i64"]);
        let b = out.column("birthdate").unwrap();
        assert_eq!(b.get(0).unwrap().to_string(), "1962-02-18");
        assert!(b.get(1).unwrap().is_null());
        let h = out.column("hiredate").unwrap();
        assert_eq!(h.get(1).unwrap().to_string(), "2003-05-03 12:30:00");
        assert_eq!(h.get(2).unwrap().to_string(), "2004-01-01 00:00:00");
    }
}
