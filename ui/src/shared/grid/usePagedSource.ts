// Rows of a large source, a page at a time: the grid asks for the rows in view and the pages
// holding them are fetched (as Arrow bytes) once each, a few at a time; the rest of the source
// is never read until scrolled or jumped to.
import { useEffect, useMemo, useState } from "react";
import type { GridData } from "../arrow";
import type { GridSource } from "./model";

/** Pages fetched at once; more requests wait for one to finish. */
const IN_FLIGHT = 2;
/** Pages kept; the ones furthest from the last one read are dropped past this. */
const KEPT_PAGES = 200;
/** Requests kept waiting: pages scrolled past long ago are not fetched. */
const QUEUED = 8;

type Fetch = (offset: number, limit: number) => Promise<GridData>;

/** The pages read so far and those on their way. */
export class PageStore {
  private pages = new Map<number, GridData>();
  private inflight = new Set<number>();
  private queue: number[] = [];
  fetch: Fetch;
  onChange: () => void = () => {};
  onError: (e: unknown) => void = () => {};

  constructor(
    first: GridData,
    readonly pageSize: number,
    fetch: Fetch,
  ) {
    this.pages.set(0, first);
    this.fetch = fetch;
  }

  /** Where fetched pages go: the component that shows them. */
  connect(fetch: Fetch, onChange: () => void, onError: (e: unknown) => void) {
    this.fetch = fetch;
    this.onChange = onChange;
    this.onError = onError;
  }

  page(row: number): GridData | undefined {
    return this.pages.get(Math.floor(row / this.pageSize));
  }

  need(from: number, to: number, rowCount: number) {
    const wanted: number[] = [];
    for (let p = Math.floor(from / this.pageSize); p * this.pageSize < Math.min(to, rowCount); p++) {
      if (!this.pages.has(p) && !this.inflight.has(p)) wanted.push(p);
    }
    if (wanted.length === 0) return;
    // The latest view first: pages asked for earlier and scrolled past wait behind it.
    this.queue = [...wanted, ...this.queue.filter((p) => !wanted.includes(p))].slice(0, QUEUED);
    this.pump();
  }

  *loadedRows(): Generator<number> {
    for (const [p, g] of this.pages) for (let r = 0; r < g.rowCount; r++) yield p * this.pageSize + r;
  }

  private pump() {
    while (this.inflight.size < IN_FLIGHT && this.queue.length > 0) {
      const p = this.queue.shift() as number;
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      this.inflight.add(p);
      this.fetch(p * this.pageSize, this.pageSize)
        .then((g) => {
          this.pages.set(p, g);
          if (this.pages.size > KEPT_PAGES) {
            const far = Array.from(this.pages.keys())
              .filter((k) => k !== 0)
              .sort((a, b) => Math.abs(b - p) - Math.abs(a - p));
            for (const k of far.slice(0, this.pages.size - KEPT_PAGES)) this.pages.delete(k);
          }
          this.onChange();
        })
        .catch((e: unknown) => this.onError(e))
        .finally(() => {
          this.inflight.delete(p);
          this.pump();
        });
    }
  }
}

export function usePagedSource(
  first: GridData,
  rowCount: number,
  pageSize: number,
  fetchPage: Fetch,
): { source: GridSource; failed: unknown } {
  const [store] = useState(() => new PageStore(first, pageSize, fetchPage));
  const [version, setVersion] = useState(0);
  const [failed, setFailed] = useState<unknown>(null);
  useEffect(() => store.connect(fetchPage, () => setVersion((v) => v + 1), setFailed), [store, fetchPage]);
  const source = useMemo<GridSource>(
    () => ({
      columns: first.columns,
      rowCount,
      cell: (row, col) => {
        const page = store.page(row);
        if (!page) return undefined;
        const r = row % pageSize;
        return r < page.rowCount ? page.cell(r, col) : null;
      },
      nested: (row, col) => store.page(row)?.nested(row % pageSize, col) ?? null,
      need: (from, to) => store.need(from, to, rowCount),
      loadedRows: () => store.loadedRows(),
      version,
    }),
    [first, rowCount, pageSize, store, version],
  );
  return { source, failed };
}
