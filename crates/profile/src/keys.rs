//! Key summaries: what relationship discovery knows of a table, read one column at a time. Each
//! candidate column (integers, and text that is not prose) becomes its distinct values, sorted
//! (text as 64-bit hashes), with the rows holding each; pairs of key-like columns become the same
//! for composite keys. Nothing holds a whole table.

use std::hash::{Hash, Hasher};

use polars::prelude::*;

use crate::names::{key_like, stem, table_prefix};
use crate::{col_err, ProfileError};

/// Text values are compared by a 64-bit hash (a collision among a table's keys is about one in
/// 10^10 at a million keys); numbers by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
}

/// One column (or a pair of columns) of one table, as discovery needs it.
#[derive(Debug)]
pub(crate) struct KeySummary {
    pub(crate) columns: Vec<String>,
    pub(crate) stems: Vec<String>,
    pub(crate) kind: Kind,
    /// Distinct non-null values, sorted, with the rows holding each.
    pub(crate) values: Vec<u64>,
    pub(crate) counts: Vec<u64>,
    pub(crate) rows: u64,
    /// Every non-null value appears once, and there are no nulls.
    pub(crate) unique: bool,
    /// Integers filling 1…n (or any k…k+n-1) without a gap: a surrogate key.
    pub(crate) dense: bool,
}

/// What discovery knows about one table.
#[derive(Debug)]
pub struct TableSummary {
    pub(crate) id: String,
    pub(crate) rows: u64,
    pub(crate) keys: Vec<KeySummary>,
}

/// Text longer than this on average is prose, not a key.
const MAX_KEY_TEXT: f64 = 64.0;

/// Values looked at to tell prose from keys.
const PROSE_SAMPLE: u32 = 10_000;

/// Whether a text column holds prose (comments, addresses, descriptions) rather than codes or
/// keys, from its first values: long on average, or mostly several words of some length. Read
/// before grouping it, so millions of distinct sentences are never hashed.
fn is_prose(lf: &LazyFrame, name: &str) -> Result<bool, ProfileError> {
    let head = lf.clone().select([col(name)]).limit(PROSE_SAMPLE).collect().map_err(|e| col_err(name, e))?;
    let values = head.column(name).and_then(|c| c.str().cloned()).map_err(|e| col_err(name, e))?;
    let (mut n, mut bytes, mut worded) = (0usize, 0usize, 0usize);
    for v in values.iter().flatten() {
        n += 1;
        bytes += v.len();
        if v.trim().contains(char::is_whitespace) {
            worded += 1;
        }
    }
    if n == 0 {
        return Ok(false);
    }
    let mean = bytes as f64 / n as f64;
    Ok(mean > MAX_KEY_TEXT || (mean > 20.0 && worded * 2 > n))
}

fn hash_text(s: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Distinct values and their counts, sorted, from a one-column frame of grouped counts.
fn sorted_counts(grouped: &DataFrame, value: &str, kind: Kind) -> Result<(Vec<u64>, Vec<u64>, u64), ProfileError> {
    let v = grouped.column(value).map_err(|e| col_err(value, e))?;
    let n = grouped.column("__rows").map_err(|e| col_err(value, e))?;
    let n = n.cast(&DataType::UInt64).map_err(|e| col_err(value, e))?;
    let n = n.u64().map_err(|e| col_err(value, e))?;
    let mut pairs: Vec<(u64, u64)> = Vec::with_capacity(grouped.height());
    let mut nulls = 0;
    match kind {
        Kind::Int => {
            let ints = v.cast(&DataType::Int64).map_err(|e| col_err(value, e))?;
            for (x, c) in ints.i64().map_err(|e| col_err(value, e))?.iter().zip(n.iter()) {
                match x {
                    // Order-preserving: i64 → u64 by flipping the sign bit.
                    Some(x) => pairs.push(((x as u64) ^ (1 << 63), c.unwrap_or(0))),
                    None => nulls += c.unwrap_or(0),
                }
            }
        }
        Kind::Text => {
            let text = v.cast(&DataType::String).map_err(|e| col_err(value, e))?;
            for (x, c) in text.str().map_err(|e| col_err(value, e))?.iter().zip(n.iter()) {
                match x {
                    Some(x) => pairs.push((hash_text(x), c.unwrap_or(0))),
                    None => nulls += c.unwrap_or(0),
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup_by(|b, a| {
        // Two texts with one hash: counted together.
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    let (values, counts) = pairs.into_iter().unzip();
    Ok((values, counts, nulls))
}

fn kind_of(d: &DataType) -> Option<Kind> {
    if d.is_integer() && !matches!(d, DataType::UInt64 | DataType::Int128 | DataType::UInt128) {
        Some(Kind::Int)
    } else if matches!(d, DataType::String | DataType::UInt64 | DataType::Int128 | DataType::UInt128) {
        // Integers past i64 compare by their exact digits.
        Some(Kind::Text)
    } else {
        None
    }
}

/// Summarises the key candidates of one table, one column at a time; `progress(done, total)`
/// after each, and returning `false` from it stops with [`ProfileError::Cancelled`].
pub fn summarize(
    id: &str,
    lf: LazyFrame,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<TableSummary, ProfileError> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(|e| col_err(id, e))?;
    let names: Vec<String> = schema.iter_names().map(|s| s.to_string()).collect();
    let prefix = table_prefix(&names);
    let candidates: Vec<(String, Kind, bool)> = schema
        .iter()
        .filter_map(|(n, d)| kind_of(d).map(|k| (n.to_string(), k, matches!(d, DataType::String))))
        .collect();
    let rows = lf.clone().select([len().alias("n")]).collect().map_err(|e| col_err(id, e))?;
    let rows = rows.column("n").ok().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<u64>()).unwrap_or(0);
    let mut keys = vec![];
    for (i, (name, kind, text)) in candidates.iter().enumerate() {
        if !progress(i, candidates.len()) {
            return Err(ProfileError::Cancelled);
        }
        if *text && is_prose(&lf, name)? {
            continue;
        }
        let grouped = lf
            .clone()
            .select([col(name.as_str())])
            .group_by([col(name.as_str())])
            .agg([len().alias("__rows")])
            .collect()
            .map_err(|e| col_err(name, e))?;
        let (values, counts, nulls) = sorted_counts(&grouped, name, *kind)?;
        tracing::debug!(table = id, column = %name, distinct = values.len(), "key summary");
        let unique = nulls == 0 && counts.iter().all(|c| *c == 1) && !values.is_empty();
        let dense = *kind == Kind::Int
            && !values.is_empty()
            && values.last().copied().unwrap_or(0) - values[0] + 1 == values.len() as u64;
        keys.push(KeySummary {
            columns: vec![name.clone()],
            stems: vec![stem(name, prefix.as_deref())],
            kind: *kind,
            values,
            counts,
            rows: rows - nulls,
            unique,
            dense,
        });
    }
    progress(candidates.len(), candidates.len());
    Ok(TableSummary { id: id.to_string(), rows, keys })
}

/// Pairs of key stems that could be a composite key: a table where neither column is unique,
/// but enough distinct values of both for the pair to be (`ps_partkey, ps_suppkey`). Each is
/// then summarised in every table having both stems ([`summarize_pairs`]).
pub fn wanted_pairs(tables: &[&TableSummary]) -> Vec<(String, String)> {
    let mut wanted: Vec<(String, String)> = vec![];
    for t in tables {
        let keyish: Vec<&KeySummary> = t
            .keys
            .iter()
            .filter(|k| k.columns.len() == 1 && !k.unique && key_like(&k.stems[0]) && k.values.len() > 1)
            .collect();
        for (i, a) in keyish.iter().enumerate() {
            for b in &keyish[i + 1..] {
                if (a.values.len() as u64) * (b.values.len() as u64) >= t.rows {
                    wanted.push((a.stems[0].clone(), b.stems[0].clone()));
                }
            }
        }
    }
    wanted.sort();
    wanted.dedup();
    // A pair matters only where another table has it too: a line number is part of a line's
    // key, but no other table refers to it.
    let has = |t: &TableSummary, s: &String| t.keys.iter().any(|k| k.stems.len() == 1 && k.stems[0] == *s);
    wanted.retain(|(a, b)| tables.iter().filter(|t| has(t, a) && has(t, b)).count() >= 2);
    wanted
}

/// Whether a table has both stems of one of `wanted` (and so must be read again for pairs).
pub fn needs_pairs(t: &TableSummary, wanted: &[(String, String)]) -> bool {
    let has = |s: &String| t.keys.iter().any(|k| k.stems.len() == 1 && k.stems[0] == *s);
    wanted.iter().any(|(a, b)| has(a) && has(b))
}

/// Adds to `t` the pairs of `wanted` it has, read from `lf`.
pub fn summarize_pairs(t: &mut TableSummary, lf: &LazyFrame, wanted: &[(String, String)]) -> Result<(), ProfileError> {
    let mut add = vec![];
    for (sa, sb) in wanted {
        let find = |s: &String| t.keys.iter().find(|k| k.stems.len() == 1 && k.stems[0] == *s);
        let (Some(a), Some(b)) = (find(sa), find(sb)) else { continue };
        let (ca, cb) = (a.columns[0].clone(), b.columns[0].clone());
        let (values, counts, nulls) = if a.kind == Kind::Int && b.kind == Kind::Int {
            int_pairs(lf, &ca, &cb)?
        } else {
            // A pair with a null part has no key: null out the whole pair.
            let text = |c: &str| col(c).cast(DataType::String);
            let pair = when(col(ca.as_str()).is_null().or(col(cb.as_str()).is_null()))
                .then(lit(NULL).cast(DataType::String))
                .otherwise(text(&ca) + lit("\u{1f}") + text(&cb))
                .alias("__pair");
            let grouped = lf
                .clone()
                .select([pair])
                .group_by([col("__pair")])
                .agg([len().alias("__rows")])
                .collect()
                .map_err(|e| col_err(&format!("{ca}, {cb}"), e))?;
            sorted_counts(&grouped, "__pair", Kind::Text)?
        };
        tracing::debug!(table = %t.id, columns = %format!("{ca}, {cb}"), distinct = values.len(), "key summary");
        let unique = nulls == 0 && counts.iter().all(|c| *c == 1);
        add.push(KeySummary {
            columns: vec![ca, cb],
            stems: vec![sa.clone(), sb.clone()],
            kind: Kind::Text,
            values,
            counts,
            rows: t.rows - nulls,
            unique,
            dense: false,
        });
    }
    t.keys.extend(add);
    Ok(())
}

/// A pair of integer columns as one 64-bit hash per row, sorted with the rows holding each:
/// no text is made and nothing is grouped.
fn int_pairs(lf: &LazyFrame, a: &str, b: &str) -> Result<(Vec<u64>, Vec<u64>, u64), ProfileError> {
    let at = format!("{a}, {b}");
    let df = lf
        .clone()
        .select([col(a).cast(DataType::Int64), col(b).cast(DataType::Int64)])
        .collect()
        .map_err(|e| col_err(&at, e))?;
    let xs = df.column(a).and_then(|c| c.i64().cloned()).map_err(|e| col_err(&at, e))?;
    let ys = df.column(b).and_then(|c| c.i64().cloned()).map_err(|e| col_err(&at, e))?;
    let mut nulls = 0;
    let mut hashes: Vec<u64> = Vec::with_capacity(df.height());
    for (x, y) in xs.iter().zip(ys.iter()) {
        match (x, y) {
            (Some(x), Some(y)) => {
                let mut h = std::hash::DefaultHasher::new();
                (x, y).hash(&mut h);
                hashes.push(h.finish());
            }
            _ => nulls += 1,
        }
    }
    drop(df);
    hashes.sort_unstable();
    let (mut values, mut counts) = (Vec::new(), Vec::new());
    for h in hashes {
        match values.last() {
            Some(last) if *last == h => *counts.last_mut().expect("a count per value") += 1,
            _ => {
                values.push(h);
                counts.push(1);
            }
        }
    }
    Ok((values, counts, nulls))
}
