// Removing a table removes every table under it: the steward confirms first, seeing which.
import type { ProductDefinition } from "../bindings";
import { Modal } from "../shared/Modal";
import * as D from "./definition";

export function ConfirmRemove({
  def,
  ids,
  onConfirm,
  onClose,
}: {
  def: ProductDefinition;
  ids: D.NodeId[];
  onConfirm: () => void;
  onClose: () => void;
}) {
  const under = ids.flatMap((id) => D.subtreeLabel(def, id)).filter((p) => !ids.some((id) => D.pathOf(id) === p));
  const names = ids.map((id) => D.pathOf(id)).join(", ");
  return (
    <Modal label="Remove tables" title={`Remove ${names}?`} onClose={onClose}>
      <p>
        {under.length === 1 ? "This also removes the table under it:" : `This also removes the ${under.length} tables under it:`}
      </p>
      <ul className="remove-list" data-testid="remove-list">
        {under.map((p) => (
          <li key={p}>
            <code>{p}</code>
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <button className="small" onClick={onClose}>
          Cancel
        </button>{" "}
        <button className="small danger" onClick={onConfirm}>
          Remove {under.length + ids.length} tables
        </button>
      </div>
    </Modal>
  );
}
