// Rows nested in a cell of a product table (an entity's orders, each order's lines), shown as a
// small table; a list inside a row folds open in place, to any depth.
import type { NestedRows } from "./arrow";

export function rowCount(n: number): string {
  return `${n} row${n === 1 ? "" : "s"}`;
}

export function NestedRowsView({ rows, label }: { rows: NestedRows; label: string }) {
  if (rows.rows.length === 0) return <p className="hint">No rows.</p>;
  return (
    <table className="nested-rows" aria-label={label}>
      <thead>
        <tr>
          {rows.columns.map((c) => (
            <th key={c.name} title={c.type}>
              {c.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.rows.map((r, i) => (
          <tr key={i} data-nested-row={i}>
            {r.map((v, j) => {
              const name = rows.columns[j]?.name ?? String(j);
              if (v !== null && typeof v === "object") {
                return (
                  <td key={name} data-col={name}>
                    {v.rows.length === 0 ? (
                      <span className="null">{rowCount(0)}</span>
                    ) : (
                      <details data-nested-list={name}>
                        <summary>{rowCount(v.rows.length)}</summary>
                        <NestedRowsView rows={v} label={`${name} of ${label} row ${i + 1}`} />
                      </details>
                    )}
                  </td>
                );
              }
              return (
                <td key={name} data-col={name} className={v === null ? "null" : undefined}>
                  {v ?? "null"}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
