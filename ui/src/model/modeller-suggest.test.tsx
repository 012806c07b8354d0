import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ProductDefinition, ProductDocument, Relation, RelationsReport, SaveProductRequest, ScanProgress, SourceSummary } from "../bindings";

const invoke = vi.fn();
const channels: { onmessage: (m: ScanProgress) => void }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...a: unknown[]) => invoke(...a),
  Channel: class {
    onmessage: (m: ScanProgress) => void = () => {};
    constructor() {
      channels.push(this);
    }
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { Modeller } = await import("./Modeller");

// Customers with their orders; the orders' lines and the lines' products not in the model yet.
const definition: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
  related: [{ name: "orders", source: "orders", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many" }],
};

const source = (id: string): SourceSummary => ({ id, name: id, kind: "csv", path: `${id}.csv`, table: null, system: null, description: null, server: null, keepText: [] });
const SOURCES = ["crm", "orders", "order_lines", "products"].map(source);

const COLUMNS: Record<string, { name: string; dtype: string }[]> = {
  crm: [{ name: "customer_id", dtype: "i64" }],
  orders: [
    { name: "order_id", dtype: "i64" },
    { name: "customer_id", dtype: "i64" },
  ],
  order_lines: [
    { name: "order_id", dtype: "i64" },
    { name: "sku", dtype: "str" },
  ],
  products: [
    { name: "sku", dtype: "str" },
    { name: "product_name", dtype: "str" },
  ],
};

const relation = (child: string, cc: string[], parent: string, pc: string[], role: "child" | "lookup", score: number): Relation =>
  ({
    parent,
    parent_columns: pc,
    child,
    child_columns: cc,
    score,
    inclusion: 1,
    orphan_share: 0, parent_coverage: 1,
    orphan_rows: 0,
    cardinality: "1:n",
    role,
    evidence: `every ${child}.${cc[0]} found in ${parent}`,
  }) as Relation;

const REPORT: RelationsReport = {
  suggestions: [
    relation("orders", ["customer_id"], "crm", ["customer_id"], "child", 0.99),
    relation("order_lines", ["order_id"], "orders", ["order_id"], "child", 0.95),
    relation("order_lines", ["sku"], "products", ["sku"], "lookup", 0.9),
  ],
  skipped: [],
};

let saves: SaveProductRequest[] = [];
let disk: ProductDocument;
let discover: () => Promise<RelationsReport>;

beforeEach(() => {
  saves = [];
  channels.length = 0;
  discover = async () => REPORT;
  disk = {
    productId: "c360",
    revision: "0000000000000001",
    definition,
    layout: { entity: { x: 0, y: 0 }, "related:orders": { x: 400, y: 0 } },
    issues: [],
  };
  (document as unknown as { elementFromPoint: () => null }).elementFromPoint = () => null;
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "open_product":
        return disk;
      case "inspect_source": {
        const id = args.sourceId as string;
        return { path: `/ws/data/${id}.csv`, columns: COLUMNS[id], row_count: 2, format: "csv", table: null, tables: [], dialect: null };
      }
      case "discover_relations":
        return discover();
      case "save_product": {
        const r = args.request as SaveProductRequest;
        saves.push(r);
        const revision = (parseInt(disk.revision, 16) + 1).toString(16).padStart(16, "0");
        disk = { ...disk, revision, definition: r.definition };
        return { revision, issues: [] };
      }
      case "validate_product":
        return [];
      case "save_layout":
      case "cancel_scan":
        return null;
      default:
        throw { code: "test.unexpected", message: cmd };
    }
  });
});
afterEach(cleanup);

const box = (path: string) => document.querySelector(`[data-table-path="${path}"]`) as HTMLElement | null;
const suggestion = (key: string) => document.querySelector(`[data-testid="suggested-joins"] button[data-suggestion="${key}"]`) as HTMLButtonElement | null;
const discoveries = () => invoke.mock.calls.filter(([cmd]) => cmd === "discover_relations");

describe("Modeller's suggested joins", () => {
  it("reads relationships once a table is selected, then builds the tree from them in clicks", async () => {
    let finish: (r: RelationsReport) => void = () => {};
    discover = () => new Promise((r) => (finish = r));
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders")).toBeTruthy());
    // Nothing is read until the steward selects a table.
    expect(discoveries()).toEqual([]);

    fireEvent.click(box("orders")!.querySelector("header")!);
    await waitFor(() => expect(discoveries()).toEqual([["discover_relations", { scanId: expect.any(Number), onProgress: channels[0] }]]));
    const section = screen.getByTestId("suggested-joins");
    expect(within(section).getByRole("status").textContent).toBe("Reading sources…");
    act(() => channels[0].onmessage({ done: 1, total: 4, stage: "order_lines" }));
    expect(within(section).getByRole("status").textContent).toBe("Reading sources… (2 of 4)");
    // The canvas stays usable meanwhile.
    fireEvent.click(box("entity")!.querySelector("header")!);
    fireEvent.click(box("orders")!.querySelector("header")!);

    act(() => finish(REPORT));
    await waitFor(() => expect(suggestion("order_lines->orders")).toBeTruthy());
    const offers = within(screen.getByTestId("suggested-joins")).getAllByRole("button");
    // crm is above orders already; products is looked up by lines, not by orders.
    expect(offers.map((b) => b.textContent)).toEqual(["Add order_lines under orders (order_id → order_id)"]);
    expect(offers[0].title).toBe("every order_lines.order_id found in orders");
    expect(screen.getByTestId("suggested-joins").textContent).toContain("score 0.95");

    fireEvent.click(suggestion("order_lines->orders")!);
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.related?.[0].related?.[0]).toEqual({
      name: "order_lines",
      source: "order_lines",
      join: [{ parent: "order_id", child: "order_id" }],
      cardinality: "one_to_many",
    });
    await waitFor(() => expect(box("orders.order_lines")).toBeTruthy());
    expect(screen.getByTestId("inspector-path").textContent).toBe("orders.order_lines");

    // The new table is selected, and offers the lookup of its products.
    await waitFor(() => expect(suggestion("products->orders.order_lines")).toBeTruthy());
    expect(suggestion("products->orders.order_lines")!.textContent).toBe("Look up products on orders.order_lines (sku → sku)");
    expect(suggestion("orders->orders.order_lines")).toBeNull();
    fireEvent.click(suggestion("products->orders.order_lines")!);
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.related?.[0].related?.[0].reference).toEqual([{ name: "products", source: "products", join: [{ parent: "sku", child: "sku" }] }]);
    await waitFor(() => expect(box("orders.order_lines.products")).toBeTruthy());

    // Back on orders, lines are in the tree under it: nothing left to offer.
    fireEvent.click(box("orders")!.querySelector("header")!);
    await waitFor(() => expect(screen.getByTestId("suggested-joins").textContent).toContain("No discovered relationship adds a new table here."));
    // Relationships were read once for the whole session.
    expect(discoveries().length).toBe(1);

    // Undo takes the lookup away again, through the same save path.
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.length).toBe(3));
    expect(saves[2].definition.related?.[0].related?.[0].reference).toBeUndefined();
  });

  it("shows why reading failed, and reads again on Retry", async () => {
    discover = async () => {
      throw { code: "profile.read_failed", message: "order_lines.csv: could not be read" };
    };
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders")).toBeTruthy());
    fireEvent.click(box("orders")!.querySelector("header")!);
    const section = await screen.findByTestId("suggested-joins");
    await waitFor(() => expect(within(section).getByRole("alert").textContent).toContain("order_lines.csv: could not be read"));
    discover = async () => REPORT;
    fireEvent.click(within(section).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(suggestion("order_lines->orders")).toBeTruthy());
    expect(within(section).queryByRole("alert")).toBeNull();
    expect(discoveries().length).toBe(2);
  });
});
