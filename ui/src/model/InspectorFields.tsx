// A table's fields in the inspector: which columns are in the product, under what name and type;
// and its derived fields, computed with SQL from the others.
import type { ColumnInfo, FieldType } from "../bindings";
import * as D from "./definition";
import type { Edit } from "./Inspector";

const TYPES: FieldType[] = ["str", "i64", "f64", "bool", "date", "datetime"];

function TypeOptions({ empty }: { empty: string }) {
  return (
    <>
      <option value="">{empty}</option>
      {TYPES.map((x) => (
        <option key={x} value={x}>
          {x}
        </option>
      ))}
    </>
  );
}

export function InspectorFields({ t, columns, edit }: { t: D.ModelTable; columns: ColumnInfo[] | null; edit: Edit }) {
  const id = t.id;
  const cols = columns ?? [];
  const rows = cols.length ? cols.map((c) => c.name) : t.fields.map((f) => f.column);
  return (
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
                  <input type="checkbox" checked={on} aria-label={`Include ${c}`} onChange={() => edit((d) => D.toggleField(d, id, c, cols))} />
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
                    onChange={(e) => edit((d) => D.setFieldType(d, id, c, (e.target.value || undefined) as FieldType | undefined, cols))}
                  >
                    <TypeOptions empty="(as read)" />
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function InspectorDerived({ t, edit }: { t: D.ModelTable; edit: Edit }) {
  const id = t.id;
  return (
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
            onChange={(e) => edit((x) => D.updateDerived(x, id, i, { type: (e.target.value || undefined) as FieldType | undefined }))}
          >
            <TypeOptions empty="(inferred)" />
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
  );
}
