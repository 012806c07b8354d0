// A table of the model on the canvas: its kind, name and source, a row per column (checked when
// it is a field of the product) with a handle on each side to join field to field, its derived
// fields, and a count of its problems.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ColumnInfo, ModelIssue } from "../bindings";
import * as D from "./definition";

export interface TableData extends Record<string, unknown> {
  table: D.ModelTable;
  columns: ColumnInfo[] | null;
  keys: string[];
  issues: ModelIssue[];
  onToggle: (id: D.NodeId, column: string) => void;
}

export type TableNode = Node<TableData, "table">;

export const NODE_WIDTH = 250;
const ROW = 22;

export function kindLabel(t: D.ModelTable): string {
  if (t.kind === "entity") return "root";
  if (t.kind === "reference") return "lookup";
  return t.cardinality === "one_to_one" ? "1:1" : "1:n";
}

const TableBox = memo(function TableBox({ data, selected }: NodeProps<TableNode>) {
  const { table: t, columns, keys, issues } = data;
  const rows: { name: string; dtype: string }[] =
    columns?.map((c) => ({ name: c.name, dtype: c.dtype })) ??
    t.fields.map((f) => ({ name: f.column, dtype: f.type ?? "" }));
  const errors = issues.filter((i) => i.severity === "error").length;
  const keyColumns = new Set(keys);
  return (
    <div
      className={`table-node kind-${t.kind}${selected ? " selected" : ""}${errors ? " has-errors" : ""}`}
      data-node={t.id}
    >
      <header>
        <span className={`node-kind node-kind-${t.kind}`}>{kindLabel(t)}</span>
        <strong className="node-name">{t.name}</strong>
        <small className="node-source">{t.source}</small>
        {issues.length > 0 && (
          <span
            className={errors ? "node-issues error" : "node-issues warning"}
            title={issues.map((i) => `${i.path}: ${i.message}`).join("\n")}
            data-testid={`issues-${t.id}`}
          >
            {issues.length}
          </span>
        )}
      </header>
      <ul className="node-fields">
        {rows.map((c) => {
          const field = t.fields.find((f) => f.column === c.name);
          const on = D.isSelected(t, c.name);
          return (
            <li key={c.name} data-column={c.name} className={on ? "on" : "off"}>
              <Handle type="target" position={Position.Left} id={`in:${c.name}`} className="field-handle" />
              <input
                type="checkbox"
                className="nodrag"
                checked={on}
                aria-label={`Include ${t.name}.${c.name}`}
                onChange={() => data.onToggle(t.id, c.name)}
              />
              <span className="field-name" title={c.name}>
                {field?.as ? (
                  <>
                    <s>{c.name}</s> {field.as}
                  </>
                ) : (
                  c.name
                )}
              </span>
              {keyColumns.has(c.name) && <span className="field-key">key</span>}
              <span className="field-type">{field?.type ?? D.fieldType(c.dtype) ?? c.dtype}</span>
              <Handle type="source" position={Position.Right} id={`out:${c.name}`} className="field-handle" />
            </li>
          );
        })}
        {t.derived.map((d) => (
          <li key={`derived:${d.name}`} className="derived" title={d.sql}>
            <span className="field-name">ƒ {d.name}</span>
            <span className="field-type">{d.type ?? ""}</span>
          </li>
        ))}
      </ul>
    </div>
  );
});

export const nodeTypes = { table: TableBox };

export function estimateHeight(t: D.ModelTable, columns: ColumnInfo[] | null): number {
  return 40 + ROW * ((columns?.length ?? t.fields.length) + t.derived.length);
}
