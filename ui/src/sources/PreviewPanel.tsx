// The first rows of a source in the grid, typed as the steward reads them.
import { useEffect, useState } from "react";
import type { IpcError, SourceInspection, SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc, type GridData } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";

export const PREVIEW_ROWS = 500;

type Preview =
  | { state: "loading" }
  | { state: "ready"; grid: GridData; inspection: SourceInspection }
  | { state: "error"; error: IpcError };

export function PreviewPanel({ source }: { source: SourceSummary }) {
  const [preview, setPreview] = useState<Preview>({ state: "loading" });
  useEffect(() => {
    let live = true;
    setPreview({ state: "loading" });
    Promise.all([api.inspectSource(source.id), api.previewSource({ sourceId: source.id, limit: PREVIEW_ROWS })])
      .then(([inspection, bytes]) => {
        // Stewards read Polars' type names (str, i64, date), not Arrow's physical layout.
        const dtypes = new Map(inspection.columns.map((c) => [c.name, c.dtype]));
        const grid = gridFromIpc(bytes);
        grid.columns = grid.columns.map((c) => ({ ...c, type: dtypes.get(c.name) ?? c.type }));
        if (live) setPreview({ state: "ready", grid, inspection });
      })
      .catch((e: IpcError) => live && setPreview({ state: "error", error: e }));
    return () => {
      live = false;
    };
  }, [source.id]);
  return (
    <>
      {preview.state === "ready" && (
        <p className="summary" data-testid="preview-summary">
          {preview.inspection.rowCount.toLocaleString("en-US")} rows · {preview.inspection.columns.length} columns ·
          showing first {preview.grid.rowCount.toLocaleString("en-US")}
        </p>
      )}
      {preview.state === "loading" && <p className="loading">Reading…</p>}
      {preview.state === "error" && <ErrorBox error={preview.error} />}
      {preview.state === "ready" && <DataGrid
          data={preview.grid}
          label={`Preview of ${source.id}`}
          onProfile={(column) => api.profileColumn({ sourceId: source.id, productId: null, table: null, column })}
        />}
    </>
  );
}
