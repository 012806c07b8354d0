// Auto-layout of the modeller's canvas with ELK's layered algorithm, left to right as a tree:
// the root on the left, the tables under it in a column to its right, theirs further right.
// Each edge leaves its parent from the row of the field it joins on (a port on the box's right
// side), so children line up beside the fields they hang from.
import ELK from "elkjs/lib/elk.bundled.js";

export interface Port {
  id: string;
  /** Offset of the port from the top of its box. */
  y: number;
  side: "EAST" | "WEST";
}

export interface Box {
  id: string;
  width: number;
  height: number;
  ports?: Port[];
}

export interface Link {
  id: string;
  source: string;
  target: string;
  /** A port of the source box (the parent's field row); the box itself when absent. */
  sourcePort?: string;
  targetPort?: string;
}

const elk = new ELK();

export async function autoLayout(boxes: Box[], links: Link[]): Promise<Map<string, { x: number; y: number }>> {
  const ports = new Set(boxes.flatMap((b) => (b.ports ?? []).map((p) => p.id)));
  const graph = await elk.layout({
    id: "model",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "32",
      "elk.layered.spacing.nodeNodeBetweenLayers": "110",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      // Siblings keep the order of the file, so the canvas reads like the definition.
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.layered.crossingMinimization.forceNodeModelOrder": "true",
    },
    children: boxes.map((b) => ({
      id: b.id,
      width: b.width,
      height: b.height,
      layoutOptions: b.ports?.length ? { "elk.portConstraints": "FIXED_POS" } : undefined,
      ports: b.ports?.map((p) => ({
        id: p.id,
        x: p.side === "EAST" ? b.width : 0,
        y: p.y,
        width: 1,
        height: 1,
        layoutOptions: { "elk.port.side": p.side },
      })),
    })),
    edges: links.map((l) => ({
      id: l.id,
      sources: [l.sourcePort && ports.has(l.sourcePort) ? l.sourcePort : l.source],
      targets: [l.targetPort && ports.has(l.targetPort) ? l.targetPort : l.target],
    })),
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const c of graph.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
