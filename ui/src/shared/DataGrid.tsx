// A virtualised grid: only the rows in view are in the DOM, so large previews scroll smoothly.
// A cell holding related rows shows how many; pressed, it opens them beside the grid (rows
// nested inside those fold open in place), so the grid itself keeps one line per row.
import { useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { GridData } from "./arrow";
import type { ColumnProfile, IpcError } from "../bindings";
import { ErrorBox } from "./ErrorBox";
import { ColumnCard } from "./ColumnCard";
import { NestedRowsView, rowCount } from "./NestedRows";

type Profiled = { column: string } & ({ state: "loading" } | { state: "ready"; p: ColumnProfile } | { state: "error"; error: IpcError });

const ROW_HEIGHT = 28;
const INDEX_WIDTH = 56;

function columnWidth(name: string, type: string): number {
  const chars = Math.max(name.length, type.length, 8);
  return Math.min(320, Math.max(96, chars * 8 + 28));
}

export function DataGrid({
  data,
  label,
  onProfile,
}: {
  data: GridData;
  label: string;
  /** Profiles a column over all its rows (not only those loaded), when the steward asks. */
  onProfile?: (column: string) => Promise<ColumnProfile>;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [profiled, setProfiled] = useState<Profiled | null>(null);
  const [opened, setOpened] = useState<{ row: number; col: number } | null>(null);
  const profile = (column: string) => {
    if (!onProfile) return;
    setProfiled({ column, state: "loading" });
    onProfile(column)
      .then((p) => setProfiled((cur) => (cur?.column === column ? { column, state: "ready", p } : cur)))
      .catch((error: IpcError) => setProfiled((cur) => (cur?.column === column ? { column, state: "error", error } : cur)));
  };
  const widths = useMemo(() => data.columns.map((c) => columnWidth(c.name, c.type)), [data]);
  const template = `${INDEX_WIDTH}px ${widths.map((w) => `${w}px`).join(" ")}`;
  const totalWidth = INDEX_WIDTH + widths.reduce((a, b) => a + b, 0);

  // The virtualiser's functions must not be memoised; nothing here memoises them (the UI is not
  // built with the React Compiler), so the lint's notice that it would skip this component is moot.
  // eslint-disable-next-line react-hooks/incompatible-library
  const rows = useVirtualizer({
    count: data.rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Lets the first screen render before layout is measured (and in tests).
    initialRect: { width: 1024, height: 600 },
  });

  return (
    <div className="grid-wrap">
    {profiled && (
      <div className="grid-profile" role="dialog" aria-label={`Profile of ${profiled.column}`}>
        <button className="close" aria-label="Close profile" onClick={() => setProfiled(null)}>
          ×
        </button>
        {profiled.state === "loading" && <p className="loading">Profiling {profiled.column} over every row…</p>}
        {profiled.state === "error" && <ErrorBox error={profiled.error} />}
        {profiled.state === "ready" && <ColumnCard p={profiled.p} />}
      </div>
    )}
    {opened && <OpenedCell data={data} row={opened.row} col={opened.col} onClose={() => setOpened(null)} />}
    <div className="grid-scroll" ref={scrollRef} role="grid" aria-label={label} aria-rowcount={data.rowCount + 1}>
      <div className="grid-header" role="row" style={{ gridTemplateColumns: template, width: totalWidth }}>
        <div className="grid-index" role="columnheader">#</div>
        {data.columns.map((c) => (
          <div key={c.name} className="grid-head-cell" role="columnheader" title={`${c.name}: ${c.type}`}>
            <span className="col-name">{c.name}</span>
            <span className="col-type">{c.type}</span>
            {onProfile && !c.nested && (
              // The icon is drawn by CSS, so the header's text stays the column's name and type.
              <button
                className="col-profile"
                aria-label={`Profile ${c.name}`}
                title="Profile this column over every row"
                onClick={() => profile(c.name)}
              />
            )}
          </div>
        ))}
      </div>
      <div className="grid-body" style={{ height: rows.getTotalSize(), width: totalWidth }}>
        {rows.getVirtualItems().map((item) => (
          <div
            key={item.key}
            className={item.index % 2 ? "grid-row odd" : "grid-row"}
            role="row"
            aria-rowindex={item.index + 2}
            data-row={item.index}
            style={{ transform: `translateY(${item.start}px)`, gridTemplateColumns: template, height: ROW_HEIGHT }}
          >
            <div className="grid-index" role="rowheader">{item.index + 1}</div>
            {data.columns.map((c, col) => {
              const v = data.cell(item.index, col);
              return (
                <div
                  key={c.name}
                  role="gridcell"
                  data-col={c.name}
                  className={`grid-cell${c.numeric ? " num" : ""}${v === null ? " null" : ""}`}
                  title={v ?? "null"}
                >
                  {c.expandable && v !== null ? (
                    <button
                      className="nested-count"
                      aria-haspopup="dialog"
                      aria-expanded={opened?.row === item.index && opened.col === col}
                      aria-label={`Show ${c.name} of row ${item.index + 1} (${v})`}
                      onClick={() => setOpened({ row: item.index, col })}
                    >
                      {v}
                    </button>
                  ) : (
                    (v ?? "null")
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
    </div>
  );
}

/** The rows inside one cell, opened beside the grid. */
function OpenedCell({ data, row, col, onClose }: { data: GridData; row: number; col: number; onClose: () => void }) {
  const name = data.columns[col]?.name ?? "";
  const rows = data.nested(row, col);
  const label = `${name} of row ${row + 1}`;
  return (
    <div className="grid-nested" role="dialog" aria-label={label} data-nested-of={name}>
      <button className="close" aria-label={`Close ${label}`} onClick={onClose}>
        ×
      </button>
      <h4>
        {label} <small>{rowCount(rows?.rows.length ?? 0)}</small>
      </h4>
      {rows && <NestedRowsView rows={rows} label={label} />}
    </div>
  );
}
