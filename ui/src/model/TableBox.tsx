// A table of the model on the canvas: its kind, name, path and source, a row per column (checked
// when it is a field of the product) with a handle on each side to join field to field, its
// derived fields, and badges counting its errors and warnings. A source dropped on the box (or on
// one of its fields) becomes a table under it.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo, useState } from "react";
import type { ColumnInfo, ModelIssue } from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";
import * as D from "./definition";

export interface TableData extends Record<string, unknown> {
  table: D.ModelTable;
  columns: ColumnInfo[] | null;
  keys: string[];
  issues: ModelIssue[];
  onToggle: (id: D.NodeId, column: string) => void;
  /** A source dropped on the box; `column` when dropped on one of its field rows. */
  onDropSource: (id: D.NodeId, sourceId: string, column: string | null) => void;
  /** The steward asks to add a table under this one. */
  onAddUnder: (id: D.NodeId) => void;
}

export type TableNode = Node<TableData, "table">;

export const NODE_WIDTH = 250;
export const HEADER = 40;
export const ROW = 22;

export function kindLabel(t: D.ModelTable): string {
  if (t.kind === "entity") return "root";
  if (t.kind === "reference") return "lookup";
  return t.cardinality === "one_to_one" ? "1:1" : "1:n";
}

/** Error and warning counts of a box, each a badge (`data-badge="error"`, `"warning"`). */
function Badges({ id, issues }: { id: D.NodeId; issues: ModelIssue[] }) {
  if (!issues.length) return null;
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const title = issues.map((i) => `${i.path}: ${i.message}`).join("\n");
  return (
    <span className="node-badges" data-testid={`issues-${id}`} data-errors={errors} data-warnings={warnings} title={title}>
      {errors > 0 && (
        <span className="node-issues error" data-badge="error" aria-label={`${errors} error${errors === 1 ? "" : "s"}`}>
          {errors}
        </span>
      )}
      {warnings > 0 && (
        <span className="node-issues warning" data-badge="warning" aria-label={`${warnings} warning${warnings === 1 ? "" : "s"}`}>
          {warnings}
        </span>
      )}
    </span>
  );
}

const TableBox = memo(function TableBox({ data, selected }: NodeProps<TableNode>) {
  const { table: t, columns, keys, issues } = data;
  const [dropping, setDropping] = useState(false);
  const rows: { name: string; dtype: string }[] =
    columns?.map((c) => ({ name: c.name, dtype: c.dtype })) ??
    t.fields.map((f) => ({ name: f.column, dtype: f.type ?? "" }));
  const errors = issues.some((i) => i.severity === "error");
  const keyColumns = new Set(keys);
  // Lookups take no tables under them: a source dropped there lands on the canvas.
  const accepts = t.kind !== "reference";
  const label = t.kind === "entity" ? t.name : t.path;
  return (
    <div
      className={`table-node kind-${t.kind}${selected ? " selected" : ""}${errors ? " has-errors" : ""}${dropping ? " drop-target" : ""}`}
      data-node={t.id}
      data-table-path={t.path}
      data-kind={t.kind}
      data-depth={t.depth}
      onDragOver={(e) => {
        if (!accepts || !e.dataTransfer.types.includes(SOURCE_MIME)) return;
        e.preventDefault();
        e.stopPropagation();
        e.dataTransfer.dropEffect = "copy";
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        setDropping(false);
        const id = e.dataTransfer.getData(SOURCE_MIME);
        if (!accepts || !id) return;
        e.preventDefault();
        e.stopPropagation();
        const row = (e.target as HTMLElement).closest?.("li[data-column]");
        data.onDropSource(t.id, id, row?.getAttribute("data-column") ?? null);
      }}
    >
      <header title={t.kind === "entity" ? undefined : `${t.path} (${t.at})`}>
        <span className={`node-kind node-kind-${t.kind}`}>{kindLabel(t)}</span>
        <span className="node-title">
          <strong className="node-name">{t.name}</strong>
          {t.depth > 1 && <small className="node-path">{t.path}</small>}
        </span>
        <small className="node-source">{t.source}</small>
        <Badges id={t.id} issues={issues} />
        {accepts && (
          <button
            className="node-add nodrag"
            aria-label={`Add a table under ${label}`}
            title={`Add a table or lookup under ${label} (or drop a source here)`}
            onClick={(e) => {
              e.stopPropagation();
              data.onAddUnder(t.id);
            }}
          >
            +
          </button>
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
                aria-label={`Include ${label}.${c.name}`}
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
              {accepts && <Handle type="source" position={Position.Right} id={`out:${c.name}`} className="field-handle" />}
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
  return HEADER + ROW * ((columns?.length ?? t.fields.length) + t.derived.length);
}

/** Where a field's row sits in its box, from the top: ELK hangs children there. */
export function rowOffset(t: D.ModelTable, columns: ColumnInfo[] | null, column: string): number | null {
  const names = columns?.map((c) => c.name) ?? t.fields.map((f) => f.column);
  const i = names.indexOf(column);
  return i < 0 ? null : HEADER + ROW * i + ROW / 2;
}
