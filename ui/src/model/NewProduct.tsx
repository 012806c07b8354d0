// Starting a product: its id, the entity's business name, the root source and its key.
import { useEffect, useState } from "react";
import { api } from "../shared/api";
import type { ColumnInfo, IpcError, SourceSummary } from "../bindings";
import { Modal } from "../shared/Modal";
import { ErrorBox } from "../shared/ErrorBox";

interface Props {
  sources: SourceSummary[];
  taken: string[];
  onCreated: (id: string) => void;
  onClose: () => void;
}

const ID = /^[a-z][a-z0-9_-]{0,63}$/;

export function NewProductDialog({ sources, taken, onCreated, onClose }: Props) {
  const [id, setId] = useState("");
  const [entity, setEntity] = useState("");
  const [owner, setOwner] = useState("");
  const [source, setSource] = useState(sources[0]?.id ?? "");
  const [columns, setColumns] = useState<ColumnInfo[]>([]);
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  useEffect(() => {
    if (!source) return;
    let live = true;
    setColumns([]);
    api
      .inspectSource(source)
      .then((i) => {
        if (!live) return;
        setColumns(i.columns);
        // The first column named like an id is usually the key.
        const guess = i.columns.find((c) => /(^id$|_id$)/i.test(c.name)) ?? i.columns[0];
        setKey(guess?.name ?? "");
      })
      .catch((e: IpcError) => live && setError(e));
    return () => {
      live = false;
    };
  }, [source]);

  const idProblem = !id
    ? null
    : !ID.test(id)
      ? "Use lowercase letters, digits, - and _, starting with a letter."
      : taken.includes(id)
        ? `A product named ${id} already exists.`
        : null;

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.createProduct({ productId: id, entity, sourceId: source, key: [key], owner });
      onCreated(id);
    } catch (e) {
      setError(e as IpcError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal label="New product" title="New data product" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
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
          <select name="root-source" value={source} onChange={(e) => setSource(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Instance key
          <select name="key" value={key} onChange={(e) => setKey(e.target.value)}>
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
