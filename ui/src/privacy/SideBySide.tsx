// Original and masked values side by side, first rows of one table; originals stay hidden until
// the privacy officer reveals a column, after confirming.
import type { GridData } from "../shared/arrow";

export const SIDE_BY_SIDE_ROWS = 50;

export function SideBySide({
  table,
  tables,
  withMasks,
  entitySource,
  onTable,
  columnsShown,
  masked,
  originals,
  revealed,
  onRevealed,
  confirming,
  onConfirming,
}: {
  table: string;
  /** `entity` and every related table by path (`orders.lines`). */
  tables: string[];
  /** Tables with at least one masked field. */
  withMasks: Set<string>;
  entitySource: string;
  onTable: (table: string) => void;
  columnsShown: string[];
  masked: GridData | null;
  originals: GridData | null;
  revealed: string[];
  onRevealed: (columns: string[]) => void;
  /** The column whose originals wait for the officer's confirmation. */
  confirming: string | null;
  onConfirming: (column: string | null) => void;
}) {
  return (
    <>
      <h3>
        Original and masked, first {SIDE_BY_SIDE_ROWS} rows of{" "}
        <select aria-label="Table side by side" value={table} onChange={(e) => onTable(e.target.value)}>
          {tables.map((t) => (
            <option key={t} value={t}>
              {t === "entity" ? `${entitySource} (entity)` : t}
              {withMasks.has(t) ? "" : " · nothing masked"}
            </option>
          ))}
        </select>
      </h3>
      <p className="hint">Originals stay hidden until you reveal a column.</p>
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label={`Reveal ${confirming}`}>
          Show the original values of <strong>{confirming}</strong>? They are personal data.{" "}
          <button
            className="small"
            onClick={() => {
              onRevealed([...revealed, confirming]);
              onConfirming(null);
            }}
          >
            Show originals
          </button>{" "}
          <button className="small" onClick={() => onConfirming(null)}>
            Cancel
          </button>
        </div>
      )}
      <table className="relations side-by-side" data-testid="side-by-side">
        <thead>
          <tr>
            {columnsShown.map((c) => (
              <th key={c} colSpan={2}>
                {c}{" "}
                {!revealed.includes(c) ? (
                  <button className="small" aria-label={`Reveal original ${c}`} onClick={() => onConfirming(c)}>
                    Reveal
                  </button>
                ) : (
                  <button className="small" aria-label={`Hide original ${c}`} onClick={() => onRevealed(revealed.filter((x) => x !== c))}>
                    Hide
                  </button>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {masked &&
            Array.from({ length: Math.min(masked.rowCount, SIDE_BY_SIDE_ROWS) }, (_, row) => (
              <tr key={row} data-row={row}>
                {columnsShown.map((c) => {
                  const mi = masked.columns.findIndex((x) => x.name === c);
                  const oi = originals?.columns.findIndex((x) => x.name === c) ?? -1;
                  return [
                    <td key={`${c}-o`} className="original" data-original={c}>
                      {revealed.includes(c) && originals && oi >= 0 ? (originals.cell(row, oi) ?? "null") : "•••"}
                    </td>,
                    <td key={`${c}-m`} className="masked" data-masked={c}>
                      {masked.cell(row, mi) ?? "null"}
                    </td>,
                  ];
                })}
              </tr>
            ))}
        </tbody>
      </table>
    </>
  );
}
