//! The whole product table held in memory, built once and indexed by the root's key: what a
//! data node serves. One entity's tree is a hash lookup and a slice of rows already nested; a
//! page is a slice; a stream of the whole product writes the nested columns as they are.

use std::collections::HashMap;

use polars::prelude::*;
use steward_model::ENTITY_TABLE;

use crate::lookup::key_index;
use crate::{pe, Assembled, AssemblyError};

/// The product table of every entity, in key order, each entity's related rows nested (the
/// same rows as [`Assembled::product_page`] over the whole product), with its rows by key.
pub struct ProductTable {
    key: Vec<String>,
    frame: DataFrame,
    rows: HashMap<String, Vec<IdxSize>>,
}

impl ProductTable {
    /// Assembles the whole product table of `a` and indexes it.
    pub fn build(a: &Assembled) -> Result<ProductTable, AssemblyError> {
        let mut frame = a.product_frame()?;
        // One chunk: slices and takes of it stay cheap however the nesting was planned.
        frame.rechunk_mut();
        let rows = key_index(&frame, &a.key, ENTITY_TABLE)?;
        Ok(ProductTable { key: a.key.clone(), frame, rows })
    }

    /// The whole table.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    /// How many entities (rows) it holds.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// The row of the entity `key` names (one text per key field), its whole tree nested; no
    /// row when no entity has that key. Its own copy of the row, not a slice: a slice of nested
    /// columns keeps the whole table's values behind it, and whatever reads it next would walk
    /// them all.
    pub fn entity(&self, key: &[String]) -> Result<DataFrame, AssemblyError> {
        if key.len() != self.key.len() {
            return Err(AssemblyError::KeyArity { key: self.key.join(", "), expected: self.key.len(), got: key.len() });
        }
        let rows = self.rows.get(&key.join("\u{1f}")).map(Vec::as_slice).unwrap_or_default();
        self.frame.take(&IdxCa::from_slice("rows".into(), rows)).map_err(pe(ENTITY_TABLE))
    }

    /// Entities `offset..offset + limit` in key order (a negative offset counts from the end),
    /// copied out of the table as [`ProductTable::entity`] is.
    pub fn page(&self, offset: i64, limit: u32) -> Result<DataFrame, AssemblyError> {
        let n = self.frame.height() as i64;
        let start = if offset < 0 { (n + offset).max(0) } else { offset.min(n) };
        let end = (start + i64::from(limit)).min(n);
        let rows: Vec<IdxSize> = (start as IdxSize..end as IdxSize).collect();
        self.frame.take(&IdxCa::from_vec("rows".into(), rows)).map_err(pe(ENTITY_TABLE))
    }
}
