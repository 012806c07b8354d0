//! # steward-display
//!
//! Owns how values and types are shown and written, in one place: the CLI's tables, the
//! desktop's grids, the JSON and CSV the CLI prints and the exports all take their text from
//! here, so a decimal reads `711.56` everywhere, a 128-bit integer keeps every digit, and a type
//! has one label (`decimal[15,2]`, `duration[ms]`, `cat`).
//!
//! It works on Polars frames and values only. It must not read or write files, or know about
//! sources, products or IPC.

mod messages;

pub use messages::{engine_message, without_plan};

/// `n` things in words, singular or plural: `1 error`, `2 errors`, `1,204 rows`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    format!("{} {}", steward_classify::thousands(n), if n == 1 { one } else { many })
}

use polars::prelude::*;

/// Integer types whose every value an i64 holds (so SQLite, JSON readers and i64 arithmetic
/// take them exactly); not u64, i128 or u128.
pub fn fits_i64(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
    )
}

/// The one label of a type, as Steward shows it everywhere (Polars' own names).
pub fn type_label(dtype: &DataType) -> String {
    dtype.to_string()
}

/// The text of one value, exact and whole; `None` for a missing value. Text is shown without
/// quotes; floats in their shortest exact form (`99999999.99`, `1e300`); decimals with their
/// scale; binary as hex (`0x00ff`); lists and structs whole, JSON-like, with field names.
pub fn cell_text(v: &AnyValue<'_>) -> Option<String> {
    match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some((*s).to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        AnyValue::Categorical(..) | AnyValue::CategoricalOwned(..) | AnyValue::Enum(..) | AnyValue::EnumOwned(..) => {
            v.get_str().map(str::to_string)
        }
        AnyValue::Float32(f) => Some(format!("{f:?}")),
        AnyValue::Float64(f) => Some(format!("{f:?}")),
        AnyValue::Binary(b) => Some(hex(b)),
        AnyValue::BinaryOwned(b) => Some(hex(b)),
        AnyValue::List(s) | AnyValue::Array(s, _) => Some(list_text(s)),
        AnyValue::Struct(..) | AnyValue::StructOwned(..) => Some(struct_text(v)),
        AnyValue::Datetime(t, unit, Some(tz)) => Some(zoned_text(*t, *unit, tz)),
        AnyValue::DatetimeOwned(t, unit, Some(tz)) => Some(zoned_text(*t, *unit, tz)),
        other => Some(other.to_string()),
    }
}

const ZONED: &str = "%Y-%m-%d %H:%M:%S%.f%:z";

/// A zone-aware timestamp as local time with its offset (`2024-03-31 03:30:00+02:00`).
fn zoned_text(t: i64, unit: TimeUnit, tz: &TimeZone) -> String {
    Int64Chunked::from_slice("".into(), &[t])
        .into_datetime(unit, Some(tz.clone()))
        .to_string(ZONED)
        .ok()
        .and_then(|s| s.get(0).map(str::to_string))
        .unwrap_or_else(|| t.to_string())
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A value inside a list or struct: text quoted as in JSON, `null` for missing.
fn nested_text(v: &AnyValue<'_>) -> String {
    match v {
        AnyValue::String(_) | AnyValue::StringOwned(_) | AnyValue::Categorical(..) | AnyValue::CategoricalOwned(..) => {
            quoted(&cell_text(v).unwrap_or_default())
        }
        AnyValue::Enum(..) | AnyValue::EnumOwned(..) => quoted(&cell_text(v).unwrap_or_default()),
        other => cell_text(other).unwrap_or_else(|| "null".into()),
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list_text(s: &Series) -> String {
    let items: Vec<String> = s.iter().map(|v| nested_text(&v)).collect();
    format!("[{}]", items.join(", "))
}

fn struct_text(v: &AnyValue<'_>) -> String {
    let (values, fields): (Vec<AnyValue<'_>>, Vec<Field>) = match v {
        AnyValue::Struct(_, _, fields) => {
            let mut buf = vec![];
            v._materialize_struct_av(&mut buf);
            (buf, fields.to_vec())
        }
        AnyValue::StructOwned(payload) => (payload.0.clone(), payload.1.clone()),
        _ => return String::new(),
    };
    let parts: Vec<String> =
        fields.iter().zip(&values).map(|(f, v)| format!("{}: {}", quoted(f.name()), nested_text(v))).collect();
    format!("{{{}}}", parts.join(", "))
}

/// Whether a column keeps its own Arrow type on the way to a grid: text, booleans, integers
/// that Arrow readers decode exactly, dates, and lists of related rows (shown as a count).
fn native_for_grid(dtype: &DataType) -> bool {
    match dtype {
        // u64 too: Arrow readers hand it over as an exact big integer.
        d if fits_i64(d) => true,
        DataType::String | DataType::Boolean | DataType::UInt64 | DataType::Date => true,
        DataType::List(inner) => matches!(inner.as_ref(), DataType::Struct(_)),
        _ => false,
    }
}

/// A column of the value texts of `c`, with its name. Zone-aware timestamps read as local time
/// with their offset (`2024-03-31 03:30:00+02:00`), which every tool parses.
pub fn text_column(c: &Column) -> PolarsResult<Column> {
    if let DataType::Datetime(_, Some(_)) = c.dtype() {
        let s = c.as_materialized_series();
        return Ok(s
            .datetime()?
            .to_string("%Y-%m-%d %H:%M:%S%.f%:z")?
            .into_series()
            .with_name(c.name().clone())
            .into());
    }
    let s = c.as_materialized_series();
    let texts: Vec<Option<String>> = s.iter().map(|v| cell_text(&v)).collect();
    Ok(Series::new(c.name().clone(), texts).into())
}

/// The frame a grid shows: every column whose values an Arrow reader would render differently
/// from the CLI (decimals, 128-bit integers, floats, times, durations, binary, categorical,
/// structs, arrays, timestamps) becomes the CLI's text for it. Returns the frame and the type
/// label of each column, which travel with the bytes.
pub fn grid_frame(df: &DataFrame) -> PolarsResult<(DataFrame, Vec<String>)> {
    let labels = df.columns().iter().map(|c| type_label(c.dtype())).collect();
    let columns = df
        .columns()
        .iter()
        .map(|c| if native_for_grid(c.dtype()) { Ok(c.clone()) } else { text_column(c) })
        .collect::<PolarsResult<Vec<_>>>()?;
    Ok((DataFrame::new(df.height(), columns)?, labels))
}

/// Types a JSON writer cannot hold exactly, or at all.
fn json_unsafe(dtype: &DataType) -> bool {
    match dtype {
        DataType::Decimal(..)
        | DataType::Int128
        | DataType::UInt128
        | DataType::Time
        | DataType::Duration(_)
        | DataType::Binary
        | DataType::BinaryOffset
        | DataType::Categorical(..)
        | DataType::Enum(..)
        | DataType::Null => true,
        DataType::Datetime(_, Some(_)) => true,
        DataType::List(inner) | DataType::Array(inner, _) => json_unsafe(inner),
        DataType::Struct(fields) => fields.iter().any(|f| json_unsafe(f.dtype())),
        _ => false,
    }
}

/// The same type with every JSON-unsafe part as text (`decimal` → exact text, `duration` →
/// ISO 8601), so nested related rows keep their shape.
fn json_type(dtype: &DataType) -> DataType {
    match dtype {
        DataType::List(inner) => DataType::List(Box::new(json_type(inner))),
        DataType::Array(inner, n) => DataType::Array(Box::new(json_type(inner)), *n),
        DataType::Struct(fields) => {
            DataType::Struct(fields.iter().map(|f| Field::new(f.name().clone(), json_type(f.dtype()))).collect())
        }
        DataType::Null => DataType::Null,
        t if json_unsafe(t) => DataType::String,
        t => t.clone(),
    }
}

/// A frame every JSON writer takes, keeping every value exact: decimals and 128-bit integers
/// as text, times, durations, binary, categorical and zoned timestamps as the CLI prints them.
/// A column that cannot be turned into text is named in the error.
pub fn json_frame(df: &DataFrame) -> Result<DataFrame, (String, PolarsError)> {
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            let dtype = c.dtype();
            if !json_unsafe(dtype) {
                return Ok(c.clone());
            }
            let name = c.name().to_string();
            match dtype {
                DataType::List(_) | DataType::Array(..) | DataType::Struct(_) => {
                    c.cast(&json_type(dtype)).map_err(|e| (name, e))
                }
                DataType::Null => Ok(c.cast(&DataType::String).map_err(|e| (name.clone(), e))?),
                _ => text_column(c).map_err(|e| (name, e)),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new(df.height(), columns).map_err(|e| (String::new(), e))
}

/// A frame a CSV writer takes: text, booleans, integers, floats, dates and plain timestamps as
/// they are; every other column (decimals, nested rows, binary, durations…) as the CLI's text.
pub fn csv_frame(df: &DataFrame) -> Result<DataFrame, (String, PolarsError)> {
    let columns = df
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::String | DataType::Boolean | DataType::Date | DataType::Datetime(_, None) => Ok(c.clone()),
            t if t.is_primitive_numeric() && !matches!(t, DataType::Int128 | DataType::UInt128) => Ok(c.clone()),
            _ => text_column(c).map_err(|e| (c.name().to_string(), e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new(df.height(), columns).map_err(|e| (String::new(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale_and_text_loses_its_quotes() {
        let s = Series::new("p".into(), ["711.56", "-0.05"]).strict_cast(&DataType::Decimal(15, 2)).unwrap();
        let texts: Vec<_> = s.iter().map(|v| cell_text(&v)).collect();
        assert_eq!(texts, vec![Some("711.56".to_string()), Some("-0.05".to_string())]);
        assert_eq!(type_label(s.dtype()), "decimal[15,2]");
        assert_eq!(cell_text(&AnyValue::String("a\"b")), Some("a\"b".into()));
        assert_eq!(cell_text(&AnyValue::Null), None);
    }

    #[test]
    fn json_frame_turns_nested_decimals_into_exact_text() {
        let amount = Series::new("amount".into(), ["10.125"]).strict_cast(&DataType::Decimal(10, 3)).unwrap();
        let row = StructChunked::from_series("".into(), 1, [amount].iter()).unwrap().into_series();
        let lists = Series::new("children".into(), [row]);
        let df = DataFrame::new(1, vec![lists.into()]).unwrap();
        let out = json_frame(&df).unwrap();
        let mut buf = Vec::new();
        JsonWriter::new(&mut buf).with_json_format(JsonFormat::Json).finish(&mut out.clone()).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), r#"[{"children":[{"amount":"10.125"}]}]"#);
    }
}
