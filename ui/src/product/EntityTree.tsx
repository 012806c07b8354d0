// One entity's related tables as a tree: each table under the root with its rows, and each row
// that has rows under it (an order's lines) expanding to show them, to any depth.
import { useMemo, useState } from "react";
import type { GridData } from "../shared/arrow";
import { rowCount } from "../shared/NestedRows";
import { childRows, indexTree, type TreeTable } from "./tree360";

/** Rows shown per table before the steward asks for more. */
export const TREE_PAGE = 200;

interface Shared {
  grids: Map<string, GridData>;
  indexes: Map<string, Map<string, number[]>>;
  open: Set<string>;
  toggle: (rowId: string) => void;
  onProfile?: (table: string, column: string) => void;
}

function TreeRows({ table, rows, depth, shared }: { table: TreeTable; rows: number[]; depth: number; shared: Shared }) {
  const [limit, setLimit] = useState(TREE_PAGE);
  const grid = shared.grids.get(table.path);
  if (!grid) return null;
  const lookups = new Set(table.lookupFields);
  const hasChildren = table.children.length > 0;
  const width = grid.columns.length + (hasChildren ? 1 : 0);
  return (
    <>
      <div className="tree-scroll">
        <table className="tree-table" role="treegrid" aria-label={`${table.path} rows`} data-table-path={table.path}>
          <thead>
            <tr>
              {hasChildren && <th className="tree-toggle" aria-label="Rows under" />}
              {grid.columns.map((c) => (
                <th
                  key={c.name}
                  className={lookups.has(c.name) ? "lookup-col" : undefined}
                  title={lookups.has(c.name) ? `${c.name}: ${c.type}, looked up` : `${c.name}: ${c.type}`}
                >
                  {c.name}
                  {shared.onProfile && !c.nested && (
                    <button
                      className="col-profile"
                      aria-label={`Profile ${table.path}.${c.name}`}
                      title="Profile this column over every row"
                      onClick={() => shared.onProfile?.(table.path, c.name)}
                    />
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, limit).map((r) => {
              const rowId = `${table.path}#${r}`;
              const expanded = shared.open.has(rowId);
              const under = table.children.map((c) => ({ c, rows: childRows(grid, r, c, shared.indexes.get(c.path) ?? new Map()) }));
              const summary = under.map(({ c, rows: rs }) => `${rs.length} ${c.name}`).join(", ");
              return [
                <tr
                  key={rowId}
                  data-tree-row={rowId}
                  data-table-path={table.path}
                  aria-level={depth}
                  aria-expanded={hasChildren ? expanded : undefined}
                  className={expanded ? "tree-row open" : "tree-row"}
                >
                  {hasChildren && (
                    <td className="tree-toggle">
                      <button
                        aria-expanded={expanded}
                        aria-label={`${expanded ? "Hide" : "Show"} ${summary} of ${table.name} row ${r + 1}`}
                        onClick={() => shared.toggle(rowId)}
                      >
                        <span aria-hidden="true">{expanded ? "▾" : "▸"}</span> {summary}
                      </button>
                    </td>
                  )}
                  {grid.columns.map((c, i) => {
                    const v = grid.cell(r, i);
                    return (
                      <td
                        key={c.name}
                        data-col={c.name}
                        className={[c.numeric ? "num" : "", v === null ? "null" : "", lookups.has(c.name) ? "lookup-col" : ""].join(" ").trim() || undefined}
                      >
                        {v ?? "null"}
                      </td>
                    );
                  })}
                </tr>,
                expanded && (
                  <tr key={`${rowId}:under`} className="tree-children" data-children-of={rowId}>
                    <td colSpan={width}>
                      {under.map(({ c, rows: rs }) => (
                        <div key={c.path} className="tree-child" data-child-table={c.path}>
                          <h4>
                            {c.name} <small>{rowCount(rs.length)}</small>
                          </h4>
                          {rs.length > 0 && <TreeRows table={c} rows={rs} depth={depth + 1} shared={shared} />}
                        </div>
                      ))}
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
      {rows.length > limit && (
        <button className="small" onClick={() => setLimit((l) => l + TREE_PAGE)}>
          Show {Math.min(TREE_PAGE, rows.length - limit)} more of {rows.length}
        </button>
      )}
    </>
  );
}

export function EntityTree({
  tree,
  grids,
  onProfile,
}: {
  tree: TreeTable[];
  grids: Map<string, GridData>;
  onProfile?: (table: string, column: string) => void;
}) {
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const indexes = useMemo(() => indexTree(tree, grids), [tree, grids]);
  const shared: Shared = {
    grids,
    indexes,
    open,
    onProfile,
    toggle: (rowId) =>
      setOpen((o) => {
        const next = new Set(o);
        if (next.has(rowId)) next.delete(rowId);
        else next.add(rowId);
        return next;
      }),
  };
  return (
    <>
      {tree.map((t) => {
        const grid = grids.get(t.path);
        if (!grid) return null;
        return (
          <div key={t.path} className="related-block" data-related={t.path}>
            <h3>
              {t.name} <small>{rowCount(grid.rowCount)}</small>
            </h3>
            {grid.rowCount > 0 && (
              <TreeRows
                table={t}
                rows={Array.from({ length: grid.rowCount }, (_, i) => i)}
                depth={1}
                shared={shared}
              />
            )}
          </div>
        );
      })}
    </>
  );
}
