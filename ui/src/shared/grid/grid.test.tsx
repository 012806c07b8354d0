import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { useCallback } from "react";
import type { GridData } from "../arrow";
import { DataGrid } from "../DataGrid";
import { findAll, MAX_SCROLL_PX, moveColumn, ROW_HEIGHT, scrollTopFor, toTsv, verticalWindow, type GridSource } from "./model";
import { usePagedSource } from "./usePagedSource";

afterEach(cleanup);

const SIX_MILLION = 6_000_000;
const PAGE = 500;

/** Rows `offset ..` of a generated source: id, and a name with a tab in it on every 7th row. */
function page(offset: number, limit: number, total = SIX_MILLION): GridData {
  const n = Math.max(0, Math.min(limit, total - offset));
  return {
    columns: [
      { name: "id", type: "i64", numeric: true },
      { name: "name", type: "str", numeric: false },
    ],
    rowCount: n,
    cell: (r, c) => (c === 0 ? String(offset + r + 1) : (offset + r) % 7 === 0 ? `n\t${offset + r + 1}` : `name ${offset + r + 1}`),
    nested: () => null,
  };
}

function Paged({ fetch }: { fetch: (offset: number, limit: number) => Promise<GridData> }) {
  const stable = useCallback((offset: number, limit: number) => fetch(offset, limit), [fetch]);
  const { source } = usePagedSource(page(0, PAGE), SIX_MILLION, PAGE, stable);
  return <DataGrid data={source} label="Preview of big" />;
}

describe("grid arithmetic", () => {
  it("keeps six million rows in a bounded scroll space and reaches the last one", () => {
    const viewport = 560;
    const top = verticalWindow(0, viewport, SIX_MILLION);
    expect(top.space).toBe(MAX_SCROLL_PX);
    expect(top.first).toBe(0);
    const end = verticalWindow(MAX_SCROLL_PX - viewport, viewport, SIX_MILLION);
    expect(end.last).toBe(SIX_MILLION);
    // The last row is drawn inside the scroll space, at the bottom of the view.
    expect(end.top(SIX_MILLION - 1) + ROW_HEIGHT).toBeCloseTo(MAX_SCROLL_PX, 0);
    // Jumping to any row scrolls to where that row is in view.
    for (const row of [0, 1_234_567, 4_999_999, SIX_MILLION - 1]) {
      const at = scrollTopFor(row, 0, viewport, SIX_MILLION, ROW_HEIGHT, 0);
      const w = verticalWindow(at, viewport, SIX_MILLION);
      expect(w.first <= row && row < w.last, `row ${row}`).toBe(true);
      expect(w.top(row)).toBeGreaterThanOrEqual(at - 1);
      expect(w.top(row) + ROW_HEIGHT).toBeLessThanOrEqual(at + viewport + 1);
    }
    // A small grid is not scaled: rows sit at their own height.
    const small = verticalWindow(280, viewport, 100);
    expect(small.space).toBe(100 * ROW_HEIGHT);
    expect(small.first).toBe(10);
    expect(small.top(10)).toBe(280);
  });

  it("copies a selection as TSV, finds text and moves columns", () => {
    const src: GridSource = page(0, 20);
    expect(toTsv(src, [1, 0], { r0: 6, r1: 7, c0: 0, c1: 1 }, true)).toBe("name\tid\nname 7\t7\nn 8\t8");
    const paged: GridSource = { ...src, rowCount: 1000, cell: (r, c) => (r < 20 ? src.cell(r, c) : undefined) };
    expect(toTsv(paged, [0, 1], { r0: 10, r1: 30, c0: 0, c1: 0 }, false), "rows not read yet").toBeUndefined();
    // `name 10` … `name 19`, case aside, but not row 14's `n<tab>15`.
    expect(findAll(src, [0, 1], "NAME 1").map((h) => h.row)).toEqual([9, 10, 11, 12, 13, 15, 16, 17, 18]);
    expect(moveColumn([0, 1, 2, 3], 3, 0)).toEqual([3, 0, 1, 2]);
    expect(moveColumn([0, 1, 2], 0, 5)).toEqual([0, 1, 2]);
  });
});

describe("a grid over six million rows", () => {
  it("fetches only the page a jump lands on, and shows its rows", async () => {
    const fetch = vi.fn(async (offset: number, limit: number) => page(offset, limit));
    render(<Paged fetch={fetch} />);
    const grid = screen.getByRole("grid", { name: "Preview of big" });
    expect(grid.getAttribute("aria-rowcount")).toBe(String(SIX_MILLION + 1));
    expect(fetch).not.toHaveBeenCalled();
    const tools = screen.getByRole("toolbar", { name: "Preview of big tools" });
    fireEvent.change(within(tools).getByRole("textbox"), { target: { value: "5,000,000" } });
    fireEvent.click(within(tools).getByRole("button", { name: "Go" }));
    await waitFor(() => expect(grid.querySelector('.grid-row[data-row="4999999"] [data-col="id"]')?.textContent).toBe("5000000"));
    const offsets = fetch.mock.calls.map(([o]) => o);
    expect(offsets).toContain(4_999_500);
    expect(offsets.every((o) => o >= 4_998_500 && o <= 5_000_500), `${offsets}`).toBe(true);
    // The cursor is on the row jumped to.
    expect(grid.querySelector('.grid-row[data-row="4999999"] .cursor')?.getAttribute("data-col")).toBe("id");
  });

  it("moves a cursor with the keyboard, copies the selection as TSV and moves a column", async () => {
    render(<DataGrid data={page(0, 50, 50)} label="Preview of small" />);
    const grid = screen.getByRole("grid", { name: "Preview of small" });
    fireEvent.mouseDown(grid.querySelector('.grid-row[data-row="6"] [data-col="id"]') as Element);
    fireEvent.keyDown(grid, { key: "ArrowDown", shiftKey: true });
    fireEvent.keyDown(grid, { key: "ArrowRight", shiftKey: true });
    const selected = Array.from(grid.querySelectorAll('[role=gridcell][aria-selected="true"]')).map((c) => c.textContent);
    expect(selected).toEqual(["7", "name 7", "8", "n\t8"]);
    const data = new Map<string, string>();
    const copied = fireEvent.copy(grid, { clipboardData: { setData: (t: string, v: string) => data.set(t, v) } });
    expect(copied).toBe(false); // handled: the browser's own copy is prevented
    expect(data.get("text/plain")).toBe("7\tname 7\n8\tn 8");
    expect(screen.getByRole("status").textContent).toBe("Copied 4 cells as TSV.");
    // The notice is about that selection: it goes when the selection changes.
    fireEvent.keyDown(grid, { key: "ArrowDown" });
    expect(screen.queryByRole("status")).toBeNull();
    fireEvent.keyDown(grid, { key: "ArrowUp" });
    fireEvent.keyDown(grid, { key: "ArrowUp", shiftKey: true });
    // Alt+Shift+← moves the cursor's column (`name`) left: it comes first.
    fireEvent.keyDown(grid, { key: "ArrowLeft", altKey: true, shiftKey: true });
    await waitFor(() => expect(Array.from(grid.querySelectorAll(".col-name")).map((h) => h.textContent)).toEqual(["name", "id"]));
  });

  it("finds text in the rows read and resizes a column by its edge", async () => {
    render(<DataGrid data={page(0, 50, 50)} label="Preview of small" />);
    const grid = screen.getByRole("grid", { name: "Preview of small" });
    fireEvent.change(screen.getByRole("searchbox", { name: "Find in Preview of small" }), { target: { value: "name 4" } });
    expect(screen.getByTestId("grid-hits").textContent).toBe("1 of 10");
    expect(grid.querySelectorAll(".grid-cell.hit").length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole("button", { name: "Next match" }));
    expect(screen.getByTestId("grid-hits").textContent).toBe("2 of 10");
    const header = grid.querySelector(".grid-header") as HTMLElement;
    const before = header.style.gridTemplateColumns;
    const edge = screen.getByRole("separator", { name: "Resize name" });
    fireEvent.pointerDown(edge, { clientX: 100, button: 0 });
    act(() => {
      window.dispatchEvent(new MouseEvent("pointermove", { clientX: 180 }) as PointerEvent);
      window.dispatchEvent(new MouseEvent("pointerup", { clientX: 180 }) as PointerEvent);
    });
    const after = header.style.gridTemplateColumns;
    const width = (t: string) => Number(t.split(" ")[2].replace("px", ""));
    expect(width(after) - width(before)).toBe(80);
    // From the keyboard: Alt+→ widens the cursor's column, Alt+← narrows it.
    fireEvent.mouseDown(grid.querySelector('.grid-row [data-col="name"]') as Element);
    fireEvent.keyDown(grid, { key: "ArrowRight", altKey: true });
    fireEvent.keyDown(grid, { key: "ArrowRight", altKey: true });
    fireEvent.keyDown(grid, { key: "ArrowLeft", altKey: true });
    expect(width(header.style.gridTemplateColumns) - width(after)).toBe(16);
  });
});
