// Edits of a product definition, as pure functions: each takes a definition and returns a new
// one, so the modeller can keep every state for undo and save whichever is current. Tables are
// addressed by their canvas id, which carries their path in the entity tree (see tree.ts).
import type { Cardinality, ColumnInfo, Derived, Field, FieldType, JoinPair, ModelIssue, ProductDefinition, Reference, Related } from "../bindings";
import {
  columnOf,
  descendants,
  detach,
  ENTITY,
  fieldNameOf,
  fieldNames,
  insertUnder,
  isAncestorOrSelf,
  issueNode,
  mapRaw,
  nodeId,
  pathOf,
  table,
  tables,
  update,
  type ModelTable,
  type NodeId,
} from "./tree";

export * from "./tree";

export function keyFields(def: ProductDefinition): string[] {
  return typeof def.entity.key === "string" ? [def.entity.key] : def.entity.key;
}

/** Polars type names as Steward shows them → the definition's field types. */
export function fieldType(dtype: string): FieldType | undefined {
  if (dtype === "str") return "str";
  if (/^[iu](8|16|32|64)$/.test(dtype)) return "i64";
  if (/^f(32|64)$/.test(dtype)) return "f64";
  if (dtype === "bool") return "bool";
  if (dtype === "date") return "date";
  if (dtype.startsWith("datetime")) return "datetime";
  return undefined;
}

/** Names of the tables directly under `parent` (related and lookups share one namespace). */
function siblingNames(def: ProductDefinition, parent: NodeId, except?: NodeId): Set<string> {
  const p = table(def, parent);
  return new Set(
    (p?.children ?? [])
      .filter((c) => c !== except)
      .map((c) => table(def, c)?.name)
      .filter((n): n is string => n !== undefined),
  );
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  return name;
}

/** A table name derived from a source id, unique under `parent` and valid in the format. */
export function tableName(def: ProductDefinition, sourceId: string, parent: NodeId = "entity"): string {
  const base = sourceId.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "") || "table";
  return uniqueName(base, siblingNames(def, parent));
}

/** Adds a source as a related table under the root (nested rows, one-to-many) with no join yet. */
export function addTable(def: ProductDefinition, sourceId: string): { def: ProductDefinition; id: NodeId } {
  return addChild(def, "entity", { source: sourceId, kind: "related" });
}

export interface NewChild {
  source: string;
  /** Related rows nested under each parent row, or a lookup adding fields to them. */
  kind: "related" | "reference";
  join?: JoinPair[];
  /** Defaults to a name made from the source, unique among the parent's tables. */
  name?: string;
  cardinality?: Cardinality;
}

/**
 * Adds a table under `parent` (the root or any related table): `T.related` or `T.reference`
 * grows by one. Lookups take no tables under them, so a lookup is never a parent.
 */
export function addChild(def: ProductDefinition, parent: NodeId, child: NewChild): { def: ProductDefinition; id: NodeId } {
  const p = table(def, parent);
  if (!p || p.kind === "reference") return { def, id: parent };
  const used = siblingNames(def, parent);
  const name = child.name && !used.has(child.name) ? child.name : uniqueName(child.name || tableName(def, child.source, parent), used);
  const join = child.join ?? [];
  const item: Related | Reference =
    child.kind === "related"
      ? { name, source: child.source, join, cardinality: child.cardinality ?? "one_to_many" }
      : { name, source: child.source, join };
  const path = p.kind === "entity" ? name : `${p.path}.${name}`;
  return { def: insertUnder(def, parent, child.kind, item), id: nodeId(child.kind, path) };
}

/** Removes a table and every table under it. The root stays. */
export function removeTable(def: ProductDefinition, id: NodeId): ProductDefinition {
  if (id === "entity") return def;
  return detach(def, id).def;
}

/** The product name of a root column (its rename, if selected and renamed). */
export function rootFieldName(def: ProductDefinition, column: string): string {
  return (def.entity.fields ?? []).find((f) => f.column === column)?.as ?? column;
}

/** The root column behind a product field name. */
export function rootColumn(def: ProductDefinition, field: string): string {
  return (def.entity.fields ?? []).find((f) => (f.as ?? f.column) === field)?.column ?? field;
}

export type Connect =
  | { ok: true; def: ProductDefinition; /** The joined table, after any move. */ child: NodeId; /** Where it was, when it moved. */ movedFrom?: NodeId }
  | { ok: false; message: string };

function label(t: ModelTable, def: ProductDefinition): string {
  return t.kind === "entity" ? def.entity.name : t.path;
}

/**
 * Joins two tables field to field, as drawn on the canvas from a field of `from` to a column of
 * `to`: the table drawn from is the parent, the other hangs under it. Drawn the other way round
 * (onto the root, or onto a table above), the ends swap. A table not joined yet moves under the
 * parent with everything under it; one joined elsewhere must lose its joins first.
 */
export function connect(def: ProductDefinition, from: { node: NodeId; column: string }, to: { node: NodeId; column: string }): Connect {
  if (from.node === to.node) return { ok: false, message: "A relationship joins two different tables." };
  const [pEnd, cEnd] = to.node === "entity" || isAncestorOrSelf(def, to.node, from.node) ? [to, from] : [from, to];
  const parent = table(def, pEnd.node);
  const child = table(def, cEnd.node);
  if (!parent || !child) return { ok: false, message: "That table is no longer in the model." };
  if (parent.kind === "reference") {
    return {
      ok: false,
      message: `${parent.name} is a lookup: it adds fields to ${parent.parent === "entity" ? def.entity.name : pathOf(parent.parent ?? "entity")}'s rows and has no tables under it. Draw from a field of a related table or of the root.`,
    };
  }
  const pair: JoinPair = { parent: fieldNameOf(parent, pEnd.column), child: cEnd.column };
  if (child.parent === parent.id) {
    if (child.join.some((j) => j.parent === pair.parent && j.child === pair.child)) {
      return { ok: false, message: `${child.path} is already joined on ${pair.parent} = ${pair.child}.` };
    }
    return { ok: true, def: update(def, child.id, (x) => ({ ...x, join: [...x.join, pair] })), child: child.id };
  }
  if (child.join.length) {
    const under = child.parent === "entity" ? def.entity.name : pathOf(child.parent ?? "entity");
    return {
      ok: false,
      message: `${child.path} is joined under ${under}: remove its joins first to move it under ${label(parent, def)}.`,
    };
  }
  // Not joined yet: it moves under the parent, with everything under it.
  const { def: without, item } = detach(def, child.id);
  if (!item) return { ok: false, message: "That table is no longer in the model." };
  const name = uniqueName(item.name, siblingNames(without, parent.id));
  const kind = child.kind === "reference" ? "reference" : "related";
  const moved = { ...item, name, join: [pair] };
  const path = parent.kind === "entity" ? name : `${parent.path}.${name}`;
  return { ok: true, def: insertUnder(without, parent.id, kind, moved), child: nodeId(kind, path), movedFrom: child.id };
}

export function removeJoin(def: ProductDefinition, id: NodeId, index: number): ProductDefinition {
  return update(def, id, (t) => ({ ...t, join: t.join.filter((_, i) => i !== index) }));
}

export function addJoin(def: ProductDefinition, id: NodeId, pair: JoinPair): ProductDefinition {
  return update(def, id, (t) => ({ ...t, join: [...t.join, pair] }));
}

/** Changes one join pair: the parent's field, the table's column, or both. */
export function updateJoin(def: ProductDefinition, id: NodeId, index: number, patch: Partial<JoinPair>): ProductDefinition {
  return update(def, id, (t) => ({ ...t, join: t.join.map((j, i) => (i === index ? { ...j, ...patch } : j)) }));
}

/**
 * The pair a child would most likely join on: a field of the parent with a same-named column in
 * the child (the root's key first under the root; elsewhere the parent's own ids before the
 * root's key, which every table carries).
 */
export function suggestPair(parentFields: { field: string; column: string }[], childColumns: string[], preferred: string[], last: string[]): JoinPair | null {
  const names = new Set(childColumns);
  const rank = (f: string) => (preferred.includes(f) ? 0 : last.includes(f) ? 2 : 1);
  const ordered = [...parentFields].sort((a, b) => rank(a.field) - rank(b.field));
  for (const { field, column } of ordered) {
    if (names.has(field)) return { parent: field, child: field };
    if (names.has(column)) return { parent: field, child: column };
  }
  return null;
}

/** A join for a table not joined yet, on a field of its parent with a same-named column. */
export function suggestedJoin(def: ProductDefinition, id: NodeId, columns: ColumnInfo[], parentColumns: ColumnInfo[] | null = null): JoinPair | null {
  const t = table(def, id);
  if (!t || t.kind === "entity" || t.join.length || !t.parent) return null;
  const parent = table(def, t.parent);
  if (!parent) return null;
  const keys = keyFields(def);
  const childColumns = columns.map((c) => c.name);
  if (parent.kind === "entity") {
    const fields = keys.map((k) => ({ field: k, column: rootColumn(def, k) }));
    return suggestPair(fields, childColumns, [], []);
  }
  const fields = fieldNames(def, parent.id, parentColumns).map((f) => ({ field: f, column: columnOf(parent, f) }));
  return suggestPair(fields, childColumns, [], keys);
}

export function setCardinality(def: ProductDefinition, id: NodeId, cardinality: Cardinality): ProductDefinition {
  return update(def, id, (t) => ({ ...t, cardinality }));
}

/**
 * Turns a related table into a lookup under the same table, or back. A related table with tables
 * under it stays related: a lookup has no tables under it.
 */
export function setKind(def: ProductDefinition, id: NodeId, kind: "related" | "reference"): { def: ProductDefinition; id: NodeId } {
  const t = table(def, id);
  if (!t || t.kind === "entity" || t.kind === kind || !t.parent) return { def, id };
  if (kind === "reference" && t.children.length) return { def, id };
  const { def: without } = detach(def, id);
  const fields = t.fields.length ? t.fields : undefined;
  const item: Related | Reference =
    kind === "reference"
      ? { name: t.name, source: t.source, join: t.join, fields }
      : { name: t.name, source: t.source, join: t.join, cardinality: "one_to_many", fields };
  if (!item.fields) delete item.fields;
  return { def: insertUnder(without, t.parent, kind, item), id: nodeId(kind, t.path) };
}

/**
 * Whether a column is selected. A table with no fields listed selects every column, so the
 * first change lists them all explicitly (with their types) and then applies the change.
 */
export function isSelected(t: ModelTable, column: string): boolean {
  return t.fields.length === 0 || t.fields.some((f) => f.column === column);
}

function explicit(t: ModelTable, columns: ColumnInfo[]): Field[] {
  if (t.fields.length) return t.fields;
  return columns.map((c) => ({ column: c.name, type: fieldType(c.dtype) }));
}

export function toggleField(def: ProductDefinition, id: NodeId, column: string, columns: ColumnInfo[]): ProductDefinition {
  return update(def, id, (t) => {
    const fields = explicit(t, columns);
    if (fields.some((f) => f.column === column)) return { ...t, fields: fields.filter((f) => f.column !== column) };
    const order = columns.map((c) => c.name);
    const dtype = columns.find((c) => c.name === column)?.dtype;
    const added = [...fields, { column, type: dtype ? fieldType(dtype) : undefined }];
    added.sort((x, y) => order.indexOf(x.column) - order.indexOf(y.column));
    return { ...t, fields: added };
  });
}

/**
 * Renames a field in the product. Joins name their parent's fields by product name, and the key
 * names the root's: both follow the rename.
 */
export function renameField(def: ProductDefinition, id: NodeId, column: string, name: string, columns: ColumnInfo[]): ProductDefinition {
  const t = table(def, id);
  const oldName = t ? fieldNameOf(t, column) : column;
  const newName = name || column;
  let next = update(def, id, (x) => ({
    ...x,
    fields: explicit(x, columns).map((f) => (f.column === column ? { ...f, as: name && name !== column ? name : undefined } : f)),
  }));
  if (!t || oldName === newName) return next;
  const follow = (j: JoinPair) => (j.parent === oldName ? { ...j, parent: newName } : j);
  for (const c of t.children) {
    next = mapRaw(next, c, (r) => (r.join.some((j) => j.parent === oldName) ? { ...r, join: r.join.map(follow) } : r));
  }
  if (id === "entity") {
    const key = next.entity.key;
    next = {
      ...next,
      entity: {
        ...next.entity,
        key: typeof key === "string" ? (key === oldName ? newName : key) : key.map((k) => (k === oldName ? newName : k)),
      },
    };
  }
  return next;
}

export function setFieldType(def: ProductDefinition, id: NodeId, column: string, type: FieldType | undefined, columns: ColumnInfo[]): ProductDefinition {
  return update(def, id, (t) => ({
    ...t,
    fields: explicit(t, columns).map((f) => (f.column === column ? { ...f, type } : f)),
  }));
}

/** A path with its leading `from` table replaced by `to` (`orders.lines` → `purchases.lines`). */
function movePath(path: string, from: string, to: string): string {
  if (path === from) return to;
  return path.startsWith(`${from}.`) ? `${to}${path.slice(from.length)}` : path;
}

export type Renamed = { def: ProductDefinition; id: NodeId; problem?: string };

/**
 * Renames a table; the tables under it keep their place (their paths follow), and so do quality
 * rules on them (`table: orders.lines`) and masking rules on their fields (`orders.lines.unit_price`).
 * A name may not hold dots (they separate the names of a path) nor repeat a sibling's.
 */
export function renameTable(def: ProductDefinition, id: NodeId, name: string): Renamed {
  const t = table(def, id);
  if (!t) return { def, id };
  if (t.kind === "entity") return { def: { ...def, entity: { ...def.entity, name } }, id };
  const clean = name.replace(/\./g, "_");
  if (t.parent && siblingNames(def, t.parent, id).has(clean)) {
    return { def, id, problem: `${clean} already names another table under ${t.parent === "entity" ? def.entity.name : pathOf(t.parent)}.` };
  }
  const next = update(def, id, (x) => ({ ...x, name: clean }));
  const newPath = t.parent === "entity" ? clean : `${pathOf(t.parent ?? "entity")}.${clean}`;
  const newId = nodeId(t.kind as "related" | "reference", newPath);
  if (t.kind === "reference") return { def: next, id: newId };
  const quality = next.quality?.map((q) => (q.table && movePath(q.table, t.path, newPath) !== q.table ? { ...q, table: movePath(q.table, t.path, newPath) } : q));
  const masking = next.masking
    ? Object.fromEntries(
        Object.entries(next.masking).map(([k, p]) => [
          k,
          p.rules?.some((r) => r.field?.startsWith(`${t.path}.`))
            ? { ...p, rules: p.rules.map((r) => (r.field?.startsWith(`${t.path}.`) ? { ...r, field: movePath(r.field, t.path, newPath) } : r)) }
            : p,
        ]),
      )
    : undefined;
  const out: ProductDefinition = { ...next };
  if (quality) out.quality = quality;
  if (masking) out.masking = masking;
  return { def: out, id: newId };
}

export function setKey(def: ProductDefinition, key: string[]): ProductDefinition {
  return { ...def, entity: { ...def.entity, key: key.length === 1 ? key[0] : key } };
}

export function addDerived(def: ProductDefinition, id: NodeId): ProductDefinition {
  return update(def, id, (t) => {
    const used = new Set(t.derived.map((d) => d.name));
    let name = "new_field";
    for (let i = 2; used.has(name); i++) name = `new_field_${i}`;
    return { ...t, derived: [...t.derived, { name, sql: "", type: "str" }] };
  });
}

export function updateDerived(def: ProductDefinition, id: NodeId, index: number, patch: Partial<Derived>): ProductDefinition {
  return update(def, id, (t) => ({ ...t, derived: t.derived.map((d, i) => (i === index ? { ...d, ...patch } : d)) }));
}

export function removeDerived(def: ProductDefinition, id: NodeId, index: number): ProductDefinition {
  return update(def, id, (t) => ({ ...t, derived: t.derived.filter((_, i) => i !== index) }));
}

/** Whether a table can become the root: a related table right under it. */
export function canMakeRoot(t: ModelTable): boolean {
  return t.kind === "related" && t.depth === 1;
}

/**
 * Makes a related table under the root the root. Its own tables stay under it; the old root
 * hangs under it, joined back by the same pairs reversed, and takes the tables that were its
 * other children (and its lookups) with it, so every join still names its parent's fields.
 */
export function makeRoot(def: ProductDefinition, id: NodeId, columns: ColumnInfo[]): ProductDefinition {
  const t = table(def, id);
  if (!t || !canMakeRoot(t)) return def;
  const { def: without, item } = detach(def, id);
  const raw = item as Related;
  const oldRoot = def.entity;
  const back: JoinPair[] = t.join.map((j) => ({ parent: fieldNameOf(t, j.child), child: rootColumn(def, j.parent) }));
  const key = t.join.length ? t.join.map((j) => fieldNameOf(t, j.child)) : [columns[0]?.name ?? "id"];
  const siblings = new Set([...(raw.related ?? []), ...(raw.reference ?? [])].map((r) => r.name));
  const base = oldRoot.source.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "") || "table";
  const oldAsRelated: Related = {
    name: uniqueName(base, siblings),
    source: oldRoot.source,
    join: back,
    cardinality: "one_to_many",
    fields: oldRoot.fields,
    derived: oldRoot.derived,
    related: without.related,
    reference: without.reference,
  };
  for (const k of ["fields", "derived", "related", "reference"] as const) if (!oldAsRelated[k]?.length) delete oldAsRelated[k];
  const out: ProductDefinition = {
    ...without,
    entity: {
      name: t.name.charAt(0).toUpperCase() + t.name.slice(1),
      source: t.source,
      key: key.length === 1 ? key[0] : key,
      fields: t.fields.length ? t.fields : undefined,
      derived: t.derived.length ? t.derived : undefined,
    },
    related: [...(raw.related ?? []), oldAsRelated],
  };
  if (raw.reference?.length) out.reference = raw.reference;
  else delete out.reference;
  return out;
}

export function setMetadata(def: ProductDefinition, patch: Partial<ProductDefinition["metadata"]>): ProductDefinition {
  return { ...def, metadata: { ...def.metadata, ...patch } };
}

export function issuesByNode(issues: ModelIssue[]): Map<NodeId | null, ModelIssue[]> {
  const out = new Map<NodeId | null, ModelIssue[]>();
  for (const i of issues) {
    const n = issueNode(i.path);
    out.set(n, [...(out.get(n) ?? []), i]);
  }
  return out;
}

/** Every table's path below the root, in tree order: what `product_rows` and masking take. */
export function relatedPaths(def: ProductDefinition): string[] {
  return tables(def)
    .filter((t) => t.kind === "related")
    .map((t) => t.path);
}

/**
 * Fields a masking rule can name: the entity's as they are (`email`), every related table's
 * prefixed with its path (`orders.lines.unit_price`); lookups' fields with their table's.
 */
export function ruleFields(def: ProductDefinition): string[] {
  return tables(def)
    .filter((t) => t.kind !== "reference")
    .flatMap((t) => fieldNames(def, t.id, null).map((f) => (t.path === ENTITY ? f : `${t.path}.${f}`)));
}

/** Everything under a table, for a steward about to remove it: `orders.lines, orders.lines.product`. */
export function subtreeLabel(def: ProductDefinition, id: NodeId): string[] {
  return descendants(def, id).map((d) => d.path);
}

/**
 * Renames a newly added table's fields whose names would clash once assembled (found on
 * Chinook, where every table's key is `id`): a related table's own field named like the root's
 * instance key, which every table carries, and a lookup's field its owner already has. Each
 * becomes `<table>_<column>`. `ownerNames` are the names the owner's rows hold (for a lookup).
 * Returns the definition and the columns renamed, as `column → name`.
 */
export function avoidNameClashes(
  def: ProductDefinition,
  id: NodeId,
  columns: ColumnInfo[],
  ownerNames: string[],
): { def: ProductDefinition; renamed: string[] } {
  const t = table(def, id);
  // Not joined yet: its field named like the key may well be what it will join on.
  if (!t || t.kind === "entity" || !t.join.length) return { def, renamed: [] };
  const names = t.fields.length ? t.fields.map((f) => ({ column: f.column, name: fieldNameOf(t, f.column) })) : columns.map((c) => ({ column: c.name, name: c.name }));
  const joined = new Set(t.join.map((j) => j.child));
  const keys = keyFields(def);
  const clashes = names.filter(({ name }) =>
    t.kind === "related"
      ? keys.includes(name) && !t.join.some((j) => j.child === name && j.parent === name)
      : !joined.has(name) && ownerNames.includes(name),
  );
  const taken = new Set([...names.map((n) => n.name), ...ownerNames, ...keys]);
  let next = def;
  const renamed: string[] = [];
  for (const { column, name } of clashes) {
    const fresh = uniqueName(`${t.name}_${name}`, taken);
    taken.add(fresh);
    next = renameField(next, id, column, fresh, columns);
    renamed.push(`${name} → ${fresh}`);
  }
  return { def: next, renamed };
}

/** The names a table's rows hold: its fields (every column when it lists none), derived fields and what its lookups add, `except` one of them. */
export function rowNames(def: ProductDefinition, id: NodeId, columnsOf: (source: string) => ColumnInfo[] | null, except?: NodeId): string[] {
  const t = table(def, id);
  if (!t) return [];
  const own = (x: ModelTable) => (x.fields.length ? x.fields.map((f) => fieldNameOf(x, f.column)) : (columnsOf(x.source) ?? []).map((c) => c.name));
  const out = [...own(t), ...t.derived.map((d) => d.name)];
  for (const c of t.children) {
    const x = c === except ? undefined : table(def, c);
    if (x?.kind === "reference") out.push(...own(x).filter((n) => !x.join.some((j) => j.child === n)));
  }
  return out;
}
