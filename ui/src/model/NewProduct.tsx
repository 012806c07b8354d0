// Starting a product: its id, the entity's business name, the root source and its key.
import { useState } from "react";
import type { ColumnInfo, SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";
import { Modal } from "../shared/Modal";

interface Props {
  sources: SourceSummary[];
  taken: string[];
  onCreated: (id: string) => void;
  onClose: () => void;
}

const ID = /^[a-z][a-z0-9_-]{0,63}$/;

/** The first column named like an id is usually the key. */
function guessKey(columns: ColumnInfo[]): string {
  return (columns.find((c) => /(^id$|_id$)/i.test(c.name)) ?? columns[0])?.name ?? "";
}

export function NewProductDialog({ sources, taken, onCreated, onClose }: Props) {
  const [id, setId] = useState("");
  const [entity, setEntity] = useState("");
  const [owner, setOwner] = useState("");
  const [source, setSource] = useState(sources[0]?.id ?? "");
  const inspected = useIpcQuery(() => (source ? api.inspectSource(source) : Promise.resolve(null)), [source]);
  const columns = inspected.data?.columns ?? [];
  // The key the steward picked; until then (and after choosing another root source), the guess.
  const [picked, setPicked] = useState<string | null>(null);
  const key = picked ?? guessKey(columns);

  const idProblem = !id
    ? null
    : !ID.test(id)
      ? "Use lowercase letters, digits, - and _, starting with a letter."
      : taken.includes(id)
        ? `A product named ${id} already exists.`
        : null;

  const create = useAction(async () => {
    await api.createProduct({ productId: id, entity, sourceId: source, key: [key], owner });
    onCreated(id);
  });
  const busy = create.busy;
  const error = create.error ?? inspected.error;

  return (
    <Modal label="New product" title="New data product" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <label>
          Product id
          <input name="product-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="customer360" />
        </label>
        {idProblem && <p className="field-error">{idProblem}</p>}
        <label>
          Entity
          <input name="entity" value={entity} onChange={(e) => setEntity(e.target.value)} placeholder="Customer" />
        </label>
        <label>
          Owner
          <input name="owner" value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="customer-data@example.com" />
        </label>
        <label>
          Root source
          <select name="root-source" value={source} onChange={(e) => {
              setSource(e.target.value);
              setPicked(null);
            }}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Instance key
          <select name="key" value={key} onChange={(e) => setPicked(e.target.value)}>
            {columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.dtype})
              </option>
            ))}
          </select>
        </label>
        {error && <ErrorBox error={error} />}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !id || !!idProblem || !entity.trim() || !owner.trim() || !key}>
            Create and open on the canvas
          </button>
        </div>
      </form>
    </Modal>
  );
}
