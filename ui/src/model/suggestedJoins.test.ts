import { describe, expect, it } from "vitest";
import type { ProductDefinition, Relation } from "../bindings";
import { addChild } from "./definition";
import { suggestedJoins } from "./suggestedJoins";

// Customers with their orders; order lines, products, part suppliers and shipments not in it yet.
const base: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
  related: [{ name: "orders", source: "orders", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many" }],
};

function rel(child: string, cc: string[], parent: string, pc: string[], extra: Partial<Relation> = {}): Relation {
  return {
    parent,
    parent_columns: pc,
    child,
    child_columns: cc,
    score: 0.9,
    inclusion: 1,
    orphan_share: 0, parent_coverage: 1,
    orphan_rows: 0,
    cardinality: "1:n",
    role: "child",
    evidence: "every value found; names match",
    ...extra,
  } as Relation;
}

const LINES = rel("order_lines", ["order_id"], "orders", ["order_id"], { score: 0.95 });
const BACK_TO_CRM = rel("orders", ["customer_id"], "crm", ["customer_id"], { score: 0.99 });
const PRODUCT = rel("order_lines", ["sku"], "products", ["sku"], { role: "lookup", score: 0.8 });
const PARTSUPP = rel("order_lines", ["part_id", "supplier_id"], "partsupp", ["ps_part", "ps_supplier"], { role: "lookup", score: 0.85 });
const SHIPMENTS = rel("shipments", ["order_id"], "orders", ["order_id"], { score: 0.97, cardinality: "1:1" });

describe("suggestedJoins", () => {
  it("offers tables whose rows belong under the selected one, best first, joined on its fields", () => {
    const offers = suggestedJoins(base, "orders", [LINES, BACK_TO_CRM, PRODUCT, SHIPMENTS]);
    // crm is above orders already; products refers to lines, not to orders.
    expect(offers.map((o) => o.key)).toEqual(["shipments->orders", "order_lines->orders"]);
    const lines = offers[1];
    expect(lines.parent).toBe("related:orders");
    expect(lines.child).toEqual({ source: "order_lines", kind: "related", name: "order_lines", join: [{ parent: "order_id", child: "order_id" }], cardinality: "one_to_many" });
    expect(lines.label).toBe("Add order_lines under orders (order_id → order_id)");
    expect(lines.score).toBe(0.95);
    expect(lines.evidence).toBe("every value found; names match");
    expect(offers[0].child.cardinality).toBe("one_to_one");
    // What the offer carries is what addChild adds.
    const { def, id } = addChild(base, lines.parent, lines.child);
    expect(id).toBe("related:orders.order_lines");
    expect(def.related?.[0].related).toEqual([
      { name: "order_lines", source: "order_lines", join: [{ parent: "order_id", child: "order_id" }], cardinality: "one_to_many" },
    ]);
  });

  it("offers lookups the selected table refers to, composite keys as two pairs", () => {
    const def = addChild(base, "related:orders", { source: "order_lines", kind: "related", name: "lines", join: [{ parent: "order_id", child: "order_id" }] }).def;
    const offers = suggestedJoins(def, "orders.lines", [LINES, PRODUCT, PARTSUPP]);
    // orders is the table lines already hang under: no lookup of it.
    expect(offers.map((o) => o.key)).toEqual(["partsupp->orders.lines", "products->orders.lines"]);
    expect(offers[0].child).toEqual({
      source: "partsupp",
      kind: "reference",
      name: "partsupp",
      join: [
        { parent: "part_id", child: "ps_part" },
        { parent: "supplier_id", child: "ps_supplier" },
      ],
    });
    expect(offers[0].label).toBe("Look up partsupp on orders.lines (part_id, supplier_id → ps_part, ps_supplier)");
    expect(offers[1].child).toEqual({ source: "products", kind: "reference", name: "products", join: [{ parent: "sku", child: "sku" }] });
    expect(offers[1].label).toBe("Look up products on orders.lines (sku → sku)");
  });

  it("offers a composite child key as two pairs, and names the root by its entity name", () => {
    const orders = rel("orders", ["cust_region", "cust_no"], "crm", ["region", "customer_no"], { score: 0.7 });
    const def: ProductDefinition = { ...base, related: undefined };
    const [offer] = suggestedJoins(def, "entity", [orders]);
    expect(offer.key).toBe("orders->entity");
    expect(offer.parent).toBe("entity");
    expect(offer.child.join).toEqual([
      { parent: "region", child: "cust_region" },
      { parent: "customer_no", child: "cust_no" },
    ]);
    expect(offer.label).toBe("Add orders under Customer (cust_region, cust_no → region, customer_no)");
  });

  it("joins on the product names of renamed fields", () => {
    const def: ProductDefinition = {
      ...base,
      related: [{ ...base.related![0], fields: [{ column: "order_id", as: "order_no" }, { column: "customer_id" }] }],
    };
    const [offer] = suggestedJoins(def, "orders", [LINES]);
    expect(offer.child.join).toEqual([{ parent: "order_no", child: "order_id" }]);
    expect(offer.label).toBe("Add order_lines under orders (order_id → order_no)");
  });

  it("skips relationships on columns the table does not select", () => {
    const def: ProductDefinition = { ...base, related: [{ ...base.related![0], fields: [{ column: "customer_id" }] }] };
    expect(suggestedJoins(def, "orders", [LINES, SHIPMENTS])).toEqual([]);
    // One column of a composite key missing is as good as none.
    const lines = addChild(base, "related:orders", { source: "order_lines", kind: "related", name: "lines" }).def;
    const picked: ProductDefinition = {
      ...lines,
      related: [{ ...lines.related![0], related: [{ ...lines.related![0].related![0], fields: [{ column: "part_id" }, { column: "sku" }] }] }],
    };
    expect(suggestedJoins(picked, "orders.lines", [PARTSUPP, PRODUCT]).map((o) => o.key)).toEqual(["products->orders.lines"]);
  });

  it("skips sources already in the tree under the table, at any depth", () => {
    let def = addChild(base, "related:orders", { source: "order_lines", kind: "related", name: "lines" }).def;
    def = addChild(def, "related:orders.lines", { source: "products", kind: "reference", name: "product" }).def;
    expect(suggestedJoins(def, "orders", [LINES, SHIPMENTS, PRODUCT]).map((o) => o.key)).toEqual(["shipments->orders"]);
    expect(suggestedJoins(def, "orders.lines", [PRODUCT])).toEqual([]);
    // From the root, orders (and what is under it) is in the tree already.
    expect(suggestedJoins(def, "entity", [BACK_TO_CRM])).toEqual([]);
  });

  it("reads a lookup the other way round as rows under the parent only when it is one to many", () => {
    const def: ProductDefinition = { ...base, entity: { name: "Product", source: "products", key: "sku" }, related: undefined };
    expect(suggestedJoins(def, "entity", [PRODUCT]).map((o) => o.label)).toEqual(["Add order_lines under Product (sku → sku)"]);
    expect(suggestedJoins(def, "entity", [{ ...PRODUCT, cardinality: "1:1" }])).toEqual([]);
  });

  it("makes the new table's name unique among the table's own", () => {
    const def = addChild(base, "related:orders", { source: "returns", kind: "reference", name: "order_lines", join: [] }).def;
    const [offer] = suggestedJoins(def, "orders", [LINES]);
    expect(offer.child.name).toBe("order_lines_2");
    expect(addChild(def, offer.parent, offer.child).id).toBe("related:orders.order_lines_2");
  });

  it("offers nothing to a lookup, an unknown table, or on keys that do not pair up", () => {
    const def = addChild(base, "related:orders", { source: "order_lines", kind: "reference", name: "line" }).def;
    expect(suggestedJoins(def, "orders.line", [PRODUCT])).toEqual([]);
    expect(suggestedJoins(base, "nowhere", [LINES])).toEqual([]);
    expect(suggestedJoins(base, "orders", [{ ...LINES, child_columns: ["order_id", "line_no"] }, { ...LINES, parent_columns: [], child_columns: [] }])).toEqual([]);
  });
});
