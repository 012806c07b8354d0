import { describe, expect, it } from "vitest";
import type { ProductDefinition } from "../bindings";
import type { GridData } from "../shared/arrow";
import { childRows, indexRows, treeOf } from "./tree360";

const grid = (columns: string[], rows: (string | null)[][]): GridData => ({
  columns: columns.map((name) => ({ name, type: "str", numeric: false })),
  rowCount: rows.length,
  cell: (r, c) => rows[r]?.[c] ?? null,
  nested: () => null,
});

const def: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "p", domain: "d", owner: "o", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
  related: [
    {
      name: "invoices",
      source: "invoices",
      join: [{ parent: "customer_id", child: "customer_id" }],
      cardinality: "one_to_many",
      related: [
        {
          name: "lines",
          source: "invoice_lines",
          join: [
            { parent: "invoice_id", child: "inv" },
            { parent: "year", child: "yr" },
          ],
          cardinality: "one_to_many",
          fields: [{ column: "inv", as: "invoice_ref" }, { column: "yr" }],
        },
      ],
    },
  ],
};

describe("tree360", () => {
  it("builds the tree from the definition, naming join columns as the rows do", () => {
    const tree = treeOf(def, ["invoices", "invoices.lines"]);
    expect(tree.map((t) => t.path)).toEqual(["invoices"]);
    expect(tree[0].children[0]).toMatchObject({
      path: "invoices.lines",
      join: [
        { parent: "invoice_id", child: "invoice_ref" },
        { parent: "year", child: "yr" },
      ],
    });
    // Without the definition, every table stands on its own.
    expect(treeOf(null, ["invoices", "invoices.lines"]).map((t) => [t.path, t.children.length])).toEqual([
      ["invoices", 0],
      ["invoices.lines", 0],
    ]);
  });

  it("puts each child row under the parent row holding the same values on every pair", () => {
    const [invoices] = treeOf(def, ["invoices", "invoices.lines"]);
    const lines = invoices.children[0];
    const parent = grid(["invoice_id", "year"], [["A", "2024"], ["A", "2025"], [null, "2025"]]);
    const child = grid(["invoice_ref", "yr", "sku"], [["A", "2024", "x"], ["A", "2025", "y"], ["A", "2024", "z"], [null, "2025", "w"]]);
    const index = indexRows(child, ["invoice_ref", "yr"]);
    expect(childRows(parent, 0, lines, index)).toEqual([0, 2]);
    expect(childRows(parent, 1, lines, index)).toEqual([1]);
    // A missing value joins nothing.
    expect(childRows(parent, 2, lines, index)).toEqual([]);
  });
});
