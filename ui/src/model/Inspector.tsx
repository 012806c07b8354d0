// The modeller's side panel: the selected table's name, key, joins, fields (pick, rename,
// type), derived fields and problems; with nothing selected, the product's metadata.
import type { ColumnInfo, FieldType, ModelIssue, ProductDefinition } from "../bindings";
import * as D from "./definition";

const TYPES: FieldType[] = ["str", "i64", "f64", "bool", "date", "datetime"];

interface Props {
  def: ProductDefinition;
  selected: D.NodeId | null;
  columns: ColumnInfo[] | null;
  issues: ModelIssue[];
  edit: (f: (d: ProductDefinition) => ProductDefinition, merge?: string | null) => void;
  select: (id: D.NodeId | null) => void;
  onRootChange: () => void;
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
        Select a table to edit it. Draw a relationship from a field of the root to a field of another table. Shortcuts:
        Ctrl+Z undo, Ctrl+Shift+Z redo, Delete removes the selection, Shift+L lays the model out.
      </p>
      <Issues issues={issues} />
    </aside>
  );
}

export function Inspector({ def, selected, columns, issues, edit, select, onRootChange }: Props) {
  const t = selected ? D.table(def, selected) : undefined;
  if (!t || !selected) return <Metadata def={def} edit={edit} issues={issues} />;
  const id = selected;
  const cols = columns ?? [];
  const rows = cols.length ? cols.map((c) => c.name) : t.fields.map((f) => f.column);
  const suggestion = columns ? D.suggestedJoin(def, id, columns) : null;
  const keys = D.keyFields(def);
  return (
    <aside className="inspector" aria-label="Inspector" data-inspecting={id}>
      <h3>{t.kind === "entity" ? "Root entity" : t.kind === "related" ? "Related table" : "Reference table"}</h3>
      <div className="form">
        <label>
          Name
          <input
            name="table-name"
            value={t.name}
            onChange={(e) => {
              const name = e.target.value;
              let next: D.NodeId = id;
              edit((d) => {
                const r = D.renameTable(d, id, name);
                next = r.id;
                return r.def;
              }, `name:${id}`);
              select(next);
            }}
          />
        </label>
        <p className="hint">
          Source <code>{t.source}</code>
        </p>
        {t.kind !== "entity" && (
          <label>
            Kind
            <select
              value={t.kind}
              onChange={(e) => {
                let next: D.NodeId = id;
                edit((d) => {
                  const r = D.setKind(d, id, e.target.value as "related" | "reference");
                  next = r.id;
                  return r.def;
                });
                select(next);
              }}
            >
              <option value="related">Related rows (nested in each entity)</option>
              <option value="reference">Reference (lookup fields on the root)</option>
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
      {t.kind === "entity" && (
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
      )}
      {t.kind !== "entity" && (
        <section aria-label="Joins">
          <h4>Joined to {def.entity.name} on</h4>
          {t.join.length === 0 && <p className="hint">Not joined yet: draw a line from a field of the root.</p>}
          <ul className="joins">
            {t.join.map((j, i) => (
              <li key={`${j.parent}=${j.child}`} data-join={`${j.parent}=${j.child}`}>
                <code>
                  {def.entity.name}.{j.parent} = {t.name}.{j.child}
                </code>
                <button className="small" aria-label={`Remove join ${j.parent} = ${j.child}`} onClick={() => edit((d) => D.removeJoin(d, id, i))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          {suggestion && (
            <button className="small" onClick={() => edit((d) => D.addJoin(d, id, suggestion))}>
              Join on {suggestion.parent} = {suggestion.child}
            </button>
          )}
        </section>
      )}
      <section aria-label="Fields">
        <h4>Fields</h4>
        <table className="field-table">
          <tbody>
            {rows.map((c) => {
              const f = t.fields.find((x) => x.column === c);
              const on = D.isSelected(t, c);
              const dtype = cols.find((x) => x.name === c)?.dtype ?? "";
              return (
                <tr key={c} data-field-row={c}>
                  <td>
                    <input
                      type="checkbox"
                      checked={on}
                      aria-label={`Include ${c}`}
                      onChange={() => edit((d) => D.toggleField(d, id, c, cols))}
                    />
                  </td>
                  <td className="field-col" title={dtype}>
                    {c}
                  </td>
                  <td>
                    <input
                      aria-label={`Name of ${c} in the product`}
                      placeholder={c}
                      disabled={!on}
                      value={f?.as ?? ""}
                      onChange={(e) => edit((d) => D.renameField(d, id, c, e.target.value, cols), `rename:${id}:${c}`)}
                    />
                  </td>
                  <td>
                    <select
                      aria-label={`Type of ${c}`}
                      disabled={!on}
                      value={f?.type ?? D.fieldType(dtype) ?? ""}
                      onChange={(e) =>
                        edit((d) => D.setFieldType(d, id, c, (e.target.value || undefined) as FieldType | undefined, cols))
                      }
                    >
                      <option value="">(as read)</option>
                      {TYPES.map((x) => (
                        <option key={x} value={x}>
                          {x}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {t.kind !== "reference" && (
        <section aria-label="Derived fields">
          <h4>Derived fields</h4>
          {t.derived.map((d, i) => (
            <div key={i} className="derived-editor" data-derived={d.name}>
              <input
                aria-label="Derived field name"
                value={d.name}
                onChange={(e) => edit((x) => D.updateDerived(x, id, i, { name: e.target.value }), `derived-name:${id}:${i}`)}
              />
              <select
                aria-label="Derived field type"
                value={d.type ?? ""}
                onChange={(e) =>
                  edit((x) => D.updateDerived(x, id, i, { type: (e.target.value || undefined) as FieldType | undefined }))
                }
              >
                <option value="">(inferred)</option>
                {TYPES.map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </select>
              <textarea
                aria-label="SQL expression"
                placeholder="first_name || ' ' || last_name"
                value={d.sql}
                onChange={(e) => edit((x) => D.updateDerived(x, id, i, { sql: e.target.value }), `derived-sql:${id}:${i}`)}
              />
              <button className="small" onClick={() => edit((x) => D.removeDerived(x, id, i))}>
                Remove
              </button>
            </div>
          ))}
          <button className="small" onClick={() => edit((x) => D.addDerived(x, id))}>
            + Derived field
          </button>
        </section>
      )}
      <Issues issues={issues} />
      {t.kind !== "entity" && (
        <div className="inspector-actions">
          <button
            className="small"
            onClick={() => {
              edit((d) => D.makeRoot(d, id, cols));
              select("entity");
              onRootChange();
            }}
          >
            Make root
          </button>
          <button
            className="small danger"
            onClick={() => {
              edit((d) => D.removeTable(d, id));
              select(null);
            }}
          >
            Remove from model
          </button>
        </div>
      )}
    </aside>
  );
}
