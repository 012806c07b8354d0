import { describe, expect, it } from "vitest";
import { tableFromArrays, tableToIPC, vectorFromArray, Table, DateDay, Float64, Int64, Utf8 } from "apache-arrow";
import { gridFromIpc } from "./arrow";

function sampleBytes(): Uint8Array {
  const table = new Table({
    order_id: vectorFromArray([100001n, 100002n, 100003n], new Int64()),
    ordered_on: vectorFromArray([new Date(Date.UTC(2015, 3, 19)), new Date(Date.UTC(2024, 1, 29)), null], new DateDay()),
    amount: vectorFromArray([49.14, 12, null], new Float64()),
    note: vectorFromArray(["Zoë", null, "Björn"], new Utf8()),
  });
  return tableToIPC(table, "file");
}

describe("gridFromIpc", () => {
  it("reads columns, types and row count from Arrow IPC bytes", () => {
    const grid = gridFromIpc(sampleBytes());
    expect(grid.rowCount).toBe(3);
    expect(grid.columns.map((c) => c.name)).toEqual(["order_id", "ordered_on", "amount", "note"]);
    expect(grid.columns.map((c) => c.numeric)).toEqual([true, false, true, false]);
    expect(grid.columns.map((c) => c.type)).toEqual(["i64", "date", "f64", "str"]);
  });

  it("formats 64-bit ints, dates, floats, text and nulls for display", () => {
    const grid = gridFromIpc(sampleBytes());
    expect(grid.cell(0, 0)).toBe("100001");
    expect(grid.cell(0, 1)).toBe("2015-04-19");
    expect(grid.cell(1, 1)).toBe("2024-02-29");
    expect(grid.cell(2, 1)).toBeNull();
    expect(grid.cell(0, 2)).toBe("49.14");
    expect(grid.cell(1, 2)).toBe("12.0");
    expect(grid.cell(0, 3)).toBe("Zoë");
    expect(grid.cell(1, 3)).toBeNull();
  });

  it("accepts the stream format and an ArrayBuffer", () => {
    const bytes = tableToIPC(tableFromArrays({ a: Int32Array.from([1, 2]) }), "stream");
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const grid = gridFromIpc(buf);
    expect(grid.rowCount).toBe(2);
    expect(grid.cell(1, 0)).toBe("2");
  });

  it("rejects bytes that are not Arrow", () => {
    expect(() => gridFromIpc(new TextEncoder().encode("order_id,amount\n1,2\n"))).toThrow();
  });
});

// The all-types table as the desktop receives it, beside the texts the CLI prints for it; both
// written by a Rust test (`make bindings` refreshes them).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

type Expected = { rows: number; columns: { name: string; type: string; cells: (string | null)[] }[] };

describe("every type as the CLI prints it", () => {
  const fixture = (name: string) => readFileSync(resolve(process.cwd(), "src/fixtures", name));
  const grid = gridFromIpc(new Uint8Array(fixture("all-types.arrow")));
  const expected = JSON.parse(fixture("all-types.expected.json").toString("utf8")) as Expected;

  it("has one type label per type, the CLI's", () => {
    expect(grid.columns.map((c) => c.type)).toEqual(expected.columns.map((c) => c.type));
    const byName = Object.fromEntries(grid.columns.map((c) => [c.name, c]));
    expect(byName.price.type).toBe("decimal[15,2]");
    expect(byName.price.numeric).toBe(true);
    expect(byName.big.numeric).toBe(true);
    expect(byName.at_time.numeric).toBe(false);
    expect(byName.lines.nested).toBe(true);
  });

  it("opens the rows nested in a list cell, which the grid counts", () => {
    const lines = grid.columns.findIndex((c) => c.name === "lines");
    expect(grid.nested(0, lines)).toEqual({
      columns: [
        { name: "sku", type: "str" },
        { name: "qty", type: "i32" },
      ],
      rows: [
        ["A-1", "2"],
        ["B-7", "1"],
      ],
    });
    expect(grid.nested(3, lines)).toBeNull();
  });

  it("shows every value of every type exactly as the CLI prints it", () => {
    expect(grid.rowCount).toBe(expected.rows);
    expected.columns.forEach((col, c) => {
      const shown = Array.from({ length: expected.rows }, (_, r) => grid.cell(r, c));
      expect({ column: col.name, cells: shown }).toEqual({ column: col.name, cells: col.cells });
    });
  });

  it("keeps the scale of money: 711.56 is never 71156", () => {
    const price = grid.columns.findIndex((c) => c.name === "price");
    expect(grid.cell(0, price)).toBe("711.56");
    expect(grid.cell(4, price)).toBe("0.10");
  });
});

// A product table as the shell sends it: each customer's orders as a list of structs, and each
// order's lines as a list of structs inside it.
import { Bool, Field, List, Struct } from "apache-arrow";
import { decimalText } from "./arrow";

describe("nested related rows", () => {
  const lineType = new Struct([
    new Field("line_no", new Int64(), true),
    new Field("sku", new Utf8(), true),
    new Field("unit_price", new Float64(), true),
  ]);
  const orderType = new Struct([
    new Field("order_id", new Int64(), true),
    new Field("ordered_on", new DateDay(), true),
    new Field("paid", new Bool(), true),
    new Field("lines", new List(new Field("item", lineType, true)), true),
  ]);
  const ordersType = new List(new Field("item", orderType, true));

  function productBytes(): Uint8Array {
    const table = new Table({
      customer_id: vectorFromArray([1n, 2n, 3n], new Int64()),
      orders: vectorFromArray(
        [
          [
            {
              order_id: 100001n,
              ordered_on: new Date(Date.UTC(2024, 1, 29)),
              paid: true,
              lines: [
                { line_no: 1n, sku: "A-1", unit_price: 2.5 },
                { line_no: 2n, sku: null, unit_price: 10 },
              ],
            },
            { order_id: 100002n, ordered_on: null, paid: false, lines: [] },
          ],
          [],
          null,
        ],
        ordersType,
      ),
    });
    return tableToIPC(table, "file");
  }

  it("counts the rows of a list<struct<…, list<struct>>> cell, as the CLI does", () => {
    const grid = gridFromIpc(productBytes());
    expect(grid.columns.map((c) => [c.name, c.type, c.nested])).toEqual([
      ["customer_id", "i64", false],
      ["orders", "list", true],
    ]);
    expect([0, 1, 2].map((r) => grid.cell(r, 1))).toEqual(["2 rows", "0 rows", null]);
  });

  it("decodes the structs of a list cell, with the lists nested inside them, as readable text", () => {
    const grid = gridFromIpc(productBytes());
    const orders = grid.nested(0, 1);
    expect(orders?.columns).toEqual([
      { name: "order_id", type: "i64" },
      { name: "ordered_on", type: "date" },
      { name: "paid", type: "bool" },
      { name: "lines", type: "list" },
    ]);
    expect(orders?.rows.map((r) => r.slice(0, 3))).toEqual([
      ["100001", "2024-02-29", "true"],
      ["100002", null, "false"],
    ]);
    expect(orders?.rows[0][3]).toEqual({
      columns: [
        { name: "line_no", type: "i64" },
        { name: "sku", type: "str" },
        { name: "unit_price", type: "f64" },
      ],
      rows: [
        ["1", "A-1", "2.5"],
        ["2", null, "10.0"],
      ],
    });
    expect(orders?.rows[1][3]).toEqual({ columns: expect.any(Array), rows: [] });
    expect(grid.nested(1, 1)).toEqual({ columns: expect.any(Array), rows: [] });
    expect(grid.nested(2, 1)).toBeNull();
    // Columns that are not lists have nothing nested.
    expect(grid.nested(0, 0)).toBeNull();
  });

  it("writes decimals inside structs with their scale", () => {
    expect(decimalText("71156", 2)).toBe("711.56");
    expect(decimalText("-5", 2)).toBe("-0.05");
    expect(decimalText("10", 0)).toBe("10");
  });
});
