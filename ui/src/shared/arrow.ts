// Decoding preview bytes (Arrow IPC) into something a grid can render without copying rows.
import { tableFromIPC, type DataType, type Field, type Table, Type } from "apache-arrow";

export type GridColumn = {
  name: string;
  type: string;
  numeric: boolean;
  /** Lists and structs (a product's related rows): shown summarised, not profiled. */
  nested?: boolean;
  /** Lists of rows (a product's related rows): each cell's rows can be opened (`nested`). */
  expandable?: boolean;
};

export type GridData = {
  columns: GridColumn[];
  rowCount: number;
  /** Display text of one cell; `null` for a missing value. */
  cell: (row: number, col: number) => string | null;
  /**
   * The rows inside one cell of a list-of-struct column (a product's related rows, with their
   * own related rows nested the same way), decoded for reading; `null` for any other cell.
   */
  nested: (row: number, col: number) => NestedRows | null;
};

/** A value inside nested rows: text, missing, or rows of its own (a list or a struct). */
export type NestedCell = string | null | NestedRows;

/** Rows nested in a cell: the struct's fields as columns, one row per list item. */
export type NestedRows = {
  columns: { name: string; type: string }[];
  rows: NestedCell[][];
};

const pad = (n: number) => String(n).padStart(2, "0");

function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function isoDateTime(ms: number): string {
  const d = new Date(ms);
  return `${isoDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function toMillis(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v);
  return Number(v);
}

function formatter(typeId: Type, unit?: number): (v: unknown) => string {
  switch (typeId) {
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return (v) => isoDate(toMillis(v));
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond: {
      // Arrow JS hands timestamps over in milliseconds whatever the stored unit.
      void unit;
      return (v) => isoDateTime(toMillis(v));
    }
    case Type.List:
    case Type.LargeList: {
      // Nested related rows: show how many, the 360 view shows them.
      return (v) => {
        const n = (v as { length?: number }).length ?? 0;
        return `${n} row${n === 1 ? "" : "s"}`;
      };
    }
    case Type.Struct:
      return (v) => JSON.stringify((v as { toJSON?: () => unknown }).toJSON?.() ?? v);
    case Type.Float:
      return (v) => {
        const x = Number(v);
        return Number.isInteger(x) ? x.toFixed(1) : String(x);
      };
    default:
      return (v) => String(v);
  }
}

/** Exact text of a decimal's unscaled integer digits with its scale (`71156`, 2 → `711.56`). */
export function decimalText(digits: string, scale: number): string {
  if (scale <= 0) return digits;
  const negative = digits.startsWith("-");
  const abs = (negative ? digits.slice(1) : digits).padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
}

/** Text of one value nested in a list or struct, from its Arrow type. */
function nestedText(v: unknown, type: DataType): string {
  if (type.typeId === Type.Decimal) return decimalText(String(v), (type as unknown as { scale: number }).scale);
  if (type.typeId === Type.Bool) return v ? "true" : "false";
  return formatter(type.typeId, (type as { unit?: number }).unit)(v);
}

function nestedCell(v: unknown, type: DataType): NestedCell {
  if (v === null || v === undefined) return null;
  if (type.typeId === Type.List || type.typeId === Type.LargeList || type.typeId === Type.FixedSizeList) {
    return nestedList(v as ListValue, (type.children[0] as Field).type);
  }
  if (type.typeId === Type.Struct) return nestedStructs([v], type.children as Field[]);
  return nestedText(v, type);
}

type ListValue = { length: number; get: (i: number) => unknown };

function nestedStructs(items: unknown[], fields: Field[]): NestedRows {
  return {
    columns: fields.map((f) => ({ name: f.name, type: typeName(f.type) })),
    rows: items.map((item) =>
      fields.map((f) => (item === null || item === undefined ? null : nestedCell((item as Record<string, unknown>)[f.name], f.type))),
    ),
  };
}

/** A list's items: rows of their fields for structs, one `value` column otherwise. */
function nestedList(v: ListValue, element: DataType): NestedRows {
  const items = Array.from({ length: v.length }, (_, i) => v.get(i));
  if (element.typeId === Type.Struct) return nestedStructs(items, element.children as Field[]);
  return { columns: [{ name: "value", type: typeName(element) }], rows: items.map((x) => [nestedCell(x, element)]) };
}

const NUMERIC = new Set<Type>([Type.Int, Type.Float, Type.Decimal]);

/** Steward's (Polars') names for Arrow types, so every grid speaks the same language. */
function typeName(t: { typeId: Type; toString(): string }): string {
  switch (t.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return "str";
    case Type.Bool:
      return "bool";
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return "date";
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond:
      return "datetime";
    case Type.List:
    case Type.LargeList:
      return "list";
    case Type.Struct:
      return "struct";
    default: {
      const s = t.toString();
      const m = /^(Int|Uint|Float)(\d+)$/.exec(s);
      return m ? `${m[1] === "Int" ? "i" : m[1] === "Uint" ? "u" : "f"}${m[2]}` : s;
    }
  }
}

/** Schema metadata key under which Steward sends each column's type label (JSON list). */
export const TYPES_METADATA_KEY = "steward:types";

/** The type labels Steward sent with the bytes, when it did. */
function sentLabels(table: Table): string[] | null {
  const raw = table.schema.metadata.get(TYPES_METADATA_KEY);
  if (!raw) return null;
  try {
    const labels: unknown = JSON.parse(raw);
    return Array.isArray(labels) && labels.length === table.schema.fields.length ? labels.map(String) : null;
  } catch {
    return null;
  }
}

const NUMERIC_LABEL = /^(i\d+|u\d+|f\d+|decimal\[)/;
const NESTED_LABEL = /^(list|struct|array)\[/;

/** Wraps an Arrow table for the grid. Steward sends every value an Arrow reader would show
 *  differently from the CLI (decimals, 128-bit integers, floats, times, durations, binary,
 *  structs…) as the CLI's own text, with each column's type label in the schema metadata. */
export function gridFromTable(table: Table): GridData {
  const fields = table.schema.fields;
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const formats = fields.map((f) => formatter(f.type.typeId, (f.type as { unit?: number }).unit));
  const labels = sentLabels(table);
  return {
    columns: fields.map((f, i) => {
      const label = labels?.[i];
      const expandable = f.type.typeId === Type.List || f.type.typeId === Type.LargeList;
      return label
        ? { name: f.name, type: label, numeric: NUMERIC_LABEL.test(label), nested: NESTED_LABEL.test(label), expandable }
        : {
            name: f.name,
            type: typeName(f.type),
            numeric: NUMERIC.has(f.type.typeId),
            nested: expandable || f.type.typeId === Type.Struct,
            expandable,
          };
    }),
    rowCount: table.numRows,
    cell: (row, col) => {
      const v = vectors[col]?.get(row);
      if (v === null || v === undefined) return null;
      return formats[col](v);
    },
    nested: (row, col) => {
      const type = fields[col]?.type;
      if (!type || (type.typeId !== Type.List && type.typeId !== Type.LargeList)) return null;
      const v = vectors[col]?.get(row);
      if (v === null || v === undefined) return null;
      return nestedList(v as ListValue, (type.children[0] as Field).type);
    },
  };
}

/** Decodes Arrow IPC bytes (file or stream format). */
export function gridFromIpc(bytes: ArrayBuffer | Uint8Array): GridData {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return gridFromTable(tableFromIPC(data));
}
