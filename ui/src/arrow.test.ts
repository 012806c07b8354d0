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
