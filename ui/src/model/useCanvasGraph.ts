// The canvas's boxes and lines, from the definition: a box per table of the tree, and a line per
// join pair from the parent's field row to the child's column row.
import type { Edge } from "@xyflow/react";
import { useMemo } from "react";
import type { ColumnInfo, ModelIssue, ProductDefinition } from "../bindings";
import * as D from "./definition";
import { positionsOf, type Positions } from "./placement";
import { estimateHeight, kindLabel, NODE_WIDTH, type TableData, type TableNode } from "./TableBox";

interface GraphInputs {
  def: ProductDefinition | null;
  positions: Positions;
  selected: D.NodeId | null;
  selectedEdge: string | null;
  columnsOf: (source: string) => ColumnInfo[] | null;
  byNode: Map<D.NodeId | null, ModelIssue[]>;
  handlers: Pick<TableData, "onToggle" | "onDropSource" | "onAddUnder">;
}

export function useCanvasGraph({ def, positions, selected, selectedEdge, columnsOf, byNode, handlers }: GraphInputs) {
  const keyColumns = useMemo(() => (def ? D.keyFields(def).map((k) => D.rootColumn(def, k)) : []), [def]);

  const nodes: TableNode[] = useMemo(() => {
    if (!def) return [];
    const placed = positionsOf(def, positions, columnsOf);
    return D.tables(def).map((t) => ({
      id: t.id,
      type: "table",
      position: placed.get(t.id) ?? { x: 0, y: 0 },
      // The size a box will have, until the canvas measures it: the minimap and the first fit
      // of the view draw every box from the start (the canvas keeps no measured copy of them).
      initialWidth: NODE_WIDTH,
      initialHeight: estimateHeight(t, columnsOf(t.source)),
      selected: t.id === selected,
      data: {
        table: t,
        columns: columnsOf(t.source),
        keys: t.kind === "entity" ? keyColumns : [],
        issues: byNode.get(t.id) ?? [],
        ...handlers,
      },
    }));
  }, [def, positions, selected, columnsOf, keyColumns, byNode, handlers]);

  const edges: Edge[] = useMemo(() => {
    if (!def) return [];
    const all = D.tables(def);
    const byId = new Map(all.map((t) => [t.id, t]));
    return all.flatMap((t) => {
      const parent = t.parent ? byId.get(t.parent) : undefined;
      if (!parent) return [];
      const rows = new Set(columnsOf(parent.source)?.map((c) => c.name) ?? parent.fields.map((f) => f.column));
      return t.join.map((j, i) => {
        const column = D.columnOf(parent, j.parent);
        const id = `${t.id}#${i}`;
        return {
          id,
          source: parent.id,
          // A join on a derived or looked-up field has no row of its own: the line leaves the box.
          sourceHandle: rows.has(column) ? `out:${column}` : null,
          target: t.id,
          targetHandle: `in:${j.child}`,
          label: i === 0 ? kindLabel(t) : undefined,
          className: `join-edge kind-${t.kind}`,
          selected: id === selectedEdge,
          data: { table: t.id, index: i },
        };
      });
    });
  }, [def, selectedEdge, columnsOf]);

  return { nodes, edges };
}
