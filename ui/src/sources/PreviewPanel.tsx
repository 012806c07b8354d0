// The first rows of a source in the grid, typed as the steward reads them.
import type { SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";

export const PREVIEW_ROWS = 500;

export function PreviewPanel({ source }: { source: SourceSummary }) {
  const preview = useIpcQuery(
    () =>
      Promise.all([api.inspectSource(source.id), api.previewSource({ sourceId: source.id, limit: PREVIEW_ROWS })]).then(
        ([inspection, bytes]) => {
          // Stewards read Polars' type names (str, i64, date), not Arrow's physical layout.
          const dtypes = new Map(inspection.columns.map((c) => [c.name, c.dtype]));
          const grid = gridFromIpc(bytes);
          grid.columns = grid.columns.map((c) => ({ ...c, type: dtypes.get(c.name) ?? c.type }));
          return { grid, inspection };
        },
      ),
    [source.id],
  );
  const ready = preview.data;
  return (
    <>
      {ready && (
        <p className="summary" data-testid="preview-summary">
          {ready.inspection.row_count.toLocaleString("en-US")} rows · {ready.inspection.columns.length} columns ·
          showing first {ready.grid.rowCount.toLocaleString("en-US")}
        </p>
      )}
      {preview.loading && <p className="loading">Reading…</p>}
      {preview.error && <ErrorBox error={preview.error} />}
      {ready && (
        <DataGrid
          data={ready.grid}
          label={`Preview of ${source.id}`}
          onProfile={(column) => api.profileColumn({ sourceId: source.id, productId: null, table: null, column })}
        />
      )}
    </>
  );
}
