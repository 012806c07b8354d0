import { describe, expect, it } from "vitest";
import type { ProductDefinition } from "../bindings";
import { positionsOf } from "./placement";

const def: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c", domain: "d", owner: "o@example.com", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "id", fields: [{ column: "id" }, { column: "name" }] },
  related: [
    { name: "orders", source: "orders", join: [{ parent: "id", child: "customer_id" }], cardinality: "one_to_many", fields: [{ column: "order_id" }, { column: "customer_id" }] },
    { name: "tickets", source: "tickets", join: [{ parent: "id", child: "customer_id" }], cardinality: "one_to_many", fields: [{ column: "ticket_id" }] },
  ],
};
const noColumns = () => null;

describe("placing a new box", () => {
  it("puts it right of its parent, below its older siblings", () => {
    const p = positionsOf(def, { entity: { x: 0, y: 0 }, "related:orders": { x: 370, y: 0 } }, noColumns);
    // orders: 40 + 2 rows of 22 = 84 high, then a gap of 32.
    expect(p.get("related:tickets")).toEqual({ x: 370, y: 116 });
  });
  it("moves it down past a box the steward left where it would land", () => {
    // Orders dragged to overlap the root's right side: not a sibling column, but in the way.
    const p = positionsOf(def, { entity: { x: 0, y: 0 }, "related:orders": { x: 200, y: 0 } }, noColumns);
    expect(p.get("related:tickets")).toEqual({ x: 370, y: 84 + 32 });
    // Two boxes in a column: past both.
    const q = positionsOf({ ...def, related: [...def.related!, { name: "invoices", source: "inv", join: [{ parent: "id", child: "customer_id" }], cardinality: "one_to_many", fields: [{ column: "invoice_id" }] }] }, { entity: { x: 0, y: 0 }, "related:orders": { x: 200, y: 0 }, "related:tickets": { x: 380, y: 110 } }, noColumns);
    expect(q.get("related:invoices")).toEqual({ x: 370, y: 110 + 62 + 32 });
  });
});
