//! # steward-profile
//!
//! Owns measuring data that is already loaded: per-column profiles (null share, distinct
//! count, min/max, top values, histograms for numbers and dates) and relationship discovery
//! between tables (join-key suggestions with inclusion, cardinality and orphan share).
//!
//! It works on Polars `DataFrame`s and must not open files, databases or workspaces: callers
//! load the rows (`steward-sources`) and hand them over. Long scans report progress through a
//! callback that can also cancel them.

mod keys;
mod names;
mod relations;

pub use keys::{needs_pairs, summarize, summarize_pairs, wanted_pairs, TableSummary};
pub use relations::{discover, discover_relations, Cardinality, RelationSuggestion, Role, TableRef};

use polars::prelude::*;
use serde::Serialize;

/// Values listed among the most frequent.
pub const TOP_VALUES: usize = 10;
/// Bars of a histogram.
pub const HISTOGRAM_BINS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("column `{column}`: {message}")]
    Column { column: String, message: String },
    #[error("profiling cancelled")]
    Cancelled,
}

steward_error::error_codes!(ProfileError {
    Self::Column { .. } => "profile.column",
    Self::Cancelled => "profile.cancelled",
});

fn col_err(column: &str, e: impl std::fmt::Display) -> ProfileError {
    ProfileError::Column { column: column.to_string(), message: e.to_string() }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "HistogramBin"))]
pub struct Bin {
    /// Lower bound, as shown (a number, or a date for date columns).
    pub start: String,
    pub end: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Histogram {
    /// `number`, `date` or `datetime`.
    pub kind: String,
    pub bins: Vec<Bin>,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnProfile {
    pub name: String,
    pub dtype: String,
    pub rows: u64,
    pub nulls: u64,
    pub null_share: f64,
    pub distinct: u64,
    /// Distinct counts are exact; kept explicit so estimated counts can be told apart later.
    pub distinct_exact: bool,
    pub min: Option<String>,
    pub max: Option<String>,
    pub top: Vec<TopValue>,
    pub histogram: Option<Histogram>,
}

/// Profiles every column of `df`. `progress(done, total)` is called after each column; returning
/// `false` cancels the scan.
pub fn profile(
    df: &DataFrame,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<Vec<ColumnProfile>, ProfileError> {
    let total = df.width();
    let columns = df.columns();
    // Columns are profiled side by side; results come back in column order.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8).min(total.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<ColumnProfile, ProfileError>)>();
    let mut slots: Vec<Option<ColumnProfile>> = vec![None; total];
    std::thread::scope(|scope| -> Result<(), ProfileError> {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, cancelled) = (&next, &cancelled);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total || cancelled.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                if tx.send((i, profile_column_guarded(&columns[i]))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut done = 0;
        for (i, result) in rx {
            match result {
                Ok(p) => slots[i] = Some(p),
                Err(e) => {
                    cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(e);
                }
            }
            done += 1;
            if !progress(done, total) {
                cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(ProfileError::Cancelled);
            }
        }
        Ok(())
    })?;
    Ok(slots.into_iter().flatten().collect())
}

fn show(v: AnyValue<'_>) -> Option<String> {
    match v {
        AnyValue::Null => None,
        other => Some(other.str_value().into_owned()),
    }
}

/// Profiles one column; a failure deep inside Polars on an unusual type becomes an error naming
/// the column and its type, never a crashed scan.
fn profile_column_guarded(c: &Column) -> Result<ColumnProfile, ProfileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| profile_column(c))).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("internal error");
        tracing::error!(column = %c.name(), dtype = %c.dtype(), detail, "profiling failed");
        Err(col_err(c.name(), format!("columns of type {} cannot be profiled yet ({detail})", c.dtype())))
    })
}

fn profile_column(c: &Column) -> Result<ColumnProfile, ProfileError> {
    let name = c.name().to_string();
    let rows = c.len() as u64;
    let nulls = c.null_count() as u64;
    let non_null = rows - nulls;
    let (distinct, top) = distinct_and_top(c, non_null)?;
    let (min, max) = if non_null == 0 || matches!(c.dtype(), DataType::List(_) | DataType::Struct(_)) {
        (None, None)
    } else {
        (
            c.min_reduce().ok().and_then(|s| show(s.value().clone())),
            c.max_reduce().ok().and_then(|s| show(s.value().clone())),
        )
    };
    Ok(ColumnProfile {
        dtype: c.dtype().to_string(),
        rows,
        nulls,
        null_share: if rows == 0 { 0.0 } else { nulls as f64 / rows as f64 },
        distinct,
        distinct_exact: true,
        min,
        max,
        top,
        histogram: histogram(c).map_err(|e| col_err(&name, e))?,
        name,
    })
}

/// The exact number of distinct non-null values and the most frequent ones, from one grouping
/// pass. A column whose values are all different has no top values worth showing.
fn distinct_and_top(c: &Column, non_null: u64) -> Result<(u64, Vec<TopValue>), ProfileError> {
    let name = c.name().to_string();
    if non_null == 0 {
        return Ok((0, vec![]));
    }
    let frame = DataFrame::new(c.len(), vec![c.clone()]).map_err(|e| col_err(&name, e))?;
    let groups = frame
        .lazy()
        .filter(col(name.as_str()).is_not_null())
        .group_by([col(name.as_str())])
        .agg([len().alias("__n")])
        .collect()
        .map_err(|e| col_err(&name, e))?;
    let distinct = groups.height() as u64;
    if distinct == non_null {
        return Ok((distinct, vec![]));
    }
    let counts = groups
        .lazy()
        .sort_by_exprs(
            [col("__n"), col(name.as_str())],
            SortMultipleOptions::default().with_order_descending_multi([true, false]).with_maintain_order(true),
        )
        .limit(TOP_VALUES as IdxSize)
        .collect()
        .map_err(|e| col_err(&name, e))?;
    let values = counts.column(&name).map_err(|e| col_err(&name, e))?;
    let ns = counts.column("__n").map_err(|e| col_err(&name, e))?;
    let top = (0..counts.height())
        .map(|i| {
            let value = values.get(i).map_err(|e| col_err(&name, e))?.str_value().into_owned();
            let count = ns.get(i).map_err(|e| col_err(&name, e))?.extract::<u64>().unwrap_or(0);
            Ok(TopValue { value, count })
        })
        .collect::<Result<Vec<_>, ProfileError>>()?;
    Ok((distinct, top))
}

fn histogram(c: &Column) -> PolarsResult<Option<Histogram>> {
    let kind = match c.dtype() {
        d if d.is_primitive_numeric() || d.is_decimal() => "number",
        DataType::Date => "date",
        DataType::Datetime(_, _) => "datetime",
        _ => return Ok(None),
    };
    // Decimals bin by their value, not by their unscaled integers.
    let physical = if c.dtype().is_decimal() {
        c.cast(&DataType::Float64)?
    } else {
        c.to_physical_repr().cast(&DataType::Float64)?
    };
    let values: Vec<f64> = physical.f64()?.iter().flatten().filter(|v| v.is_finite()).collect();
    let (Some(lo), Some(hi)) = (values.iter().copied().reduce(f64::min), values.iter().copied().reduce(f64::max))
    else {
        return Ok(None);
    };
    let bins = if hi > lo { HISTOGRAM_BINS } else { 1 };
    let width = if hi > lo { (hi - lo) / bins as f64 } else { 1.0 };
    let mut counts = vec![0u64; bins];
    for v in &values {
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    let label = |x: f64| -> String {
        match c.dtype() {
            DataType::Date => epoch_day(x.round() as i64),
            DataType::Datetime(unit, _) => {
                let per_day = match unit {
                    TimeUnit::Milliseconds => 86_400_000.0,
                    TimeUnit::Microseconds => 86_400_000_000.0,
                    TimeUnit::Nanoseconds => 86_400_000_000_000.0,
                };
                epoch_day((x / per_day).floor() as i64)
            }
            _ if x.fract() == 0.0 => format!("{x}"),
            _ => format!("{x:.2}"),
        }
    };
    Ok(Some(Histogram {
        kind: kind.into(),
        bins: counts
            .iter()
            .enumerate()
            .map(|(i, &count)| Bin {
                start: label(lo + width * i as f64),
                end: label(if i + 1 == bins { hi } else { lo + width * (i + 1) as f64 }),
                count,
            })
            .collect(),
    }))
}

/// `YYYY-MM-DD` of a day number since 1970-01-01 (proleptic Gregorian).
fn epoch_day(days: i64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_error::ErrorCode;

    #[test]
    fn profiles_nulls_distinct_range_top_values_and_histogram() {
        let df = df!(
            "amount" => [Some(1.0), Some(2.0), None, Some(2.0), Some(10.0)],
            "status" => [Some("paid"), Some("paid"), Some("open"), None, Some("paid")],
        )
        .unwrap();
        let p = profile(&df, |_, _| true).unwrap();
        let amount = &p[0];
        assert_eq!((amount.rows, amount.nulls, amount.distinct), (5, 1, 3));
        assert!((amount.null_share - 0.2).abs() < 1e-9);
        assert_eq!((amount.min.as_deref(), amount.max.as_deref()), (Some("1.0"), Some("10.0")));
        let h = amount.histogram.as_ref().unwrap();
        assert_eq!(h.bins.len(), HISTOGRAM_BINS);
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<u64>(), 4);
        assert_eq!((h.bins[0].count, h.bins[19].count), (1, 1));
        let status = &p[1];
        assert_eq!(
            status.top,
            vec![TopValue { value: "paid".into(), count: 3 }, TopValue { value: "open".into(), count: 1 }]
        );
        assert!(status.histogram.is_none());
    }

    #[test]
    fn date_histograms_are_labelled_with_dates() {
        let s = Series::new("d".into(), [0i32, 365, 19_000]).cast(&DataType::Date).unwrap();
        let df = DataFrame::new(3, vec![s.into()]).unwrap();
        let p = profile(&df, |_, _| true).unwrap();
        let h = p[0].histogram.as_ref().unwrap();
        assert_eq!(h.kind, "date");
        assert_eq!(h.bins[0].start, "1970-01-01");
        assert_eq!(h.bins.last().unwrap().end, "2022-01-08");
        assert_eq!(p[0].min.as_deref(), Some("1970-01-01"));
    }

    #[test]
    fn progress_can_cancel() {
        let df = df!("a" => [1, 2], "b" => [3, 4]).unwrap();
        let mut seen = vec![];
        let e = profile(&df, |done, total| {
            seen.push((done, total));
            false
        })
        .unwrap_err();
        assert_eq!(e.code(), "profile.cancelled");
        assert_eq!(seen, [(1, 2)]);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(epoch_day(0), "1970-01-01");
        assert_eq!(epoch_day(19_782), "2024-02-29");
        assert_eq!(epoch_day(-1), "1969-12-31");
    }
}
