//! The entity tree: a product's related tables and lookups at every depth, walked in one order
//! (parents before children, in file order) and named by their place — `invoices.lines` is the
//! `lines` table under `invoices`. Every part of Steward that visits tables goes through here, so
//! none of them assumes a product is one level deep.

use crate::{Derived, Field, ProductDefinition, Reference, Related, ENTITY_TABLE};

/// One related table of the tree, with where it sits.
#[derive(Debug, Clone, Copy)]
pub struct TableNode<'a> {
    /// Index in [`ProductDefinition::tables`]: parents come before their children.
    pub index: usize,
    /// Index of the parent in the same list; `None` for a table under the root entity.
    pub parent: Option<usize>,
    pub depth: usize,
    pub table: &'a Related,
}

/// A lookup table and the table whose rows it adds fields to.
#[derive(Debug, Clone)]
pub struct LookupNode<'a> {
    /// The owner's index in [`ProductDefinition::tables`]; `None` for the root entity.
    pub owner: Option<usize>,
    /// Where it is in the file: `reference[countries]`, `related[invoices].reference[tracks]`.
    pub at: String,
    pub reference: &'a Reference,
}

/// The related tables in tree order, with their paths and places in the file.
#[derive(Debug, Clone)]
pub struct Tree<'a> {
    pub nodes: Vec<TableNode<'a>>,
    /// `invoices.lines`, per node.
    pub paths: Vec<String>,
    /// `related[invoices].related[lines]`, per node.
    pub ats: Vec<String>,
    pub lookups: Vec<LookupNode<'a>>,
}

impl<'a> Tree<'a> {
    pub fn of(def: &'a ProductDefinition) -> Tree<'a> {
        let mut t = Tree { nodes: vec![], paths: vec![], ats: vec![], lookups: vec![] };
        for r in &def.reference {
            t.lookups.push(LookupNode { owner: None, at: format!("reference[{}]", r.name), reference: r });
        }
        for r in &def.related {
            t.walk(r, None, "", "", 0);
        }
        t
    }

    fn walk(&mut self, r: &'a Related, parent: Option<usize>, path: &str, at: &str, depth: usize) {
        let index = self.nodes.len();
        let path = if path.is_empty() { r.name.clone() } else { format!("{path}.{}", r.name) };
        let at = format!("{at}{}related[{}]", if at.is_empty() { "" } else { "." }, r.name);
        self.nodes.push(TableNode { index, parent, depth, table: r });
        for l in &r.reference {
            self.lookups.push(LookupNode {
                owner: Some(index),
                at: format!("{at}.reference[{}]", l.name),
                reference: l,
            });
        }
        self.paths.push(path.clone());
        self.ats.push(at.clone());
        for c in &r.related {
            self.walk(c, Some(index), &path, &at, depth + 1);
        }
    }

    /// The node at `path` (`invoices.lines`).
    pub fn find(&self, path: &str) -> Option<usize> {
        self.paths.iter().position(|p| p == path)
    }

    /// The path of a table, or `entity` for the root.
    pub fn path_of(&self, node: Option<usize>) -> &str {
        node.map_or(ENTITY_TABLE, |i| self.paths[i].as_str())
    }

    /// How a table is named in messages: `the entity`, or `` `invoices.lines` ``.
    pub fn describe(&self, node: Option<usize>) -> String {
        match node {
            None => "the entity".to_string(),
            Some(i) => format!("`{}`", self.paths[i]),
        }
    }

    /// The nodes from the root down to `i`, `i` last.
    pub fn chain(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut at = self.nodes[i].parent;
        while let Some(p) = at {
            out.push(p);
            at = self.nodes[p].parent;
        }
        out.reverse();
        out
    }

    /// A table's children, in file order.
    pub fn children(&self, node: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().filter(move |n| n.parent == node).map(|n| n.index)
    }

    /// The selected and derived fields of a table (`None` for the root), and its lookups'.
    /// `None` when it selects every column of its source (known only from the data).
    pub fn field_names(&self, def: &ProductDefinition, node: Option<usize>) -> Option<Vec<String>> {
        let (fields, derived): (&[Field], &[Derived]) = match node {
            None => (&def.entity.fields, &def.entity.derived),
            Some(i) => (&self.nodes[i].table.fields, &self.nodes[i].table.derived),
        };
        if fields.is_empty() {
            return None;
        }
        let mut out: Vec<String> =
            fields.iter().map(|f| f.name().to_string()).chain(derived.iter().map(|d| d.name.clone())).collect();
        for l in self.lookups.iter().filter(|l| l.owner == node) {
            out.extend(l.reference.fields.iter().map(|f| f.name().to_string()));
        }
        Some(out)
    }
}

/// A product field named by its place: `email` (the entity's), `orders.amount`,
/// `invoices.lines.unit_price` — the table's path, then the field.
pub fn split_field_path(s: &str) -> (&str, &str) {
    match s.rsplit_once('.') {
        Some((table, field)) => (table, field),
        None => (ENTITY_TABLE, s),
    }
}

impl ProductDefinition {
    /// The related tables and lookups at every depth: see [`Tree`].
    pub fn tree(&self) -> Tree<'_> {
        Tree::of(self)
    }
}
