//! Checks of a product definition against the workspace's sources and their data, one function
//! per check: sources exist and read, columns exist with the declared types, the instance key is
//! unique and never null, at every depth of the tree: join keys have matching types, parent keys
//! name one parent row, orphans stay under a threshold,
//! declared 1:1 relationships are 1:1, and reference tables have one row per key. Every problem
//! is reported with the path of what causes it; a source that cannot be read is itself one.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;
use steward_model::{Cardinality, Field, FieldType, Issue, JoinPair, ProductDefinition, ENTITY_TABLE};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::{target, AppError, ErrorCode};
use steward_classify::thousands;

/// Share of related rows without a parent above which orphans are an error, not a warning.
pub const MAX_ORPHAN_SHARE: f64 = 0.05;

/// Validates `def` against the workspace: the static checks of `steward-model`, then the
/// sources, columns, types, keys and data. Returns every issue found.
pub fn validate_product(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<Vec<Issue>, AppError> {
    let mut out = steward_model::check(def);
    let mut sources = Sources { ws, secrets, loaded: HashMap::new() };
    let entity = &def.entity;
    let Some(root) = sources.load(ENTITY_TABLE, &entity.source, &mut out) else { return Ok(out) };
    check_fields(ENTITY_TABLE, &entity.source, &root, &entity.fields, &mut out);
    let key_cols: Vec<String> = entity.key.names().iter().map(|k| column_of(&entity.fields, k)).collect();
    check_instance_key(&root, &key_cols, &mut out);

    // Every table of the tree against its parent's rows, parents first.
    let tree = def.tree();
    let mut frames: Vec<Option<DataFrame>> = Vec::with_capacity(tree.nodes.len());
    for n in &tree.nodes {
        let at = &tree.ats[n.index];
        let df = sources.load(at, &n.table.source, &mut out);
        if let Some(df) = &df {
            check_fields(at, &n.table.source, df, &n.table.fields, &mut out);
        }
        frames.push(df);
    }
    check_name_clashes(def, &tree, &root, &frames, &mut sources, &mut out);
    let tables = tree
        .nodes
        .iter()
        .map(|n| {
            (
                tree.ats[n.index].clone(),
                n.parent,
                Some(n.table.cardinality),
                &n.table.source,
                &n.table.join,
                &n.table.fields,
                frames[n.index].as_ref(),
            )
        })
        .chain(tree.lookups.iter().map(|l| {
            let r = l.reference;
            (l.at.clone(), l.owner, None, &r.source, &r.join, &r.fields, None)
        }))
        .collect::<Vec<_>>();
    for (at, parent, cardinality, source, join, fields, loaded) in tables {
        let df = match loaded {
            Some(df) => df.clone(),
            None if cardinality.is_some() => continue,
            None => {
                let Some(df) = sources.load(&at, source, &mut out) else { continue };
                check_fields(&at, source, &df, fields, &mut out);
                df
            }
        };
        let (parent_df, parent_fields, parent_label) = match parent {
            None => (&root, &entity.fields, def.entity.name.clone()),
            Some(p) => {
                let Some(df) = frames[p].as_ref() else { continue };
                (df, &tree.nodes[p].table.fields, format!("`{}` row", tree.paths[p]))
            }
        };
        let parent_column = |field: &str| column_of(parent_fields, field);
        let all_columns = parent_fields.is_empty();
        let side = Side { at: &at, source, parent: parent_df, child: &df, parent_name: tree.describe(parent) };
        if !check_join_types(&side, join, &parent_column, all_columns, &mut out) || join.is_empty() {
            continue;
        }
        let parent_cols: Vec<String> = join.iter().map(|j| parent_column(&j.parent)).collect();
        let child_cols: Vec<&str> = join.iter().map(|j| j.child.as_str()).collect();
        let (Ok(parent_keys), Ok(children)) = (row_keys_of(parent_df, &parent_cols), row_keys(&df, &child_cols)) else {
            continue;
        };
        // The instance key is checked on its own; other parent keys here.
        let on_instance_key = parent.is_none() && parent_cols == key_cols;
        if cardinality.is_some() && !on_instance_key {
            check_parent_keys(&at, &tree.describe(parent), join, &parent_keys, &mut out);
        }
        let parents: HashSet<String> = parent_keys.into_iter().flatten().collect();
        let present: Vec<&String> = children.iter().flatten().collect();
        match cardinality {
            Some(cardinality) => {
                check_orphans(&at, &parent_label, &parents, &present, &mut out);
                if cardinality == Cardinality::OneToOne {
                    check_one_to_one(&at, &parent_label, &present, &mut out);
                }
            }
            None => check_reference_unique(&at, source, &present, &mut out),
        }
    }
    Ok(out)
}

/// A table's field names: its selected fields, or every column of its source when it lists none.
fn names_of(fields: &[Field], derived: &[steward_model::Derived], df: &DataFrame) -> Vec<String> {
    let own: Vec<String> = if fields.is_empty() {
        df.get_column_names().iter().map(|c| c.to_string()).collect()
    } else {
        fields.iter().map(|f| f.name().to_string()).collect()
    };
    own.into_iter().chain(derived.iter().map(|d| d.name.clone())).collect()
}

/// Names that would clash once assembled, where a table takes every column of its source (the
/// static checks see only listed fields). Found on Chinook, where every table's key is `id`:
/// an invoice's own `id` beside the customer's `id` every table carries, and a track's
/// `unit_price` looked up onto invoice lines that have one.
fn check_name_clashes(
    def: &ProductDefinition,
    tree: &steward_model::Tree<'_>,
    root: &DataFrame,
    frames: &[Option<DataFrame>],
    sources: &mut Sources<'_>,
    out: &mut Vec<Issue>,
) {
    let keys = def.entity.key.names();
    let mut owners: HashMap<Option<usize>, Vec<String>> = HashMap::new();
    owners.insert(None, names_of(&def.entity.fields, &def.entity.derived, root));
    // How many of each owner's names its lookups added (after its own).
    let mut looked_up: HashMap<Option<usize>, usize> = HashMap::new();
    for n in &tree.nodes {
        let Some(df) = &frames[n.index] else { continue };
        let t = n.table;
        let own = names_of(&t.fields, &t.derived, df);
        if t.fields.is_empty() {
            for k in &keys {
                // Joined on the key itself (`orders.customer_id = customer_id`), the field is the key.
                let is_the_key = t.join.iter().any(|j| j.child == *k && j.parent == *k);
                if own.iter().any(|o| o == k) && !is_the_key {
                    out.push(Issue::error(
                        format!("{}.fields", tree.ats[n.index]),
                        "model.key_name_taken",
                        format!(
                            "`{}` has its own `{k}`, the name of the root's instance key, which every table carries: \
                             rename its `{k}` (for instance to `{}_{k}`)",
                            tree.paths[n.index], t.name
                        ),
                    ));
                }
            }
        }
        owners.insert(Some(n.index), own);
    }
    for l in &tree.lookups {
        let r = l.reference;
        let Some(df) = sources.load(&l.at, &r.source, &mut Vec::new()) else { continue };
        let Some(taken) = owners.get_mut(&l.owner) else { continue };
        let owner_listed = l.owner.map_or(!def.entity.fields.is_empty(), |o| !tree.nodes[o].table.fields.is_empty());
        let own = taken.len() - looked_up.get(&l.owner).copied().unwrap_or(0);
        let adds: Vec<String> =
            names_of(&r.fields, &[], &df).into_iter().filter(|f| !r.join.iter().any(|j| j.child == *f)).collect();
        for f in &adds {
            // The owner's field, both sides listed: the static check has said it.
            let said = owner_listed && !r.fields.is_empty() && taken[..own].contains(f);
            if taken.contains(f) && !said {
                out.push(Issue::error(
                    format!("{}.fields", l.at),
                    "model.duplicate_field",
                    format!(
                        "lookup `{}` adds `{f}`, which {} already has: rename it (for instance to `{}_{f}`) or leave it out",
                        r.name,
                        tree.describe(l.owner),
                        r.name
                    ),
                ));
            }
        }
        *looked_up.entry(l.owner).or_insert(0) += adds.len();
        taken.extend(adds);
    }
}

/// The source column a table's field reads (the field itself when the table selects every column).
fn column_of(fields: &[Field], field: &str) -> String {
    fields.iter().find(|f| f.name() == field).map(|f| f.column.clone()).unwrap_or_else(|| field.to_string())
}

/// A join's two sides, as its checks name them.
struct Side<'a> {
    at: &'a str,
    source: &'a str,
    parent: &'a DataFrame,
    child: &'a DataFrame,
    /// `the entity`, or `` `invoices` ``.
    parent_name: String,
}

/// A parent's join key must name one parent row: repeated values would attach a child row to
/// several parents, and a parent row without one gets no children.
fn check_parent_keys(at: &str, parent: &str, join: &[JoinPair], keys: &[Option<String>], out: &mut Vec<Issue>) {
    let names: Vec<&str> = join.iter().map(|j| j.parent.as_str()).collect();
    let mut seen = HashSet::new();
    let repeated = keys.iter().flatten().filter(|k| !seen.insert(k.as_str())).count();
    if repeated > 0 {
        out.push(Issue::error(
            format!("{at}.join"),
            "model.duplicate_parent_key",
            format!(
                "{} rows of {parent} repeat a value of {} already taken: each child row would hang under several parents",
                thousands(repeated),
                names.join(", ")
            ),
        ));
    }
    let missing = keys.iter().filter(|k| k.is_none()).count();
    if missing > 0 {
        out.push(Issue::warning(
            format!("{at}.join"),
            "model.missing_parent_key",
            format!(
                "{} rows of {parent} have no {}, so nothing can hang under them",
                thousands(missing),
                names.join(", ")
            ),
        ));
    }
}

/// The sources a validation reads, each loaded once.
struct Sources<'a> {
    ws: &'a Workspace,
    secrets: &'a dyn SecretStore,
    loaded: HashMap<String, Option<DataFrame>>,
}

impl Sources<'_> {
    /// The rows of `source` (named at `at` in the definition), or an issue saying why not.
    fn load(&mut self, at: &str, source: &str, out: &mut Vec<Issue>) -> Option<DataFrame> {
        if !self.loaded.contains_key(source) {
            let got = match self.ws.source(source) {
                Err(_) => {
                    let ids: Vec<&str> = self.ws.sources().iter().map(|s| s.id.as_str()).collect();
                    out.push(Issue::error(
                        format!("{at}.source"),
                        "model.unknown_source",
                        format!("no source `{source}` in the workspace; it has: {}", ids.join(", ")),
                    ));
                    None
                }
                Ok(_) => match target(self.ws, source, self.secrets).and_then(|t| Ok(t.load()?)) {
                    Ok(frame) => Some(frame),
                    Err(e) => {
                        out.push(Issue::error(format!("{at}.source"), e.code(), e.to_string()));
                        None
                    }
                },
            };
            self.loaded.insert(source.to_string(), got);
        }
        self.loaded.get(source).and_then(Option::clone)
    }
}

/// Every selected column exists in its source, with the declared type.
fn check_fields(at: &str, source: &str, df: &DataFrame, fields: &[Field], out: &mut Vec<Issue>) {
    for (i, f) in fields.iter().enumerate() {
        match df.column(&f.column) {
            Err(_) => {
                let have: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
                out.push(Issue::error(
                    format!("{at}.fields[{i}].column"),
                    "model.unknown_column",
                    format!("`{}` is not a column of source `{source}`; it has: {}", f.column, have.join(", ")),
                ));
            }
            Ok(c) => {
                if let Some(t) = f.field_type.filter(|t| !type_matches(*t, c.dtype())) {
                    out.push(Issue::error(
                        format!("{at}.fields[{i}].type"),
                        "model.type_mismatch",
                        format!("declared {}, but {source}.{} is {}", t.as_str(), f.column, c.dtype()),
                    ));
                }
            }
        }
    }
}

/// The instance key is unique and never null.
fn check_instance_key(root: &DataFrame, key_cols: &[String], out: &mut Vec<Issue>) {
    let refs: Vec<&str> = key_cols.iter().map(String::as_str).collect();
    if !refs.iter().all(|k| root.column(k).is_ok()) {
        return;
    }
    let Ok(keys) = row_keys(root, &refs) else { return };
    let nulls = keys.iter().filter(|k| k.is_none()).count();
    let mut seen = HashSet::new();
    let mut dups = vec![];
    for k in keys.iter().flatten() {
        if !seen.insert(k.as_str()) && dups.len() < 1000 {
            dups.push(k.clone());
        }
    }
    if !dups.is_empty() {
        let sample: Vec<&str> = dups.iter().take(5).map(String::as_str).collect();
        out.push(Issue::error(
            "entity.key",
            "model.duplicate_key",
            format!("{} instance keys appear more than once (e.g. {})", thousands(dups.len()), sample.join(", ")),
        ));
    }
    if nulls > 0 {
        out.push(Issue::error(
            "entity.key",
            "model.null_key",
            format!("{} rows have no instance key", thousands(nulls)),
        ));
    }
}

/// Every join column exists and joins its parent's without a cast. `false` when any does not.
/// With `all_columns` (the parent selects every column of its source, so the model's own check
/// cannot know them) a parent that is no column of the parent's source is reported here.
fn check_join_types(
    side: &Side<'_>,
    join: &[JoinPair],
    parent_column: &dyn Fn(&str) -> String,
    all_columns: bool,
    out: &mut Vec<Issue>,
) -> bool {
    let (at, source, parent, df) = (side.at, side.source, side.parent, side.child);
    let mut ok = true;
    for (i, j) in join.iter().enumerate() {
        if all_columns && parent.column(&parent_column(&j.parent)).is_err() {
            let have: Vec<&str> = parent.get_column_names().iter().map(|s| s.as_str()).collect();
            out.push(Issue::error(
                format!("{at}.join[{i}].parent"),
                "model.unknown_column",
                format!("`{}` is not a column of {}; it has: {}", j.parent, side.parent_name, have.join(", ")),
            ));
        }
        let (Ok(p), Ok(c)) = (parent.column(&parent_column(&j.parent)), df.column(&j.child)) else {
            if df.column(&j.child).is_err() {
                out.push(Issue::error(
                    format!("{at}.join[{i}].child"),
                    "model.unknown_column",
                    format!("`{}` is not a column of source `{source}`", j.child),
                ));
            }
            ok = false;
            continue;
        };
        if !joinable(p.dtype(), c.dtype()) {
            out.push(Issue::error(
                format!("{at}.join[{i}]"),
                "model.join_type_mismatch",
                format!("{} is {}, {source}.{} is {}", j.parent, p.dtype(), j.child, c.dtype()),
            ));
            ok = false;
        }
    }
    ok
}

/// Related rows without a parent: a warning, an error above [`MAX_ORPHAN_SHARE`].
fn check_orphans(at: &str, parent: &str, parents: &HashSet<String>, present: &[&String], out: &mut Vec<Issue>) {
    let orphans = present.iter().filter(|k| !parents.contains(k.as_str())).count();
    if orphans == 0 {
        return;
    }
    let share = orphans as f64 / present.len().max(1) as f64;
    let msg = format!(
        "{} of {} rows ({:.1}%) have no matching {parent}",
        thousands(orphans),
        thousands(present.len()),
        share * 100.0
    );
    out.push(if share > MAX_ORPHAN_SHARE {
        Issue::error(
            format!("{at}.join"),
            "model.orphans",
            format!("{msg}, above the {:.0}% limit", MAX_ORPHAN_SHARE * 100.0),
        )
    } else {
        Issue::warning(format!("{at}.join"), "model.orphans", msg)
    });
}

/// A relationship declared one-to-one has at most one row per entity.
fn check_one_to_one(at: &str, parent: &str, present: &[&String], out: &mut Vec<Issue>) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for k in present {
        *counts.entry(k.as_str()).or_default() += 1;
    }
    let many = counts.values().filter(|&&n| n > 1).count();
    if many > 0 {
        let most = counts.values().max().copied().unwrap_or(0);
        out.push(Issue::error(
            format!("{at}.cardinality"),
            "model.cardinality",
            format!(
                "declared one_to_one, but {} {parent} have several rows (up to {most}); use one_to_many",
                thousands(many)
            ),
        ));
    }
}

/// A lookup gives at most one row per key.
fn check_reference_unique(at: &str, source: &str, present: &[&String], out: &mut Vec<Issue>) {
    let mut seen = HashSet::new();
    let repeated = present.iter().filter(|k| !seen.insert(k.as_str())).count();
    if repeated > 0 {
        out.push(Issue::error(
            format!("{at}.join"),
            "model.reference_not_unique",
            format!(
                "{} keys of `{source}` appear more than once; a reference table needs one row per key",
                thousands(repeated)
            ),
        ));
    }
}

fn type_matches(declared: FieldType, dtype: &DataType) -> bool {
    match declared {
        FieldType::Str => matches!(dtype, DataType::String),
        // Only integers whose every value an i64 holds (not u64, i128, u128).
        FieldType::I64 => {
            dtype.is_integer() && !matches!(dtype, DataType::UInt64 | DataType::Int128 | DataType::UInt128)
        }
        FieldType::F64 => dtype.is_float() || dtype.is_integer(),
        FieldType::Bool => matches!(dtype, DataType::Boolean),
        FieldType::Date => matches!(dtype, DataType::Date),
        FieldType::Datetime => matches!(dtype, DataType::Datetime(_, _)),
    }
}

/// Whether two columns can be joined without a cast.
fn joinable(a: &DataType, b: &DataType) -> bool {
    (a.is_integer() && b.is_integer()) || a == b
}

/// One key of `cols` per row of `df` (see [`row_keys`]).
fn row_keys_of(df: &DataFrame, cols: &[String]) -> PolarsResult<Vec<Option<String>>> {
    let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    row_keys(df, &refs)
}

/// One key per row, as text (composite keys joined), `None` when any part is null.
fn row_keys(df: &DataFrame, cols: &[&str]) -> PolarsResult<Vec<Option<String>>> {
    let columns: Vec<&Column> = cols.iter().map(|c| df.column(c)).collect::<PolarsResult<_>>()?;
    (0..df.height())
        .map(|i| {
            let mut parts = Vec::with_capacity(columns.len());
            for c in &columns {
                let v = c.get(i)?;
                if v.is_null() {
                    return Ok(None);
                }
                parts.push(v.str_value().into_owned());
            }
            Ok(Some(parts.join("\u{1f}")))
        })
        .collect()
}
