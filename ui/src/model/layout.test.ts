import { describe, expect, it } from "vitest";
import { autoLayout } from "./layout";

describe("autoLayout", () => {
  it("lays a tree out left to right: root, then children, then grandchildren, from their field rows", async () => {
    const box = (id: string, rows: string[]) => ({
      id,
      width: 250,
      height: 40 + 22 * rows.length,
      ports: [
        { id: `${id}|in`, y: 20, side: "WEST" as const },
        ...rows.map((r, i) => ({ id: `${id}|out:${r}`, y: 40 + 22 * i + 11, side: "EAST" as const })),
      ],
    });
    const placed = await autoLayout(
      [
        box("entity", ["customer_id", "email"]),
        box("related:orders", ["order_id", "customer_id"]),
        box("related:invoices", ["invoice_id", "customer_id"]),
        box("related:orders.lines", ["order_id", "sku"]),
        box("reference:orders.lines.product", ["sku", "name"]),
      ],
      [
        { id: "a", source: "entity", target: "related:orders", sourcePort: "entity|out:customer_id", targetPort: "related:orders|in" },
        { id: "b", source: "entity", target: "related:invoices", sourcePort: "entity|out:customer_id", targetPort: "related:invoices|in" },
        { id: "c", source: "related:orders", target: "related:orders.lines", sourcePort: "related:orders|out:order_id", targetPort: "related:orders.lines|in" },
        { id: "d", source: "related:orders.lines", target: "reference:orders.lines.product", sourcePort: "related:orders.lines|out:sku", targetPort: "nowhere" },
      ],
    );
    const x = (id: string) => placed.get(id)?.x ?? NaN;
    expect(x("entity")).toBeLessThan(x("related:orders"));
    expect(x("related:orders")).toBe(x("related:invoices"));
    expect(x("related:orders")).toBeLessThan(x("related:orders.lines"));
    expect(x("related:orders.lines")).toBeLessThan(x("reference:orders.lines.product"));
    // Siblings keep the file's order, top to bottom.
    expect(placed.get("related:orders")!.y).toBeLessThan(placed.get("related:invoices")!.y);
  });
});
