// Where the canvas puts its boxes: where the steward left them (saved by table path), beside
// their parent for tables placed nowhere yet, or everything at once by ELK's tree layout.
import type { CanvasPosition, ColumnInfo, ProductDefinition } from "../bindings";
import * as D from "./definition";
import { estimateHeight, NODE_WIDTH, rowOffset } from "./TableBox";

export type Positions = Record<string, CanvasPosition>;

/** Horizontal room between a parent's box and its children's. */
const GAP_X = 120;
const GAP_Y = 32;

type ColumnsOf = (source: string) => ColumnInfo[] | null;

/**
 * Every table's position: the saved one, or (for a table placed nowhere yet) to the right of its
 * parent, below the siblings placed before it, and further down past any box already there, so a
 * new box never lands on another.
 */
export function positionsOf(def: ProductDefinition, saved: Positions, columnsOf: ColumnsOf): Map<D.NodeId, CanvasPosition> {
  const out = new Map<D.NodeId, CanvasPosition>();
  const all = D.tables(def);
  const byId = new Map(all.map((t) => [t.id, t]));
  const height = (t: D.ModelTable) => estimateHeight(t, columnsOf(t.source));
  const boxes: { x: number; y: number; h: number }[] = [];
  for (const t of all) {
    const own = D.savedPosition(saved, t);
    if (!own) continue;
    out.set(t.id, own);
    boxes.push({ ...own, h: height(t) });
  }
  // Parents come before their children, so each parent is placed when its children are.
  for (const t of all) {
    if (out.has(t.id)) continue;
    const parent = t.parent ? out.get(t.parent) : undefined;
    let x = 0;
    let y = 0;
    if (parent) {
      const siblings = (byId.get(t.parent!)?.children ?? []).map((c) => byId.get(c)).filter((s): s is D.ModelTable => !!s);
      y = parent.y;
      for (const s of siblings) {
        if (s.id === t.id) break;
        const p = out.get(s.id);
        if (p && p.x >= parent.x + NODE_WIDTH) y = Math.max(y, p.y + height(s) + GAP_Y);
      }
      x = parent.x + NODE_WIDTH + GAP_X;
    }
    const h = height(t);
    for (let moved = true; moved; ) {
      moved = false;
      for (const b of boxes) {
        const overlaps = x < b.x + NODE_WIDTH && b.x < x + NODE_WIDTH && y < b.y + b.h + GAP_Y && b.y < y + h + GAP_Y;
        if (overlaps) {
          y = b.y + b.h + GAP_Y;
          moved = true;
        }
      }
    }
    out.set(t.id, { x, y });
    boxes.push({ x, y, h });
  }
  return out;
}

/** Positions for the tables that have none saved, to save once the model opens. */
export function missingPositions(def: ProductDefinition, saved: Positions, columnsOf: ColumnsOf): Positions {
  const placed = positionsOf(def, saved, columnsOf);
  const out: Positions = {};
  for (const t of D.tables(def)) if (!D.savedPosition(saved, t)) out[t.id] = placed.get(t.id) ?? { x: 0, y: 0 };
  return out;
}

/** Every table placed by ELK as a tree, left to right; ELK is large, so it loads on first use. */
export async function layOutTree(def: ProductDefinition, columnsOf: ColumnsOf): Promise<Positions> {
  const { autoLayout } = await import("./layout");
  const all = D.tables(def);
  const byId = new Map(all.map((t) => [t.id, t]));
  const boxes = all.map((t) => {
    const columns = columnsOf(t.source);
    const names = columns?.map((c) => c.name) ?? t.fields.map((f) => f.column);
    return {
      id: t.id,
      width: NODE_WIDTH,
      height: estimateHeight(t, columns),
      ports: [
        { id: `${t.id}|in`, y: 20, side: "WEST" as const },
        ...names.map((n) => ({ id: `${t.id}|out:${n}`, y: rowOffset(t, columns, n) ?? 20, side: "EAST" as const })),
      ],
    };
  });
  const links = all.flatMap((t) => {
    const parent = t.parent ? byId.get(t.parent) : undefined;
    if (!parent) return [];
    const first = t.join[0];
    return [
      {
        id: `${t.id}#tree`,
        source: parent.id,
        target: t.id,
        sourcePort: first ? `${parent.id}|out:${D.columnOf(parent, first.parent)}` : undefined,
        targetPort: `${t.id}|in`,
      },
    ];
  });
  return Object.fromEntries(await autoLayout(boxes, links));
}
