// Adding a table under another: which source, whether its rows nest under each parent row or it
// looks fields up for them, and the join — a field of the parent, a column of the new table.
// Opened from a box's +, the inspector, a source dropped on a box, or a line drawn from a field
// and let go on the empty canvas.
import { useState } from "react";
import type { CanvasPosition, ColumnInfo, ProductDefinition, SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { Modal } from "../shared/Modal";
import * as D from "./definition";

/** What the steward started from: the parent, and the field or source already chosen. */
export interface AddChildRequest {
  parent: D.NodeId;
  /** A product field of the parent (the row a line was drawn from, or a source dropped on). */
  field?: string;
  source?: string;
  kind?: "related" | "reference";
  /** Where on the canvas the new box goes (where the line or source was let go). */
  at?: CanvasPosition;
}

interface Props {
  def: ProductDefinition;
  request: AddChildRequest;
  sources: SourceSummary[];
  /** Columns of the parent's source, to offer its fields when it lists none. */
  parentColumns: ColumnInfo[] | null;
  onAdd: (child: D.NewChild) => void;
  onClose: () => void;
}

export function AddChildDialog({ def, request, sources, parentColumns, onAdd, onClose }: Props) {
  const parent = D.table(def, request.parent);
  const [source, setSource] = useState(request.source ?? "");
  const [kind, setKind] = useState<"related" | "reference">(request.kind ?? "related");
  const [name, setName] = useState("");
  const [pickedField, setPickedField] = useState<string | null>(request.field ?? null);
  const [pickedColumn, setPickedColumn] = useState<string | null>(null);
  const inspected = useIpcQuery(() => (source ? api.inspectSource(source) : Promise.resolve(null)), [source]);
  const columns = inspected.data?.columns.map((c) => c.name) ?? [];

  if (!parent) return null;
  const parentLabel = parent.kind === "entity" ? def.entity.name : parent.path;
  const parentFields = D.fieldNames(def, parent.id, parentColumns);
  const keys = D.keyFields(def);
  // Until the steward picks them, the join guesses a same-named pair.
  const guess = columns.length
    ? D.suggestPair(
        (pickedField ? [pickedField] : parentFields).map((f) => ({ field: f, column: D.columnOf(parent, f) })),
        columns,
        parent.kind === "entity" ? keys : [],
        parent.kind === "entity" ? [] : keys,
      )
    : null;
  const field = pickedField ?? guess?.parent ?? parentFields[0] ?? "";
  const column = pickedColumn && columns.includes(pickedColumn) ? pickedColumn : (guess?.child ?? columns[0] ?? "");
  const defaultName = source ? D.tableName(def, source, parent.id) : "";
  const title = kind === "reference" ? `Add a lookup on ${parentLabel}` : `Add a table under ${parentLabel}`;

  return (
    <Modal label="Add a table" title={title} onClose={onClose}>
      <form
        className="form add-child"
        data-parent={parent.path}
        onSubmit={(e) => {
          e.preventDefault();
          if (!source) return;
          onAdd({
            source,
            kind,
            name: name.trim() || undefined,
            join: field && column ? [{ parent: field, child: column }] : [],
          });
        }}
      >
        <label>
          Source
          <select name="child-source" value={source} onChange={(e) => setSource(e.target.value)}>
            <option value="">Choose a source…</option>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="child-kind" value={kind} onChange={(e) => setKind(e.target.value as "related" | "reference")}>
            <option value="related">Related rows (nested under each {parentLabel} row)</option>
            <option value="reference">Lookup (fields added to each {parentLabel} row)</option>
          </select>
        </label>
        <label>
          Name
          <input name="child-name" value={name} placeholder={defaultName} onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset className="join-picker">
          <legend>Joined on</legend>
          <select name="join-parent" aria-label={`Field of ${parentLabel}`} value={field} onChange={(e) => setPickedField(e.target.value)}>
            {parentFields.map((f) => (
              <option key={f} value={f}>
                {parentLabel}.{f}
              </option>
            ))}
          </select>
          <span aria-hidden="true"> = </span>
          <select
            name="join-child"
            aria-label="Column of the new table"
            value={column}
            disabled={!columns.length}
            onChange={(e) => setPickedColumn(e.target.value)}
          >
            {columns.map((c) => (
              <option key={c} value={c}>
                {(name.trim() || defaultName || "table")}.{c}
              </option>
            ))}
          </select>
        </fieldset>
        {inspected.error && <ErrorBox error={inspected.error} />}
        <p className="hint">
          The new table will be <code>{parent.kind === "entity" ? name.trim() || defaultName : `${parent.path}.${name.trim() || defaultName}`}</code>.
        </p>
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!source || inspected.loading}>
            {kind === "reference" ? `Add lookup on ${parentLabel}` : `Add under ${parentLabel}`}
          </button>
        </div>
      </form>
    </Modal>
  );
}
