// The join of a table to its parent, pair by pair: a field of the PARENT table (the root, or the
// related table it hangs under) = a column of this table; each pair edited in place.
import type { ColumnInfo, ProductDefinition } from "../bindings";
import * as D from "./definition";
import type { Edit, JoinEdit } from "./Inspector";

interface Props {
  def: ProductDefinition;
  t: D.ModelTable;
  /** This table's source columns. */
  columns: ColumnInfo[] | null;
  /** The parent's source columns (its fields, when it lists none). */
  parentColumns: ColumnInfo[] | null;
  edit: Edit;
  editJoin: JoinEdit;
}

export function InspectorJoins({ def, t, columns, parentColumns, edit, editJoin }: Props) {
  const parent = t.parent ? D.table(def, t.parent) : undefined;
  if (!parent) return null;
  const id = t.id;
  const parentLabel = parent.kind === "entity" ? def.entity.name : parent.path;
  const parentFields = D.fieldNames(def, parent.id, parentColumns);
  const own = columns?.map((c) => c.name) ?? t.fields.map((f) => f.column);
  const suggestion = columns ? D.suggestedJoin(def, id, columns, parentColumns) : null;
  // A pair naming a field or column that is no longer there still shows, as written.
  const options = (names: string[], current: string) => (names.includes(current) ? names : [current, ...names]);
  return (
    <section aria-label="Joins">
      <h4>
        Joined to <code>{parentLabel}</code> on
      </h4>
      {t.join.length === 0 && <p className="hint">Not joined yet: draw a line from a field of {parentLabel}, or add a pair.</p>}
      <ul className="joins">
        {t.join.map((j, i) => (
          <li key={i} data-join={`${j.parent}=${j.child}`}>
            <select
              aria-label={`Field of ${parentLabel} in pair ${i + 1}`}
              value={j.parent}
              onChange={(e) => {
                const parent = e.target.value;
                editJoin(id, (d) => D.updateJoin(d, id, i, { parent }));
              }}
            >
              {options(parentFields, j.parent).map((f) => (
                <option key={f} value={f}>
                  {parentLabel}.{f}
                </option>
              ))}
            </select>
            <span aria-hidden="true">=</span>
            <select
              aria-label={`Column of ${t.name} in pair ${i + 1}`}
              value={j.child}
              onChange={(e) => {
                const child = e.target.value;
                editJoin(id, (d) => D.updateJoin(d, id, i, { child }));
              }}
            >
              {options(own, j.child).map((c) => (
                <option key={c} value={c}>
                  {t.name}.{c}
                </option>
              ))}
            </select>
            <button className="small" aria-label={`Remove join ${j.parent} = ${j.child}`} onClick={() => edit((d) => D.removeJoin(d, id, i))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="join-actions">
        {suggestion && (
          <button className="small" onClick={() => editJoin(id, (d) => D.addJoin(d, id, suggestion))}>
            Join on {suggestion.parent} = {suggestion.child}
          </button>
        )}
        {parentFields.length > 0 && own.length > 0 && (
          <button
            className="small"
            onClick={() => editJoin(id, (d) => D.addJoin(d, id, { parent: parentFields[0], child: own.includes(parentFields[0]) ? parentFields[0] : own[0] }))}
          >
            + Join pair
          </button>
        )}
      </div>
    </section>
  );
}
