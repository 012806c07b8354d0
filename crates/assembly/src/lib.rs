//! # steward-assembly
//!
//! Owns assembling a data product with Polars lazy plans, from a product definition and the
//! rows of its sources: the **entity 360 view** (one instance key → its root row and all its
//! related rows, like a per-entity micro-database), the **product table** (one row per entity,
//! related tables as nested lists of structs, paged), and exports (Parquet, CSV per table, nested
//! NDJSON, a SQLite micro-database for chosen entities), written batch by batch.
//!
//! It must not open sources, workspaces or the keychain: callers load the frames (see
//! `steward-app`) and validate the definition first (`steward_app::validate_product`).

mod export;
mod lookup;
mod nest;
mod parquet;
mod quality;
mod table;

pub use export::{
    export, export_each, export_with, ExportFormat, ExportOptions, ExportSummary, RangeTransform, EXPORT_BATCH,
};
pub use lookup::Lookup;
pub use quality::{RuleResult, SAMPLES};
pub use table::ProductTable;

use std::collections::HashMap;
use steward_model::ENTITY_TABLE;

use polars::prelude::*;
use steward_model::{Derived, Field, JoinPair, ProductDefinition};

#[derive(Debug, thiserror::Error)]
pub enum AssemblyError {
    #[error("{at}: source `{source_id}` was not loaded")]
    MissingSource { at: String, source_id: String },
    #[error("{at}: derived field `{name}`: {message}")]
    Derived { at: String, name: String, message: String },
    #[error("{at}: {message}")]
    Polars { at: String, message: String },
    #[error("instance key: expected {expected} value(s) for `{key}`, got {got}")]
    KeyArity { key: String, expected: usize, got: usize },
    #[error("{path}: {message}")]
    Write { path: std::path::PathBuf, message: String },
    /// A name that would become a file name and could leave the output folder.
    #[error("{0}")]
    InvalidName(String),
}

steward_error::error_codes!(AssemblyError {
    Self::MissingSource { .. } => "assembly.missing_source",
    Self::Derived { .. } => "assembly.derived",
    Self::Polars { .. } => "assembly.polars",
    Self::KeyArity { .. } => "assembly.key",
    Self::Write { .. } => "assembly.write",
    Self::InvalidName(_) => "assembly.invalid_name",
});

fn pe(at: &str) -> impl Fn(PolarsError) -> AssemblyError + '_ {
    move |e| AssemblyError::Polars { at: at.to_string(), message: steward_display::engine_message(&e) }
}

/// One related table of the tree, ready to join.
#[derive(Clone)]
pub struct RelatedTable {
    /// Its path, `orders` or `invoices.lines`: its name everywhere.
    pub name: String,
    /// Its parent's index in [`Assembled::related`]; `None` under the root entity.
    pub parent: Option<usize>,
    /// The table's fields, then the root's instance key where it is not one of them: every
    /// table carries it, so one entity's rows are found in any table by its key.
    frame: LazyFrame,
    /// Below the root's children: the table's own rows (fields and lookups) before they were
    /// linked to the parent's, so a page can restrict them by its parents' keys first. Gone
    /// once the frame is replaced (masked, cut to a key range).
    own: Option<LazyFrame>,
    /// Parent field names and the matching field names of this table.
    pub parent_keys: Vec<String>,
    pub child_keys: Vec<String>,
    /// Fields of the table, in order (its lookups' fields included, the carried key not).
    pub fields: Vec<String>,
}

impl RelatedTable {
    /// The table's rows, each carrying the root's instance key.
    pub fn frame(&self) -> &LazyFrame {
        &self.frame
    }

    /// Replaces the table's rows (masked, or cut to a key range).
    pub fn set_frame(&mut self, frame: LazyFrame) {
        self.frame = frame;
        self.own = None;
    }

    /// Its own name, the last part of its path: the name of its list in its parent's rows.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

/// A product assembled as lazy plans; nothing is computed until asked.
#[derive(Clone)]
pub struct Assembled {
    pub name: String,
    /// Entity fields that form the instance key; every table carries these columns.
    pub key: Vec<String>,
    /// The entity table: selected and derived fields, with reference fields looked up.
    pub entity: LazyFrame,
    /// Every related table at every depth, parents before children.
    pub related: Vec<RelatedTable>,
}

impl Assembled {
    /// The tables directly under `parent` (`None`: the root), in definition order.
    pub fn children(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        self.related.iter().enumerate().filter(move |(_, r)| r.parent == parent).map(|(i, _)| i)
    }
}

/// Product field name of a join column: the field selecting it, or the column itself.
fn field_name(fields: &[Field], column: &str) -> String {
    fields.iter().find(|f| f.column == column).map(|f| f.name().to_string()).unwrap_or_else(|| column.to_string())
}

/// Selects, renames and derives a table's fields. Join columns that are not selected are kept
/// under their own names so the table can still be joined.
fn shape(
    at: &str,
    source: &LazyFrame,
    fields: &[Field],
    derived: &[Derived],
    keep: &[String],
) -> Result<(LazyFrame, Vec<String>), AssemblyError> {
    let mut lf = source.clone();
    let mut names: Vec<String>;
    if fields.is_empty() {
        let schema = lf.collect_schema().map_err(pe(at))?;
        names = schema.iter_names().map(|s| s.to_string()).collect();
    } else {
        let mut exprs: Vec<Expr> = fields.iter().map(|f| col(f.column.as_str()).alias(f.name())).collect();
        names = fields.iter().map(|f| f.name().to_string()).collect();
        for k in keep {
            if !fields.iter().any(|f| f.column == *k || f.name() == k) {
                exprs.push(col(k.as_str()));
                names.push(k.clone());
            }
        }
        lf = lf.select(exprs);
    }
    if !derived.is_empty() {
        let mut exprs = vec![];
        for d in derived {
            let e = polars::sql::sql_expr(&d.sql).map_err(|e| AssemblyError::Derived {
                at: at.to_string(),
                name: d.name.clone(),
                message: e.to_string(),
            })?;
            exprs.push(e.alias(d.name.as_str()));
            names.push(d.name.clone());
        }
        lf = lf.with_columns(exprs);
    }
    Ok((lf, names))
}

fn source<'a>(sources: &'a HashMap<String, LazyFrame>, at: &str, id: &str) -> Result<&'a LazyFrame, AssemblyError> {
    sources.get(id).ok_or_else(|| AssemblyError::MissingSource { at: at.to_string(), source_id: id.to_string() })
}

fn join_keys(fields: &[Field], join: &[JoinPair]) -> (Vec<String>, Vec<String>) {
    (join.iter().map(|j| j.parent.clone()).collect(), join.iter().map(|j| field_name(fields, &j.child)).collect())
}

/// Builds the lazy plans of a product from its definition and its sources' rows, keyed by
/// workspace source id.
pub fn assemble(def: &ProductDefinition, sources: &HashMap<String, DataFrame>) -> Result<Assembled, AssemblyError> {
    let lazy: HashMap<String, LazyFrame> = sources.iter().map(|(k, v)| (k.clone(), v.clone().lazy())).collect();
    assemble_lazy(def, &lazy)
}

/// Builds the lazy plans of a product over lazy sources (scans), keyed by workspace source id.
pub fn assemble_lazy(
    def: &ProductDefinition,
    sources: &HashMap<String, LazyFrame>,
) -> Result<Assembled, AssemblyError> {
    let e = &def.entity;
    let tree = def.tree();
    let key: Vec<String> = e.key.names().iter().map(|s| s.to_string()).collect();
    let (entity, _) = shape(ENTITY_TABLE, source(sources, ENTITY_TABLE, &e.source)?, &e.fields, &e.derived, &[])?;
    let (entity, _) = look_up(&tree, None, entity, vec![], sources)?;
    let mut related: Vec<RelatedTable> = vec![];
    for n in &tree.nodes {
        let r = n.table;
        let at = tree.ats[n.index].clone();
        if r.join.is_empty() {
            let parent = n.parent.map_or_else(|| "the entity".to_string(), |p| format!("`{}`", tree.paths[p]));
            return Err(AssemblyError::Polars {
                at,
                message: format!(
                    "not joined to {parent} yet: draw a join from a field of {parent} to a field of this table"
                ),
            });
        }
        let keep: Vec<String> = r.join.iter().map(|j| j.child.clone()).collect();
        let (frame, fields) = shape(&at, source(sources, &at, &r.source)?, &r.fields, &r.derived, &keep)?;
        let (parent_keys, child_keys) = join_keys(&r.fields, &r.join);
        if fields.iter().all(|f| child_keys.contains(f)) {
            return Err(AssemblyError::Polars {
                at,
                message: "selects only its join key, so its rows would carry nothing: select at least one other field"
                    .into(),
            });
        }
        let (frame, fields) = look_up(&tree, Some(n.index), frame, fields, sources)?;
        let parent_frame = n.parent.map_or(&entity, |p| &related[p].frame);
        same_join_types(&at, parent_frame, &frame, &parent_keys, &child_keys)?;
        let own = n.parent.is_some().then(|| frame.clone());
        let frame = carry_key(&key, frame, &fields, &parent_keys, &child_keys, parent_frame, &at)?;
        related.push(RelatedTable {
            name: tree.paths[n.index].clone(),
            parent: n.parent,
            frame,
            own,
            parent_keys,
            child_keys,
            fields,
        });
    }
    Ok(Assembled { name: def.metadata.name.clone(), key, entity, related })
}

/// Refuses a join whose two sides hold different types (a text status against a numeric id):
/// said with both fields and their types, before any plan runs.
fn same_join_types(
    at: &str,
    parent: &LazyFrame,
    child: &LazyFrame,
    parent_keys: &[String],
    child_keys: &[String],
) -> Result<(), AssemblyError> {
    let (ps, cs) = (parent.clone().collect_schema().map_err(pe(at))?, child.clone().collect_schema().map_err(pe(at))?);
    for (i, (p, c)) in parent_keys.iter().zip(child_keys).enumerate() {
        let (Some(pt), Some(ct)) = (ps.get(p.as_str()), cs.get(c.as_str())) else { continue };
        if pt != ct {
            return Err(AssemblyError::Polars {
                at: format!("{at}.join[{i}]"),
                message: format!(
                    "the join compares the parent's `{p}` ({}) with `{c}` ({}): both sides of a join need the same type; \
                     join on fields that hold the same key, or add a derived field that casts one side",
                    steward_display::type_label(pt),
                    steward_display::type_label(ct)
                ),
            });
        }
    }
    Ok(())
}

/// Adds the fields of `owner`'s lookups to its rows (one row per lookup key, so a lookup never
/// multiplies rows).
fn look_up(
    tree: &steward_model::Tree<'_>,
    owner: Option<usize>,
    mut frame: LazyFrame,
    mut fields: Vec<String>,
    sources: &HashMap<String, LazyFrame>,
) -> Result<(LazyFrame, Vec<String>), AssemblyError> {
    for l in tree.lookups.iter().filter(|l| l.owner == owner) {
        let r = l.reference;
        let keep: Vec<String> = r.join.iter().map(|j| j.child.clone()).collect();
        let (lf, names) = shape(&l.at, source(sources, &l.at, &r.source)?, &r.fields, &[], &keep)?;
        let (parents, children) = join_keys(&r.fields, &r.join);
        let lf = lf.unique_stable(
            Some(Selector::ByName { names: children.iter().map(|c| c.as_str().into()).collect(), strict: true }),
            UniqueKeepStrategy::First,
        );
        fields.extend(names.into_iter().filter(|n| !children.contains(n)));
        frame = frame.join(
            lf,
            parents.iter().map(|p| col(p.as_str())).collect::<Vec<_>>(),
            children.iter().map(|c| col(c.as_str())).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::CoalesceColumns),
        );
    }
    Ok((frame, fields))
}

fn key_name_taken(k: &str) -> String {
    format!(
        "its field `{k}` has the name of the root's instance key, which every table carries: rename the field (`as`)"
    )
}

/// Gives a table's rows the root's instance key. Joined on the key itself (`orders` by
/// `customer_id`), the key is its own join column, renamed if need be — no join, so scans keep
/// their key-range filters. Otherwise it comes from the parent's rows, which carry it already:
/// rows with no parent there belong to no entity and are left out.
fn carry_key(
    key: &[String],
    frame: LazyFrame,
    fields: &[String],
    parent_keys: &[String],
    child_keys: &[String],
    parent: &LazyFrame,
    at: &str,
) -> Result<LazyFrame, AssemblyError> {
    let child_of = |k: &String| parent_keys.iter().position(|p| p == k).map(|i| child_keys[i].clone());
    // A field of the table's own under the key's name (an invoice's `id`, when the customer's
    // key is `id` too) would be replaced by the key it carries: found on Chinook, where every
    // invoice then read as its customer's id and its lines joined to the wrong invoices.
    if let Some(k) = key.iter().find(|k| fields.contains(k) && child_of(k).is_some_and(|c| c != **k)) {
        return Err(AssemblyError::Polars { at: at.to_string(), message: key_name_taken(k) });
    }
    if key.iter().all(|k| child_of(k).is_some()) {
        let renamed: Vec<Expr> = key
            .iter()
            .filter_map(|k| child_of(k).filter(|c| c != k).map(|c| col(c.as_str()).alias(k.as_str())))
            .collect();
        return Ok(if renamed.is_empty() { frame } else { frame.with_columns(renamed) });
    }
    if let Some(k) = key.iter().find(|k| fields.contains(k) && child_of(k).is_none()) {
        return Err(AssemblyError::Polars { at: at.to_string(), message: key_name_taken(k) });
    }
    let mut link: Vec<String> = parent_keys.to_vec();
    link.extend(key.iter().filter(|k| !parent_keys.contains(k)).cloned());
    let link = parent.clone().select(link.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()).unique_stable(
        Some(Selector::ByName { names: parent_keys.iter().map(|c| c.as_str().into()).collect(), strict: true }),
        UniqueKeepStrategy::First,
    );
    // Rows keep their source order: exports in key ranges read the same as one pass.
    let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns);
    args.maintain_order = MaintainOrderJoin::Left;
    let joined = frame.join(
        link,
        child_keys.iter().map(|c| col(c.as_str())).collect::<Vec<_>>(),
        parent_keys.iter().map(|p| col(p.as_str())).collect::<Vec<_>>(),
        args,
    );
    // A key part that is also a join column came back under the child's name.
    let renamed: Vec<Expr> =
        key.iter().filter_map(|k| child_of(k).filter(|c| c != k).map(|c| col(c.as_str()).alias(k.as_str()))).collect();
    Ok(if renamed.is_empty() { joined } else { joined.with_columns(renamed) })
}

/// One entity and everything related to it.
#[derive(Debug, Clone)]
pub struct Entity360 {
    /// The root row (one row; none when the key is unknown).
    pub entity: DataFrame,
    /// Related rows per table, in definition order.
    pub related: Vec<(String, DataFrame)>,
}

/// The distinct values of one column of collected rows, as one list for `is_in`.
fn distinct(rows: &DataFrame, column: &str, at: &str) -> Result<Series, AssemblyError> {
    let values = rows.column(column).map_err(pe(at))?.as_materialized_series().unique_stable().map_err(pe(at))?;
    Ok(values.implode().map_err(pe(at))?.into_series())
}

fn key_filter(cols: &[String], values: &[String]) -> Expr {
    cols.iter()
        .zip(values)
        .map(|(c, v)| col(c.as_str()).cast(DataType::String).eq(lit(v.clone())))
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(false))
}

impl Assembled {
    /// The 360 view of one entity: `key` holds one text value per key field. Every table at
    /// every depth carries the root's key, so each is one filter.
    pub fn entity_360(&self, key: &[String]) -> Result<Entity360, AssemblyError> {
        if key.len() != self.key.len() {
            return Err(AssemblyError::KeyArity { key: self.key.join(", "), expected: self.key.len(), got: key.len() });
        }
        let entity = self.entity.clone().filter(key_filter(&self.key, key)).collect().map_err(pe(ENTITY_TABLE))?;
        let mut related = vec![];
        for r in &self.related {
            let rows = if entity.height() == 0 {
                r.frame.clone().limit(0)
            } else {
                r.frame.clone().filter(key_filter(&self.key, key))
            };
            related.push((r.name.clone(), rows.collect().map_err(pe(&r.name))?));
        }
        Ok(Entity360 { entity, related })
    }

    /// Entities in key order, `offset`/`limit` paged, with related tables nested as lists of
    /// structs (one column per related table).
    pub fn product_page(&self, offset: i64, limit: u32) -> Result<DataFrame, AssemblyError> {
        let keys: Vec<Expr> = self.key.iter().map(|k| col(k.as_str())).collect();
        let page = self
            .entity
            .clone()
            .sort_by_exprs(keys.clone(), SortMultipleOptions::default().with_maintain_order(true))
            .slice(offset, limit as IdxSize)
            .collect()
            .map_err(pe(ENTITY_TABLE))?;
        // Only the rows of the page's entities are collected: every table carries the key. A
        // one-column key filters each table by the page's keys; a composite key joins on the
        // page's keys instead.
        let restrict: Box<dyn Fn(LazyFrame) -> LazyFrame> = match self.key.as_slice() {
            [one] => {
                let wanted = lit(distinct(&page, one, ENTITY_TABLE)?);
                let one = one.clone();
                Box::new(move |lf: LazyFrame| lf.filter(col(one.as_str()).is_in(wanted.clone(), false)))
            }
            _ => {
                let wanted = page.clone().lazy().select(keys.clone()).unique_stable(None, UniqueKeepStrategy::First);
                let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns);
                args.maintain_order = MaintainOrderJoin::Left;
                let keys = keys.clone();
                Box::new(move |lf: LazyFrame| lf.join(wanted.clone(), keys.clone(), keys.clone(), args.clone()))
            }
        };
        let mut related: Vec<DataFrame> = Vec::with_capacity(self.related.len());
        for r in &self.related {
            let rows = match (r.parent, &r.own, r.parent_keys.as_slice(), r.child_keys.as_slice()) {
                // Deeper tables: the filter on the root's key cannot reach a table's own rows
                // through its link to the parent (an order line gets the key from its order),
                // so the rows are first cut to the parent keys the page's parent rows hold —
                // 1,200 of 6M order lines — and the parent to those keys. The same rows, in
                // the same order, as filtering the whole table.
                (Some(p), Some(own), [parent_key], [child_key]) => {
                    let wanted = lit(distinct(&related[p], parent_key, &r.name)?);
                    let own = own.clone().filter(col(child_key.as_str()).is_in(wanted.clone(), false));
                    let parent = self.related[p].frame.clone().filter(col(parent_key.as_str()).is_in(wanted, false));
                    carry_key(&self.key, own, &r.fields, &r.parent_keys, &r.child_keys, &parent, &r.name)?
                }
                _ => r.frame.clone(),
            };
            related.push(restrict(rows).collect().map_err(pe(&r.name))?);
        }
        self.nest_collected(page, related)
    }

    /// The product table of every entity of `self.entity` (an export, or one key range of it),
    /// in key order. Related rows are collected as they are, without first restricting them to
    /// the entities at hand: nesting leaves out the rows of other entities.
    pub(crate) fn product_frame(&self) -> Result<DataFrame, AssemblyError> {
        let keys: Vec<Expr> = self.key.iter().map(|k| col(k.as_str())).collect();
        let entities = self
            .entity
            .clone()
            .sort_by_exprs(keys, SortMultipleOptions::default().with_maintain_order(true))
            .collect()
            .map_err(pe(ENTITY_TABLE))?;
        let related = self
            .related
            .iter()
            .map(|r| r.frame.clone().collect().map_err(pe(&r.name)))
            .collect::<Result<Vec<_>, _>>()?;
        self.nest_collected(entities, related)
    }

    /// The number of entities.
    pub fn count(&self) -> Result<u64, AssemblyError> {
        let df = self.entity.clone().select([len()]).collect().map_err(pe(ENTITY_TABLE))?;
        Ok(df.columns().first().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<u64>()).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests;
