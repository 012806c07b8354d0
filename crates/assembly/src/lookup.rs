//! The product served from memory: every table collected once and indexed by the root's key,
//! for the 360 view and pages of the product table at interactive speed.

use std::collections::HashMap;

use polars::prelude::*;
use steward_model::ENTITY_TABLE;

use crate::{pe, Assembled, AssemblyError, Entity360};

/// Rows of one table by key: the table collected once, and for every key the rows holding it.
struct KeyedRows {
    frame: DataFrame,
    rows: HashMap<String, Vec<IdxSize>>,
}

/// Rows of `frame` by the text of their key (`keys`' values joined by U+001F), in row order.
pub(crate) fn key_index(
    frame: &DataFrame,
    keys: &[String],
    at: &str,
) -> Result<HashMap<String, Vec<IdxSize>>, AssemblyError> {
    let mut rows: HashMap<String, Vec<IdxSize>> = HashMap::with_capacity(frame.height());
    // The key's text, column by column as text arrays: reading values one by one as
    // `AnyValue`s cost most of the index's build on millions of rows.
    let texts: Vec<Column> = keys
        .iter()
        .map(|k| frame.column(k).and_then(|c| c.cast(&DataType::String)))
        .collect::<PolarsResult<_>>()
        .map_err(pe(at))?;
    let texts: Vec<&StringChunked> = texts.iter().map(|c| c.str()).collect::<PolarsResult<_>>().map_err(pe(at))?;
    if let [one] = texts.as_slice() {
        for (i, k) in one.iter().enumerate() {
            if let Some(k) = k {
                rows.entry(k.to_string()).or_default().push(i as IdxSize);
            }
        }
    } else {
        let mut iters: Vec<_> = texts.iter().map(|t| t.iter()).collect();
        for i in 0..frame.height() {
            let parts: Vec<Option<&str>> = iters.iter_mut().map(|it| it.next().flatten()).collect();
            if parts.iter().all(Option::is_some) {
                let k = parts.into_iter().flatten().collect::<Vec<_>>().join("\u{1f}");
                rows.entry(k).or_default().push(i as IdxSize);
            }
        }
    }
    Ok(rows)
}

impl KeyedRows {
    fn build(lf: &LazyFrame, keys: &[String], at: &str) -> Result<KeyedRows, AssemblyError> {
        let frame = lf.clone().collect().map_err(pe(at))?;
        let rows = key_index(&frame, keys, at)?;
        Ok(KeyedRows { frame, rows })
    }

    fn get(&self, values: &[String], at: &str) -> Result<DataFrame, AssemblyError> {
        let idx = self.rows.get(&values.join("\u{1f}")).cloned().unwrap_or_default();
        self.frame.take(&IdxCa::from_vec("rows".into(), idx)).map_err(pe(at))
    }

    /// The rows of every key of `keys` (joined texts), key after key.
    fn get_many(&self, keys: &[String], at: &str) -> Result<DataFrame, AssemblyError> {
        let idx: Vec<IdxSize> = keys.iter().filter_map(|k| self.rows.get(k)).flatten().copied().collect();
        self.frame.take(&IdxCa::from_vec("rows".into(), idx)).map_err(pe(at))
    }
}

/// The 360 view served from memory: every table collected once and indexed by the root's key
/// (which every table carries), so one entity's view is a few hash lookups instead of scans of
/// every related table. Built once per assembled product (the desktop keeps it beside the
/// product).
pub struct Lookup {
    key: Vec<String>,
    entity: KeyedRows,
    /// The entity's rows in key order: the product table's order.
    order: IdxCa,
    related: Vec<(String, KeyedRows)>,
}

impl Lookup {
    pub fn build(a: &Assembled) -> Result<Lookup, AssemblyError> {
        let entity = KeyedRows::build(&a.entity, &a.key, ENTITY_TABLE)?;
        let by: Vec<Column> = a
            .key
            .iter()
            .map(|k| entity.frame.column(k).cloned())
            .collect::<PolarsResult<_>>()
            .map_err(pe(ENTITY_TABLE))?;
        let order = if by.is_empty() {
            IdxCa::from_vec("order".into(), (0..entity.frame.height() as IdxSize).collect())
        } else {
            let options = SortMultipleOptions::default().with_maintain_order(true);
            by[0].as_materialized_series().arg_sort_multiple(&by[1..], &options).map_err(pe(ENTITY_TABLE))?
        };
        let mut related = vec![];
        for r in &a.related {
            related.push((r.name.clone(), KeyedRows::build(&r.frame, &a.key, &r.name)?));
        }
        Ok(Lookup { key: a.key.clone(), entity, order, related })
    }

    /// Every table as collected (entity first, then the related tables by path): the product's
    /// original rows, shared with whoever masks or measures them.
    pub fn tables(&self) -> Vec<(String, DataFrame)> {
        std::iter::once((ENTITY_TABLE.to_string(), self.entity.frame.clone()))
            .chain(self.related.iter().map(|(n, r)| (n.clone(), r.frame.clone())))
            .collect()
    }

    /// The same page as [`Assembled::product_page`] of the product this lookup was built from
    /// (`a`): entities in key order, each with its related rows nested — served from the index,
    /// so its cost is the page's rows, not the product's.
    pub fn product_page(&self, a: &Assembled, offset: i64, limit: u32) -> Result<DataFrame, AssemblyError> {
        let n = self.order.len() as i64;
        let start = if offset < 0 { (n + offset).max(0) } else { offset.min(n) } as usize;
        let end = (start + limit as usize).min(n as usize);
        let rows = self.order.slice(start as i64, end - start);
        let page = self.entity.frame.take(&rows).map_err(pe(ENTITY_TABLE))?;
        // The page's keys as the index holds them (text, as `KeyedRows::build` made it).
        let texts: Vec<Column> = self
            .key
            .iter()
            .map(|k| page.column(k).and_then(|c| c.cast(&DataType::String)))
            .collect::<PolarsResult<_>>()
            .map_err(pe(ENTITY_TABLE))?;
        let texts: Vec<&StringChunked> =
            texts.iter().map(|c| c.str()).collect::<PolarsResult<_>>().map_err(pe(ENTITY_TABLE))?;
        let mut keys: Vec<String> = vec![];
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for i in 0..page.height() {
            let parts: Option<Vec<&str>> = texts.iter().map(|t| t.get(i)).collect();
            if let Some(parts) = parts {
                let k = parts.join("\u{1f}");
                if seen.insert(k.clone()) {
                    keys.push(k);
                }
            }
        }
        let related =
            self.related.iter().map(|(name, rows)| rows.get_many(&keys, name)).collect::<Result<Vec<_>, _>>()?;
        a.nest_collected(page, related)
    }

    /// How many entities it holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The same view as [`Assembled::entity_360`].
    pub fn entity_360(&self, key: &[String]) -> Result<Entity360, AssemblyError> {
        if key.len() != self.key.len() {
            return Err(AssemblyError::KeyArity { key: self.key.join(", "), expected: self.key.len(), got: key.len() });
        }
        let entity = self.entity.get(key, ENTITY_TABLE)?;
        let mut related = vec![];
        for (name, rows) in &self.related {
            let df = if entity.height() > 0 { rows.get(key, name)? } else { rows.frame.clear() };
            related.push((name.clone(), df));
        }
        Ok(Entity360 { entity, related })
    }
}
