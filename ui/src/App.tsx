import { useCallback, useEffect, useState } from "react";
import { api } from "./api";
import { gridFromIpc, type GridData } from "./arrow";
import { DataGrid } from "./DataGrid";
import type { IpcError, SourceInspection, SourceSummary, WorkspaceInfo } from "./bindings";

export const PREVIEW_ROWS = 500;

type Preview =
  | { state: "idle" }
  | { state: "loading"; sourceId: string }
  | { state: "ready"; sourceId: string; grid: GridData; inspection: SourceInspection }
  | { state: "error"; sourceId: string; error: IpcError };

const KIND_LABEL: Record<SourceSummary["kind"], string> = {
  csv: "CSV",
  parquet: "Parquet",
  arrow: "Arrow",
  ndjson: "NDJSON",
  excel: "Excel",
  sqlite: "SQLite",
};

function ErrorBox({ error }: { error: IpcError }) {
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      <code>{error.code}</code>
    </div>
  );
}

function SourceList({
  sources,
  selected,
  onSelect,
}: {
  sources: SourceSummary[];
  selected: string | null;
  onSelect: (s: SourceSummary) => void;
}) {
  return (
    <ul className="source-list" aria-label="Sources">
      {sources.map((s) => (
        <li key={s.id}>
          <button
            className={s.id === selected ? "source selected" : "source"}
            data-source-id={s.id}
            aria-current={s.id === selected}
            onClick={() => onSelect(s)}
            title={s.description ?? s.path}
          >
            <span className="source-name">{s.name}</span>
            <span className="source-meta">
              <span className={`kind kind-${s.kind}`}>{KIND_LABEL[s.kind]}</span>
              {s.system && <span className="system">{s.system}</span>}
              <span className="path">
                {s.path}
                {s.table && ` › ${s.table}`}
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function App() {
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null>(null);
  const [wsError, setWsError] = useState<IpcError | null>(null);
  const [preview, setPreview] = useState<Preview>({ state: "idle" });

  const open = useCallback(async (s: SourceSummary) => {
    setPreview({ state: "loading", sourceId: s.id });
    try {
      const [inspection, bytes] = await Promise.all([
        api.inspectSource(s.id),
        api.previewSource({ sourceId: s.id, limit: PREVIEW_ROWS }),
      ]);
      // Stewards read Polars' type names (str, i64, date), not Arrow's physical layout.
      const dtypes = new Map(inspection.columns.map((c) => [c.name, c.dtype]));
      const grid = gridFromIpc(bytes);
      grid.columns = grid.columns.map((c) => ({ ...c, type: dtypes.get(c.name) ?? c.type }));
      setPreview({ state: "ready", sourceId: s.id, grid, inspection });
    } catch (e) {
      setPreview({ state: "error", sourceId: s.id, error: e as IpcError });
    }
  }, []);

  useEffect(() => {
    api
      .getWorkspace()
      .then((ws) => {
        setWorkspace(ws);
        // Open the first text source: it is what stewards most often check first.
        const first = ws.sources.find((s) => s.kind === "csv") ?? ws.sources[0];
        if (first) void open(first);
      })
      .catch((e: IpcError) => setWsError(e));
  }, [open]);

  const selected = preview.state === "idle" ? null : preview.sourceId;
  const selectedSource = workspace?.sources.find((s) => s.id === selected);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Steward</span>
        {workspace && (
          <span className="workspace" title={workspace.root} data-testid="workspace-name">
            {workspace.name}
          </span>
        )}
      </header>
      {wsError && (
        <main className="empty">
          <ErrorBox error={wsError} />
        </main>
      )}
      {workspace && (
        <div className="body">
          <nav className="sidebar">
            <h2>Sources</h2>
            <SourceList sources={workspace.sources} selected={selected} onSelect={open} />
          </nav>
          <main className="content">
            {selectedSource && (
              <div className="content-head">
                <h1>{selectedSource.name}</h1>
                {preview.state === "ready" && (
                  <p className="summary" data-testid="preview-summary">
                    {preview.inspection.rowCount.toLocaleString("en-US")} rows ·{" "}
                    {preview.inspection.columns.length} columns · showing first{" "}
                    {preview.grid.rowCount.toLocaleString("en-US")}
                  </p>
                )}
              </div>
            )}
            {preview.state === "loading" && <p className="loading">Reading…</p>}
            {preview.state === "error" && <ErrorBox error={preview.error} />}
            {preview.state === "ready" && <DataGrid data={preview.grid} label={`Preview of ${preview.sourceId}`} />}
          </main>
        </div>
      )}
    </div>
  );
}
