// A join the data contradicts, shown with the measured numbers before it is saved.
import type { Contradicted } from "./useJoinCheck";

export function ContradictedJoin({ contradicted, onJoin, onCancel }: { contradicted: Contradicted; onJoin: () => void; onCancel: () => void }) {
  return (
    <div className="confirm contradicted" role="alertdialog" aria-label="The data contradicts this join" data-testid="contradicted-join">
      <strong>The data contradicts the join of {contradicted.table}:</strong>
      <ul>
        {contradicted.issues.map((i) => (
          <li key={`${i.path}:${i.code}`} data-code={i.code}>
            {i.message}
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <button className="small" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button className="small" onClick={onJoin}>
          Join anyway
        </button>
      </div>
    </div>
  );
}
