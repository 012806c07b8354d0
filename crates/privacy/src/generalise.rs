//! Generalisation (months, years, bands, age bands, prefixes, buckets), and the numeric ranges
//! that keep generalised and noisy values inside their type.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use crate::catalog::Generalise;
use crate::mask::{col_err, strings};
use crate::PrivacyError;

/// The largest float strictly below `x`.
pub(crate) fn below(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

/// The range of an integer type as floats that convert back without overflow.
pub(crate) fn int_range(d: &DataType) -> (f64, f64) {
    match d {
        DataType::Int8 => (i8::MIN as f64, i8::MAX as f64),
        DataType::Int16 => (i16::MIN as f64, i16::MAX as f64),
        DataType::Int32 => (i32::MIN as f64, i32::MAX as f64),
        DataType::UInt8 => (0.0, u8::MAX as f64),
        DataType::UInt16 => (0.0, u16::MAX as f64),
        DataType::UInt32 => (0.0, u32::MAX as f64),
        DataType::UInt64 => (0.0, below(u64::MAX as f64)),
        DataType::UInt128 => (0.0, below(u128::MAX as f64)),
        DataType::Int128 => (i128::MIN as f64, below(i128::MAX as f64)),
        _ => (i64::MIN as f64, below(i64::MAX as f64)),
    }
}

pub(crate) fn generalise(g: &Generalise, column: &Column) -> Result<Column, PrivacyError> {
    let dtype = column.dtype().clone();
    let dates = || -> Result<Vec<Option<NaiveDate>>, PrivacyError> {
        // A zoned timestamp falls on the date of its own zone (00:59 CET on 1 January is in
        // January, though it is still December in UTC).
        let local = match &dtype {
            DataType::Datetime(_, Some(_)) => Some(
                column
                    .datetime()
                    .and_then(|t| t.to_string("%Y-%m-%d"))
                    .map(|s| s.into_column())
                    .map_err(|e| col_err(column, e.to_string()))?,
            ),
            _ => None,
        };
        let d = local.as_ref().unwrap_or(column).cast(&DataType::Date).map_err(|e| col_err(column, e.to_string()))?;
        let d = d.date().map_err(|_| col_err(column, format!("needs dates, not {dtype}")))?;
        // Text that is not a date would silently become null: refuse it instead.
        if d.null_count() > column.null_count() {
            return Err(col_err(
                column,
                format!(
                    "needs dates; {} values of this {dtype} column are not dates",
                    d.null_count() - column.null_count()
                ),
            ));
        }
        Ok(d.as_date_iter().collect())
    };
    let band = |lo: f64, width: f64| -> String {
        // Whole bands read as whole numbers while floats hold them exactly (|x| < 2^53).
        if width.fract() == 0.0 && (lo + width).abs() < 9.0e15 && lo.abs() < 9.0e15 {
            format!("{}-{}", lo as i64, (lo + width) as i64 - 1)
        } else {
            format!("{lo}-{}", lo + width)
        }
    };
    Ok(match g {
        Generalise::Month | Generalise::Year => {
            if !matches!(dtype, DataType::Date | DataType::Datetime(_, _)) {
                return Err(col_err(column, format!("generalising to a month or year needs dates, not {dtype}")));
            }
            let out: StringChunked = dates()?
                .into_iter()
                .map(|d| {
                    d.map(|d| match g {
                        Generalise::Month => format!("{:04}-{:02}", d.year(), d.month()),
                        _ => format!("{:04}", d.year()),
                    })
                })
                .collect();
            out.into_column()
        }
        Generalise::AgeBand { width, as_of } => {
            let out: StringChunked = dates()?
                .into_iter()
                .map(|d| {
                    d.map(|d| {
                        let mut age = as_of.year() - d.year();
                        if (as_of.month(), as_of.day()) < (d.month(), d.day()) {
                            age -= 1;
                        }
                        let lo = (i64::from(age).max(0) / width) * width;
                        format!("{lo}-{}", lo + width - 1)
                    })
                })
                .collect();
            out.into_column()
        }
        Generalise::Band { width } | Generalise::Bucket { width } => {
            if !dtype.is_primitive_numeric() && !dtype.is_decimal() {
                return Err(col_err(column, format!("bands and buckets need numbers, not {dtype}")));
            }
            let f = column.cast(&DataType::Float64).map_err(|e| col_err(column, e.to_string()))?;
            let f = f.f64().map_err(|e| col_err(column, e.to_string()))?;
            if matches!(g, Generalise::Band { .. }) {
                let out: StringChunked =
                    f.iter().map(|v| v.map(|x| band((x / width).floor() * width, *width))).collect();
                out.into_column()
            } else {
                let (lo, hi) = if dtype.is_integer() { int_range(&dtype) } else { (f64::MIN, f64::MAX) };
                let out = f.apply_values(|x| ((x / width).floor() * width).clamp(lo, hi)).into_column();
                out.strict_cast(&dtype)
                    .or_else(|e| match dtype {
                        DataType::Decimal(_, s) => out.strict_cast(&DataType::Decimal(38, s)),
                        _ => Err(e),
                    })
                    .map_err(|e| col_err(column, e.to_string()))?
            }
        }
        Generalise::Prefix { keep } => strings(column)?
            .apply_values(|v| {
                let n = v.chars().count();
                let kept: String = v.chars().take(*keep).collect();
                format!("{kept}{}", "*".repeat(n.saturating_sub(*keep))).into()
            })
            .into_column(),
    })
}
