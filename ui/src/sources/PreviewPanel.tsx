// A source's rows in the grid, typed as the steward reads them: the first page at once, any
// other page when it is scrolled or jumped to.
import type { SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc, type GridData } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { usePagedSource } from "../shared/grid/usePagedSource";
import type { IpcError, SourceInspection } from "../bindings";

export const PREVIEW_ROWS = 500;

export function PreviewPanel({ source }: { source: SourceSummary }) {
  const preview = useIpcQuery(
    () =>
      Promise.all([api.inspectSource(source.id), api.previewSource({ sourceId: source.id, limit: PREVIEW_ROWS })]).then(
        ([inspection, bytes]) => ({ grid: typed(gridFromIpc(bytes), inspection), inspection }),
      ),
    [source.id],
  );
  const ready = preview.data;
  return (
    <>
      {ready && (
        <p className="summary" data-testid="preview-summary">
          {ready.inspection.row_count.toLocaleString("en-US")} rows · {ready.inspection.columns.length} columns
          {total(ready.grid, ready.inspection) > ready.grid.rowCount ? " · every row reachable: scroll, or go to a row" : ""}
        </p>
      )}
      {preview.loading && <p className="loading">Reading…</p>}
      {preview.error && <ErrorBox error={preview.error} />}
      {ready && <PagedPreview key={source.id} source={source} first={ready.grid} inspection={ready.inspection} />}
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
