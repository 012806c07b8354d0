import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { Table, tableToIPC, vectorFromArray, Int64, Utf8 } from "apache-arrow";
import type { ProductDefinition, ProductRowsRequest, ProductSummary, QualityRule, SaveProductRequest } from "../bindings";

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
  related: ["orders"],
  error: null,
};

function bytes(t: Table): ArrayBuffer {
  const u8 = tableToIPC(t, "file");
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

afterEach(cleanup);

/** A customer with orders, and `quality` as its rules. */
function definition(quality: QualityRule[]): ProductDefinition {
  return {
    steward: "steward.product/v1",
    metadata: { name: "customer360", domain: "customer", owner: "o@example.com", version: "1.0.0" },
    entity: { name: "Customer", source: "crm", key: "customer_id", fields: [{ column: "customer_id" }, { column: "email" }, { column: "country_code" }] },
    related: [{ name: "orders", source: "orders", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many", fields: [{ column: "order_id" }, { column: "amount" }] }],
    quality,
  } as ProductDefinition;
}

describe("ProductView", () => {
  it("pages the product table and opens an entity's 360 view", async () => {
    invoke.mockImplementation(async (cmd: string, args: { request: ProductRowsRequest }) => {
      if (cmd !== "product_rows") throw { code: "x", message: cmd };
      const r = args.request;
      if (!r.key) {
        return bytes(new Table({ customer_id: vectorFromArray([1n, 2n], new Int64()), full_name: vectorFromArray(["Zoë A", "Jan B"], new Utf8()) }));
      }
      if (r.table === "entity") {
        return bytes(new Table({ customer_id: vectorFromArray([1n], new Int64()), full_name: vectorFromArray(["Zoë A"], new Utf8()) }));
      }
      return bytes(new Table({ order_id: vectorFromArray([100001n, 100002n], new Int64()) }));
    });
    render(<ProductView product={product} sources={[]} initialTab="table" />);
    await waitFor(() => expect(screen.getByTestId("product-page").textContent).toBe("Entities 1–2"));
    expect(invoke).toHaveBeenCalledWith("product_rows", { request: { productId: "customer360", key: null, table: null, offset: 0, limit: 100 } });
    fireEvent.click(screen.getByRole("button", { name: /Open the first Customer/ }));
    const fields = await screen.findByTestId("entity-fields");
    expect(within(fields).getByText("Zoë A")).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-related="orders"] h3')?.textContent).toContain("2 rows"));
    expect(invoke).toHaveBeenCalledWith("product_rows", { request: { productId: "customer360", key: ["1"], table: "orders", offset: 0, limit: 10000 } });
  });

  it("lists validation issues with their paths", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "open_product") return { revision: "0000000000000001", definition: definition([{ rule: "not_null", column: "email" }, { rule: "row_count", min: 1 }]) };
      if (cmd === "validate_product") return [{ path: "related[orders].join[0]", severity: "error", code: "model.join_type_mismatch", message: "email is str, orders.customer_id is i64" }];
      if (cmd === "product_quality")
        return [
          { path: "quality[0]", index: 0, rule: "not_null", table: "entity", columns: ["email"], violations: 13, checked: 500, samples: [], passed: false },
          { path: "quality[1]", index: 1, rule: "row_count", table: "entity", columns: [], violations: 0, checked: 500, samples: [], passed: true },
        ];
      return bytes(new Table({ customer_id: vectorFromArray([1n], new Int64()) }));
    });
    render(<ProductView product={product} sources={[]} initialTab="table" />);
    fireEvent.click(screen.getByRole("tab", { name: "Validation" }));
    await waitFor(() => expect(screen.getByTestId("validation-summary").textContent).toBe("1 error, 0 warnings"));
    expect(screen.getByText("related[orders].join[0]")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("quality-summary").textContent).toBe("Quality rules: 1 of 2 pass"));
    expect(document.querySelector('tr[data-quality-index="0"]')?.textContent).toContain("13 of 500");
    expect(document.querySelector('tr[data-quality-index="0"]')?.getAttribute("data-passed")).toBe("false");
  });

  it("adds, edits and removes quality rules, saving each edit and checking the rules again", async () => {
    const saves: QualityRule[][] = [];
    let rules: QualityRule[] = [{ rule: "not_null", column: "email" }];
    invoke.mockImplementation(async (cmd: string, args: { request?: SaveProductRequest }) => {
      switch (cmd) {
        case "open_product":
          return { revision: "0000000000000001", definition: definition(rules) };
        case "validate_product":
          return [];
        case "product_quality":
          return rules.map((r, i) => ({ path: `quality[${i}]`, index: i, rule: r.rule, table: r.table ?? "entity", columns: [], violations: r.rule === "accepted_values" ? 3 : 0, checked: 10, samples: r.rule === "accepted_values" ? ["XX"] : [], passed: r.rule !== "accepted_values" }));
        case "save_product":
          rules = args.request?.definition.quality ?? [];
          saves.push(rules);
          return { revision: `000000000000000${saves.length + 1}`, issues: [] };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<ProductView product={product} sources={[]} initialTab="validation" />);
    await waitFor(() => expect(screen.getByTestId("quality-summary").textContent).toBe("Quality rules: 1 of 1 pass"));
    fireEvent.click(screen.getByRole("button", { name: "+ Quality rule" }));
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(saves[0][1]).toEqual({ rule: "not_null", column: "customer_id" });
    fireEvent.change(await screen.findByRole("combobox", { name: "Quality rule 2" }), { target: { value: "accepted_values" } });
    await waitFor(() => expect(saves).toHaveLength(2));
    fireEvent.change(screen.getByRole("combobox", { name: "Column of quality rule 2" }), { target: { value: "country_code" } });
    await waitFor(() => expect(saves).toHaveLength(3));
    const values = screen.getByRole("textbox", { name: "Values of quality rule 2" });
    fireEvent.change(values, { target: { value: "  " } });
    fireEvent.blur(values);
    expect(screen.getByRole("alert").textContent).toBe("list the accepted values, separated by commas");
    fireEvent.change(values, { target: { value: "NL, DE ,FR" } });
    fireEvent.blur(values);
    await waitFor(() => expect(saves).toHaveLength(4));
    expect(saves[3][1]).toEqual({ rule: "accepted_values", column: "country_code", values: ["NL", "DE", "FR"] });
    await waitFor(() => expect(screen.getByTestId("quality-summary").textContent).toBe("Quality rules: 1 of 2 pass"));
    expect(document.querySelector('tr[data-quality-index="1"]')?.textContent).toContain("XX");
    fireEvent.change(screen.getByRole("combobox", { name: "Table of quality rule 2" }), { target: { value: "orders" } });
    await waitFor(() => expect(saves).toHaveLength(5));
    expect(saves[4][1]).toEqual({ rule: "accepted_values", table: "orders", column: "order_id", values: ["NL", "DE", "FR"] });
    fireEvent.click(screen.getByRole("button", { name: "Remove quality rule 1" }));
    await waitFor(() => expect(saves).toHaveLength(6));
    expect(saves[5]).toEqual([{ rule: "accepted_values", table: "orders", column: "order_id", values: ["NL", "DE", "FR"] }]);
  });
});

// The all-types table as the desktop shell sends it, and the texts the CLI prints for it.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

describe("every type in the product table and the 360 view", () => {
  const fixture = (name: string) => readFileSync(resolve(process.cwd(), "src/fixtures", name));
  const arrow = fixture("all-types.arrow");
  const expected = JSON.parse(fixture("all-types.expected.json").toString("utf8")) as {
    columns: { name: string; type: string; cells: (string | null)[] }[];
  };
  const allTypes: ProductSummary = { ...product, id: "all_types", entity: "Thing", key: ["id"], related: [] };

  it("shows each value exactly as the CLI prints it, with one type label per type", async () => {
    invoke.mockImplementation(async () => arrow.buffer.slice(arrow.byteOffset, arrow.byteOffset + arrow.byteLength));
    render(<ProductView product={allTypes} sources={[]} initialTab="table" />);
    await waitFor(() => expect(screen.getByTestId("product-page").textContent).toBe("Entities 1–6"));
    const heads = Array.from(document.querySelectorAll(".grid-head-cell")).map((h) => h.getAttribute("title"));
    expect(heads).toContain("price: decimal[15,2]");
    expect(heads).toContain("wait: duration[ms]");
    expect(screen.getAllByText("711.56").length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole("button", { name: /Open the first Thing/ }));
    const fields = await screen.findByTestId("entity-fields");
    for (const col of expected.columns) {
      const dd = fields.querySelector(`[data-field="${col.name}"] dd`);
      expect({ field: col.name, shown: dd?.textContent }).toEqual({ field: col.name, shown: col.cells[0] ?? "null" });
    }
  });
});
