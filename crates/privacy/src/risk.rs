//! Measures of masked data: original values that survive (leaks), remapped keys that collide,
//! and re-identification risk over quasi-identifiers.

use std::collections::HashMap;

use polars::prelude::*;
use serde::Serialize;

use crate::PrivacyError;

/// Original values of one column found in the masked output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnLeaks {
    pub column: String,
    /// Rows whose masked value is their own original value: a leak.
    pub same_row: u64,
    /// Other masked columns of the same row holding this column's original value: leaks too.
    pub other_columns: Vec<(String, u64)>,
    /// Distinct original values that appear anywhere in the masked column, in any row. Synthetic
    /// values drawn from real name lists meet real names by chance, so this is shown, not
    /// counted as a leak.
    pub anywhere: u64,
    /// A few leaked values, for the officer who asks. Never serialised: a report sent to a CI
    /// log or the webview carries counts and places, not personal data.
    #[serde(skip)]
    pub samples: Vec<String>,
}

impl ColumnLeaks {
    /// Original values that survive in their own record's masked output.
    pub fn total(&self) -> u64 {
        self.same_row + self.other_columns.iter().map(|(_, n)| n).sum::<u64>()
    }
}

/// A column as the text a person reads, in one string column (cast in bulk: no string per value).
fn texts(c: &Column) -> Result<StringChunked, PrivacyError> {
    let castable =
        matches!(c.dtype(), DataType::String | DataType::Boolean | DataType::Date | DataType::Datetime(_, None))
            || c.dtype().is_primitive_numeric();
    if !castable {
        // Decimals, durations, binary, nested rows…: compared by the text a person reads.
        let s = c.as_materialized_series();
        return Ok(StringChunked::from_iter_options(
            c.name().clone(),
            s.iter().map(|v| steward_display::cell_text(&v).map(|x| x.trim().to_string())),
        ));
    }
    crate::mask::cast_text(c)
}

/// Each row's text, trimmed, borrowed from `ca`.
fn rows(ca: &StringChunked) -> Vec<Option<&str>> {
    ca.iter().map(|v| v.map(str::trim)).collect()
}

/// Values too short or generic to count as a leak (`M`, `1`, empty).
fn meaningful(v: &str) -> bool {
    v.chars().filter(|c| c.is_alphanumeric()).count() >= 3
}

fn column_error(c: &Series) -> impl Fn(PolarsError) -> PrivacyError + '_ {
    move |e| PrivacyError::Column { column: c.name().to_string(), message: steward_display::engine_message(&e) }
}

/// Whether two columns are compared as they are (same type, not nested) rather than by text.
fn comparable(a: &Series, b: &Series) -> bool {
    a.dtype() == b.dtype() && !matches!(a.dtype(), DataType::List(_) | DataType::Struct(_))
}

/// Row by row, whether `a` and `b` hold the same value (nulls never do): compared as they are
/// when their types agree, else by the text a person reads (`ta`, `tb`: their texts, made once
/// per column by the caller). Vectorised: no text per row.
fn same_rows(
    a: &Series,
    b: &Series,
    ta: Option<&StringChunked>,
    tb: Option<&StringChunked>,
) -> Result<BooleanChunked, PrivacyError> {
    let eq = match (comparable(a, b), ta, tb) {
        (true, _, _) => a.equal(b).map_err(column_error(a))?,
        (false, Some(ta), Some(tb)) => ta.equal(tb),
        (false, _, _) => texts(&a.clone().into_column())?.equal(&texts(&b.clone().into_column())?),
    };
    eq.fill_null_with_values(false).map_err(column_error(a))
}

/// The meaningful texts among `s`'s values (`M`, `12` are not).
fn meaningful_texts(s: &Series) -> Result<Vec<String>, PrivacyError> {
    let t = texts(&s.clone().into_column())?;
    Ok(t.iter().flatten().map(str::trim).filter(|v| meaningful(v)).map(String::from).collect())
}

/// Distinct meaningful values of `original` that appear anywhere in `masked`: compared in
/// their own type (one vectorised `is_in` of the distinct values), by text where types differ.
fn anywhere(original: &Series, masked: &Series) -> Result<u64, PrivacyError> {
    let (o, m) = if comparable(original, masked) {
        (original.clone(), masked.clone())
    } else {
        (texts(&original.clone().into_column())?.into_series(), texts(&masked.clone().into_column())?.into_series())
    };
    // The masked side's distinct values, then every original tested against them: only the
    // originals found are made distinct (a redacted column has one masked value).
    let m = m.drop_nulls().unique().map_err(column_error(&m))?;
    let list = m.implode().map_err(column_error(&m))?.into_series();
    let found = polars::prelude::is_in(&o, &list, false).map_err(column_error(&o))?;
    if !found.any() {
        return Ok(0);
    }
    let o = o.filter(&found).map_err(column_error(&o))?.unique().map_err(column_error(&o))?;
    Ok(meaningful_texts(&o)?.len() as u64)
}

/// Every original value that survives masking in `columns`: in its own row (same column or
/// another masked column of that row), and anywhere in its column. Columns are checked on every
/// core; a column compared by text with another is turned into text once.
pub fn leaks(original: &DataFrame, masked: &DataFrame, columns: &[String]) -> Result<Vec<ColumnLeaks>, PrivacyError> {
    fn get<'a>(df: &'a DataFrame, c: &str) -> Result<&'a Series, PrivacyError> {
        df.column(c)
            .map(Column::as_materialized_series)
            .map_err(|_| PrivacyError::Column { column: c.to_string(), message: "not in the table".into() })
    }
    let orig: Vec<&Series> = columns.iter().map(|c| get(original, c)).collect::<Result<_, _>>()?;
    let mask: Vec<&Series> = columns.iter().map(|c| get(masked, c)).collect::<Result<_, _>>()?;
    // Pairs compared: each column with its own masked values, and with every other masked
    // column of its type or holding text (a date copied into a note); a number never with a
    // number of another type (an id of 150 and a price of 150.0 meet by chance).
    let compared =
        |i: usize, j: usize| i == j || comparable(orig[i], mask[j]) || matches!(mask[j].dtype(), DataType::String);
    // The texts of the columns some pair compares by text: (original side?, column).
    let mut wanted: Vec<(bool, usize)> = vec![];
    for (i, o) in orig.iter().enumerate() {
        for (j, m) in mask.iter().enumerate() {
            if compared(i, j) && !comparable(o, m) {
                for w in [(true, i), (false, j)] {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
        }
    }
    let stopped = || PrivacyError::Polars { at: "leak check".into(), message: "a worker stopped".into() };
    let made =
        crate::par::map(&wanted, |&(side, i)| texts(&if side { orig[i] } else { mask[i] }.clone().into_column()))
            .ok_or_else(stopped)?;
    let mut otext: Vec<Option<StringChunked>> = vec![None; columns.len()];
    let mut mtext: Vec<Option<StringChunked>> = vec![None; columns.len()];
    for (&(side, i), t) in wanted.iter().zip(made) {
        if side {
            otext[i] = Some(t?);
        } else {
            mtext[i] = Some(t?);
        }
    }
    let indices: Vec<usize> = (0..columns.len()).collect();
    crate::par::map(&indices, |&ci| {
        let o = orig[ci];
        let mut same_row = 0u64;
        let mut other = vec![0u64; columns.len()];
        let mut samples: Vec<String> = vec![];
        for (cj, m) in mask.iter().enumerate().filter(|(cj, _)| compared(ci, *cj)) {
            let hits = same_rows(o, m, otext[ci].as_ref(), mtext[cj].as_ref())?;
            if !hits.any() {
                continue;
            }
            // Only the rows that match are read as text.
            let found = meaningful_texts(&o.filter(&hits).map_err(column_error(o))?)?;
            if cj == ci {
                same_row += found.len() as u64;
            } else {
                other[cj] += found.len() as u64;
            }
            for v in found {
                if samples.len() < 5 && !samples.contains(&v) {
                    samples.push(v);
                }
            }
        }
        let anywhere = anywhere(o, mask[ci])?;
        let other_columns =
            columns.iter().zip(other).filter(|(_, n)| *n > 0).map(|(name, n)| (name.clone(), n)).collect();
        samples.sort();
        Ok(ColumnLeaks { column: columns[ci].clone(), same_row, other_columns, anywhere, samples })
    })
    .ok_or_else(stopped)?
    .into_iter()
    .collect()
}

/// Distinct original keys that share a masked key with another: zero for a bijective remap.
pub fn collisions(original: &Column, masked: &Column) -> Result<u64, PrivacyError> {
    if let (Ok(o), Ok(m)) = (original.i64(), masked.i64()) {
        // Integer keys (the common case), compared as integers.
        let mut by_masked: PlHashMap<i64, PlHashSet<i64>> = PlHashMap::new();
        for (a, b) in o.iter().zip(m.iter()) {
            if let (Some(a), Some(b)) = (a, b) {
                by_masked.entry(b).or_default().insert(a);
            }
        }
        return Ok(by_masked.values().filter(|s| s.len() > 1).map(|s| s.len() as u64).sum());
    }
    let (o, m) = (texts(original)?, texts(masked)?);
    let (o, m) = (rows(&o), rows(&m));
    let mut by_masked: PlHashMap<&str, PlHashSet<&str>> = PlHashMap::new();
    for (a, b) in o.iter().zip(&m) {
        if let (Some(a), Some(b)) = (a, b) {
            by_masked.entry(b).or_default().insert(a);
        }
    }
    Ok(by_masked.values().filter(|s| s.len() > 1).map(|s| s.len() as u64).sum())
}

/// Re-identification risk of a table over its quasi-identifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reidentification {
    pub rows: u64,
    pub quasi_identifiers: Vec<String>,
    /// Equivalence classes: rows sharing all quasi-identifier values.
    pub classes: u64,
    /// k: the size of the smallest class.
    pub k: u64,
    /// (class size, number of classes of that size), smallest first.
    pub class_sizes: Vec<(u64, u64)>,
    /// Share of rows alone in their class.
    pub unique_share: f64,
    /// Prosecutor risk: 1/k at worst, classes/rows on average.
    pub prosecutor_max: f64,
    pub prosecutor_avg: f64,
    /// l: fewest distinct sensitive values in a class, when a sensitive attribute is given.
    pub sensitive: Option<String>,
    pub l: Option<u64>,
}

/// k-anonymity, class sizes, prosecutor risk and (with `sensitive`) l-diversity, by Polars.
pub fn reidentification(
    df: &DataFrame,
    quasi: &[String],
    sensitive: Option<&str>,
) -> Result<Reidentification, PrivacyError> {
    let pe = |e: PolarsError| PrivacyError::Polars {
        at: "re-identification".into(),
        message: steward_display::engine_message(&e),
    };
    for q in quasi.iter().map(String::as_str).chain(sensitive) {
        if df.column(q).is_err() {
            let have: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
            return Err(PrivacyError::Column {
                column: q.to_string(),
                message: format!("not in the table; it has: {}", have.join(", ")),
            });
        }
    }
    if quasi.is_empty() {
        return Err(PrivacyError::Column { column: "quasi-identifiers".into(), message: "choose at least one".into() });
    }
    let rows = df.height() as u64;
    let keys: Vec<Expr> = quasi.iter().map(|q| col(q.as_str())).collect();
    let mut aggs = vec![len().alias("__n")];
    if let Some(s) = sensitive {
        aggs.push(col(s).n_unique().alias("__l"));
    }
    let classes = df.clone().lazy().group_by(keys).agg(aggs).collect().map_err(pe)?;
    let n = classes.column("__n").map_err(pe)?.cast(&DataType::UInt64).map_err(pe)?;
    let n = n.u64().map_err(pe)?;
    let mut hist: HashMap<u64, u64> = HashMap::new();
    for v in n.iter().flatten() {
        *hist.entry(v).or_default() += 1;
    }
    let mut class_sizes: Vec<(u64, u64)> = hist.into_iter().collect();
    class_sizes.sort();
    let k = class_sizes.first().map_or(0, |(s, _)| *s);
    let singles = class_sizes.iter().find(|(s, _)| *s == 1).map_or(0, |(_, c)| *c);
    let l = match sensitive {
        Some(_) => {
            let l = classes.column("__l").map_err(pe)?.cast(&DataType::UInt64).map_err(pe)?;
            l.u64().map_err(pe)?.min()
        }
        None => None,
    };
    let n_classes = classes.height() as u64;
    Ok(Reidentification {
        rows,
        quasi_identifiers: quasi.to_vec(),
        classes: n_classes,
        k,
        class_sizes,
        unique_share: if rows == 0 { 0.0 } else { singles as f64 / rows as f64 },
        prosecutor_max: if k == 0 { 0.0 } else { 1.0 / k as f64 },
        prosecutor_avg: if rows == 0 { 0.0 } else { n_classes as f64 / rows as f64 },
        sensitive: sensitive.map(String::from),
        l,
    })
}
