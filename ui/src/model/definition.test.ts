import { describe, expect, it } from "vitest";
import type { ColumnInfo, ProductDefinition } from "../bindings";
import * as D from "./definition";
import { push, redo, start, undo } from "./history";

const base: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
};

const crm: ColumnInfo[] = [
  { name: "customer_id", dtype: "i64" },
  { name: "email", dtype: "str" },
  { name: "created_at", dtype: "datetime[μs]" },
];
const orders: ColumnInfo[] = [
  { name: "order_id", dtype: "i64" },
  { name: "customer_id", dtype: "i64" },
  { name: "amount", dtype: "f64" },
];

describe("definition edits", () => {
  it("adds a table, joins it field to field from either end, and nests a table drawn from another's field", () => {
    const { def, id } = D.addTable(base, "orders");
    expect(id).toBe("related:orders");
    expect(def.related).toEqual([{ name: "orders", source: "orders", join: [], cardinality: "one_to_many" }]);
    expect(D.suggestedJoin(def, id, orders)).toEqual({ parent: "customer_id", child: "customer_id" });

    const joined = D.connect(def, { node: id, column: "customer_id" }, { node: "entity", column: "customer_id" });
    expect(joined.ok && joined.def.related?.[0].join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    if (!joined.ok) throw new Error("join refused");
    const again = D.connect(joined.def, { node: "entity", column: "customer_id" }, { node: id, column: "customer_id" });
    expect(again).toEqual({ ok: false, message: "orders is already joined on customer_id = customer_id." });

    const second = D.addTable(joined.def, "orders");
    expect(second.id).toBe("related:orders_2");
    // Drawn from a field of orders, the unjoined table moves under orders.
    const between = D.connect(second.def, { node: id, column: "order_id" }, { node: second.id, column: "order_id" });
    if (!between.ok) throw new Error(between.message);
    expect(between.child).toBe("related:orders.orders_2");
    expect(between.movedFrom).toBe("related:orders_2");
    expect(between.def.related?.map((r) => r.name)).toEqual(["orders"]);
    expect(between.def.related?.[0].related).toEqual([
      { name: "orders_2", source: "orders", join: [{ parent: "order_id", child: "order_id" }], cardinality: "one_to_many" },
    ]);
  });

  it("lists every column on the first untick, keeping types, and renames follow into joins and the key", () => {
    const { def } = D.addTable(base, "orders");
    const joined = D.addJoin(def, "related:orders", { parent: "customer_id", child: "customer_id" });
    const unticked = D.toggleField(joined, "entity", "email", crm);
    expect(unticked.entity.fields).toEqual([
      { column: "customer_id", type: "i64" },
      { column: "created_at", type: "datetime" },
    ]);
    const back = D.toggleField(unticked, "entity", "email", crm);
    expect(back.entity.fields?.map((f) => f.column)).toEqual(["customer_id", "email", "created_at"]);

    const renamed = D.renameField(back, "entity", "customer_id", "id", crm);
    expect(renamed.entity.key).toBe("id");
    expect(renamed.related?.[0].join).toEqual([{ parent: "id", child: "customer_id" }]);
    expect(D.rootColumn(renamed, "id")).toBe("customer_id");
    const cleared = D.renameField(renamed, "entity", "customer_id", "", crm);
    expect(cleared.entity.fields?.[0]).toEqual({ column: "customer_id", type: "i64" });
    expect(cleared.entity.key).toBe("customer_id");
  });

  it("renames tables with their quality rules, switches kinds, and removes joins and tables", () => {
    let def: ProductDefinition = { ...D.addTable(base, "orders").def, quality: [{ rule: "not_null", table: "orders", column: "amount" }] };
    const r = D.renameTable(def, "related:orders", "purchases");
    expect(r.id).toBe("related:purchases");
    expect(r.def.quality?.[0].table).toBe("purchases");
    const k = D.setKind(r.def, r.id, "reference");
    expect(k.id).toBe("reference:purchases");
    expect(k.def.related).toBeUndefined();
    expect(k.def.reference?.[0].name).toBe("purchases");
    def = D.removeTable(k.def, k.id);
    expect(D.tables(def).map((t) => t.id)).toEqual(["entity"]);
    expect(D.removeTable(def, "entity")).toBe(def);
  });

  it("makes a related table the root and joins the old root back", () => {
    const { def } = D.addTable(base, "orders");
    const joined = D.addJoin(def, "related:orders", { parent: "customer_id", child: "customer_id" });
    const flipped = D.makeRoot(joined, "related:orders", orders);
    expect(flipped.entity).toEqual({ name: "Orders", source: "orders", key: "customer_id", fields: undefined, derived: undefined });
    expect(flipped.related?.map((r) => [r.name, r.source, r.join])).toEqual([
      ["crm", "crm", [{ parent: "customer_id", child: "customer_id" }]],
    ]);
  });

  it("edits derived fields and maps issue paths to canvas nodes", () => {
    const withDerived = D.addDerived(base, "entity");
    const named = D.updateDerived(withDerived, "entity", 0, { name: "domain", sql: "split_part(email, '@', 2)" });
    expect(named.entity.derived).toEqual([{ name: "domain", sql: "split_part(email, '@', 2)", type: "str" }]);
    expect(D.removeDerived(named, "entity", 0).entity.derived).toBeUndefined();
    expect(D.issueNode("related[orders].join[0].child")).toBe("related:orders");
    expect(D.issueNode("reference[country].join")).toBe("reference:country");
    expect(D.issueNode("entity.key")).toBe("entity");
    expect(D.issueNode("quality[2].column")).toBeNull();
  });

  it("maps Polars types to field types", () => {
    expect(["i32", "u8", "f32", "str", "bool", "date", "datetime[ms, UTC]", "list[str]"].map(D.fieldType)).toEqual([
      "i64",
      "i64",
      "f64",
      "str",
      "bool",
      "date",
      "datetime",
      undefined,
    ]);
  });
});

// The demo's tree: customers → orders → lines (→ product lookup), invoices, and a country lookup.
const tree: ProductDefinition = {
  ...base,
  entity: { ...base.entity, fields: [{ column: "customer_id" }, { column: "country_code" }] },
  related: [
    {
      name: "orders",
      source: "orders",
      join: [{ parent: "customer_id", child: "customer_id" }],
      cardinality: "one_to_many",
      fields: [{ column: "order_id" }, { column: "customer_id" }, { column: "amount" }],
      related: [
        {
          name: "lines",
          source: "order_lines",
          join: [{ parent: "order_id", child: "order_id" }],
          cardinality: "one_to_many",
          reference: [{ name: "product", source: "products", join: [{ parent: "sku", child: "sku" }] }],
        },
      ],
    },
    { name: "invoices", source: "invoices", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many" },
  ],
  reference: [{ name: "country", source: "countries", join: [{ parent: "country_code", child: "country_code" }] }],
  quality: [
    { rule: "not_null", table: "orders.lines", column: "sku" },
    { rule: "range", table: "orders", column: "amount", min: 0 },
  ],
  masking: { analytics: { rules: [{ field: "orders.lines.unit_price", rule: "noise" }, { field: "email", rule: "redact" }] } },
};
const frozen = JSON.stringify(tree);

describe("entity trees", () => {
  it("walks the tree by path, parents first, with each table's place in the file", () => {
    expect(D.tables(tree).map((t) => [t.id, t.path, t.at, t.parent, t.depth])).toEqual([
      ["entity", "entity", "entity", null, 0],
      ["reference:country", "country", "reference[country]", "entity", 1],
      ["related:orders", "orders", "related[orders]", "entity", 1],
      ["related:orders.lines", "orders.lines", "related[orders].related[lines]", "related:orders", 2],
      ["reference:orders.lines.product", "orders.lines.product", "related[orders].related[lines].reference[product]", "related:orders.lines", 3],
      ["related:invoices", "invoices", "related[invoices]", "entity", 1],
    ]);
    expect(D.relatedPaths(tree)).toEqual(["orders", "orders.lines", "invoices"]);
    expect(D.table(tree, "related:orders.lines")?.children).toEqual(["reference:orders.lines.product"]);
  });

  it("adds a child at depth 2 and a lookup on a grandchild, each under the right table", () => {
    const child = D.addChild(tree, "related:orders.lines", {
      source: "shipments",
      kind: "related",
      join: [{ parent: "line_no", child: "line_no" }],
    });
    expect(child.id).toBe("related:orders.lines.shipments");
    const lines = child.def.related?.[0].related?.[0];
    expect(lines?.related).toEqual([
      { name: "shipments", source: "shipments", join: [{ parent: "line_no", child: "line_no" }], cardinality: "one_to_many" },
    ]);
    // Its siblings and the rest of the model are the very same objects.
    expect(lines?.reference).toBe(tree.related?.[0].related?.[0].reference);
    expect(child.def.related?.[1]).toBe(tree.related?.[1]);
    expect(child.def.reference).toBe(tree.reference);

    const lookup = D.addChild(child.def, child.id, { source: "carriers", kind: "reference", join: [{ parent: "carrier", child: "code" }] });
    expect(lookup.id).toBe("reference:orders.lines.shipments.carriers");
    expect(lookup.def.related?.[0].related?.[0].related?.[0].reference).toEqual([
      { name: "carriers", source: "carriers", join: [{ parent: "carrier", child: "code" }] },
    ]);
    // `lines` may also exist under another table; names are unique only among siblings.
    const other = D.addChild(tree, "related:invoices", { source: "order_lines", kind: "related", name: "lines" });
    expect(other.id).toBe("related:invoices.lines");
    expect(D.addChild(tree, "related:orders", { source: "order_lines", kind: "related", name: "lines" }).id).toBe("related:orders.lines_2");
    // A lookup has no tables under it.
    expect(D.addChild(tree, "reference:country", { source: "x", kind: "related" }).def).toBe(tree);
    expect(JSON.stringify(tree)).toBe(frozen);
  });

  it("draws a join from a related table's field to nest an unjoined table, and refuses cycles and lookups as parents", () => {
    const added = D.addTable(tree, "order_lines");
    expect(added.id).toBe("related:order_lines");
    const drawn = D.connect(added.def, { node: "related:orders", column: "order_id" }, { node: added.id, column: "order_id" });
    if (!drawn.ok) throw new Error(drawn.message);
    expect(drawn.child).toBe("related:orders.order_lines");
    expect(drawn.def.related?.[0].related?.map((r) => [r.name, r.join])).toEqual([
      ["lines", [{ parent: "order_id", child: "order_id" }]],
      ["order_lines", [{ parent: "order_id", child: "order_id" }]],
    ]);
    // A second pair on the same parent adds to the join; drawn backwards, the ends swap.
    const second = D.connect(drawn.def, { node: drawn.child, column: "customer_id" }, { node: "related:orders", column: "customer_id" });
    expect(second.ok && second.def.related?.[0].related?.[1].join).toEqual([
      { parent: "order_id", child: "order_id" },
      { parent: "customer_id", child: "customer_id" },
    ]);
    // Joined under orders already: it does not silently move under invoices.
    const elsewhere = D.connect(drawn.def, { node: "related:invoices", column: "order_id" }, { node: drawn.child, column: "order_id" });
    expect(elsewhere).toEqual({ ok: false, message: "orders.order_lines is joined under orders: remove its joins first to move it under invoices." });
    const fromLookup = D.connect(tree, { node: "reference:orders.lines.product", column: "sku" }, { node: "related:invoices", column: "sku" });
    expect(fromLookup.ok).toBe(false);
  });

  it("removes a table with everything under it, and nothing else", () => {
    expect(D.subtreeLabel(tree, "related:orders")).toEqual(["orders.lines", "orders.lines.product"]);
    const removed = D.removeTable(tree, "related:orders");
    expect(D.tables(removed).map((t) => t.id)).toEqual(["entity", "reference:country", "related:invoices"]);
    expect(removed.related?.[0]).toBe(tree.related?.[1]);
    const leaf = D.removeTable(tree, "reference:orders.lines.product");
    expect(leaf.related?.[0].related?.[0]).toEqual({
      name: "lines",
      source: "order_lines",
      join: [{ parent: "order_id", child: "order_id" }],
      cardinality: "one_to_many",
    });
    expect(D.removeTable(tree, "related:nope")).toBe(tree);
  });

  it("renames a table: its children keep their place, and quality and masking rules follow the path", () => {
    const r = D.renameTable(tree, "related:orders", "purchases");
    expect(r.id).toBe("related:purchases");
    expect(D.tables(r.def).map((t) => t.path)).toEqual(["entity", "country", "purchases", "purchases.lines", "purchases.lines.product", "invoices"]);
    expect(r.def.related?.[0].related).toBe(tree.related?.[0].related);
    expect(r.def.quality?.map((q) => q.table)).toEqual(["purchases.lines", "purchases"]);
    expect(r.def.masking?.analytics.rules?.map((x) => x.field)).toEqual(["purchases.lines.unit_price", "email"]);
    const nested = D.renameTable(tree, "related:orders.lines", "items");
    expect(nested.id).toBe("related:orders.items");
    expect(nested.def.quality?.[0].table).toBe("orders.items");
    expect(nested.def.quality?.[1]).toBe(tree.quality?.[1]);
    expect(D.renameTable(tree, "related:orders", "invoices")).toMatchObject({ def: tree, id: "related:orders", problem: expect.stringContaining("invoices") });
    expect(D.renameTable(tree, "related:orders", "a.b").id).toBe("related:a_b");
    // Saved positions are found by id, or by bare path in layouts that name tables so.
    const at = (id: D.NodeId) => D.table(tree, id)!;
    const saved = { entity: 0, "related:orders": 1, "orders.lines": 2, invoices: 3, "related:invoices": 4 };
    expect(["entity", "related:orders", "related:orders.lines", "related:invoices", "reference:country"].map((id) => D.savedPosition(saved, at(id as D.NodeId)))).toEqual([0, 1, 2, 4, undefined]);
    // Positions follow the rename, for the table and everything under it.
    const layout = { entity: 1, "related:orders": 2, "related:orders.lines": 3, "reference:orders.lines.product": 4, "related:orders_x": 5 };
    expect(D.movePositions(layout, "related:orders", "related:purchases")).toEqual({
      entity: 1,
      "related:purchases": 2,
      "related:purchases.lines": 3,
      "reference:purchases.lines.product": 4,
      "related:orders_x": 5,
    });
  });

  it("edits joins at depth, with renames of a parent's field followed into its children's joins", () => {
    const edited = D.updateJoin(tree, "reference:orders.lines.product", 0, { child: "product_sku" });
    expect(edited.related?.[0].related?.[0].reference?.[0].join).toEqual([{ parent: "sku", child: "product_sku" }]);
    expect(edited.related?.[1]).toBe(tree.related?.[1]);
    const added = D.addJoin(tree, "related:orders.lines", { parent: "customer_id", child: "customer_id" });
    expect(added.related?.[0].related?.[0].join).toHaveLength(2);
    expect(D.removeJoin(added, "related:orders.lines", 0).related?.[0].related?.[0].join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    const renamed = D.renameField(tree, "related:orders", "order_id", "order_no", orders);
    expect(renamed.related?.[0].fields?.[0]).toEqual({ column: "order_id", as: "order_no" });
    expect(renamed.related?.[0].related?.[0].join).toEqual([{ parent: "order_no", child: "order_id" }]);
    expect(D.setCardinality(tree, "related:orders.lines", "one_to_one").related?.[0].related?.[0].cardinality).toBe("one_to_one");
    // Suggested joins: under a related table, its own id before the root's key.
    const bare = D.addChild(tree, "related:orders", { source: "order_lines", kind: "related" });
    const lineColumns = [{ name: "customer_id", dtype: "i64" }, { name: "order_id", dtype: "i64" }, { name: "sku", dtype: "str" }];
    expect(D.suggestedJoin(bare.def, bare.id, lineColumns)).toEqual({ parent: "order_id", child: "order_id" });
    expect(JSON.stringify(tree)).toBe(frozen);
  });

  it("switches kinds in place, keeps a table with children related, and leaves untouched definitions as they were", () => {
    const k = D.setKind(tree, "related:invoices", "reference");
    expect(k.id).toBe("reference:invoices");
    expect(k.def.reference?.map((r) => r.name)).toEqual(["country", "invoices"]);
    expect(D.setKind(tree, "related:orders", "reference")).toEqual({ def: tree, id: "related:orders" });
    const back = D.setKind(tree, "reference:orders.lines.product", "related");
    expect(back.id).toBe("related:orders.lines.product");
    expect(back.def.related?.[0].related?.[0].reference).toBeUndefined();
    // Edits that change nothing give back the same definition; others rebuild only their path.
    expect(D.update(tree, "related:orders.lines", (t) => t)).toBe(tree);
    expect(D.removeJoin(tree, "related:orders.lines", 5)).toEqual(tree);
    const typed = D.setFieldType(tree, "related:orders", "amount", "f64", orders);
    expect(typed.reference).toBe(tree.reference);
    expect(typed.related?.[0].related).toBe(tree.related?.[0].related);
    expect(JSON.parse(JSON.stringify(D.setFieldType(typed, "related:orders", "amount", undefined, orders)))).toEqual(tree);
    expect(JSON.stringify(tree)).toBe(frozen);
  });

  it("maps every issue path to its table's box, at any depth", () => {
    expect(D.tableOfIssuePath("related[orders].related[lines].join[0].parent")).toBe("orders.lines");
    expect(D.tableOfIssuePath("related[orders].related[lines].reference[product].fields")).toBe("orders.lines.product");
    expect(D.tableOfIssuePath("reference[country].join")).toBe("country");
    expect(D.tableOfIssuePath("related[orders]")).toBe("orders");
    expect(D.tableOfIssuePath("entity.key")).toBe("entity");
    expect(D.tableOfIssuePath("entity")).toBe("entity");
    expect(D.tableOfIssuePath("quality[2].column")).toBeNull();
    expect(D.tableOfIssuePath("masking[analytics].rules[0].field")).toBeNull();
    expect(D.issueNode("related[orders].related[lines].reference[product].fields")).toBe("reference:orders.lines.product");
    expect(D.issueNode("related[orders].related[lines].join[0].parent")).toBe("related:orders.lines");
    const by = D.issuesByNode([
      { path: "related[orders].related[lines].join[0].parent", severity: "error", code: "model.unknown_field", message: "x" },
      { path: "related[orders].related[lines].fields", severity: "warning", code: "w", message: "y" },
      { path: "quality[0]", severity: "error", code: "q", message: "z" },
    ]);
    expect(by.get("related:orders.lines")?.length).toBe(2);
    expect(by.get(null)?.length).toBe(1);
  });

  it("lists the fields masking rules can name, nested ones by path", () => {
    // Tables listing no fields select every column, known only from the source: none offered.
    expect(D.ruleFields(tree)).toEqual(["customer_id", "country_code", "orders.order_id", "orders.customer_id", "orders.amount"]);
    const withLines = D.toggleField(tree, "related:orders.lines", "sku", [
      { name: "order_id", dtype: "i64" },
      { name: "sku", dtype: "str" },
      { name: "unit_price", dtype: "f64" },
    ]);
    expect(D.ruleFields(withLines)).toContain("orders.lines.unit_price");
    expect(D.ruleFields(withLines)).not.toContain("orders.lines.sku");
  });

  it("makes a table under the root the root, taking the old root's other tables with it", () => {
    const flipped = D.makeRoot(tree, "related:orders", orders);
    expect(flipped.entity.source).toBe("orders");
    expect(D.tables(flipped).map((t) => t.path)).toEqual(["entity", "lines", "lines.product", "crm", "crm.country", "crm.invoices"]);
    expect(D.table(flipped, "related:crm")?.join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    expect(D.makeRoot(tree, "related:orders.lines", [])).toBe(tree);
  });
});

// Found on Chinook, where every table's key is `id`: an invoice's own `id` was replaced by the
// customer's it carries, and a track looked up on each line brought a second `unit_price`.
describe("name clashes of a new table", () => {
  const music: ProductDefinition = {
    ...base,
    entity: { name: "Customer", source: "customer", key: "id" },
  };
  const invoice: ColumnInfo[] = [
    { name: "id", dtype: "i64" },
    { name: "customer_id", dtype: "i64" },
    { name: "total", dtype: "f64" },
  ];
  const line: ColumnInfo[] = [
    { name: "id", dtype: "i64" },
    { name: "invoice_id", dtype: "i64" },
    { name: "track_id", dtype: "i64" },
    { name: "unit_price", dtype: "f64" },
  ];
  const track: ColumnInfo[] = [
    { name: "id", dtype: "i64" },
    { name: "name", dtype: "str" },
    { name: "unit_price", dtype: "f64" },
  ];
  const columnsOf = (s: string) => ({ customer: [{ name: "id", dtype: "i64" }], invoice, line, track })[s] ?? null;

  it("renames a related table's field named like the instance key, and its children's joins follow", () => {
    const added = D.addChild(music, "entity", { source: "invoice", kind: "related", join: [{ parent: "id", child: "customer_id" }] });
    const { def, renamed } = D.avoidNameClashes(added.def, added.id, invoice, []);
    expect(renamed).toEqual(["id → invoice_id"]);
    expect(D.table(def, added.id)?.fields.map((f) => [f.column, f.as ?? null])).toEqual([
      ["id", "invoice_id"],
      ["customer_id", null],
      ["total", null],
    ]);
    const lines = D.addChild(def, added.id, { source: "line", kind: "related", join: [{ parent: "invoice_id", child: "invoice_id" }] });
    const clear = D.avoidNameClashes(lines.def, lines.id, line, []);
    expect(clear.renamed).toEqual(["id → line_id"]);
  });

  it("leaves the key alone where the table joins on it", () => {
    const added = D.addChild(music, "entity", { source: "orders", kind: "related", join: [{ parent: "id", child: "id" }] });
    expect(D.avoidNameClashes(added.def, added.id, [{ name: "id", dtype: "i64" }, { name: "x", dtype: "i64" }], []).renamed).toEqual([]);
    // Not joined yet: its `id` may be what it will join on.
    const loose = D.addTable(music, "invoice");
    expect(D.avoidNameClashes(loose.def, loose.id, invoice, []).renamed).toEqual([]);
  });

  it("renames a lookup's field its owner already has, not its join key", () => {
    const withLines = D.addChild(music, "entity", { source: "line", kind: "related", join: [{ parent: "id", child: "invoice_id" }] });
    const clear = D.avoidNameClashes(withLines.def, withLines.id, line, []).def;
    const looked = D.addChild(clear, withLines.id, { source: "track", kind: "reference", join: [{ parent: "track_id", child: "id" }] });
    const owner = D.rowNames(looked.def, withLines.id, columnsOf, looked.id);
    expect(owner).toEqual(["line_id", "invoice_id", "track_id", "unit_price"]);
    const { def, renamed } = D.avoidNameClashes(looked.def, looked.id, track, owner);
    expect(renamed).toEqual(["unit_price → track_unit_price"]);
    expect(D.table(def, looked.id)?.join).toEqual([{ parent: "track_id", child: "id" }]);
  });
});

describe("history", () => {
  it("undoes and redoes whole states, merging keystrokes of one input into one step", () => {
    let h = start("a");
    h = push(h, "ab", "name");
    h = push(h, "abc", "name");
    h = push(h, "abc!", null);
    expect(h.past).toEqual(["a", "abc"]);
    h = undo(h);
    expect(h.present).toBe("abc");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe("abc");
    h = push(h, "x");
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });
});
