import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ModelIssue, ProductDefinition, ProductDocument, SaveProductRequest, SourceSummary } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { Modeller } = await import("./Modeller");

// Customers with their orders, and each order's lines.
const definition: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
  related: [
    {
      name: "orders",
      source: "orders",
      join: [{ parent: "customer_id", child: "customer_id" }],
      cardinality: "one_to_many",
      related: [{ name: "lines", source: "order_lines", join: [{ parent: "order_id", child: "order_id" }], cardinality: "one_to_many" }],
    },
  ],
};

const source = (id: string): SourceSummary => ({ id, name: id, kind: "csv", path: `${id}.csv`, table: null, system: null, description: null, server: null, keepText: [] });
const SOURCES = ["crm", "orders", "order_lines", "products", "shipments"].map(source);

const COLUMNS: Record<string, { name: string; dtype: string }[]> = {
  crm: [
    { name: "customer_id", dtype: "i64" },
    { name: "email", dtype: "str" },
  ],
  orders: [
    { name: "order_id", dtype: "i64" },
    { name: "customer_id", dtype: "i64" },
  ],
  order_lines: [
    { name: "order_id", dtype: "i64" },
    { name: "line_no", dtype: "i64" },
    { name: "sku", dtype: "str" },
  ],
  products: [
    { name: "sku", dtype: "str" },
    { name: "product_name", dtype: "str" },
  ],
  shipments: [
    { name: "shipment_id", dtype: "i64" },
    { name: "order_id", dtype: "i64" },
  ],
};

let saves: SaveProductRequest[] = [];
let layouts: Record<string, unknown>[] = [];
let disk: ProductDocument;
let issuesOnOpen: ModelIssue[] = [];

beforeEach(() => {
  saves = [];
  layouts = [];
  issuesOnOpen = [];
  disk = {
    productId: "c360",
    revision: "0000000000000001",
    definition,
    layout: { entity: { x: 0, y: 0 }, "related:orders": { x: 400, y: 0 }, "related:orders.lines": { x: 800, y: 0 } },
    issues: [],
  };
  // React Flow asks which element is under the pointer when a click ends a connection.
  (document as unknown as { elementFromPoint: () => null }).elementFromPoint = () => null;
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "open_product":
        return { ...disk, issues: issuesOnOpen };
      case "inspect_source": {
        const id = args.sourceId as string;
        return { path: `/ws/data/${id}.csv`, columns: COLUMNS[id], row_count: 2, format: "csv", table: null, tables: [], dialect: null };
      }
      case "save_product": {
        const r = args.request as SaveProductRequest;
        saves.push(r);
        const revision = (parseInt(disk.revision, 16) + 1).toString(16).padStart(16, "0");
        disk = { ...disk, revision, definition: r.definition };
        return { revision, issues: [] };
      }
      case "validate_product":
        return issuesOnOpen;
      case "save_layout":
        layouts.push((args.request as { layout: Record<string, unknown> }).layout);
        return null;
      default:
        throw { code: "test.unexpected", message: cmd };
    }
  });
});
afterEach(cleanup);

const box = (path: string) => document.querySelector(`[data-table-path="${path}"]`) as HTMLElement | null;
const handle = (path: string, column: string, side: "left" | "right") =>
  box(path)?.querySelector(`li[data-column="${column}"] .react-flow__handle-${side}`) as HTMLElement;

describe("Modeller with an entity tree", () => {
  it("draws a join from a related table's field to a new table, which then hangs under it", async () => {
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders.lines")).toBeTruthy());
    expect(box("orders.lines")?.getAttribute("data-node")).toBe("related:orders.lines");
    fireEvent.click(screen.getByRole("button", { name: "Add shipments to the model" }));
    await waitFor(() => expect(saves.length).toBe(1));
    await waitFor(() => expect(handle("shipments", "order_id", "left")).toBeTruthy());
    await waitFor(() => expect(handle("orders", "order_id", "right")).toBeTruthy());

    // Click a field of orders, then a column of shipments: a line from one to the other.
    fireEvent.click(handle("orders", "order_id", "right"));
    fireEvent.click(handle("shipments", "order_id", "left"));
    await waitFor(() => expect(saves.length).toBe(2));
    const saved = saves[1].definition;
    expect(saved.related?.map((r) => r.name)).toEqual(["orders"]);
    expect(saved.related?.[0].related).toEqual([
      definition.related?.[0].related?.[0],
      { name: "shipments", source: "shipments", join: [{ parent: "order_id", child: "order_id" }], cardinality: "one_to_many" },
    ]);
    await waitFor(() => expect(box("orders.shipments")).toBeTruthy());
    expect(box("shipments")).toBeNull();
    // The inspector shows where it now is.
    expect(screen.getByTestId("inspector-path").textContent).toBe("orders.shipments");
    expect(screen.getByTestId("inspector-under").textContent).toBe("under orders, joined on order_id = order_id");
    // Its box kept its place, now under its path.
    await waitFor(() => expect(layouts.at(-1)?.["related:orders.shipments"]).toBeTruthy());

    // Undo puts it back at the top, unjoined.
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.length).toBe(3));
    expect(saves[2].definition.related?.map((r) => r.name)).toEqual(["orders", "shipments"]);
  });

  it("adds a lookup on a grandchild from its box, joined on the fields the steward picks", async () => {
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders.lines")).toBeTruthy());
    fireEvent.click(box("orders.lines")!.querySelector('button[aria-label="Add a table under orders.lines"]')!);
    const dialog = await screen.findByRole("dialog", { name: "Add a table" });
    fireEvent.change(within(dialog).getByRole("combobox", { name: "Source" }), { target: { value: "products" } });
    fireEvent.change(within(dialog).getByRole("combobox", { name: "Kind" }), { target: { value: "reference" } });
    // The parent's fields are offered from its source; the same-named pair is guessed.
    await waitFor(() => expect((within(dialog).getByRole("combobox", { name: "Column of the new table" }) as HTMLSelectElement).value).toBe("sku"));
    expect((within(dialog).getByRole("combobox", { name: "Field of orders.lines" }) as HTMLSelectElement).value).toBe("sku");
    expect(within(dialog).getByText("orders.lines.products")).toBeTruthy();
    fireEvent.change(within(dialog).getByRole("textbox", { name: "Name" }), { target: { value: "product" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Add lookup on orders.lines" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.related?.[0].related?.[0].reference).toEqual([{ name: "product", source: "products", join: [{ parent: "sku", child: "sku" }] }]);
    await waitFor(() => expect(box("orders.lines.product")?.getAttribute("data-node")).toBe("reference:orders.lines.product"));
    expect(screen.getByTestId("inspector-under").textContent).toBe("looked up for orders.lines, joined on sku = sku");
    // Placed to the right of its table, and saved there.
    await waitFor(() => expect(layouts.at(-1)?.["reference:orders.lines.product"]).toEqual({ x: 800 + 250 + 120, y: 0 }));

    // The join can be edited in place, the parent's side from the parent's fields.
    const parentField = screen.getByRole("combobox", { name: "Field of orders.lines in pair 1" });
    expect(within(parentField).getAllByRole("option").map((o) => o.textContent)).toEqual(["orders.lines.order_id", "orders.lines.line_no", "orders.lines.sku"]);
    fireEvent.change(parentField, { target: { value: "line_no" } });
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.related?.[0].related?.[0].reference?.[0].join).toEqual([{ parent: "line_no", child: "sku" }]);
  });

  it("shows each issue's counts on the box of its table, however deep, and lists them in the inspector", async () => {
    issuesOnOpen = [
      { path: "related[orders].related[lines].join[0].parent", severity: "error", code: "model.unknown_field", message: "`order_no` is not a field of `orders`" },
      { path: "related[orders].related[lines].fields", severity: "warning", code: "model.w", message: "selects every column" },
      { path: "related[orders].related[lines].reference[product].join", severity: "error", code: "model.empty", message: "needs a pair" },
      { path: "quality[0].table", severity: "error", code: "model.unknown_table", message: "no such table" },
    ];
    disk = {
      ...disk,
      definition: {
        ...definition,
        related: [{ ...definition.related![0], related: [{ ...definition.related![0].related![0], reference: [{ name: "product", source: "products", join: [] }] }] }],
      },
    };
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders.lines")?.querySelector('[data-badge="error"]')?.textContent).toBe("1"));
    expect(box("orders.lines")?.querySelector('[data-badge="warning"]')?.textContent).toBe("1");
    expect(box("orders.lines.product")?.querySelector('[data-badge="error"]')?.textContent).toBe("1");
    expect(box("orders")?.querySelector("[data-badge]")).toBeNull();
    expect(box("entity")?.querySelector("[data-badge]")).toBeNull();
    expect(box("orders.lines")?.classList.contains("has-errors")).toBe(true);
    // The problem list leads to the box.
    expect(document.querySelector('[data-issue-table="orders.lines.product"]')).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "related[orders].related[lines].join[0].parent" }));
    const here = await screen.findByRole("list", { name: "Problems here" });
    expect(within(here).getAllByRole("listitem").map((li) => li.querySelector("code")?.textContent)).toEqual([
      "related[orders].related[lines].join[0].parent",
      "related[orders].related[lines].fields",
    ]);
  });

  it("asks before removing a table with tables under it, then removes them all", async () => {
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders")).toBeTruthy());
    fireEvent.click(box("orders")!.querySelector("header")!);
    fireEvent.click(await screen.findByRole("button", { name: "Remove from model" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove tables" });
    expect(within(dialog).getByTestId("remove-list").textContent).toBe("orders.lines");
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove 2 tables" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.related).toBeUndefined();
  });

  it("renames a table and keeps its children under it, in one undo step", async () => {
    render(<Modeller productId="c360" sources={SOURCES} />);
    await waitFor(() => expect(box("orders")).toBeTruthy());
    fireEvent.click(box("orders")!.querySelector("header")!);
    const name = await screen.findByRole("textbox", { name: "Name" });
    fireEvent.focus(name);
    for (const v of ["p", "pu", "purchases"]) fireEvent.change(screen.getByRole("textbox", { name: "Name" }), { target: { value: v } });
    await waitFor(() => expect(saves.at(-1)?.definition.related?.[0].name).toBe("purchases"));
    expect(saves.at(-1)?.definition.related?.[0].related).toEqual(definition.related?.[0].related);
    await waitFor(() => expect(box("purchases.lines")).toBeTruthy());
    await waitFor(() => expect(layouts.at(-1)?.["related:purchases.lines"]).toEqual({ x: 800, y: 0 }));
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.at(-1)?.definition).toEqual(definition));
  });
});
