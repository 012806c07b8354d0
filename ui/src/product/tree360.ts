// One entity's tables as a tree, for the 360 view: each table's rows are fetched once for the
// entity, then each child row is put under the parent row it joins to (the parent's `parent`
// field holds the same value as the child's `child` column), as the product nests them.
import type { ProductDefinition, Related } from "../bindings";
import type { GridData } from "../shared/arrow";

export interface TreeTable {
  /** `orders`, `orders.lines`. */
  path: string;
  name: string;
  /** Pairs of field names as they appear in the rows: the parent's, then this table's. */
  join: { parent: string; child: string }[];
  /** Fields this table's rows carry from its lookups (a line's product name). */
  lookupFields: string[];
  children: TreeTable[];
}

/** The product name of a source column in a table's rows (its `as`, if renamed). */
function nameIn(r: Related, column: string): string {
  return r.fields?.find((f) => f.column === column)?.as ?? column;
}

/**
 * The tables under the root, as a tree, keeping only those the product lists (`paths`). Without
 * a definition, every table is shown on its own, with no rows nested under others.
 */
export function treeOf(def: ProductDefinition | null, paths: string[]): TreeTable[] {
  const listed = new Set(paths);
  if (!def) return paths.map((p) => ({ path: p, name: p, join: [], lookupFields: [], children: [] }));
  const walk = (list: Related[] | undefined, prefix: string): TreeTable[] =>
    (list ?? [])
      .map((r) => {
        const path = prefix ? `${prefix}.${r.name}` : r.name;
        return {
          path,
          name: r.name,
          join: r.join.map((j) => ({ parent: j.parent, child: nameIn(r, j.child) })),
          lookupFields: (r.reference ?? []).flatMap((l) => (l.fields ?? []).map((f) => f.as ?? f.column)),
          children: walk(r.related, path),
        };
      })
      .filter((t) => listed.has(t.path));
  return walk(def.related, "");
}

/** Every table of the tree, parents first. */
export function flatten(tree: TreeTable[]): TreeTable[] {
  return tree.flatMap((t) => [t, ...flatten(t.children)]);
}

const SEP = "\u001f";

/** The values of `fields` in one row, as one key; null when one is missing (it joins nothing). */
export function keyOf(grid: GridData, row: number, fields: string[]): string | null {
  const parts: string[] = [];
  for (const f of fields) {
    const col = grid.columns.findIndex((c) => c.name === f);
    if (col < 0) return null;
    const v = grid.cell(row, col);
    if (v === null) return null;
    parts.push(v);
  }
  return parts.join(SEP);
}

/** A table's rows by the values of its join columns, to find each parent row's children. */
export function indexRows(grid: GridData, fields: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let r = 0; r < grid.rowCount; r++) {
    const k = keyOf(grid, r, fields);
    if (k === null) continue;
    const rows = out.get(k);
    if (rows) rows.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** The rows of `child` under one row of its parent table. */
export function childRows(parent: GridData, row: number, child: TreeTable, index: Map<string, number[]>): number[] {
  if (!child.join.length) return [];
  const k = keyOf(
    parent,
    row,
    child.join.map((j) => j.parent),
  );
  return k === null ? [] : (index.get(k) ?? []);
}

/** For every table under another, its rows indexed by its join columns. */
export function indexTree(tree: TreeTable[], grids: Map<string, GridData>): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const t of flatten(tree)) {
    for (const c of t.children) {
      const g = grids.get(c.path);
      if (g)
        out.set(
          c.path,
          indexRows(
            g,
            c.join.map((j) => j.child),
          ),
        );
    }
  }
  return out;
}
