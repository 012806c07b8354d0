//! Join-key suggestions across tables, from column names and from value inclusion.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use serde::Serialize;

/// A table to look at, named the way the steward knows it (a workspace source id).
#[derive(Clone, Copy)]
pub struct TableRef<'a> {
    pub id: &'a str,
    pub frame: &'a DataFrame,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RelationCardinality"))]
pub enum Cardinality {
    #[serde(rename = "1:1")]
    OneToOne,
    #[serde(rename = "1:n")]
    OneToMany,
}

/// "`child.child_column` refers to `parent.parent_column`".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Relation"))]
pub struct RelationSuggestion {
    pub parent: String,
    pub parent_column: String,
    pub child: String,
    pub child_column: String,
    /// 0..1, from inclusion and name evidence.
    pub score: f64,
    /// Share of the child's distinct values found among the parent's keys.
    pub inclusion: f64,
    /// Share of the child's non-null rows whose value has no parent.
    pub orphan_share: f64,
    pub orphan_rows: u64,
    pub cardinality: Cardinality,
    pub evidence: String,
}

#[derive(Debug)]
enum Keys {
    Int(HashSet<i64>),
    Str(HashSet<String>),
}

struct ColumnFacts {
    keys: Keys,
    rows: Vec<Option<KeyValue>>,
    unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyValue {
    Int(i64),
    Str(String),
}

fn facts(c: &Column) -> Option<ColumnFacts> {
    // Integers compare as i64 when every value fits (a strict cast: a u64 past 2^63 never turns
    // into a null that matches nothing); otherwise by their exact digits.
    let ints = if c.dtype().is_integer() { c.strict_cast(&DataType::Int64).ok() } else { None };
    let rows: Vec<Option<KeyValue>> = match (&ints, c.dtype()) {
        (Some(i), _) => i.i64().ok()?.iter().map(|v| v.map(KeyValue::Int)).collect(),
        (None, d) if d.is_integer() => {
            c.as_materialized_series().iter().map(|v| (!v.is_null()).then(|| KeyValue::Str(v.to_string()))).collect()
        }
        (None, DataType::String) => c.str().ok()?.iter().map(|v| v.map(|s| KeyValue::Str(s.to_string()))).collect(),
        _ => return None,
    };
    let non_null = rows.iter().flatten().count();
    let keys = match ints {
        Some(_) => Keys::Int(
            rows.iter().flatten().filter_map(|v| if let KeyValue::Int(i) = v { Some(*i) } else { None }).collect(),
        ),
        _ => Keys::Str(
            rows.iter()
                .flatten()
                .filter_map(|v| if let KeyValue::Str(s) = v { Some(s.clone()) } else { None })
                .collect(),
        ),
    };
    let distinct = match &keys {
        Keys::Int(k) => k.len(),
        Keys::Str(k) => k.len(),
    };
    Some(ColumnFacts { unique: non_null > 0 && distinct == non_null, keys, rows })
}

fn singular(s: &str) -> String {
    match s.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => s.strip_suffix('s').unwrap_or(s).to_string(),
    }
}

/// 1.0 for the same name or `<table>_id` → `id`; 0.6 for a suffix match; 0 otherwise.
fn name_score(parent_table: &str, parent_col: &str, child_col: &str) -> f64 {
    let (p, c) = (parent_col.to_ascii_lowercase(), child_col.to_ascii_lowercase());
    if p == c {
        return 1.0;
    }
    if p == "id" && (c == format!("{}_id", singular(&parent_table.to_ascii_lowercase()))) {
        return 1.0;
    }
    if c.ends_with(&format!("_{p}")) && p.len() >= 4 {
        return 0.6;
    }
    0.0
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Suggests join keys between every pair of tables: a unique parent column and a child column
/// of the same kind whose values are mostly found among the parent's.
pub fn discover_relations(tables: &[TableRef<'_>]) -> Vec<RelationSuggestion> {
    let mut facts_of: HashMap<(usize, String), ColumnFacts> = HashMap::new();
    for (ti, t) in tables.iter().enumerate() {
        for c in t.frame.columns() {
            if let Some(f) = facts(c) {
                facts_of.insert((ti, c.name().to_string()), f);
            }
        }
    }
    let mut out: Vec<RelationSuggestion> = vec![];
    for (pi, parent) in tables.iter().enumerate() {
        for pc in parent.frame.columns() {
            let Some(pf) = facts_of.get(&(pi, pc.name().to_string())) else { continue };
            if !pf.unique {
                continue;
            }
            for (ci, child) in tables.iter().enumerate() {
                if ci == pi {
                    continue;
                }
                for cc in child.frame.columns() {
                    let Some(cf) = facts_of.get(&(ci, cc.name().to_string())) else { continue };
                    let (child_distinct, found) = match (&pf.keys, &cf.keys) {
                        (Keys::Int(p), Keys::Int(c)) => (c.len(), c.iter().filter(|v| p.contains(v)).count()),
                        (Keys::Str(p), Keys::Str(c)) => (c.len(), c.iter().filter(|v| p.contains(*v)).count()),
                        _ => continue,
                    };
                    if child_distinct == 0 {
                        continue;
                    }
                    let inclusion = found as f64 / child_distinct as f64;
                    let names = name_score(parent.id, pc.name(), cc.name());
                    let parent_distinct = match &pf.keys {
                        Keys::Int(k) => k.len(),
                        Keys::Str(k) => k.len(),
                    };
                    // Without name evidence, inclusion alone is weak: dense surrogate keys (1..n)
                    // contain any small numbers, and two differently named ids are different keys.
                    let id_like = |n: &str| {
                        let n = n.to_ascii_lowercase();
                        n == "id" || n.ends_with("_id") || n.ends_with("id") && n.len() > 2
                    };
                    let conflicting_ids = names == 0.0 && id_like(pc.name()) && id_like(cc.name());
                    let dense_parent = match &pf.keys {
                        Keys::Int(k) => {
                            let (lo, hi) = (k.iter().min().copied().unwrap_or(0), k.iter().max().copied().unwrap_or(0));
                            (hi - lo + 1) as usize == k.len()
                        }
                        Keys::Str(_) => false,
                    };
                    let by_values = inclusion >= 0.95
                        && child_distinct >= 50
                        && parent_distinct >= 50
                        && !conflicting_ids
                        && !dense_parent;
                    if !((names > 0.0 && inclusion >= 0.2) || by_values) {
                        continue;
                    }
                    let non_null: Vec<&KeyValue> = cf.rows.iter().flatten().collect();
                    let orphan_rows = non_null
                        .iter()
                        .filter(|v| match (v, &pf.keys) {
                            (KeyValue::Int(i), Keys::Int(p)) => !p.contains(i),
                            (KeyValue::Str(s), Keys::Str(p)) => !p.contains(s),
                            _ => true,
                        })
                        .count() as u64;
                    let orphan_share =
                        if non_null.is_empty() { 0.0 } else { orphan_rows as f64 / non_null.len() as f64 };
                    let cardinality = if cf.unique { Cardinality::OneToOne } else { Cardinality::OneToMany };
                    let name_note = match names {
                        n if n >= 1.0 => "; names match",
                        n if n > 0.0 => "; names are alike",
                        _ => "",
                    };
                    out.push(RelationSuggestion {
                        parent: parent.id.to_string(),
                        parent_column: pc.name().to_string(),
                        child: child.id.to_string(),
                        child_column: cc.name().to_string(),
                        score: (0.6 * inclusion + 0.4 * names).min(1.0),
                        inclusion,
                        orphan_share,
                        orphan_rows,
                        cardinality,
                        evidence: format!(
                            "{} of {} distinct {}.{} values are in {}.{}; {} of {} rows have no match{}",
                            pct(inclusion),
                            child_distinct,
                            child.id,
                            cc.name(),
                            parent.id,
                            pc.name(),
                            orphan_rows,
                            non_null.len(),
                            name_note
                        ),
                    });
                }
            }
        }
    }
    // Two unique columns suggest each other; keep the stronger direction.
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.child.cmp(&b.child)));
    let mut kept: Vec<RelationSuggestion> = vec![];
    for s in out {
        let mirrored = kept.iter().any(|k| {
            k.parent == s.child
                && k.parent_column == s.child_column
                && k.child == s.parent
                && k.child_column == s.parent_column
        });
        if !mirrored {
            kept.push(s);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_foreign_keys_with_orphans_and_cardinality() {
        let customers = df!("customer_id" => (1..=100i64).collect::<Vec<_>>(), "segment" => vec!["a"; 100]).unwrap();
        let mut ids: Vec<i64> = (1..=100).flat_map(|i| [i, i]).collect();
        ids[0] = 999; // an orphan
        let orders = df!(
            "order_id" => (1..=200i64).collect::<Vec<_>>(),
            "customer_id" => ids,
            "rating" => (0..200).map(|i| i % 5 + 1).collect::<Vec<i64>>(),
        )
        .unwrap();
        let found =
            discover_relations(&[TableRef { id: "crm", frame: &customers }, TableRef { id: "orders", frame: &orders }]);
        let fk =
            found.iter().find(|s| s.child == "orders" && s.child_column == "customer_id").expect("customer_id link");
        assert_eq!((fk.parent.as_str(), fk.parent_column.as_str()), ("crm", "customer_id"));
        assert_eq!(fk.cardinality, Cardinality::OneToMany);
        assert_eq!(fk.orphan_rows, 1);
        assert!((fk.inclusion - 100.0 / 101.0).abs() < 1e-9);
        assert!(fk.evidence.contains("names match"), "{}", fk.evidence);
        assert!(!found.iter().any(|s| s.child_column == "rating"), "small coded values are not keys: {found:?}");
        assert!(
            !found.iter().any(|s| s.parent_column == "order_id"),
            "differently named ids are different keys: {found:?}"
        );
    }

    /// Found on unseen data: u64 keys past 2^63 were cast to null, so any two such columns
    /// "matched" at 100% with one distinct value.
    #[test]
    fn unsigned_keys_past_i64_keep_their_values() {
        let big = u64::MAX;
        let parents = df!("ext_id" => [big, big - 1, big - 3, 5u64]).unwrap();
        let children = df!("ext_id" => [big, big, big - 1, big - 2, 5u64]).unwrap();
        let found =
            discover_relations(&[TableRef { id: "p", frame: &parents }, TableRef { id: "c", frame: &children }]);
        let fk = found.iter().find(|s| s.child == "c").unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(fk.parent, "p");
        assert_eq!(fk.orphan_rows, 1, "{fk:?}");
        assert_eq!(fk.cardinality, Cardinality::OneToMany);
    }

    #[test]
    fn table_id_convention_and_string_keys() {
        let countries = df!("id" => ["FR", "DE", "US"], "name" => ["France", "Germany", "United States"]).unwrap();
        let people = df!("country_id" => ["FR", "FR", "US", "XX"]).unwrap();
        let found = discover_relations(&[
            TableRef { id: "countries", frame: &countries },
            TableRef { id: "people", frame: &people },
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].parent_column.as_str(), found[0].child_column.as_str()), ("id", "country_id"));
        assert!((found[0].orphan_share - 0.25).abs() < 1e-9);
    }
}
