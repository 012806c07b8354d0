// Edits of a product definition, as pure functions: each takes a definition and returns a new
// one, so the modeller can keep every state for undo and save whichever is current.
import type {
  Cardinality,
  ColumnInfo,
  Derived,
  Field,
  FieldType,
  JoinPair,
  ModelIssue,
  ProductDefinition,
  Reference,
  Related,
} from "../bindings";

/** Node ids on the canvas: the root, and each joined table by kind and name. */
export type NodeId = "entity" | `related:${string}` | `reference:${string}`;

export type TableKind = "entity" | "related" | "reference";

/** A table of the model, whatever its kind, as the canvas draws it. */
export interface ModelTable {
  id: NodeId;
  kind: TableKind;
  name: string;
  source: string;
  fields: Field[];
  derived: Derived[];
  join: JoinPair[];
  cardinality?: Cardinality;
}

export function keyFields(def: ProductDefinition): string[] {
  return typeof def.entity.key === "string" ? [def.entity.key] : def.entity.key;
}

export function tables(def: ProductDefinition): ModelTable[] {
  const e = def.entity;
  return [
    { id: "entity", kind: "entity", name: e.name, source: e.source, fields: e.fields ?? [], derived: e.derived ?? [], join: [] },
    ...(def.related ?? []).map(
      (r): ModelTable => ({
        id: `related:${r.name}`,
        kind: "related",
        name: r.name,
        source: r.source,
        fields: r.fields ?? [],
        derived: r.derived ?? [],
        join: r.join,
        cardinality: r.cardinality,
      }),
    ),
    ...(def.reference ?? []).map(
      (r): ModelTable => ({
        id: `reference:${r.name}`,
        kind: "reference",
        name: r.name,
        source: r.source,
        fields: r.fields ?? [],
        derived: [],
        join: r.join,
      }),
    ),
  ];
}

export function table(def: ProductDefinition, id: NodeId): ModelTable | undefined {
  return tables(def).find((t) => t.id === id);
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

/** Applies `f` to the table `id`, wherever it lives in the definition. */
function update(def: ProductDefinition, id: NodeId, f: (t: ModelTable) => ModelTable): ProductDefinition {
  const t = table(def, id);
  if (!t) return def;
  const n = f(t);
  const opt = <T>(xs: T[]) => (xs.length ? xs : undefined);
  if (n.kind === "entity") {
    return { ...def, entity: { ...def.entity, name: n.name, source: n.source, fields: opt(n.fields), derived: opt(n.derived) } };
  }
  if (n.kind === "related") {
    const r: Related = {
      name: n.name,
      source: n.source,
      join: n.join,
      cardinality: n.cardinality ?? "one_to_many",
      fields: opt(n.fields),
      derived: opt(n.derived),
    };
    return { ...def, related: (def.related ?? []).map((x) => (`related:${x.name}` === id ? r : x)) };
  }
  const r: Reference = { name: n.name, source: n.source, join: n.join, fields: opt(n.fields) };
  return { ...def, reference: (def.reference ?? []).map((x) => (`reference:${x.name}` === id ? r : x)) };
}

function usedNames(def: ProductDefinition): Set<string> {
  return new Set(tables(def).filter((t) => t.kind !== "entity").map((t) => t.name));
}

/** A table name derived from a source id, unique in the model and valid in the format. */
export function tableName(def: ProductDefinition, sourceId: string): string {
  const base = sourceId.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^[^a-z]+/, "") || "table";
  const used = usedNames(def);
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  return name;
}

/** Adds a source as a related table (nested rows, one-to-many) with no join yet. */
export function addTable(def: ProductDefinition, sourceId: string): { def: ProductDefinition; id: NodeId } {
  const name = tableName(def, sourceId);
  const r: Related = { name, source: sourceId, join: [], cardinality: "one_to_many" };
  return { def: { ...def, related: [...(def.related ?? []), r] }, id: `related:${name}` };
}

export function removeTable(def: ProductDefinition, id: NodeId): ProductDefinition {
  if (id === "entity") return def;
  return {
    ...def,
    related: (def.related ?? []).filter((r) => `related:${r.name}` !== id),
    reference: (def.reference ?? []).filter((r) => `reference:${r.name}` !== id),
  };
}

/** The product name of a root column (its rename, if selected and renamed). */
export function rootFieldName(def: ProductDefinition, column: string): string {
  return (def.entity.fields ?? []).find((f) => f.column === column)?.as ?? column;
}

/** The root column behind a product field name. */
export function rootColumn(def: ProductDefinition, field: string): string {
  return (def.entity.fields ?? []).find((f) => (f.as ?? f.column) === field)?.column ?? field;
}

export type Connect = { ok: true; def: ProductDefinition } | { ok: false; message: string };

/** Joins a table to the root: one field of the root, one column of the other table. */
export function connect(def: ProductDefinition, a: { node: NodeId; column: string }, b: { node: NodeId; column: string }): Connect {
  if (a.node === b.node) return { ok: false, message: "A relationship joins two different tables." };
  const [root, other] = a.node === "entity" ? [a, b] : b.node === "entity" ? [b, a] : [null, null];
  if (!root || !other) {
    return {
      ok: false,
      message: `Relationships join a table to the root entity (${def.entity.name}): connect one of its fields.`,
    };
  }
  const pair: JoinPair = { parent: rootFieldName(def, root.column), child: other.column };
  const t = table(def, other.node);
  if (!t) return { ok: false, message: "That table is no longer in the model." };
  if (t.join.some((j) => j.parent === pair.parent && j.child === pair.child)) {
    return { ok: false, message: `${t.name} is already joined on ${pair.parent} = ${pair.child}.` };
  }
  return { ok: true, def: update(def, other.node, (x) => ({ ...x, join: [...x.join, pair] })) };
}

export function removeJoin(def: ProductDefinition, id: NodeId, index: number): ProductDefinition {
  return update(def, id, (t) => ({ ...t, join: t.join.filter((_, i) => i !== index) }));
}

/** Joins the root's key to a same-named column of the table, if it has one and is not joined yet. */
export function suggestedJoin(def: ProductDefinition, id: NodeId, columns: ColumnInfo[]): JoinPair | null {
  const t = table(def, id);
  if (!t || t.kind === "entity" || t.join.length) return null;
  const names = new Set(columns.map((c) => c.name));
  for (const k of keyFields(def)) {
    const col = rootColumn(def, k);
    if (names.has(k)) return { parent: k, child: k };
    if (names.has(col)) return { parent: k, child: col };
  }
  return null;
}

export function addJoin(def: ProductDefinition, id: NodeId, pair: JoinPair): ProductDefinition {
  return update(def, id, (t) => ({ ...t, join: [...t.join, pair] }));
}

export function setCardinality(def: ProductDefinition, id: NodeId, cardinality: Cardinality): ProductDefinition {
  return update(def, id, (t) => ({ ...t, cardinality }));
}

/** Turns a related table into a reference (lookup) table or back. */
export function setKind(def: ProductDefinition, id: NodeId, kind: "related" | "reference"): { def: ProductDefinition; id: NodeId } {
  const t = table(def, id);
  if (!t || t.kind === "entity" || t.kind === kind) return { def, id };
  const without = removeTable(def, id);
  const fields = t.fields.length ? t.fields : undefined;
  if (kind === "reference") {
    const r: Reference = { name: t.name, source: t.source, join: t.join, fields };
    return { def: { ...without, reference: [...(without.reference ?? []), r] }, id: `reference:${t.name}` };
  }
  const r: Related = { name: t.name, source: t.source, join: t.join, cardinality: "one_to_many", fields };
  return { def: { ...without, related: [...(without.related ?? []), r] }, id: `related:${t.name}` };
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

export function renameField(
  def: ProductDefinition,
  id: NodeId,
  column: string,
  name: string,
  columns: ColumnInfo[],
): ProductDefinition {
  const before = table(def, id)?.fields.find((f) => f.column === column);
  const oldName = before?.as ?? column;
  let next = update(def, id, (t) => ({
    ...t,
    fields: explicit(t, columns).map((f) => (f.column === column ? { ...f, as: name && name !== column ? name : undefined } : f)),
  }));
  // Joins and the key name root fields by their product name: follow the rename.
  if (id === "entity") {
    const newName = name || column;
    const follow = (j: JoinPair) => (j.parent === oldName ? { ...j, parent: newName } : j);
    next = {
      ...next,
      entity: {
        ...next.entity,
        key: typeof next.entity.key === "string"
          ? next.entity.key === oldName ? newName : next.entity.key
          : next.entity.key.map((k) => (k === oldName ? newName : k)),
      },
      related: next.related?.map((r) => ({ ...r, join: r.join.map(follow) })),
      reference: next.reference?.map((r) => ({ ...r, join: r.join.map(follow) })),
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

export function renameTable(def: ProductDefinition, id: NodeId, name: string): { def: ProductDefinition; id: NodeId } {
  const t = table(def, id);
  if (!t) return { def, id };
  if (t.kind === "entity") return { def: { ...def, entity: { ...def.entity, name } }, id };
  const next = update(def, id, (x) => ({ ...x, name }));
  const newId: NodeId = `${t.kind}:${name}`;
  // Quality rules name related tables: follow the rename.
  const quality = next.quality?.map((q) => (q.table === t.name ? { ...q, table: name } : q));
  return { def: { ...next, quality }, id: newId };
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

/**
 * Makes a joined table the root. The old root becomes a related table joined back by the same
 * pairs reversed; other tables keep their joins, which validation checks against the new root.
 */
export function makeRoot(def: ProductDefinition, id: NodeId, columns: ColumnInfo[]): ProductDefinition {
  const t = table(def, id);
  if (!t || t.kind === "entity") return def;
  const oldRoot = def.entity;
  const without = removeTable(def, id);
  const back: JoinPair[] = t.join.map((j) => ({ parent: j.child, child: rootColumn(def, j.parent) }));
  const key = t.join.length ? t.join.map((j) => j.child) : [columns[0]?.name ?? "id"];
  const oldAsRelated: Related = {
    name: tableName(without, oldRoot.source),
    source: oldRoot.source,
    join: back,
    cardinality: "one_to_many",
    fields: oldRoot.fields,
    derived: oldRoot.derived,
  };
  return {
    ...without,
    entity: {
      name: t.name.charAt(0).toUpperCase() + t.name.slice(1),
      source: t.source,
      key: key.length === 1 ? key[0] : key,
      fields: t.fields.length ? t.fields : undefined,
      derived: t.derived.length ? t.derived : undefined,
    },
    related: [...(without.related ?? []), oldAsRelated],
  };
}

export function setMetadata(def: ProductDefinition, patch: Partial<ProductDefinition["metadata"]>): ProductDefinition {
  return { ...def, metadata: { ...def.metadata, ...patch } };
}

/** Which node an issue belongs to, from its path (`related[orders].join[0]` → `related:orders`). */
export function issueNode(path: string): NodeId | null {
  if (path === "entity" || path.startsWith("entity.")) return "entity";
  const m = /^(related|reference)\[([^\]]+)\]/.exec(path);
  return m ? (`${m[1]}:${m[2]}` as NodeId) : null;
}

export function issuesByNode(issues: ModelIssue[]): Map<NodeId | null, ModelIssue[]> {
  const out = new Map<NodeId | null, ModelIssue[]>();
  for (const i of issues) {
    const n = issueNode(i.path);
    out.set(n, [...(out.get(n) ?? []), i]);
  }
  return out;
}
