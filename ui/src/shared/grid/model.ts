// The arithmetic of the grid, kept apart from React so it can be tested on its own: which rows
// and columns are in view (a source of millions of rows scrolls in a scaled space, since a page
// cannot be millions of rows tall), how wide each column starts, what a copy holds, and where
// a find lands.
import type { GridColumn } from "../arrow";

export const ROW_HEIGHT = 28;
export const INDEX_WIDTH = 64;
/** Tallest scroll space the grid makes: browsers stop laying out far below 2^25 px. */
export const MAX_SCROLL_PX = 8_000_000;
/** Columns drawn beyond the visible ones on each side, and wider grids virtualise columns too. */
export const COLUMN_OVERSCAN = 3;
export const VIRTUAL_COLUMNS_FROM = 40;
const MIN_WIDTH = 64;
const MAX_WIDTH = 420;
const CHAR_PX = 7.4;
const HEADER_CHAR_PX = 8.6;

/** A cell as the grid reads it: text, `null` for a missing value, `undefined` while its page loads. */
export type CellText = string | null | undefined;

/** What the grid shows: columns, every row's count, and each cell as it arrives. */
export type GridSource = {
  columns: GridColumn[];
  rowCount: number;
  cell: (row: number, col: number) => CellText;
  nested: (row: number, col: number) => import("../arrow").NestedRows | null;
  /** Asks for rows `from .. to` (exclusive) to be read: paged sources fetch their pages. */
  need?: (from: number, to: number) => void;
  /** Rows loaded so far, for a find over them (all rows when everything is loaded). */
  loadedRows?: () => Iterable<number>;
  /** Changes when rows arrive. */
  version?: number;
};

/** A column's starting width: its header or its widest sampled value, within bounds. */
export function contentWidth(column: GridColumn, samples: CellText[]): number {
  // The header's name is bold and leaves room for the profile icon on its right.
  const header = Math.max(column.name.length * HEADER_CHAR_PX, column.type.length * CHAR_PX) + 46;
  let chars = 0;
  for (const s of samples) if (typeof s === "string") chars = Math.max(chars, Math.min(s.length, 80));
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, header, chars * CHAR_PX + 22)));
}

/** Up to `n` values of column `col` spread over the loaded rows, for sizing. */
export function sampleColumn(source: GridSource, col: number, n = 200): CellText[] {
  const out: CellText[] = [];
  const rows = Math.min(source.rowCount, 2_000);
  const step = Math.max(1, Math.floor(rows / n));
  for (let r = 0; r < rows && out.length < n; r += step) out.push(source.cell(r, col));
  return out;
}

/** The scroll space's height and how far down the data the scroll position is. */
export function verticalWindow(scrollTop: number, viewport: number, rowCount: number, rowHeight = ROW_HEIGHT) {
  const total = rowCount * rowHeight;
  const space = Math.min(total, MAX_SCROLL_PX);
  let virtualTop = scrollTop;
  if (total > space) {
    const room = Math.max(1, space - viewport);
    virtualTop = (Math.min(scrollTop, room) / room) * Math.max(0, total - viewport);
  }
  const first = Math.max(0, Math.floor(virtualTop / rowHeight));
  const last = Math.min(rowCount, Math.ceil((virtualTop + viewport) / rowHeight));
  /** Where row `i` is drawn inside the scroll space. */
  const top = (i: number) => scrollTop + i * rowHeight - virtualTop;
  return { space, first, last, top };
}

/** The scroll position that brings row `row` into view (at the top, or just at the bottom). */
export function scrollTopFor(
  row: number,
  current: number,
  viewport: number,
  rowCount: number,
  rowHeight = ROW_HEIGHT,
  header = ROW_HEIGHT,
): number {
  const total = rowCount * rowHeight;
  const space = Math.min(total, MAX_SCROLL_PX);
  const w = verticalWindow(current, viewport, rowCount, rowHeight);
  const at = w.top(row);
  if (at >= current + header && at + rowHeight <= current + viewport) return current;
  const wantVirtual = at < current + header ? row * rowHeight - header : (row + 1) * rowHeight - viewport;
  const virtual = Math.max(0, Math.min(wantVirtual, total - viewport));
  if (total <= space) return virtual;
  return (virtual / Math.max(1, total - viewport)) * Math.max(1, space - viewport);
}

/** The columns in view (all of them for grids narrower than [`VIRTUAL_COLUMNS_FROM`]). */
export function visibleColumns(widths: number[], scrollLeft: number, viewport: number): [number, number] {
  if (widths.length < VIRTUAL_COLUMNS_FROM) return [0, widths.length];
  let x = INDEX_WIDTH;
  let from = 0;
  while (from < widths.length && x + widths[from] < scrollLeft) x += widths[from++];
  let to = from;
  while (to < widths.length && x < scrollLeft + viewport) x += widths[to++];
  return [Math.max(0, from - COLUMN_OVERSCAN), Math.min(widths.length, to + COLUMN_OVERSCAN)];
}

/** A rectangle of cells: rows and (display-order) columns, both inclusive. */
export type Range = { r0: number; r1: number; c0: number; c1: number };

export function normalise(a: { row: number; col: number }, b: { row: number; col: number }): Range {
  return { r0: Math.min(a.row, b.row), r1: Math.max(a.row, b.row), c0: Math.min(a.col, b.col), c1: Math.max(a.col, b.col) };
}

/** One cell as a spreadsheet reads it in TSV: tabs and line breaks inside become spaces. */
function tsvCell(v: CellText): string {
  return v == null ? "" : v.replace(/[\t\r\n]+/g, " ");
}

/** The cells of `range` as TSV (columns in display order), the column names first if asked.
 *  `undefined` when a row of the range has not been read yet. */
export function toTsv(source: GridSource, order: number[], range: Range, withHeader: boolean): string | undefined {
  const cols = order.slice(range.c0, range.c1 + 1);
  const lines: string[] = [];
  if (withHeader) lines.push(cols.map((c) => source.columns[c]?.name ?? "").join("\t"));
  for (let r = range.r0; r <= range.r1; r++) {
    const cells = cols.map((c) => source.cell(r, c));
    if (cells.some((v) => v === undefined)) return undefined;
    lines.push(cells.map(tsvCell).join("\t"));
  }
  return lines.join("\n");
}

/** Cells holding `text` (case-insensitive) among the loaded rows, row by row in display order. */
export function findAll(source: GridSource, order: number[], text: string, limit = 10_000): { row: number; col: number }[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const rows = source.loadedRows ? Array.from(source.loadedRows()).sort((a, b) => a - b) : range(source.rowCount);
  const out: { row: number; col: number }[] = [];
  for (const r of rows) {
    for (let i = 0; i < order.length; i++) {
      const v = source.cell(r, order[i]);
      if (typeof v === "string" && v.toLowerCase().includes(needle)) {
        out.push({ row: r, col: i });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `order` with the column at display position `from` moved to position `to`. */
export function moveColumn(order: number[], from: number, to: number): number[] {
  if (from === to || from < 0 || to < 0 || from >= order.length || to >= order.length) return order;
  const next = order.slice();
  const [c] = next.splice(from, 1);
  next.splice(to, 0, c);
  return next;
}
