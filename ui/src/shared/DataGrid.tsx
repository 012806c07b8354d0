// The grid every view shares (source previews, the product table): virtualised both ways, so a
// source of millions of rows scrolls and jumps smoothly while only the rows and columns in view
// are in the page; columns sized from their content, resizable and reorderable; a keyboard
// cursor, selections copied as TSV, and a find over the rows read so far. A cell holding related
// rows shows how many; pressed, it opens them beside the grid.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { GridData } from "./arrow";
import type { ColumnProfile, IpcError } from "../bindings";
import { ErrorBox } from "./ErrorBox";
import { ColumnCard } from "./ColumnCard";
import { NestedRowsView, rowCount } from "./NestedRows";
import {
  contentWidth,
  findAll,
  INDEX_WIDTH,
  moveColumn,
  normalise,
  ROW_HEIGHT,
  sampleColumn,
  scrollTopFor,
  toTsv,
  verticalWindow,
  visibleColumns,
  type GridSource,
  type Range,
} from "./grid/model";
import { GridToolbar } from "./grid/GridToolbar";

type Profiled = { column: string } & ({ state: "loading" } | { state: "ready"; p: ColumnProfile } | { state: "error"; error: IpcError });
type Cursor = { row: number; col: number };

/** Height of the header row (name and type on two lines). */
const HEADER_HEIGHT = 42;
const OVERSCAN_ROWS = 8;

export function DataGrid({
  data,
  label,
  onProfile,
}: {
  data: GridSource | GridData;
  label: string;
  /** Profiles a column over all its rows (not only those loaded), when the steward asks. */
  onProfile?: (column: string) => Promise<ColumnProfile>;
}) {
  const source: GridSource = data;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [profiled, setProfiled] = useState<Profiled | null>(null);
  const [opened, setOpened] = useState<{ row: number; col: number } | null>(null);
  const [view, setView] = useState({ top: 0, left: 0, height: 600, width: 1024 });
  const names = source.columns.map((c) => c.name).join("\u0001");
  // Display order and widths belong to one set of columns: a new set starts afresh.
  const [layout, setLayout] = useState<{ names: string; order: number[]; widths: number[] } | null>(null);
  const current =
    layout && layout.names === names
      ? layout
      : {
          names,
          order: source.columns.map((_, i) => i),
          widths: source.columns.map((c, i) => contentWidth(c, sampleColumn(source, i))),
        };
  const { order, widths } = current;
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const [anchor, setAnchor] = useState<Cursor | null>(null);
  // Matches are found when the text changes (or Enter is pressed again), over the rows read then.
  const [find, setFind] = useState<{ text: string; at: number; hits: Cursor[] }>({ text: "", at: 0, hits: [] });
  // A notice about the selection (copied, or not yet) is shown while that selection stands.
  const selectionKey = `${anchor?.row},${anchor?.col}:${cursor?.row},${cursor?.col}`;
  const [said, setSaid] = useState<{ text: string; about: string } | null>(null);
  const notice = said && said.about === selectionKey ? said.text : null;
  const setNotice = (text: string) => setSaid({ text, about: selectionKey });

  const profile = (column: string) => {
    if (!onProfile) return;
    setProfiled({ column, state: "loading" });
    onProfile(column)
      .then((p) => setProfiled((cur) => (cur?.column === column ? { column, state: "ready", p } : cur)))
      .catch((error: IpcError) => setProfiled((cur) => (cur?.column === column ? { column, state: "error", error } : cur)));
  };

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (el.clientHeight > 0) setView((v) => ({ ...v, height: el.clientHeight, width: el.clientWidth }));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const displayWidths = order.map((c) => widths[c]);
  const bodyHeight = Math.max(ROW_HEIGHT, view.height - HEADER_HEIGHT);
  const win = verticalWindow(view.top, bodyHeight, source.rowCount);
  const first = Math.max(0, win.first - OVERSCAN_ROWS);
  const last = Math.min(source.rowCount, win.last + OVERSCAN_ROWS);
  const [c0, c1] = visibleColumns(displayWidths, view.left, view.width);
  const before = displayWidths.slice(0, c0).reduce((a, b) => a + b, 0);
  const totalWidth = INDEX_WIDTH + displayWidths.reduce((a, b) => a + b, 0);
  const shown = order.slice(c0, c1);

  const need = source.need;
  useEffect(() => {
    need?.(first, last);
  }, [need, first, last]);

  const hits = find.hits;
  const selection: Range | null = cursor ? normalise(anchor ?? cursor, cursor) : null;
  const selected = (row: number, col: number) =>
    !!selection && row >= selection.r0 && row <= selection.r1 && col >= selection.c0 && col <= selection.c1;
  const hitSet = useMemo(() => new Set(hits.map((h) => `${h.row}:${h.col}`)), [hits]);

  const setWidths = (next: number[]) => setLayout({ names, order, widths: next });
  const setOrder = (next: number[]) => setLayout({ names, order: next, widths });

  /** Moves the cursor (extending the selection when asked) and scrolls it into view. */
  const go = (to: Cursor, extend = false) => {
    const row = Math.max(0, Math.min(source.rowCount - 1, to.row));
    const col = Math.max(0, Math.min(order.length - 1, to.col));
    if (!extend) setAnchor(null);
    else if (!anchor && cursor) setAnchor(cursor);
    setCursor({ row, col });
    const el = scrollRef.current;
    if (!el) return;
    const top = scrollTopFor(row, el.scrollTop, bodyHeight, source.rowCount, ROW_HEIGHT, 0);
    if (top !== el.scrollTop) el.scrollTop = top;
    const x0 = INDEX_WIDTH + displayWidths.slice(0, col).reduce((a, b) => a + b, 0);
    const x1 = x0 + (displayWidths[col] ?? 0);
    if (x0 - INDEX_WIDTH < el.scrollLeft) el.scrollLeft = x0 - INDEX_WIDTH;
    else if (x1 > el.scrollLeft + el.clientWidth) el.scrollLeft = x1 - el.clientWidth;
    setView((v) => ({ ...v, top: el.scrollTop, left: el.scrollLeft }));
  };

  const copy = (withHeader: boolean): string | null => {
    if (!selection) return null;
    const tsv = toTsv(source, order, selection, withHeader);
    if (tsv === undefined) {
      setNotice("Some of the selected rows are still being read: copy again in a moment.");
      return null;
    }
    const rows = selection.r1 - selection.r0 + 1;
    const cells = rows * (selection.c1 - selection.c0 + 1);
    setNotice(`Copied ${cells.toLocaleString("en-US")} cell${cells === 1 ? "" : "s"} as TSV.`);
    return tsv;
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const at = cursor ?? { row: 0, col: 0 };
    const page = Math.max(1, Math.floor(bodyHeight / ROW_HEIGHT) - 1);
    const mod = e.ctrlKey || e.metaKey;
    const moves: Record<string, Cursor> = {
      ArrowDown: { row: at.row + 1, col: at.col },
      ArrowUp: { row: at.row - 1, col: at.col },
      ArrowRight: { row: at.row, col: at.col + 1 },
      ArrowLeft: { row: at.row, col: at.col - 1 },
      PageDown: { row: at.row + page, col: at.col },
      PageUp: { row: at.row - page, col: at.col },
      Home: mod ? { row: 0, col: 0 } : { row: at.row, col: 0 },
      End: mod ? { row: source.rowCount - 1, col: order.length - 1 } : { row: at.row, col: order.length - 1 },
    };
    if (e.altKey && e.shiftKey && (e.key === "ArrowLeft" || e.key === "ArrowRight") && cursor) {
      // The cursor's column moves, the cursor with it.
      const to = cursor.col + (e.key === "ArrowLeft" ? -1 : 1);
      if (to >= 0 && to < order.length) {
        setOrder(moveColumn(order, cursor.col, to));
        setCursor({ ...cursor, col: to });
      }
      e.preventDefault();
    } else if (e.altKey && !e.shiftKey && (e.key === "ArrowLeft" || e.key === "ArrowRight") && cursor) {
      // The cursor's column narrows or widens, as dragging its header's edge does.
      const col = order[cursor.col];
      const next = widths.slice();
      next[col] = Math.max(48, Math.min(1200, widths[col] + (e.key === "ArrowLeft" ? -16 : 16)));
      setWidths(next);
      e.preventDefault();
    } else if (moves[e.key]) {
      go(moves[e.key], e.shiftKey);
      e.preventDefault();
    } else if (mod && e.key.toLowerCase() === "a") {
      setAnchor({ row: 0, col: 0 });
      setCursor({ row: source.rowCount - 1, col: order.length - 1 });
      e.preventDefault();
    } else if (e.key === "Enter" && cursor) {
      const col = order[cursor.col];
      if (source.columns[col]?.expandable && source.cell(cursor.row, col) != null) setOpened({ row: cursor.row, col });
    } else if (e.key === "Escape") {
      setAnchor(null);
      setOpened(null);
    }
  };

  const startResize = (e: React.PointerEvent, col: number) => {
    e.preventDefault();
    e.stopPropagation();
    const x = e.clientX;
    const start = widths[col];
    const move = (m: PointerEvent) => {
      const next = widths.slice();
      next[col] = Math.max(48, Math.min(1200, start + m.clientX - x));
      setWidths(next);
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  const [dragging, setDragging] = useState<{ from: number; to: number } | null>(null);
  const startDrag = (e: React.PointerEvent, position: number) => {
    if (e.button !== 0) return;
    const x = e.clientX;
    let moved = false;
    const target = (clientX: number) => {
      const el = scrollRef.current;
      if (!el) return position;
      const left = el.getBoundingClientRect().left - el.scrollLeft + INDEX_WIDTH;
      let edge = left;
      for (let i = 0; i < displayWidths.length; i++) {
        edge += displayWidths[i];
        if (clientX < edge) return i;
      }
      return displayWidths.length - 1;
    };
    const move = (m: PointerEvent) => {
      if (!moved && Math.abs(m.clientX - x) < 6) return;
      moved = true;
      setDragging({ from: position, to: target(m.clientX) });
    };
    const up = (m: PointerEvent) => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      setDragging(null);
      if (moved) setOrder(moveColumn(order, position, target(m.clientX)));
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  const jump = (hit: number) => {
    if (hits.length === 0) return;
    const i = ((hit % hits.length) + hits.length) % hits.length;
    setFind((f) => ({ ...f, at: i }));
    go(hits[i]);
  };

  const template = (cols: number[]) =>
    `${INDEX_WIDTH}px ${before > 0 ? `${before}px ` : ""}${cols.map((c) => `${widths[c]}px`).join(" ")}`;
  const rows: number[] = [];
  for (let r = first; r < last; r++) rows.push(r);

  return (
    <div className="grid-wrap">
      <GridToolbar
        label={label}
        rowCount={source.rowCount}
        find={find.text}
        onFind={(text) => {
          const found = findAll(source, order, text);
          setFind({ text, at: 0, hits: found });
          if (found.length > 0) go(found[0]);
        }}
        hits={hits.length}
        at={find.at}
        onNext={() => jump(find.at + 1)}
        onPrevious={() => jump(find.at - 1)}
        onGoTo={(row) => go({ row: row - 1, col: cursor?.col ?? 0 })}
        notice={notice}
      />
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
      <div
        className="grid-scroll"
        ref={scrollRef}
        role="grid"
        tabIndex={0}
        aria-label={label}
        aria-rowcount={source.rowCount + 1}
        aria-colcount={order.length + 1}
        aria-multiselectable
        onScroll={(e) => {
          const el = e.currentTarget;
          setView((v) => ({ ...v, top: el.scrollTop, left: el.scrollLeft }));
        }}
        onKeyDown={onKeyDown}
        onCopy={(e) => {
          const tsv = copy(false);
          if (tsv === null) return;
          e.clipboardData.setData("text/plain", tsv);
          e.preventDefault();
        }}
      >
        <div className="grid-header" role="row" style={{ gridTemplateColumns: template(shown), width: totalWidth, height: HEADER_HEIGHT }}>
          <div className="grid-index" role="columnheader">#</div>
          {before > 0 && <div aria-hidden />}
          {shown.map((c, i) => {
            const col = source.columns[c];
            const position = c0 + i;
            return (
              <div
                key={col.name}
                className={`grid-head-cell${dragging?.to === position ? " drop-here" : ""}${dragging?.from === position ? " dragged" : ""}`}
                role="columnheader"
                aria-colindex={position + 2}
                title={`${col.name}: ${col.type}`}
                onPointerDown={(e) => startDrag(e, position)}
              >
                <span className="col-name">{col.name}</span>
                <span className="col-type">{col.type}</span>
                {onProfile && !col.nested && (
                  // The icon is drawn by CSS, so the header's text stays the column's name and type.
                  <button
                    className="col-profile"
                    aria-label={`Profile ${col.name}`}
                    title="Profile this column over every row"
                    onPointerDown={(e) => e.stopPropagation()}
                    onClick={() => profile(col.name)}
                  />
                )}
                <span
                  className="col-resize"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${col.name}`}
                  onPointerDown={(e) => startResize(e, c)}
                  onDoubleClick={() => {
                    const next = widths.slice();
                    next[c] = contentWidth(col, sampleColumn(source, c));
                    setWidths(next);
                  }}
                />
              </div>
            );
          })}
        </div>
        <div className="grid-body" style={{ height: win.space, width: totalWidth }}>
          {opened && (
            // In place: under its row, scrolling with it, as wide as the view allows.
            <OpenedCell
              data={source}
              row={opened.row}
              col={opened.col}
              onClose={() => setOpened(null)}
              at={{ top: win.top(opened.row) + ROW_HEIGHT, left: view.left + INDEX_WIDTH, width: Math.max(320, Math.min(720, view.width - INDEX_WIDTH - 24)) }}
            />
          )}
          {rows.map((r) => (
            <div
              key={r}
              className={r % 2 ? "grid-row odd" : "grid-row"}
              role="row"
              aria-rowindex={r + 2}
              data-row={r}
              style={{ transform: `translateY(${win.top(r)}px)`, gridTemplateColumns: template(shown), height: ROW_HEIGHT }}
            >
              <div
                className="grid-index"
                role="rowheader"
                onClick={(e) => {
                  setAnchor(e.shiftKey && cursor ? { row: anchor?.row ?? cursor.row, col: 0 } : { row: r, col: 0 });
                  setCursor({ row: r, col: order.length - 1 });
                }}
              >
                {(r + 1).toLocaleString("en-US")}
              </div>
              {before > 0 && <div aria-hidden />}
              {shown.map((c, i) => {
                const position = c0 + i;
                const col = source.columns[c];
                const v = source.cell(r, c);
                const isCursor = cursor?.row === r && cursor.col === position;
                const cls = [
                  "grid-cell",
                  col.numeric ? "num" : "",
                  v === null ? "null" : "",
                  v === undefined ? "loading" : "",
                  selected(r, position) ? "selected" : "",
                  isCursor ? "cursor" : "",
                  hitSet.has(`${r}:${position}`) ? "hit" : "",
                ].filter(Boolean).join(" ");
                return (
                  <div
                    key={col.name}
                    role="gridcell"
                    aria-selected={selected(r, position)}
                    data-col={col.name}
                    className={cls}
                    title={v ?? (v === null ? "null" : "reading…")}
                    onMouseDown={(e) => {
                      if (e.shiftKey && cursor) {
                        if (!anchor) setAnchor(cursor);
                      } else setAnchor(null);
                      setCursor({ row: r, col: position });
                    }}
                  >
                    {col.expandable && v != null ? (
                      <button
                        className="nested-count"
                        aria-haspopup="dialog"
                        aria-expanded={opened?.row === r && opened.col === c}
                        aria-label={`Show ${col.name} of row ${r + 1} (${v})`}
                        onClick={() => setOpened({ row: r, col: c })}
                      >
                        {v}
                      </button>
                    ) : v === undefined ? (
                      "…"
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

/** The rows inside one cell, opened in place under its row. */
function OpenedCell({ data, row, col, onClose, at }: { data: GridSource; row: number; col: number; onClose: () => void; at: { top: number; left: number; width: number } }) {
  const name = data.columns[col]?.name ?? "";
  const rows = data.nested(row, col);
  const label = `${name} of row ${row + 1}`;
  return (
    <div
      className="grid-nested"
      role="dialog"
      aria-label={label}
      data-nested-of={name}
      style={at}
      // Clicks and keys inside the opened rows are theirs, not the grid's.
      onMouseDown={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
        e.stopPropagation();
      }}
    >
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
