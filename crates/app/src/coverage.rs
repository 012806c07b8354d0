//! What a masking profile leaves uncovered, across the whole product: original values of masked
//! fields that reappear in columns left in clear (a copy of the address in billing, a phone in a
//! ticket body), and columns holding personal data that no rule masks.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::Serialize;
use steward_model::{ProductDefinition, ENTITY_TABLE};
use steward_workspace::{ColumnTags, Workspace};

use crate::masking::{source_columns, MaskedTables};
use crate::AppError;

/// A suggestion at least this sure makes a column personal data the profile must cover, even
/// before the steward accepted it. Below it, only accepted classifications count.
pub const UNCOVERED_CONFIDENCE: f64 = 0.8;

/// A product field that holds personal data and that no rule of the profile masks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Uncovered {
    /// `entity`, `invoices` or `orders.lines`.
    pub table: String,
    pub field: String,
    /// The personal-data tag (`street_address`, `phone`…).
    pub tag: String,
    /// `accepted` (the steward said so) or `suggested` (Steward is at least
    /// [`UNCOVERED_CONFIDENCE`] sure).
    pub why: String,
    /// How sure the suggestion is, when it is one.
    pub confidence: Option<f64>,
}

/// A masked field as rules name it: `email` on the entity, `invoices.billing_address` elsewhere.
pub(crate) fn field_path(table: &str, field: &str) -> String {
    if table == ENTITY_TABLE {
        field.to_string()
    } else {
        format!("{table}.{field}")
    }
}

/// The originals of every masked field, searched in every column left in clear.
pub(crate) fn found_elsewhere(masked: &MaskedTables) -> Result<Vec<steward_privacy::FoundElsewhere>, AppError> {
    let mut sought = vec![];
    for f in &masked.fields {
        let Some((_, original, _)) = masked.tables.iter().find(|(t, _, _)| *t == f.table) else { continue };
        if let Ok(column) = original.column(&f.field) {
            // Every table carries the root's key: the entity each original belongs to.
            let entities = masked.key.as_deref().and_then(|k| original.column(k).ok());
            sought.push(steward_privacy::Masked { field: field_path(&f.table, &f.field), originals: column, entities });
        }
    }
    let clear: Vec<steward_privacy::Clear<'_>> = masked
        .tables
        .iter()
        .map(|(t, _, m)| steward_privacy::Clear {
            table: t.clone(),
            frame: m,
            columns: m
                .get_column_names()
                .into_iter()
                .map(|c| c.to_string())
                .filter(|c| !masked.fields.iter().any(|f| f.table == *t && f.field == *c))
                .collect(),
        })
        .collect();
    steward_privacy::found_elsewhere(&sought, &clear).map_err(|e| AppError::InvalidInput(format!("leak check: {e}")))
}

/// Originals that survive masking in their own column, row by row, per table.
pub(crate) fn same_row_leaks(masked: &MaskedTables) -> Result<Vec<crate::TableLeaks>, AppError> {
    let mut leaks = vec![];
    for (t, o, m) in &masked.tables {
        let cols: Vec<String> = masked.fields.iter().filter(|f| f.table == *t).map(|f| f.field.clone()).collect();
        if cols.is_empty() {
            continue;
        }
        let found = steward_privacy::leaks(o, m, &cols).map_err(|e| AppError::InvalidInput(format!("{t}: {e}")))?;
        leaks.push(crate::TableLeaks { table: t.clone(), columns: found });
    }
    Ok(leaks)
}

/// The whole leak check of masked tables, from scratch (nothing remembered from an earlier
/// report): every masked field's originals in its own column, and in every column left in clear
/// of every table, free text included. The privacy report holds the same two lists.
pub fn leak_check(
    masked: &MaskedTables,
) -> Result<(Vec<crate::TableLeaks>, Vec<steward_privacy::FoundElsewhere>), AppError> {
    both(|| same_row_leaks(masked), || found_elsewhere(masked))
}

/// Runs two independent checks side by side (each keeps what cores the other leaves idle).
pub(crate) fn both<A: Send, B: Send>(
    a: impl FnOnce() -> Result<A, AppError> + Send,
    b: impl FnOnce() -> Result<B, AppError> + Send,
) -> Result<(A, B), AppError> {
    std::thread::scope(|s| {
        let other = s.spawn(b);
        let a = a()?;
        let b = other.join().map_err(|_| AppError::InvalidInput("leak check: a worker stopped".into()))??;
        Ok((a, b))
    })
}

/// Fields of every table holding personal data — accepted by the steward, or suggested at
/// [`UNCOVERED_CONFIDENCE`] or above and not rejected — that no rule of the profile masks.
pub(crate) fn uncovered(ws: &Workspace, def: &ProductDefinition, masked: &MaskedTables) -> Vec<Uncovered> {
    personal_data(ws, def, masked.tables.iter().map(|(t, original, _)| (t.as_str(), original)))
        .into_iter()
        .filter(|u| u.why != DISMISSED && !masked.fields.iter().any(|f| f.table == u.table && f.field == u.field))
        .collect()
}

/// `why` of a suggestion at [`UNCOVERED_CONFIDENCE`] or above that the steward rejected.
pub(crate) const DISMISSED: &str = "dismissed";

/// Fields of every table holding personal data, masked or not: accepted by the steward, or
/// suggested at [`UNCOVERED_CONFIDENCE`] or above and not rejected — and, marked [`DISMISSED`],
/// those sure suggestions the steward rejected (evidence records them for the policy to judge).
/// `tables`: each table of the product by path, with its original rows.
pub(crate) fn personal_data<'a>(
    ws: &Workspace,
    def: &ProductDefinition,
    tables: impl Iterator<Item = (&'a str, &'a polars::prelude::DataFrame)>,
) -> Vec<Uncovered> {
    let mut out = vec![];
    for (table, original) in tables {
        let (source, columns) = source_columns(def, table);
        let saved = ws.source(&source).map(|s| s.classifications.clone()).unwrap_or_default();
        // Decisions are kept per source column; the table names its fields.
        let by_field: BTreeMap<String, ColumnTags> = original
            .get_column_names()
            .into_iter()
            .filter_map(|f| {
                let column = columns.get(f.as_str()).cloned().unwrap_or_else(|| f.to_string());
                saved.get(&column).map(|t| (f.to_string(), t.clone()))
            })
            .collect();
        for c in crate::classify_frame(original, &by_field) {
            let found = match (&c.suggestion, c.accepted.first()) {
                (_, Some(tag)) => Some((tag.clone(), "accepted", None)),
                (Some(s), None) if s.confidence >= UNCOVERED_CONFIDENCE => {
                    let why = if c.rejected.iter().any(|r| r == s.tag.as_str()) { DISMISSED } else { "suggested" };
                    Some((s.tag.as_str().to_string(), why, Some(s.confidence)))
                }
                _ => None,
            };
            if let Some((tag, why, confidence)) = found {
                out.push(Uncovered { table: table.to_string(), field: c.column, tag, why: why.into(), confidence });
            }
        }
    }
    out
}

/// Sets of masked fields a [`MeasureMemo`] keeps results for before starting afresh.
const MEMO_ENTRIES: usize = 32;

/// What the privacy report of one assembled product reuses from one report to the next (a
/// session keeps one per assembly): neither depends on how a field is masked, only on which.
#[derive(Default)]
pub(crate) struct MeasureMemo {
    /// Originals found in columns left in clear, by the masked fields (`table.field`, sorted):
    /// columns left in clear hold the original rows, so a rule's parameters change nothing here.
    spread: Mutex<HashMap<Vec<String>, Vec<steward_privacy::FoundElsewhere>>>,
    /// The product's personal data, by the revision of `steward.yaml` (which keeps the
    /// steward's classification decisions).
    personal: Mutex<HashMap<String, Vec<Uncovered>>>,
}

fn lost() -> AppError {
    AppError::InvalidInput("the privacy report cache is unavailable after an earlier failure: restart Steward".into())
}

impl MeasureMemo {
    pub(crate) fn found_elsewhere(
        &self,
        masked: &MaskedTables,
    ) -> Result<Vec<steward_privacy::FoundElsewhere>, AppError> {
        let mut fields: Vec<String> = masked.fields.iter().map(|f| format!("{}\u{1f}{}", f.table, f.field)).collect();
        fields.sort();
        if let Some(found) = self.spread.lock().map_err(|_| lost())?.get(&fields) {
            return Ok(found.clone());
        }
        let found = found_elsewhere(masked)?;
        let mut spread = self.spread.lock().map_err(|_| lost())?;
        // A long session of adding and removing rules keeps the latest sets only.
        if spread.len() >= MEMO_ENTRIES {
            spread.clear();
        }
        spread.insert(fields, found.clone());
        Ok(found)
    }

    pub(crate) fn uncovered(
        &self,
        ws: &Workspace,
        def: &ProductDefinition,
        masked: &MaskedTables,
    ) -> Result<Vec<Uncovered>, AppError> {
        let manifest = std::fs::read(ws.manifest_path()).map(|b| crate::revision_of(&b)).unwrap_or_default();
        let known = self.personal.lock().map_err(|_| lost())?.get(&manifest).cloned();
        let all = match known {
            Some(all) => all,
            None => {
                let all = personal_data(ws, def, masked.tables.iter().map(|(t, original, _)| (t.as_str(), original)));
                let mut personal = self.personal.lock().map_err(|_| lost())?;
                if personal.len() >= MEMO_ENTRIES {
                    personal.clear();
                }
                personal.insert(manifest, all.clone());
                all
            }
        };
        Ok(all
            .into_iter()
            .filter(|u| u.why != DISMISSED && !masked.fields.iter().any(|f| f.table == u.table && f.field == u.field))
            .collect())
    }
}
