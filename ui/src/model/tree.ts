// The product's entity tree as the modeller sees it: the root entity, related tables under it or
// under each other to any depth, and lookups on any of them. Tables are named by their path
// (`orders.lines`, names joined by dots from the root down); a lookup's path is its table's path
// then its name (`orders.lines.product`, or `country` on the root). Canvas boxes are addressed by
// kind and path (`related:orders.lines`, `reference:country`), which is also how their positions
// are saved. Everything here is pure: a definition in, a definition (or a reading of one) out.
import type { Cardinality, Derived, Field, JoinPair, ProductDefinition, Reference, Related } from "../bindings";

/** Node ids on the canvas: the root, and each joined table by kind and path. */
export type NodeId = "entity" | `related:${string}` | `reference:${string}`;

export type TableKind = "entity" | "related" | "reference";

/** The root's name wherever tables are named by path (quality rules, product rows, issues). */
export const ENTITY = "entity";

/** A table of the model, whatever its kind and depth, as the canvas draws it. */
export interface ModelTable {
  id: NodeId;
  kind: TableKind;
  name: string;
  /** `entity`, `orders`, `orders.lines`; for a lookup, its table's path then its name. */
  path: string;
  /** Where it is in the file: `entity`, `related[orders].related[lines]`, `reference[country]`. */
  at: string;
  /** The table it hangs under: `entity` or a related table; null for the root. */
  parent: NodeId | null;
  /** 0 for the root, 1 for tables under it, and so on. */
  depth: number;
  source: string;
  fields: Field[];
  derived: Derived[];
  join: JoinPair[];
  cardinality?: Cardinality;
  /** Related tables and lookups directly under this one, in file order. */
  children: NodeId[];
}

/** What holds related tables and lookups: the definition (for the root) or a related table. */
interface Owner {
  related?: Related[];
  reference?: Reference[];
}

/** A node id read back: the kind, the owner's path segments, and the table's own name. */
interface Address {
  kind: TableKind;
  /** Names of the related tables from the root down to the owner (empty: the root owns it). */
  owner: string[];
  name: string;
}

export function nodeId(kind: "related" | "reference", path: string): NodeId {
  return `${kind}:${path}`;
}

function address(id: NodeId): Address | null {
  if (id === "entity") return { kind: "entity", owner: [], name: "" };
  const m = /^(related|reference):(.*)$/.exec(id);
  if (!m) return null;
  const segs = m[2].split(".");
  return { kind: m[1] as TableKind, owner: segs.slice(0, -1), name: segs[segs.length - 1] };
}

/** The path of a table from its id (`related:orders.lines` → `orders.lines`). */
export function pathOf(id: NodeId): string {
  return id === "entity" ? ENTITY : id.slice(id.indexOf(":") + 1);
}

function joinPath(owner: string, name: string): string {
  return owner === ENTITY ? name : `${owner}.${name}`;
}

function joinAt(owner: string, part: string): string {
  return owner === ENTITY ? part : `${owner}.${part}`;
}

/** Every table of the model, parents before children, in file order (lookups before sub-tables). */
export function tables(def: ProductDefinition): ModelTable[] {
  const e = def.entity;
  const root: ModelTable = {
    id: "entity",
    kind: "entity",
    name: e.name,
    path: ENTITY,
    at: ENTITY,
    parent: null,
    depth: 0,
    source: e.source,
    fields: e.fields ?? [],
    derived: e.derived ?? [],
    join: [],
    children: [],
  };
  const out: ModelTable[] = [root];
  const walk = (owner: Owner, parent: ModelTable) => {
    for (const r of owner.reference ?? []) {
      const path = joinPath(parent.path, r.name);
      const t: ModelTable = {
        id: nodeId("reference", path),
        kind: "reference",
        name: r.name,
        path,
        at: joinAt(parent.at, `reference[${r.name}]`),
        parent: parent.id,
        depth: parent.depth + 1,
        source: r.source,
        fields: r.fields ?? [],
        derived: [],
        join: r.join,
        children: [],
      };
      parent.children.push(t.id);
      out.push(t);
    }
    for (const r of owner.related ?? []) {
      const path = joinPath(parent.path, r.name);
      const t: ModelTable = {
        id: nodeId("related", path),
        kind: "related",
        name: r.name,
        path,
        at: joinAt(parent.at, `related[${r.name}]`),
        parent: parent.id,
        depth: parent.depth + 1,
        source: r.source,
        fields: r.fields ?? [],
        derived: r.derived ?? [],
        join: r.join,
        cardinality: r.cardinality,
        children: [],
      };
      parent.children.push(t.id);
      out.push(t);
      walk(r, t);
    }
  };
  walk(def, root);
  return out;
}

export function table(def: ProductDefinition, id: NodeId): ModelTable | undefined {
  return tables(def).find((t) => t.id === id);
}

/** The table at a path (`orders.lines`, `entity`), related tables before lookups. */
export function tableAtPath(def: ProductDefinition, path: string): ModelTable | undefined {
  const all = tables(def);
  return all.find((t) => t.path === path && t.kind !== "reference") ?? all.find((t) => t.path === path);
}

/** Every table under `id`, at any depth (not `id` itself). */
export function descendants(def: ProductDefinition, id: NodeId): ModelTable[] {
  const all = tables(def);
  const byId = new Map(all.map((t) => [t.id, t]));
  const out: ModelTable[] = [];
  const visit = (x: NodeId) => {
    for (const c of byId.get(x)?.children ?? []) {
      const t = byId.get(c);
      if (!t) continue;
      out.push(t);
      visit(c);
    }
  };
  visit(id);
  return out;
}

/** Whether `a` is `b` or one of the tables above it. */
export function isAncestorOrSelf(def: ProductDefinition, a: NodeId, b: NodeId): boolean {
  if (a === b) return true;
  for (let t = table(def, b); t?.parent; t = table(def, t.parent)) if (t.parent === a) return true;
  return false;
}

/** Drops keys whose value is undefined, so an edit adds no empty keys to the file. */
function tidy<T extends object>(o: T): T {
  const out = { ...o };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function opt<T>(xs: T[] | undefined): T[] | undefined {
  return xs && xs.length ? xs : undefined;
}

/**
 * Applies `f` to the owner at `segs` (the root for none), rebuilding only the tables on the way
 * down: every other part of the definition stays the very same object.
 */
function mapOwner(def: ProductDefinition, segs: string[], f: (o: Owner) => Owner): ProductDefinition {
  if (segs.length === 0) {
    const o = f({ related: def.related, reference: def.reference });
    if (o.related === def.related && o.reference === def.reference) return def;
    return tidy({ ...def, related: opt(o.related), reference: opt(o.reference) });
  }
  const go = (list: Related[] | undefined, rest: string[]): Related[] | undefined => {
    if (!list) return list;
    let changed = false;
    const next = list.map((r) => {
      if (r.name !== rest[0]) return r;
      let n: Related;
      if (rest.length === 1) {
        const o = f({ related: r.related, reference: r.reference });
        if (o.related === r.related && o.reference === r.reference) return r;
        n = tidy({ ...r, related: opt(o.related), reference: opt(o.reference) });
      } else {
        const children = go(r.related, rest.slice(1));
        if (children === r.related) return r;
        n = { ...r, related: children };
      }
      changed = true;
      return n;
    });
    return changed ? next : list;
  };
  const related = go(def.related, segs);
  return related === def.related ? def : { ...def, related };
}

/** The related table or lookup object at `id`, as written in the definition. */
function rawAt(def: ProductDefinition, id: NodeId): Related | Reference | undefined {
  const a = address(id);
  if (!a || a.kind === "entity") return undefined;
  let owner: Owner = def;
  for (const s of a.owner) {
    const next: Related | undefined = owner.related?.find((r) => r.name === s);
    if (!next) return undefined;
    owner = next;
  }
  return a.kind === "related" ? owner.related?.find((r) => r.name === a.name) : owner.reference?.find((r) => r.name === a.name);
}

/** Replaces the related table or lookup at `id` with what `f` makes of it. */
export function mapRaw(
  def: ProductDefinition,
  id: NodeId,
  f: (r: Related | Reference) => Related | Reference | null,
): ProductDefinition {
  const a = address(id);
  if (!a || a.kind === "entity") return def;
  return mapOwner(def, a.owner, (o) => {
    if (a.kind === "related") {
      const list = o.related ?? [];
      const i = list.findIndex((r) => r.name === a.name);
      if (i < 0) return o;
      const n = f(list[i]) as Related | null;
      if (n === list[i]) return o;
      const related = n ? list.map((r, j) => (j === i ? n : r)) : list.filter((_, j) => j !== i);
      return { ...o, related: opt(related) };
    }
    const list = o.reference ?? [];
    const i = list.findIndex((r) => r.name === a.name);
    if (i < 0) return o;
    const n = f(list[i]) as Reference | null;
    if (n === list[i]) return o;
    const reference = n ? list.map((r, j) => (j === i ? n : r)) : list.filter((_, j) => j !== i);
    return { ...o, reference: opt(reference) };
  });
}

/** Adds a related table or lookup under `parent` (the root or a related table). */
export function insertUnder(
  def: ProductDefinition,
  parent: NodeId,
  kind: "related" | "reference",
  item: Related | Reference,
): ProductDefinition {
  const a = address(parent);
  if (!a || a.kind === "reference") return def;
  const segs = a.kind === "entity" ? [] : [...a.owner, a.name];
  return mapOwner(def, segs, (o) =>
    kind === "related"
      ? { ...o, related: [...(o.related ?? []), item as Related] }
      : { ...o, reference: [...(o.reference ?? []), item as Reference] },
  );
}

/** Applies `f` to the table `id`, wherever it lives in the tree; its children stay as they are. */
export function update(def: ProductDefinition, id: NodeId, f: (t: ModelTable) => ModelTable): ProductDefinition {
  const t = table(def, id);
  if (!t) return def;
  const n = f(t);
  if (n === t) return def;
  if (n.kind === "entity") {
    return {
      ...def,
      entity: tidy({ ...def.entity, name: n.name, source: n.source, fields: opt(n.fields), derived: opt(n.derived) }),
    };
  }
  return mapRaw(def, id, (raw) =>
    n.kind === "related"
      ? tidy({
          ...(raw as Related),
          name: n.name,
          source: n.source,
          join: n.join,
          cardinality: n.cardinality ?? "one_to_many",
          fields: opt(n.fields),
          derived: opt(n.derived),
        })
      : tidy({ ...(raw as Reference), name: n.name, source: n.source, join: n.join, fields: opt(n.fields) }),
  );
}

/** Takes the table `id` (with everything under it) out of the tree. */
export function detach(def: ProductDefinition, id: NodeId): { def: ProductDefinition; item: Related | Reference | undefined } {
  const item = rawAt(def, id);
  return { def: mapRaw(def, id, () => null), item };
}

/** The name a table has in the product for one of its source's columns (its `as`, if renamed). */
export function fieldNameOf(t: ModelTable, column: string): string {
  return t.fields.find((f) => f.column === column)?.as ?? column;
}

/** The source column behind one of a table's product field names. */
export function columnOf(t: ModelTable, field: string): string {
  return t.fields.find((f) => (f.as ?? f.column) === field)?.column ?? field;
}

/**
 * The product field names of a table that children and lookups can join on: its selected fields
 * (or every column of its source, when it lists none), its derived fields, and its lookups'
 * fields, as Steward checks them.
 */
export function fieldNames(def: ProductDefinition, id: NodeId, columns: { name: string }[] | null): string[] {
  const t = table(def, id);
  if (!t) return [];
  const own = t.fields.length ? t.fields.map((f) => f.as ?? f.column) : (columns ?? []).map((c) => c.name);
  const lookups = t.children
    .map((c) => table(def, c))
    .filter((c): c is ModelTable => c?.kind === "reference")
    .flatMap((c) => c.fields.map((f) => f.as ?? f.column));
  return [...new Set([...own, ...t.derived.map((d) => d.name), ...lookups])];
}

/**
 * The table path an issue's place belongs to: `related[orders].related[lines].join[0]` →
 * `orders.lines`, `related[orders].reference[fx].fields` → `orders.fx`, `entity.key` → `entity`;
 * null for places that are not a table's (`quality[2]`, `metadata.version`).
 */
export function tableOfIssuePath(path: string): string | null {
  if (path === ENTITY || path.startsWith(`${ENTITY}.`) || path.startsWith(`${ENTITY}[`)) return ENTITY;
  const names: string[] = [];
  const re = /^\.?(related|reference)\[([^\]]+)\]/;
  let rest = path;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    names.push(m[2]);
    rest = rest.slice(m[0].length);
  }
  return names.length ? names.join(".") : null;
}

/** The canvas box an issue belongs to (`related[orders].related[lines]…` → `related:orders.lines`). */
export function issueNode(path: string): NodeId | null {
  const p = tableOfIssuePath(path);
  if (p === null) return null;
  if (p === ENTITY) return "entity";
  const kinds = [...path.matchAll(/(related|reference)\[[^\]]+\]/g)];
  const last = kinds[kinds.length - 1]?.[1] as "related" | "reference";
  return nodeId(last, p);
}

/**
 * Saved canvas positions after a table moved from `from` to `to` (a rename or a new parent):
 * its own and those of every table under it follow.
 */
export function movePositions<P>(layout: Record<string, P>, from: NodeId, to: NodeId): Record<string, P> {
  if (from === to) return layout;
  const oldPath = pathOf(from);
  const newPath = pathOf(to);
  const out: Record<string, P> = {};
  for (const [k, v] of Object.entries(layout)) {
    if (k === from) out[to] = v;
    else {
      const m = /^(related|reference):(.+)$/.exec(k);
      out[m && m[2].startsWith(`${oldPath}.`) ? `${m[1]}:${newPath}${m[2].slice(oldPath.length)}` : k] = v;
    }
  }
  return out;
}

/**
 * A saved position for a table: by its id (`related:orders.lines`), or by its bare path
 * (`orders`, `orders.lines`), as layouts written by hand or by older versions may name it.
 */
export function savedPosition<P>(layout: Record<string, P>, t: ModelTable): P | undefined {
  return layout[t.id] ?? (t.kind === "entity" ? undefined : layout[t.path]);
}
