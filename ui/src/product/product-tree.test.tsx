import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { Field, Float64, Int64, List, Struct, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import type { ProductDefinition, ProductDocument, ProductRowsRequest, ProductSummary } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { ProductView } = await import("./ProductView");

const product: ProductSummary = {
  id: "customer360",
  name: "customer360",
  version: "1.0.0",
  entity: "Customer",
  key: ["customer_id"],
  related: ["orders", "orders.lines", "invoices"],
  error: null,
};

// Orders under customers, lines under orders (renamed `order_ref` in the lines), a product
// lookup on each line, and invoices beside the orders.
const definition: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "customer360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
  related: [
    {
      name: "orders",
      source: "orders",
      join: [{ parent: "customer_id", child: "customer_id" }],
      cardinality: "one_to_many",
      related: [
        {
          name: "lines",
          source: "order_lines",
          join: [{ parent: "order_id", child: "order_id" }],
          cardinality: "one_to_many",
          fields: [{ column: "order_id", as: "order_ref" }, { column: "line_no" }, { column: "sku" }],
          reference: [{ name: "product", source: "products", join: [{ parent: "sku", child: "sku" }], fields: [{ column: "product_name" }] }],
        },
      ],
    },
    { name: "invoices", source: "invoices", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many" },
  ],
};
const doc: ProductDocument = { productId: "customer360", revision: "1", definition, layout: {}, issues: [] };

function bytes(t: Table): ArrayBuffer {
  const u8 = tableToIPC(t, "file");
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

const s = (xs: (string | null)[]) => vectorFromArray(xs, new Utf8());
const i = (xs: (bigint | null)[]) => vectorFromArray(xs, new Int64());

/** One customer's rows of each table, as the shell sends them (each with the root's key). */
function entityRows(table: string): ArrayBuffer {
  switch (table) {
    case "entity":
      return bytes(new Table({ customer_id: i([1n]), full_name: s(["Zoë A"]) }));
    case "orders":
      return bytes(new Table({ order_id: i([100001n, 100002n, 100003n]), customer_id: i([1n, 1n, 1n]), status: s(["shipped", "placed", "cancelled"]) }));
    case "orders.lines":
      return bytes(
        new Table({
          customer_id: i([1n, 1n, 1n]),
          order_ref: i([100001n, 100001n, 100002n]),
          line_no: i([1n, 2n, 1n]),
          sku: s(["A-1", "B-7", "C-3"]),
          product_name: s(["Kettle", "Mug", "Teapot"]),
        }),
      );
    default:
      return bytes(new Table({ invoice_id: s([]) }));
  }
}

afterEach(cleanup);

describe("360 view of an entity tree", () => {
  it("shows each table once, and expands an order to its own lines with their looked-up product", async () => {
    const asked: ProductRowsRequest[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request: ProductRowsRequest }) => {
      if (cmd === "open_product") return doc;
      if (cmd !== "product_rows") throw { code: "x", message: cmd };
      asked.push(args.request);
      return entityRows(args.request.table ?? "");
    });
    render(<ProductView product={product} sources={[]} initialTab="360" />);
    fireEvent.change(screen.getByRole("textbox", { name: /Customer customer_id/ }), { target: { value: "1" } });
    fireEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(document.querySelector('[data-related="orders"] h3')?.textContent).toBe("orders 3 rows"));
    // Every table read once for the entity, nested ones by path.
    expect(asked.map((r) => r.table).sort()).toEqual(["entity", "invoices", "orders", "orders.lines"]);
    expect(asked.every((r) => r.key?.[0] === "1")).toBe(true);
    // Nested tables are not blocks of their own: they live under their parent rows.
    expect(document.querySelector('[data-related="orders.lines"]')).toBeNull();
    expect(document.querySelector('[data-related="invoices"] h3')?.textContent).toBe("invoices 0 rows");

    const first = document.querySelector('tr[data-tree-row="orders#0"]') as HTMLElement;
    expect(first.getAttribute("aria-expanded")).toBe("false");
    const toggle = within(first).getByRole("button", { name: "Show 2 lines of orders row 1" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(within(document.querySelector('tr[data-tree-row="orders#2"]') as HTMLElement).getByRole("button").textContent).toContain("0 lines");
    fireEvent.click(toggle);
    expect(first.getAttribute("aria-expanded")).toBe("true");
    const under = document.querySelector('[data-children-of="orders#0"] [data-child-table="orders.lines"]') as HTMLElement;
    expect(under.querySelector("h4")?.textContent).toBe("lines 2 rows");
    const lines = Array.from(under.querySelectorAll("tr[data-tree-row]"));
    expect(lines.map((r) => r.getAttribute("data-tree-row"))).toEqual(["orders.lines#0", "orders.lines#1"]);
    expect(lines.map((r) => r.querySelector('[data-col="product_name"]')?.textContent)).toEqual(["Kettle", "Mug"]);
    expect(under.querySelector('th.lookup-col')?.textContent).toBe("product_name");
    // The second order has its own line only; folding the first hides its lines again.
    fireEvent.click(within(document.querySelector('tr[data-tree-row="orders#1"]') as HTMLElement).getByRole("button"));
    const second = document.querySelector('[data-children-of="orders#1"]') as HTMLElement;
    expect(Array.from(second.querySelectorAll('[data-col="sku"]')).map((c) => c.textContent)).toEqual(["C-3"]);
    fireEvent.click(within(first).getByRole("button", { name: "Hide 2 lines of orders row 1" }));
    expect(document.querySelector('[data-children-of="orders#0"]')).toBeNull();
  });
});

describe("product table with nested related rows", () => {
  it("counts each list cell's rows and opens them, with the lists nested inside, without leaving the grid", async () => {
    const lineType = new Struct([new Field("line_no", new Int64(), true), new Field("sku", new Utf8(), true), new Field("unit_price", new Float64(), true)]);
    const orderType = new Struct([
      new Field("order_id", new Int64(), true),
      new Field("status", new Utf8(), true),
      new Field("lines", new List(new Field("item", lineType, true)), true),
    ]);
    const page = new Table({
      customer_id: i([1n, 2n]),
      orders: vectorFromArray(
        [
          [
            { order_id: 100001n, status: "shipped", lines: [{ line_no: 1n, sku: "A-1", unit_price: 12.5 }, { line_no: 2n, sku: "B-7", unit_price: 3 }] },
            { order_id: 100002n, status: "placed", lines: [] },
            { order_id: 100003n, status: "cancelled", lines: [{ line_no: 1n, sku: "C-3", unit_price: 40 }] },
          ],
          [],
        ],
        new List(new Field("item", orderType, true)),
      ),
    });
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd !== "product_rows") throw { code: "x", message: cmd };
      return bytes(page);
    });
    render(<ProductView product={product} sources={[]} initialTab="table" />);
    await waitFor(() => expect(screen.getByTestId("product-page").textContent).toBe("Entities 1–2"));
    const grid = screen.getByRole("grid", { name: "Product table of customer360" });
    const cell = grid.querySelector('.grid-row[data-row="0"] [data-col="orders"]') as HTMLElement;
    // The cell reads as a count, as before.
    expect(cell.textContent).toBe("3 rows");
    expect(grid.querySelector('.grid-row[data-row="1"] [data-col="orders"]')?.textContent).toBe("0 rows");
    fireEvent.click(within(cell).getByRole("button", { name: "Show orders of row 1 (3 rows)" }));
    const opened = screen.getByRole("dialog", { name: "orders of row 1" });
    // Opened in place, under its row, but not inside it: the virtualised rows keep their height.
    const row0 = grid.querySelector('.grid-row[data-row="0"]') as HTMLElement;
    expect(row0.contains(opened)).toBe(false);
    expect(opened.closest(".grid-row")).toBeNull();
    expect(opened.style.top).toBe(row0.style.height);
    expect((grid.querySelector('.grid-row[data-row="1"]') as HTMLElement).style.height).toBe(row0.style.height);
    expect(opened.querySelector("h4")?.textContent).toBe("orders of row 1 3 rows");
    const orders = within(opened).getByRole("table", { name: "orders of row 1" });
    const rows = Array.from(orders.querySelectorAll(":scope > tbody > tr"));
    expect(rows.map((r) => r.querySelector(':scope > [data-col="order_id"]')?.textContent)).toEqual(["100001", "100002", "100003"]);
    // Each order's lines fold open in place.
    const lines = rows[0].querySelector('details[data-nested-list="lines"]') as HTMLDetailsElement;
    expect(lines.querySelector("summary")?.textContent).toBe("2 rows");
    expect(Array.from(lines.querySelectorAll('td[data-col="sku"]')).map((c) => c.textContent)).toEqual(["A-1", "B-7"]);
    expect(Array.from(lines.querySelectorAll('td[data-col="unit_price"]')).map((c) => c.textContent)).toEqual(["12.5", "3.0"]);
    expect(rows[1].querySelector('[data-col="lines"]')?.textContent).toBe("0 rows");
    fireEvent.click(within(opened).getByRole("button", { name: "Close orders of row 1" }));
    expect(screen.queryByRole("dialog", { name: "orders of row 1" })).toBeNull();
  });
});
