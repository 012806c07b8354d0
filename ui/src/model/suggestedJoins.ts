// The relationships Steward discovered between the workspace's sources, read as joins the steward
// can add to the selected table in one click: a table whose rows belong under it (an order's
// lines under the order), or a lookup it refers to (a line's product). Pure: the definition, the
// table's path and the discovered relationships in, the offers out, best first.
import type { Cardinality, JoinPair, ProductDefinition, Relation } from "../bindings";
import { descendants, ENTITY, fieldNameOf, table, tableAtPath, tableName, type ModelTable, type NewChild, type NodeId } from "./definition";

export interface JoinOffer {
  /** `order_lines->orders`: the new table's source, then the path of the table it goes under. */
  key: string;
  /** Unique among one table's offers: the key with the columns on both sides. */
  id: string;
  /** The table the new one goes under. */
  parent: NodeId;
  /** What `addChild` adds: source, kind, join, name and cardinality. */
  child: NewChild & { join: JoinPair[]; name: string };
  /** `Add order_lines under orders (order_id → order_id)`. */
  label: string;
  score: number;
  evidence: string;
  relation: Relation;
}

const CARDINALITY: Record<Relation["cardinality"], Cardinality> = { "1:1": "one_to_one", "1:n": "one_to_many" };

/** The table's product field names for its source columns; null when one is not selected. */
function fieldsFor(t: ModelTable, columns: string[]): string[] | null {
  if (t.fields.length && !columns.every((c) => t.fields.some((f) => f.column === c))) return null;
  return columns.map((c) => fieldNameOf(t, c));
}

/** Sources of the tables above `t`, up to the root: their rows already surround its rows. */
function sourcesAbove(def: ProductDefinition, t: ModelTable): Set<string> {
  const out = new Set<string>();
  for (let p = t.parent ? table(def, t.parent) : undefined; p; p = p.parent ? table(def, p.parent) : undefined) out.add(p.source);
  return out;
}

/**
 * The joins the discovered relationships offer to the table at `path`: each attaches a table of
 * a source not yet in the tree under it (nor above it), on columns it selects, named by their
 * product names. A lookup takes no tables under it, so it is offered none.
 */
export function suggestedJoins(def: ProductDefinition, path: string, relations: Relation[]): JoinOffer[] {
  const t = tableAtPath(def, path);
  if (!t || t.kind === "reference") return [];
  const taken = new Set([...descendants(def, t.id).map((d) => d.source), ...sourcesAbove(def, t)]);
  const where = t.path === ENTITY ? def.entity.name : t.path;
  const offers: JoinOffer[] = [];
  for (const r of relations) {
    if (!r.parent_columns.length || r.parent_columns.length !== r.child_columns.length) continue;
    const asParent = r.parent === t.source && (r.role === "child" || r.cardinality === "1:n");
    const asChild = r.child === t.source;
    for (const kind of ["related", "reference"] as const) {
      if (kind === "related" ? !asParent : !asChild) continue;
      const other = kind === "related" ? r.child : r.parent;
      if (taken.has(other)) continue;
      // T's side of the pairs, and the new table's (which selects every column, as added).
      const own = kind === "related" ? r.parent_columns : r.child_columns;
      const theirs = kind === "related" ? r.child_columns : r.parent_columns;
      const fields = fieldsFor(t, own);
      if (!fields) continue;
      const join = fields.map((f, i) => ({ parent: f, child: theirs[i] }));
      const key = `${other}->${t.path}`;
      const child: JoinOffer["child"] = { source: other, kind, join, name: tableName(def, other, t.id) };
      if (kind === "related") child.cardinality = CARDINALITY[r.cardinality];
      const label =
        kind === "related"
          ? `Add ${other} under ${where} (${theirs.join(", ")} → ${fields.join(", ")})`
          : `Look up ${other} on ${where} (${fields.join(", ")} → ${theirs.join(", ")})`;
      offers.push({ key, id: `${key}:${own.join(",")}=${theirs.join(",")}`, parent: t.id, child, label, score: r.score, evidence: r.evidence, relation: r });
    }
  }
  // Best first; equal scores keep discovery's order.
  return offers.map((o, i) => ({ o, i })).sort((a, b) => b.o.score - a.o.score || a.i - b.i).map(({ o }) => o);
}
