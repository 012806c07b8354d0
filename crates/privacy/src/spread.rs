//! Original values found where masking did not reach: the leak check across a whole product.
//! A masked field's originals are searched in every column left in clear, in every table —
//! whole cells (billing's copy of the customer's street address) and inside free text (a phone
//! pasted in a ticket body).
//!
//! Every searched original is indexed by its first two words, so each clear cell is read once
//! whatever the number of masked fields: a whole cell is one lookup, free text one lookup per
//! word (an automaton over a million originals took longer to build than the search itself). Only text originals are searched: numbers and dates meet other
//! numbers and dates by chance (an id of 150 and a quantity of 150), which says nothing.
//!
//! Only originals that identify are searched: values held by one entity (a street address, a
//! phone). A value many entities share — a city, a common first name — says nothing about any
//! one of them where it reappears, and meets other columns by chance (the city `Jordan` in a
//! column of country names); the quasi-identifiers among them are measured by k-anonymity.

use std::collections::{HashMap, HashSet};

use std::hash::BuildHasher;

use polars::prelude::*;
use serde::Serialize;

use crate::PrivacyError;

/// Originals shorter than this (letters and digits) are only matched as a whole cell: a first
/// name of four letters inside a sentence is too often another word.
pub const MIN_FREE_TEXT_CHARS: usize = 6;

/// Originals with fewer letters and digits than this are never searched (`M`, `12`).
const MIN_CHARS: usize = 3;

/// Samples kept per finding, for the officer to look at.
const SAMPLES: usize = 3;

/// Original values of one masked field, found in a column left in clear.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FoundElsewhere {
    /// The masked field whose originals were found, as rules name it: `street_address` (the
    /// entity's) or `invoices.billing_address`.
    pub field: String,
    /// Where: a table (`invoices`, `orders.lines`) and its column left in clear.
    pub table: String,
    pub column: String,
    /// Rows of that column holding at least one of the originals.
    pub rows: u64,
    /// Found inside longer text rather than as the whole cell.
    pub in_text: bool,
    /// A few of the originals found, for the officer who asks. Never serialised: a report sent to
    /// a CI log or the webview carries counts and places, not personal data.
    #[serde(skip)]
    pub samples: Vec<String>,
}

/// The originals of one masked field: its path, its column of original values and, row for
/// row, the entity each belongs to (without it, each row is its own entity).
pub struct Masked<'a> {
    pub field: String,
    pub originals: &'a Column,
    pub entities: Option<&'a Column>,
}

/// Per row of `m`, a hash of the entity it belongs to (the row itself without entities).
fn entity_hashes(m: &Masked<'_>) -> Result<Vec<u64>, PrivacyError> {
    let err = |e: PolarsError| PrivacyError::Column { column: m.field.clone(), message: e.to_string() };
    match m.entities {
        Some(e) if e.len() == m.originals.len() => {
            let mut out = vec![];
            e.as_materialized_series().vec_hash(PlSeedableRandomStateQuality::fixed(), &mut out).map_err(err)?;
            Ok(out)
        }
        _ => Ok((0..m.originals.len() as u64).collect()),
    }
}

/// A table's columns left in clear, as they leave (masked output).
pub struct Clear<'a> {
    pub table: String,
    pub frame: &'a DataFrame,
    pub columns: Vec<String>,
}

fn alnum(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Searches the originals of every field of `masked` in every clear column of `clear`.
pub fn found_elsewhere(masked: &[Masked<'_>], clear: &[Clear<'_>]) -> Result<Vec<FoundElsewhere>, PrivacyError> {
    // Each distinct original, once, with the fields it belongs to — if one entity holds it.
    let mut owners: PlHashMap<String, Vec<usize>> = PlHashMap::new();
    // The entity holding each value, or `None` once a second one does.
    let mut holder: PlHashMap<String, Option<u64>> = PlHashMap::new();
    for (i, m) in masked.iter().enumerate() {
        if !matches!(m.originals.dtype(), DataType::String) {
            continue;
        }
        let s =
            m.originals.str().map_err(|e| PrivacyError::Column { column: m.field.clone(), message: e.to_string() })?;
        let entities = entity_hashes(m)?;
        for (v, e) in s.iter().zip(entities) {
            let Some(v) = v.map(str::trim) else { continue };
            if alnum(v) < MIN_CHARS {
                continue;
            }
            match holder.get_mut(v) {
                None => {
                    holder.insert(v.to_string(), Some(e));
                }
                Some(h) if *h != Some(e) => *h = None,
                Some(_) => {}
            }
            let fields = owners.entry(v.to_string()).or_default();
            if fields.last() != Some(&i) {
                fields.push(i);
            }
        }
    }
    owners.retain(|v, _| holder.get(v).is_some_and(Option::is_some));
    if owners.is_empty() {
        return Ok(vec![]);
    }
    let index = WordIndex::build(owners.keys().filter(|v| alnum(v) >= MIN_FREE_TEXT_CHARS).map(String::as_str));

    let mut out = vec![];
    for c in clear {
        for name in &c.columns {
            let Ok(column) = c.frame.column(name) else { continue };
            let Ok(values) = column.str() else { continue };
            // (field index, in text) → rows, samples
            let mut hits: HashMap<(usize, bool), (u64, Vec<String>)> = HashMap::new();
            let mut row_fields: HashSet<(usize, bool)> = HashSet::new();
            for v in values.iter().flatten() {
                row_fields.clear();
                let cell = v.trim();
                if let Some(fields) = owners.get(cell) {
                    row_fields.extend(fields.iter().map(|f| (*f, false)));
                } else if cell.len() > MIN_FREE_TEXT_CHARS {
                    for found in index.find(cell) {
                        if let Some(fields) = owners.get(found) {
                            for f in fields {
                                if row_fields.insert((*f, true)) {
                                    let e = hits.entry((*f, true)).or_default();
                                    if e.1.len() < SAMPLES && !e.1.iter().any(|s| s == found) {
                                        e.1.push(found.to_string());
                                    }
                                }
                            }
                        }
                    }
                    for key in row_fields.drain() {
                        hits.entry(key).or_default().0 += 1;
                    }
                    continue;
                }
                for key in row_fields.drain() {
                    let e = hits.entry(key).or_default();
                    e.0 += 1;
                    if e.1.len() < SAMPLES && !e.1.iter().any(|s| s == cell) {
                        e.1.push(cell.to_string());
                    }
                }
            }
            let mut found: Vec<FoundElsewhere> = hits
                .into_iter()
                .filter(|(_, (rows, _))| *rows > 0)
                .map(|((f, in_text), (rows, mut samples))| {
                    samples.sort();
                    FoundElsewhere {
                        field: masked[f].field.clone(),
                        table: c.table.clone(),
                        column: name.clone(),
                        rows,
                        in_text,
                        samples,
                    }
                })
                .collect();
            found.sort_by(|a, b| (&a.field, a.in_text).cmp(&(&b.field, b.in_text)));
            out.extend(found);
        }
    }
    Ok(out)
}

/// Originals indexed by their first two words (runs of letters and digits): a word of a text,
/// with the word after it, names the few originals that can start there.
struct WordIndex<'a> {
    hasher: PlRandomState,
    /// Hash of (first word, second word or "") → (original, bytes before its first word).
    starts: PlHashMap<u64, Vec<(&'a str, usize)>>,
}

/// Byte ranges of the runs of letters and digits of `s`.
fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut out = vec![];
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                out.push((b, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push((b, s.len()));
    }
    out
}

impl<'a> WordIndex<'a> {
    fn build(originals: impl Iterator<Item = &'a str>) -> WordIndex<'a> {
        let hasher = PlRandomState::default();
        let mut starts: PlHashMap<u64, Vec<(&'a str, usize)>> = PlHashMap::new();
        for o in originals {
            let spans = word_spans(o);
            let Some(&(b, e)) = spans.first() else { continue };
            let second = spans.get(1).map(|&(b2, e2)| &o[b2..e2]).unwrap_or("");
            starts.entry(hasher.hash_one((&o[b..e], second))).or_default().push((o, b));
        }
        WordIndex { hasher, starts }
    }

    /// Every original found in `text` at word bounds (an original found twice, twice).
    fn find<'t>(&'t self, text: &'t str) -> impl Iterator<Item = &'a str> + 't {
        let spans = word_spans(text);
        (0..spans.len()).flat_map(move |i| {
            let (b, e) = spans[i];
            let word = &text[b..e];
            let next = spans.get(i + 1).map(|&(b2, e2)| &text[b2..e2]).unwrap_or("");
            let one = self.starts.get(&self.hasher.hash_one((word, "")));
            let two = if next.is_empty() { None } else { self.starts.get(&self.hasher.hash_one((word, next))) };
            one.into_iter().chain(two).flatten().filter_map(move |&(o, lead)| {
                let start = b.checked_sub(lead)?;
                let end = start + o.len();
                let fits = text.is_char_boundary(start)
                    && text.as_bytes().get(start..end) == Some(o.as_bytes())
                    && at_word_bounds(text, start, end);
                fits.then_some(o)
            })
        })
    }
}

/// A match that starts and ends at word bounds: `Anna` in `Anna wrote`, not in `Annabelle`.
fn at_word_bounds(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, v: &[Option<&str>]) -> Column {
        Column::new(name.into(), v.to_vec())
    }

    #[test]
    fn finds_whole_cells_and_text_but_not_parts_of_words_or_numbers() {
        let street = col("street_address", &[Some("12 Rue Lepic"), Some("Jung gang 220"), None]);
        let phone = col("phone", &[Some("+33 6 12 34 56 78"), Some("+49 151 90793806"), Some("12")]);
        let ids = Column::new("customer_id".into(), [150i64, 151]);
        let invoices = DataFrame::new_infer_height(vec![
            col("billing_address", &[Some("12 Rue Lepic"), Some("1 Old Mill Road"), Some("Jung gang 220 ")]),
            Column::new("quantity".into(), [150i64, 2, 3]),
        ])
        .unwrap();
        let tickets = DataFrame::new_infer_height(vec![col(
            "body",
            &[
                Some("Call me at +49 151 90793806 please"),
                Some("My address: 12 Rue Lepic, Paris. Or +33 6 12 34 56 78."),
                Some("x+49 151 907938061 is not it"),
                Some("Order 12 arrived"),
            ],
        )])
        .unwrap();
        let masked = [
            Masked { field: "entity.street_address".into(), originals: &street, entities: None },
            Masked { field: "entity.phone".into(), originals: &phone, entities: None },
            Masked { field: "entity.customer_id".into(), originals: &ids, entities: None },
        ];
        let clear = [
            Clear {
                table: "invoices".into(),
                frame: &invoices,
                columns: vec!["billing_address".into(), "quantity".into()],
            },
            Clear { table: "tickets".into(), frame: &tickets, columns: vec!["body".into()] },
        ];
        let found = found_elsewhere(&masked, &clear).unwrap();
        let summary: Vec<(String, String, u64, bool)> =
            found.iter().map(|f| (f.field.clone(), format!("{}.{}", f.table, f.column), f.rows, f.in_text)).collect();
        assert_eq!(
            summary,
            [
                ("entity.street_address".to_string(), "invoices.billing_address".to_string(), 2, false),
                ("entity.phone".to_string(), "tickets.body".to_string(), 2, true),
                ("entity.street_address".to_string(), "tickets.body".to_string(), 1, true),
            ]
        );
        assert_eq!(found[0].samples, ["12 Rue Lepic", "Jung gang 220"]);
    }

    #[test]
    fn values_many_entities_share_are_not_searched_but_one_entitys_copies_are() {
        // Found at 150k customers: the city `Jordan` and the first name `Jordan` were reported
        // as leaks wherever the country name `Jordan` stood — 59,714 false leaks.
        let city = col("city", &[Some("Jordan"), Some("Jordan"), Some("Lyon")]);
        let street = col("street_address", &[Some("12 Rue Lepic"), Some("3 Main St"), Some("3 Main St")]);
        let customers = Column::new("customer_id".into(), [1i64, 2, 3]);
        // One customer's address on each of their invoices: held by one entity, however often.
        let billing = col("billing_address", &[Some("12 Rue Lepic"), Some("12 Rue Lepic")]);
        let billed = Column::new("customer_id".into(), [1i64, 1]);
        let masked = [
            Masked { field: "city".into(), originals: &city, entities: Some(&customers) },
            Masked { field: "street_address".into(), originals: &street, entities: Some(&customers) },
            Masked { field: "invoices.billing_address".into(), originals: &billing, entities: Some(&billed) },
        ];
        let out = DataFrame::new_infer_height(vec![
            col("country_name", &[Some("Jordan"), Some("Jordan"), Some("France")]),
            col("note", &[Some("ship to 3 Main St"), Some("ship to 12 Rue Lepic"), None]),
        ])
        .unwrap();
        let clear =
            [Clear { table: "entity".into(), frame: &out, columns: vec!["country_name".into(), "note".into()] }];
        let found = found_elsewhere(&masked, &clear).unwrap();
        let summary: Vec<(&str, &str, u64)> =
            found.iter().map(|f| (f.field.as_str(), f.column.as_str(), f.rows)).collect();
        // `Jordan` (two customers) and `3 Main St` (a shared address) are not searched.
        assert_eq!(summary, [("invoices.billing_address", "note", 1), ("street_address", "note", 1)]);
    }
}
