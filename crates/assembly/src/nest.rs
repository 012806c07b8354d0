//! The product table built from collected tables: every table's rows put in their final order
//! once (flat columns only, which gather fast), then each table's rows wrapped as one list per
//! parent row by offsets, bottom-up. No list is ever gathered: gathering a list of structs that
//! holds lists copies it element by element, which made nested exports several times slower
//! than the flat work they hold (see docs/benchmarks.md).

use polars::prelude::*;
use polars_arrow::bitmap::Bitmap;
use polars_arrow::offset::{Offsets, OffsetsBuffer};

use crate::{pe, Assembled, AssemblyError};

/// Row positions that no product field can be called: they start with a control character.
const ROW: &str = "\u{1}row";
const PARENT: &str = "\u{1}parent";

/// One table's rows in product order, and for each the position of its parent row.
struct Ordered {
    rows: DataFrame,
    parents: Vec<IdxSize>,
}

impl Assembled {
    /// Nests the collected tables into the product table: `entities` in the order wanted, and
    /// each related table's rows (in source order, each carrying its join fields), in the order
    /// of [`Assembled::related`]. A related row goes under every parent row its join fields match
    /// that belongs to the same entity (rows matching none are left out); rows under one parent
    /// keep their source order; a parent with no rows gets a null list.
    pub(crate) fn nest_collected(
        &self,
        entities: DataFrame,
        related: Vec<DataFrame>,
    ) -> Result<DataFrame, AssemblyError> {
        self.nest_with(entities, related, SMALL)
    }

    /// [`Assembled::nest_collected`], ordering tables of up to `small` rows by hashing their
    /// join fields in place of a query (one entity's tree, a page: the query's planning would
    /// cost more than the rows).
    pub(crate) fn nest_with(
        &self,
        entities: DataFrame,
        related: Vec<DataFrame>,
        small: usize,
    ) -> Result<DataFrame, AssemblyError> {
        let mut ordered: Vec<Ordered> = Vec::with_capacity(related.len());
        for (r, rows) in self.related.iter().zip(related) {
            let parent = r.parent.map_or(&entities, |p| &ordered[p].rows);
            ordered.push(if rows.height().max(parent.height()) <= small {
                order_small(parent, rows, &r.parent_keys, &r.child_keys, &self.key, &r.name)?
            } else {
                order(parent, rows, &r.parent_keys, &r.child_keys, &self.key, &r.name)?
            });
        }
        // Bottom-up: a table's list is made once its own children's lists are in its rows.
        let mut lists: Vec<Option<Column>> = vec![None; self.related.len()];
        for i in (0..self.related.len()).rev() {
            let r = &self.related[i];
            let mut members: Vec<Column> = r
                .fields
                .iter()
                .filter(|f| !r.child_keys.contains(f))
                .map(|f| ordered[i].rows.column(f).cloned())
                .collect::<PolarsResult<_>>()
                .map_err(pe(&r.name))?;
            for c in self.children(Some(i)) {
                members.extend(lists[c].take());
            }
            let parents = r.parent.map_or(entities.height(), |p| ordered[p].rows.height());
            lists[i] = Some(list_of(r.short_name(), &members, &ordered[i], parents).map_err(pe(&r.name))?);
        }
        let mut out = entities;
        for c in self.children(None) {
            if let Some(list) = lists[c].take() {
                out.with_column(list).map_err(pe(&self.related[c].name))?;
            }
        }
        Ok(out)
    }
}

/// Puts `rows` in product order: by the position of their parent row in `parent`, then in
/// source order.
///
/// Every row carries the root's instance key, which it took from its parent's first row with
/// its join fields. Where two entities' parent rows share join fields (two customers' orders
/// numbered 10), a row goes under its own entity's only: the nested table then says what the
/// 360 view, the flat exports and every key range say.
fn order(
    parent: &DataFrame,
    rows: DataFrame,
    parent_keys: &[String],
    child_keys: &[String],
    key: &[String],
    at: &str,
) -> Result<Ordered, AssemblyError> {
    let cols = |names: &[String]| names.iter().map(|n| col(n.as_str())).collect::<Vec<_>>();
    let (mut child_keys, mut parent_keys) = (child_keys.to_vec(), parent_keys.to_vec());
    let carried: Vec<String> = key.iter().filter(|k| !parent_keys.contains(k)).cloned().collect();
    if !carried.is_empty() && parent.height() > 0 {
        let distinct = parent
            .clone()
            .lazy()
            .select(cols(&parent_keys))
            .unique(None, UniqueKeepStrategy::Any)
            .select([len()])
            .collect()
            .map_err(pe(at))?;
        let distinct = distinct.columns().first().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<usize>());
        if distinct.is_some_and(|n| n < parent.height()) {
            child_keys.extend(carried.iter().cloned());
            parent_keys.extend(carried);
        }
    }
    let left = rows.clone().lazy().select(cols(&child_keys)).with_row_index(ROW, None);
    let right = parent.clone().lazy().select(cols(&parent_keys)).with_row_index(PARENT, None);
    let pairs = left
        .join(right, cols(&child_keys), cols(&parent_keys), JoinArgs::new(JoinType::Inner))
        .select([col(ROW), col(PARENT)])
        .sort([PARENT, ROW], SortMultipleOptions::default())
        .collect()
        .map_err(pe(at))?;
    let idx = |name: &str| -> Result<IdxCa, AssemblyError> {
        Ok(pairs.column(name).map_err(pe(at))?.idx().map_err(pe(at))?.rechunk().into_owned())
    };
    let taken = idx(ROW)?;
    let parents: Vec<IdxSize> = idx(PARENT)?.into_no_null_iter().collect();
    let rows = rows.take(&taken).map_err(pe(at))?;
    Ok(Ordered { rows, parents })
}

/// Tables up to this many rows are ordered by [`order_small`].
pub(crate) const SMALL: usize = 4096;

/// [`order`] by hashing: each row under every parent row whose join fields — and the root's
/// key, which every row carries — it matches. Including the key is what [`order`] does when
/// join fields repeat across entities; where they do not, a row's key is its parent's anyway.
fn order_small(
    parent: &DataFrame,
    rows: DataFrame,
    parent_keys: &[String],
    child_keys: &[String],
    key: &[String],
    at: &str,
) -> Result<Ordered, AssemblyError> {
    let carried: Vec<&String> = key.iter().filter(|k| !parent_keys.contains(k)).collect();
    let columns = |df: &DataFrame, names: Vec<&String>| -> Result<Vec<Column>, AssemblyError> {
        names.into_iter().map(|n| df.column(n).cloned()).collect::<PolarsResult<_>>().map_err(pe(at))
    };
    let pcols = columns(parent, parent_keys.iter().chain(carried.iter().copied()).collect())?;
    let ccols = columns(&rows, child_keys.iter().chain(carried.iter().copied()).collect())?;
    let text = |cols: &[Column], i: usize| -> Result<Option<String>, AssemblyError> {
        let mut parts = Vec::with_capacity(cols.len());
        for c in cols {
            let v = c.get(i).map_err(pe(at))?;
            if v.is_null() {
                return Ok(None);
            }
            parts.push(v.str_value().into_owned());
        }
        Ok(Some(parts.join("\u{1f}")))
    };
    let mut by_link: std::collections::HashMap<String, Vec<IdxSize>> = std::collections::HashMap::new();
    for p in 0..parent.height() {
        if let Some(t) = text(&pcols, p)? {
            by_link.entry(t).or_default().push(p as IdxSize);
        }
    }
    let mut pairs: Vec<(IdxSize, IdxSize)> = vec![];
    for i in 0..rows.height() {
        if let Some(ps) = text(&ccols, i)?.and_then(|t| by_link.get(&t)) {
            pairs.extend(ps.iter().map(|p| (*p, i as IdxSize)));
        }
    }
    pairs.sort_unstable();
    let taken = IdxCa::from_vec(ROW.into(), pairs.iter().map(|(_, r)| *r).collect());
    let rows = rows.take(&taken).map_err(pe(at))?;
    Ok(Ordered { rows, parents: pairs.into_iter().map(|(p, _)| p).collect() })
}

/// `members` (the table's rows in product order) as one list of structs per parent row; a
/// parent with no rows gets null.
fn list_of(name: &str, members: &[Column], table: &Ordered, parents: usize) -> PolarsResult<Column> {
    let mut counts = vec![0usize; parents];
    for &p in &table.parents {
        counts[p as usize] += 1;
    }
    let validity: Bitmap = counts.iter().map(|&n| n > 0).collect();
    let offsets: OffsetsBuffer<i64> = Offsets::try_from_lengths(counts.into_iter())?.into();
    let values = StructChunked::from_columns(name.into(), table.rows.height(), members)?.rechunk().into_owned();
    let dtype = DataType::List(Box::new(values.dtype().clone()));
    let chunk = match values.chunks().first() {
        Some(c) => c.clone(),
        None => polars_arrow::array::new_empty_array(values.dtype().to_arrow(CompatLevel::newest())),
    };
    let list = LargeListArray::try_new(LargeListArray::default_datatype(chunk.dtype().clone()), offsets, chunk, {
        (validity.unset_bits() > 0).then_some(validity)
    })?;
    // SAFETY: the chunk is a list of the struct array just built, whose dtype is `values`'.
    let ca = unsafe { ListChunked::from_chunks_and_dtype(name.into(), vec![list.boxed()], dtype) };
    Ok(ca.into_series().into_column())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use polars::prelude::*;

    const TREE: &str = r#"
steward: steward.product/v1
metadata: { name: shop, domain: sales, owner: a@example.com, version: 1.0.0 }
entity:
  name: Customer
  source: customers
  key: id
  fields: [{ column: id }, { column: name }]
related:
  - name: orders
    source: orders
    join: [{ parent: id, child: customer }]
    cardinality: one_to_many
    fields: [{ column: order_id }, { column: customer }, { column: total }]
    related:
      - name: lines
        source: lines
        join: [{ parent: order_id, child: order }]
        cardinality: one_to_many
        fields: [{ column: order }, { column: sku }]
"#;

    fn frames() -> HashMap<String, DataFrame> {
        HashMap::from([
            ("customers".into(), df!("id" => [3i64, 1, 2], "name" => ["c", "a", "b"]).unwrap()),
            (
                "orders".into(),
                df!(
                    "order_id" => [10i64, 11, 12, 13, 14],
                    "customer" => [Some(3i64), Some(1), Some(3), Some(9), None],
                    "total" => [1.0, 2.0, 3.0, 4.0, 5.0]
                )
                .unwrap(),
            ),
            (
                "lines".into(),
                df!("order" => [12i64, 10, 12, 13, 99, 10], "sku" => ["p", "q", "r", "s", "t", "u"]).unwrap(),
            ),
        ])
    }

    fn list_rows(page: &DataFrame, column: &str, row: usize) -> Option<DataFrame> {
        match page.column(column).unwrap().get(row).unwrap() {
            AnyValue::List(s) => Some(s.struct_().unwrap().clone().unnest()),
            AnyValue::Null => None,
            v => panic!("{v:?}"),
        }
    }

    fn texts(df: &DataFrame, column: &str) -> Vec<String> {
        df.column(column).unwrap().as_materialized_series().iter().map(|v| v.str_value().into_owned()).collect()
    }

    /// Children go under their own parent in source order, two levels down; a parent with none
    /// gets a null list; rows whose parent is missing (or whose key is null) are left out.
    #[test]
    fn lists_nest_in_lists_in_source_order_without_orphans() {
        let def = steward_model::parse(TREE, Path::new("shop.yaml")).unwrap();
        let a = crate::assemble(&def, &frames()).unwrap();
        let page = a.product_page(0, 10).unwrap();
        assert_eq!(texts(&page, "id"), ["1", "2", "3"], "entities in key order");
        let orders_of_3 = list_rows(&page, "orders", 2).unwrap();
        assert_eq!(texts(&orders_of_3, "order_id"), ["10", "12"]);
        assert!(list_rows(&page, "orders", 1).is_none(), "customer 2 has no orders: a null list");
        let lines_of_10 = match orders_of_3.column("lines").unwrap().get(0).unwrap() {
            AnyValue::List(s) => s.struct_().unwrap().clone().unnest(),
            v => panic!("{v:?}"),
        };
        assert_eq!(texts(&lines_of_10, "sku"), ["q", "u"], "source order inside a list");
        let orders_of_1 = list_rows(&page, "orders", 0).unwrap();
        assert!(orders_of_1.column("lines").unwrap().get(0).unwrap().is_null(), "order 11 has no lines");

        // The whole product (an export's path) is the same table as the page.
        let whole = a.product_frame().unwrap();
        assert!(whole.equals_missing(&page), "{whole}\n{page}");
    }

    /// A page restricts the deeper tables by its parents' keys before linking them: the result
    /// is the page cut from the whole table, even where two entities' orders share an id (the
    /// first one holds its lines) and a line's order belongs to no entity of the page.
    #[test]
    fn pages_equal_the_whole_table_cut_where_parent_keys_repeat() {
        let def = steward_model::parse(TREE, Path::new("shop.yaml")).unwrap();
        let mut f = frames();
        f.insert(
            "orders".into(),
            df!(
                "order_id" => [10i64, 11, 12, 10, 14],
                "customer" => [Some(3i64), Some(1), Some(2), Some(1), Some(2)],
                "total" => [1.0, 2.0, 3.0, 4.0, 5.0]
            )
            .unwrap(),
        );
        let a = crate::assemble(&def, &f).unwrap();
        let whole = a.product_frame().unwrap();
        let index = crate::Lookup::build(&a).unwrap();
        for offset in 0..3 {
            let page = a.product_page(offset, 1).unwrap();
            assert!(page.equals_missing(&whole.slice(offset, 1)), "entity {offset}:\n{page}\n{whole}");
            let indexed = index.product_page(&a, offset, 1).unwrap();
            assert!(indexed.equals_missing(&page), "entity {offset} from the index:\n{indexed}\n{page}");
        }
        let two = a.product_page(1, 2).unwrap();
        assert!(two.equals_missing(&whole.slice(1, 2)), "{two}\n{whole}");
        let orders_of_1 = list_rows(&whole, "orders", 0).unwrap();
        assert_eq!(texts(&orders_of_1, "order_id"), ["11", "10"]);
        assert!(orders_of_1.column("lines").unwrap().get(1).unwrap().is_null(), "order 10's lines are customer 3's");
    }
}
