// Auto-layout of the modeller's canvas with ELK's layered algorithm: the root on the left,
// joined tables in a column to its right, edges between field rows kept short.
import ELK from "elkjs/lib/elk.bundled.js";

export interface Box {
  id: string;
  width: number;
  height: number;
}

export interface Link {
  id: string;
  source: string;
  target: string;
}

const elk = new ELK();

export async function autoLayout(boxes: Box[], links: Link[]): Promise<Map<string, { x: number; y: number }>> {
  const graph = await elk.layout({
    id: "model",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "32",
      "elk.layered.spacing.nodeNodeBetweenLayers": "96",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: links.map((l) => ({ id: l.id, sources: [l.source], targets: [l.target] })),
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const c of graph.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
