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

use std::collections::HashMap;

use std::hash::{BuildHasher, Hasher};

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
    let err =
        |e: PolarsError| PrivacyError::Column { column: m.field.clone(), message: steward_display::engine_message(&e) };
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

/// Whether `s` has at least `n` letters and digits (stops counting at `n`).
fn alnum_at_least(s: &str, n: usize) -> bool {
    n == 0 || s.chars().filter(|c| c.is_alphanumeric()).nth(n - 1).is_some()
}

/// One distinct original: the entity holding it (`None` once a second one does) and the fields
/// it is an original of (the first, then any others; no allocation for the usual one).
struct Owner {
    holder: Option<u64>,
    first: usize,
    more: Vec<usize>,
}

impl Owner {
    fn fields(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }
}

/// One clear column's distinct cells (trimmed) and the rows holding each, with what an original
/// must match to be found there: the hash of a whole cell, or the start of a run of words.
struct ClearCells<'c> {
    cells: PlHashMap<&'c str, u64>,
    whole: Vec<u64>,
    starts: Vec<u64>,
}

fn clear_cells<'c>(c: &'c Clear<'_>, name: &str, hasher: &PlRandomState) -> Option<ClearCells<'c>> {
    let values = c.frame.column(name).ok()?.str().ok()?;
    // Each distinct cell is searched once and counts for every row holding it: a status, a
    // product name or a category repeats over millions of rows.
    let mut cells: PlHashMap<&'c str, u64> = PlHashMap::new();
    for v in values.iter().flatten() {
        *cells.entry(v.trim()).or_default() += 1;
    }
    let mut whole = Vec::with_capacity(cells.len());
    let mut starts = vec![];
    let mut spans = vec![];
    for cell in cells.keys() {
        whole.push(hasher.hash_one(cell));
        if cell.len() > MIN_FREE_TEXT_CHARS {
            word_spans(cell, &mut spans);
            starts.extend((0..spans.len()).filter_map(|i| start_hash(hasher, cell, &spans, i)));
        }
    }
    Some(ClearCells { cells, whole, starts })
}

/// Searches the originals of every field of `masked` in every clear column of `clear`.
///
/// The clear side is read first: its distinct cells, and the starts of its runs of words. Only
/// originals that meet one of them can be found, so only those are indexed — at a million
/// customers, thousands of originals instead of six million.
pub fn found_elsewhere<'a>(masked: &[Masked<'a>], clear: &[Clear<'_>]) -> Result<Vec<FoundElsewhere>, PrivacyError> {
    let stopped = || PrivacyError::Polars { at: "leak check".into(), message: "a worker stopped".into() };
    let hasher = PlRandomState::default();
    let columns: Vec<(&Clear<'_>, &String)> =
        clear.iter().flat_map(|c| c.columns.iter().map(move |n| (c, n))).collect();
    let sides = crate::par::map(&columns, |&(c, name)| clear_cells(c, name, &hasher)).ok_or_else(stopped)?;
    let mut whole: PlHashSet<u64> = PlHashSet::new();
    let mut starts: PlHashSet<u64> = PlHashSet::new();
    for side in sides.iter().flatten() {
        whole.extend(side.whole.iter().copied());
        starts.extend(side.starts.iter().copied());
    }
    if whole.is_empty() {
        return Ok(vec![]);
    }

    // The originals that meet the clear side, each with the entity holding it: every occurrence
    // of such a value, so that a value two entities share is known as shared.
    let text_fields: Vec<usize> =
        (0..masked.len()).filter(|&i| matches!(masked[i].originals.dtype(), DataType::String)).collect();
    let met = crate::par::map(&text_fields, |&i| -> Result<Vec<(&'a str, u64)>, PrivacyError> {
        let m = &masked[i];
        let originals: &'a Column = m.originals;
        let s = originals.str().map_err(|e| PrivacyError::Column {
            column: m.field.clone(),
            message: steward_display::engine_message(&e),
        })?;
        let entities = entity_hashes(m)?;
        let mut spans = vec![];
        let mut out = vec![];
        for (v, e) in s.iter().zip(entities) {
            let Some(v) = v.map(str::trim) else { continue };
            if !alnum_at_least(v, MIN_CHARS) {
                continue;
            }
            let meets = whole.contains(&hasher.hash_one(v)) || {
                word_spans(v, &mut spans);
                start_hash(&hasher, v, &spans, 0).is_some_and(|h| starts.contains(&h))
            };
            if meets {
                out.push((v, e));
            }
        }
        Ok(out)
    })
    .ok_or_else(stopped)?;
    // Each distinct original met, once, borrowed from its column.
    let mut owners: PlHashMap<&'a str, Owner> = PlHashMap::new();
    for (&i, found) in text_fields.iter().zip(met) {
        for (v, e) in found? {
            let o = owners.entry(v).or_insert(Owner { holder: Some(e), first: i, more: vec![] });
            if o.holder != Some(e) {
                o.holder = None;
            }
            if o.first != i && o.more.last() != Some(&i) {
                o.more.push(i);
            }
        }
    }
    owners.retain(|_, o| o.holder.is_some());
    if owners.is_empty() {
        return Ok(vec![]);
    }
    let in_text: Vec<&str> = owners.keys().copied().filter(|v| alnum_at_least(v, MIN_FREE_TEXT_CHARS)).collect();
    let index = WordIndex::build(hasher, &in_text);
    let searched: Vec<(&(&Clear<'_>, &String), &ClearCells<'_>)> =
        columns.iter().zip(&sides).filter_map(|(c, side)| Some((c, side.as_ref()?))).collect();
    let found = crate::par::map(&searched, |&(&(c, name), side)| search_column(c, name, side, &owners, &index, masked))
        .ok_or_else(stopped)?;
    Ok(found.into_iter().flatten().collect())
}

/// The originals `owners` holds, found in one clear column: whole cells, and inside text.
fn search_column(
    c: &Clear<'_>,
    name: &str,
    side: &ClearCells<'_>,
    owners: &PlHashMap<&str, Owner>,
    index: &WordIndex<'_>,
    masked: &[Masked<'_>],
) -> Vec<FoundElsewhere> {
    // (field index, in text) → rows, samples
    let mut hits: HashMap<(usize, bool), (u64, Vec<String>)> = HashMap::new();
    let mut row_fields: Vec<(usize, bool)> = vec![];
    let mut spans: Vec<(usize, usize)> = vec![];
    for (&cell, &rows) in &side.cells {
        if let Some(o) = owners.get(cell) {
            for f in o.fields() {
                let e = hits.entry((f, false)).or_default();
                e.0 += rows;
                if e.1.len() < SAMPLES && !e.1.iter().any(|s| s == cell) {
                    e.1.push(cell.to_string());
                }
            }
            continue;
        }
        if cell.len() <= MIN_FREE_TEXT_CHARS {
            continue;
        }
        row_fields.clear();
        for found in index.find(cell, &mut spans) {
            let Some(o) = owners.get(found) else { continue };
            for f in o.fields() {
                if row_fields.contains(&(f, true)) {
                    continue;
                }
                row_fields.push((f, true));
                let e = hits.entry((f, true)).or_default();
                if e.1.len() < SAMPLES && !e.1.iter().any(|s| s == found) {
                    e.1.push(found.to_string());
                }
            }
        }
        for key in &row_fields {
            hits.entry(*key).or_default().0 += rows;
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
                column: name.to_string(),
                rows,
                in_text,
                samples,
            }
        })
        .collect();
    found.sort_by(|a, b| (&a.field, a.in_text).cmp(&(&b.field, b.in_text)));
    found
}

/// Originals indexed by their first words (runs of letters and digits), as many as it takes to
/// hold [`MIN_FREE_TEXT_CHARS`] letters and digits: `12 Rue Lepic`, `jane doe` of an email. At
/// each word of a text the same words name the few originals that can start there: one lookup
/// per word, and few originals share a start (phone numbers share `33 6`, not `33 6 12 34`).
struct WordIndex<'a> {
    hasher: PlRandomState,
    /// Hash of the first words → (original, bytes before its first word): the first one inline,
    /// any others after it (most starts have one original).
    starts: PlHashMap<u64, Starts<'a>>,
}

struct Starts<'a> {
    first: (&'a str, usize),
    more: Vec<(&'a str, usize)>,
}

/// Byte ranges of the runs of letters and digits of `s`, into `out` (cleared first).
fn word_spans(s: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
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
}

/// The hash of the words of `s` from `spans[from]` on that first hold [`MIN_FREE_TEXT_CHARS`]
/// letters and digits; `None` when they never do.
fn start_hash(hasher: &PlRandomState, s: &str, spans: &[(usize, usize)], from: usize) -> Option<u64> {
    let mut h = hasher.build_hasher();
    let mut chars = 0;
    for &(b, e) in spans.get(from..)? {
        let word = &s[b..e];
        h.write(word.as_bytes());
        h.write_u8(0xff);
        chars += if word.is_ascii() { word.len() } else { word.chars().count() };
        if chars >= MIN_FREE_TEXT_CHARS {
            return Some(h.finish());
        }
    }
    None
}

impl<'a> WordIndex<'a> {
    fn build(hasher: PlRandomState, originals: &[&'a str]) -> WordIndex<'a> {
        let mut index = WordIndex { hasher, starts: PlHashMap::with_capacity(originals.len()) };
        let mut spans = vec![];
        for &o in originals {
            word_spans(o, &mut spans);
            let (Some(&(b, _)), Some(h)) = (spans.first(), start_hash(&index.hasher, o, &spans, 0)) else { continue };
            match index.starts.get_mut(&h) {
                Some(s) => s.more.push((o, b)),
                None => {
                    index.starts.insert(h, Starts { first: (o, b), more: vec![] });
                }
            }
        }
        index
    }

    /// Every original found in `text` at word bounds (an original found twice, twice);
    /// `spans` is scratch space.
    fn find<'t>(&'t self, text: &'t str, spans: &'t mut Vec<(usize, usize)>) -> impl Iterator<Item = &'a str> + 't {
        word_spans(text, spans);
        let spans = &*spans;
        (0..spans.len()).flat_map(move |i| {
            let b = spans[i].0;
            let starts = start_hash(&self.hasher, text, spans, i).and_then(|h| self.starts.get(&h));
            starts.into_iter().flat_map(|s| std::iter::once(&s.first).chain(&s.more)).filter_map(move |&(o, lead)| {
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

    /// The search, written the slow obvious way: every original held by one entity, compared with
    /// every cell (whole) and looked for at word bounds inside it.
    fn naive(masked: &[Masked<'_>], clear: &[Clear<'_>]) -> Vec<(String, String, u64, bool)> {
        let mut holders: HashMap<String, (Option<u64>, Vec<usize>)> = HashMap::new();
        for (i, m) in masked.iter().enumerate() {
            let entities = entity_hashes(m).unwrap();
            for (v, e) in m.originals.str().unwrap().iter().zip(entities) {
                let Some(v) = v.map(str::trim).filter(|v| alnum_at_least(v, MIN_CHARS)) else { continue };
                let h = holders.entry(v.to_string()).or_insert((Some(e), vec![]));
                if h.0 != Some(e) {
                    h.0 = None;
                }
                if !h.1.contains(&i) {
                    h.1.push(i);
                }
            }
        }
        let mut out = vec![];
        for c in clear {
            for name in &c.columns {
                let mut rows: HashMap<(usize, bool), u64> = HashMap::new();
                for cell in c.frame.column(name).unwrap().str().unwrap().iter().flatten().map(str::trim) {
                    let mut here: Vec<(usize, bool)> = vec![];
                    if let Some((Some(_), fields)) = holders.get(cell) {
                        here.extend(fields.iter().map(|f| (*f, false)));
                    } else if cell.len() > MIN_FREE_TEXT_CHARS {
                        for (o, (h, fields)) in &holders {
                            if h.is_none() || !alnum_at_least(o, MIN_FREE_TEXT_CHARS) {
                                continue;
                            }
                            let inside =
                                cell.match_indices(o.as_str()).any(|(at, _)| at_word_bounds(cell, at, at + o.len()));
                            if inside {
                                for k in fields.iter().map(|f| (*f, true)) {
                                    if !here.contains(&k) {
                                        here.push(k);
                                    }
                                }
                            }
                        }
                    }
                    for k in here {
                        *rows.entry(k).or_default() += 1;
                    }
                }
                for ((f, in_text), n) in rows {
                    out.push((masked[f].field.clone(), format!("{}.{name}", c.table), n, in_text));
                }
            }
        }
        out.sort();
        out
    }

    /// Random originals and texts over a small vocabulary (so that values repeat, share first
    /// words and turn up inside one another): the indexed search finds what the obvious one does.
    #[test]
    fn the_indexed_search_finds_what_the_obvious_one_does() {
        use rand::{RngExt, SeedableRng};
        let words = ["12", "Rue", "Lepic", "33", "6", "34", "Anna", "Berg", "Main", "St", "x", "Ödön", "2024-01-02"];
        let seps = [" ", " ", ", ", "-", ". "];
        let (mut whole, mut inside) = (0, 0);
        for seed in 0..40u64 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut text = |max: usize| -> Option<String> {
                if rng.random_range(0..10) == 0 {
                    return None;
                }
                let n = rng.random_range(1..=max);
                let mut s = String::new();
                for i in 0..n {
                    if i > 0 {
                        s.push_str(seps[rng.random_range(0..seps.len())]);
                    }
                    s.push_str(words[rng.random_range(0..words.len())]);
                }
                Some(s)
            };
            let a: Vec<Option<String>> = (0..60).map(|_| text(3)).collect();
            let b: Vec<Option<String>> = (0..40).map(|_| text(4)).collect();
            let notes: Vec<Option<String>> = (0..80).map(|_| text(9)).collect();
            let short: Vec<Option<String>> = (0..80).map(|_| text(2)).collect();
            let a = Column::new("a".into(), a);
            let b = Column::new("b".into(), b);
            let owners_a = Column::new("id".into(), (0..60).map(|i| i % 45).collect::<Vec<i64>>());
            let masked = [
                Masked { field: "a".into(), originals: &a, entities: Some(&owners_a) },
                Masked { field: "t.b".into(), originals: &b, entities: None },
            ];
            let out = DataFrame::new_infer_height(vec![
                Column::new("note".into(), notes),
                Column::new("short".into(), short),
            ])
            .unwrap();
            let clear = [Clear { table: "t".into(), frame: &out, columns: vec!["note".into(), "short".into()] }];
            let mut got: Vec<(String, String, u64, bool)> = found_elsewhere(&masked, &clear)
                .unwrap()
                .into_iter()
                .map(|f| (f.field, format!("{}.{}", f.table, f.column), f.rows, f.in_text))
                .collect();
            got.sort();
            assert_eq!(got, naive(&masked, &clear), "seed {seed}");
            whole += got.iter().filter(|g| !g.3).count();
            inside += got.iter().filter(|g| g.3).count();
        }
        assert!(whole > 10 && inside > 10, "the data meets both cases: {whole} whole, {inside} in text");
    }
}
