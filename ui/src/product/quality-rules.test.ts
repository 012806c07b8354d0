import { describe, expect, it } from "vitest";
import type { QualityRule } from "../bindings";
import { valuesText, withKind, withValues } from "./QualityRules";

describe("quality rule values", () => {
  const range: QualityRule = { rule: "range", column: "amount" };
  it("reads bounds, either one optional, and says what is wrong", () => {
    expect(withValues(range, "0..100")).toEqual({ rule: "range", column: "amount", min: 0, max: 100 });
    expect(withValues(range, "-2.5 ..")).toEqual({ rule: "range", column: "amount", min: -2.5, max: undefined });
    expect(withValues(range, "..")).toBe("write the bounds as min..max (either may be left out: 0.. or ..100)");
    expect(withValues(range, "10..1")).toBe("the minimum 10 is above the maximum 1");
    expect(withValues(range, "1.2.3..4")).toBe("the bounds must be numbers");
    expect(withValues({ rule: "row_count", min: 1 }, "1.5..")).toBe("row counts are whole numbers from 0");
    expect(valuesText({ rule: "row_count", min: 1 })).toBe("1..");
  });
  it("checks a pattern and keeps what a new kind can use", () => {
    expect(withValues({ rule: "regex", column: "c", pattern: "x" }, "([")).toBe("not a valid pattern");
    expect(withValues({ rule: "regex", column: "c", pattern: "x" }, " ^[A-Z]{2}$ ")).toEqual({ rule: "regex", column: "c", pattern: "^[A-Z]{2}$" });
    expect(withKind({ rule: "not_null", table: "orders", column: "status" }, "accepted_values", [])).toEqual({ rule: "accepted_values", table: "orders", column: "status", values: [] });
    expect(withKind({ rule: "not_null", column: "status" }, "row_count", [])).toEqual({ rule: "row_count", table: undefined, min: 1 });
  });
});
