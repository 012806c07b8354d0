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
  it("adds a table, joins it field to field from either end, and refuses joins between two non-root tables", () => {
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
    const between = D.connect(second.def, { node: id, column: "order_id" }, { node: second.id, column: "order_id" });
    expect(between.ok).toBe(false);
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
    expect(k.def.related).toEqual([]);
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
