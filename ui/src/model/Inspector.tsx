// The modeller's side panel: the selected table's path and place in the tree, its name, kind,
// key, join to its parent, joins suggested from the relationships discovered between sources,
// fields, derived fields and problems; with nothing selected, the product's metadata.
import { useRef } from "react";
import type { ColumnInfo, ModelIssue, ProductDefinition } from "../bindings";
import * as D from "./definition";
import { InspectorDerived, InspectorFields } from "./InspectorFields";
import { InspectorJoins } from "./InspectorJoins";
import { InspectorSuggestions } from "./InspectorSuggestions";
import type { JoinOffer } from "./suggestedJoins";
import type { SuggestedJoinsState } from "./useSuggestedJoins";

export type Edit = (f: (d: ProductDefinition) => ProductDefinition, merge?: string | null) => void;

/** A change to one table's join, measured against the data before it is saved. */
export type JoinEdit = (id: D.NodeId, change: (d: ProductDefinition) => ProductDefinition) => void;

interface Props {
  def: ProductDefinition;
  selected: D.NodeId | null;
  columnsOf: (source: string) => ColumnInfo[] | null;
  issues: ModelIssue[];
  edit: Edit;
  /** An edit of `id`'s join, saved once the data has been asked whether it agrees. */
  editJoin: JoinEdit;
  select: (id: D.NodeId | null) => void;
  onRootChange: () => void;
  /** A table's id changed (renamed, or turned into a lookup): its box keeps its place. */
  onMoved: (from: D.NodeId, to: D.NodeId) => void;
  /** The steward asks to add a table (or lookup) under `parent`. */
  onAddUnder: (parent: D.NodeId, kind: "related" | "reference") => void;
  /** The steward asks to remove a table (and what is under it, once confirmed). */
  onRemove: (id: D.NodeId) => void;
  /** Relationships discovered between sources, offered as joins that add a table here. */
  suggestions: SuggestedJoinsState;
  /** The steward picked one of them. */
  onSuggest: (offer: JoinOffer) => void;
  notify: (message: string) => void;
}

function Issues({ issues }: { issues: ModelIssue[] }) {
  if (!issues.length) return null;
  return (
    <ul className="issues inspector-issues" aria-label="Problems here">
      {issues.map((i) => (
        <li key={`${i.path}:${i.code}:${i.message}`} className={`issue issue-${i.severity}`}>
          <code>{i.path}</code> {i.message}
        </li>
      ))}
    </ul>
  );
}

function Metadata({ def, edit, issues }: Pick<Props, "def" | "edit" | "issues">) {
  const m = def.metadata;
  const text = (key: "name" | "domain" | "owner" | "version" | "description", label: string) => (
    <label>
      {label}
      <input
        value={m[key] ?? ""}
        onChange={(e) => {
          const v = e.target.value;
          edit((d) => D.setMetadata(d, { [key]: key === "description" && !v ? undefined : v }), `meta:${key}`);
        }}
      />
    </label>
  );
  return (
    <aside className="inspector" aria-label="Inspector">
      <h3>Product</h3>
      <div className="form">
        {text("name", "Name")}
        {text("domain", "Domain")}
        {text("owner", "Owner")}
        {text("version", "Version")}
        {text("description", "Description")}
      </div>
      <p className="hint">
        Select a table to edit it. Draw a line from a field of any table to a column of another to hang it under that
        table, or let go on the empty canvas (or drop a source on a box) to add a new one there. Shortcuts: Ctrl+Z
        undo, Ctrl+Shift+Z redo, Delete removes the selection, Shift+L lays the model out.
      </p>
      <Issues issues={issues} />
    </aside>
  );
}

function Key({ def, t, columns, edit }: { def: ProductDefinition; t: D.ModelTable; columns: ColumnInfo[] | null; edit: Edit }) {
  const keys = D.keyFields(def);
  const rows = columns?.length ? columns.map((c) => c.name) : t.fields.map((f) => f.column);
  return (
    <fieldset className="key-picker">
      <legend>Instance key</legend>
      {rows.map((c) => {
        const name = D.rootFieldName(def, c);
        const on = keys.includes(name);
        return (
          <label key={c} className="inline">
            <input
              type="checkbox"
              checked={on}
              onChange={() => {
                const next = on ? keys.filter((k) => k !== name) : [...keys, name];
                if (next.length) edit((d) => D.setKey(d, next));
              }}
            />
            {name}
          </label>
        );
      })}
    </fieldset>
  );
}

/** Where the table is: its path, and what it hangs under on which pairs. */
function Place({ def, t }: { def: ProductDefinition; t: D.ModelTable }) {
  if (t.kind === "entity") return null;
  const parent = t.parent === "entity" ? def.entity.name : D.pathOf(t.parent ?? "entity");
  const on = t.join.map((j) => `${j.parent} = ${j.child}`).join(", ");
  return (
    <p className="table-place">
      <code data-testid="inspector-path">{t.path}</code>
      <br />
      <span data-testid="inspector-under">
        {t.kind === "reference" ? "looked up for" : "under"} <code>{parent}</code>
        {on ? `, joined on ${on}` : ", not joined yet"}
      </span>
    </p>
  );
}

export function Inspector(props: Props) {
  const { def, selected, columnsOf, issues, edit, editJoin, select, onRootChange, onMoved, onAddUnder, onRemove, suggestions, onSuggest, notify } = props;
  // Typing a new name changes the table's id at every key: one undo step for the whole name.
  const renaming = useRef<string | null>(null);
  const t = selected ? D.table(def, selected) : undefined;
  if (!t || !selected) return <Metadata def={def} edit={edit} issues={issues} />;
  const id = selected;
  const columns = columnsOf(t.source);
  const parent = t.parent ? D.table(def, t.parent) : undefined;
  const parentColumns = parent ? columnsOf(parent.source) : null;
  const label = t.kind === "entity" ? def.entity.name : t.path;

  const rename = (name: string) => {
    const out: { r?: D.Renamed } = {};
    edit((d) => {
      out.r = D.renameTable(d, id, name);
      return out.r.def;
    }, renaming.current ?? `name:${id}`);
    if (out.r?.problem) notify(out.r.problem);
    else if (out.r && out.r.id !== id) {
      onMoved(id, out.r.id);
      select(out.r.id);
    }
  };

  return (
    <aside className="inspector" aria-label="Inspector" data-inspecting={id} data-table-path={t.path}>
      <h3>{t.kind === "entity" ? "Root entity" : t.kind === "related" ? "Related table" : "Lookup table"}</h3>
      <Place def={def} t={t} />
      <div className="form">
        <label>
          Name
          <input
            name="table-name"
            value={t.name}
            onFocus={() => (renaming.current = `name:${id}`)}
            onBlur={() => (renaming.current = null)}
            onChange={(e) => rename(e.target.value)}
          />
        </label>
        <p className="hint">
          Source <code>{t.source}</code>
        </p>
        {t.kind !== "entity" && (
          <label>
            Kind
            <select
              name="table-kind"
              value={t.kind}
              onChange={(e) => {
                const out: { id?: D.NodeId } = {};
                edit((d) => {
                  const r = D.setKind(d, id, e.target.value as "related" | "reference");
                  out.id = r.id;
                  return r.def;
                });
                if (out.id && out.id !== id) {
                  onMoved(id, out.id);
                  select(out.id);
                }
              }}
            >
              <option value="related">Related rows (nested under each {parent?.kind === "entity" ? def.entity.name : parent?.path} row)</option>
              <option value="reference" disabled={t.children.length > 0}>
                Lookup (fields added to each {parent?.kind === "entity" ? def.entity.name : parent?.path} row)
              </option>
            </select>
          </label>
        )}
        {t.kind === "related" && (
          <label>
            Cardinality
            <select
              name="cardinality"
              value={t.cardinality ?? "one_to_many"}
              onChange={(e) => edit((d) => D.setCardinality(d, id, e.target.value as "one_to_one" | "one_to_many"))}
            >
              <option value="one_to_many">one to many</option>
              <option value="one_to_one">one to one</option>
            </select>
          </label>
        )}
      </div>
      {t.kind === "entity" && <Key def={def} t={t} columns={columns} edit={edit} />}
      {t.kind !== "entity" && <InspectorJoins def={def} t={t} columns={columns} parentColumns={parentColumns} edit={edit} editJoin={editJoin} />}
      {t.kind !== "reference" && (
        <div className="inspector-actions" role="group" aria-label="Add under this table">
          <button className="small" onClick={() => onAddUnder(id, "related")}>
            + Table under {label}
          </button>
          <button className="small" onClick={() => onAddUnder(id, "reference")}>
            + Lookup on {label}
          </button>
        </div>
      )}
      {t.kind !== "reference" && <InspectorSuggestions def={def} t={t} state={suggestions} onApply={onSuggest} />}
      <InspectorFields t={t} columns={columns} edit={edit} />
      {t.kind !== "reference" && <InspectorDerived t={t} edit={edit} />}
      <Issues issues={issues} />
      {t.kind !== "entity" && (
        <div className="inspector-actions">
          {D.canMakeRoot(t) && (
            <button
              className="small"
              onClick={() => {
                edit((d) => D.makeRoot(d, id, columns ?? []));
                select("entity");
                onRootChange();
              }}
            >
              Make root
            </button>
          )}
          <button className="small danger" onClick={() => onRemove(id)}>
            Remove from model
          </button>
        </div>
      )}
    </aside>
  );
}
