// A source's rows in the grid, typed as the steward reads them: the first page at once, any
// other page when it is scrolled or jumped to.
import type { SourceSummary, WorkspaceInfo } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc, type GridData } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";
import { usePagedSource } from "../shared/grid/usePagedSource";
import type { IpcError, SourceInspection } from "../bindings";

export const PREVIEW_ROWS = 500;

/** Sources whose dates arrive as text, which a steward may keep as text. */
const DATES_FROM_TEXT = new Set(["csv", "excel", "sqlite", "ndjson"]);

export function PreviewPanel({ source, onWorkspace }: { source: SourceSummary; onWorkspace?: (ws: WorkspaceInfo) => void }) {
  const kept = source.keepText.join(",");
  const preview = useIpcQuery(
    () =>
      Promise.all([api.inspectSource(source.id), api.previewSource({ sourceId: source.id, limit: PREVIEW_ROWS })]).then(
        ([inspection, bytes]) => ({ grid: typed(gridFromIpc(bytes), inspection), inspection }),
      ),
    // The columns kept as text change how the source reads (in the shell): read it again then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [source.id, kept],
  );
  const toggle = useAction((column: string, keep: boolean) => api.keepText({ sourceId: source.id, column, keep }));
  const ready = preview.data;
  const dates = DATES_FROM_TEXT.has(source.kind)
    ? (ready?.inspection.columns ?? []).filter((c) => c.dtype === "date" || c.dtype.startsWith("datetime")).map((c) => c.name)
    : [];
  const choose = async (column: string, keep: boolean) => {
    const ws = await toggle.run(column, keep);
    if (ws) onWorkspace?.(ws);
  };
  return (
    <>
      {ready && (
        <p className="summary" data-testid="preview-summary">
          {ready.inspection.row_count.toLocaleString("en-US")} rows · {ready.inspection.columns.length} columns
          {total(ready.grid, ready.inspection) > ready.grid.rowCount ? " · every row reachable: scroll, or go to a row" : ""}
        </p>
      )}
      {ready && (dates.length > 0 || source.keepText.length > 0) && (
        <div className="text-dates" data-testid="text-dates">
          {dates.length > 0 && <span className="hint">Read as dates:</span>}
          {dates.map((c) => (
            <button key={c} className="small" disabled={toggle.busy} title={`Keep ${c} as the text it is stored as`} onClick={() => void choose(c, true)}>
              {c} · keep as text
            </button>
          ))}
          {source.keepText.length > 0 && <span className="hint">Kept as text:</span>}
          {source.keepText.map((c) => (
            <button key={c} className="small" disabled={toggle.busy} title={`Read ${c} as dates again`} onClick={() => void choose(c, false)}>
              {c} · read as dates
            </button>
          ))}
        </div>
      )}
      {toggle.error && <ErrorBox error={toggle.error} />}
      {preview.loading && <p className="loading">Reading…</p>}
      {preview.error && <ErrorBox error={preview.error} />}
      {ready && <PagedPreview key={`${source.id}:${kept}`} source={source} first={ready.grid} inspection={ready.inspection} />}
    </>
  );
}

/** Stewards read Polars' type names (str, i64, date), not Arrow's physical layout. */
function typed(grid: GridData, inspection: SourceInspection): GridData {
  const dtypes = new Map(inspection.columns.map((c) => [c.name, c.dtype]));
  return { ...grid, columns: grid.columns.map((c) => ({ ...c, type: dtypes.get(c.name) ?? c.type })) };
}

/** Rows in the source: as inspected, unless the first page already ended it. */
function total(first: GridData, inspection: SourceInspection): number {
  return first.rowCount < PREVIEW_ROWS ? first.rowCount : Math.max(first.rowCount, inspection.row_count);
}

function PagedPreview({ source, first, inspection }: { source: SourceSummary; first: GridData; inspection: SourceInspection }) {
  const { source: rows, failed } = usePagedSource(first, total(first, inspection), PREVIEW_ROWS, (offset, limit) =>
    api.previewSource({ sourceId: source.id, limit, offset }).then((bytes) => typed(gridFromIpc(bytes), inspection)),
  );
  return (
    <>
      {failed != null && <ErrorBox error={failed as IpcError} />}
      <DataGrid
        data={rows}
        label={`Preview of ${source.id}`}
        onProfile={(column) => api.profileColumn({ sourceId: source.id, productId: null, table: null, column })}
      />
    </>
  );
}
