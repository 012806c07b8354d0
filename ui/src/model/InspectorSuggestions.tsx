// The inspector's "Suggested joins": the relationships Steward discovered between sources that
// would attach a new table to the selected one, best first, each added with one click.
import type { ProductDefinition } from "../bindings";
import { ErrorBox } from "../shared/ErrorBox";
import type * as D from "./definition";
import { suggestedJoins, type JoinOffer } from "./suggestedJoins";
import type { SuggestedJoinsState } from "./useSuggestedJoins";

interface Props {
  def: ProductDefinition;
  t: D.ModelTable;
  state: SuggestedJoinsState;
  onApply: (offer: JoinOffer) => void;
}

export function InspectorSuggestions({ def, t, state, onApply }: Props) {
  const { relations, loading, progress, error, retry } = state;
  const offers = relations ? suggestedJoins(def, t.path, relations) : [];
  return (
    <section className="suggested-joins" aria-label="Suggested joins" data-testid="suggested-joins">
      <h4>Suggested joins</h4>
      {loading && (
        <p className="hint" role="status" data-testid="suggested-joins-progress">
          Reading sources…{progress && progress.total > 0 ? ` (${Math.min(progress.done + 1, progress.total)} of ${progress.total})` : ""}
        </p>
      )}
      {error && (
        <>
          <ErrorBox error={error} />
          <button className="small" onClick={retry}>
            Retry
          </button>
        </>
      )}
      {relations && offers.length === 0 && <p className="hint">No discovered relationship adds a new table here.</p>}
      {offers.length > 0 && (
        <ul className="suggestions">
          {offers.map((o) => (
            <li key={o.id}>
              <button className="small" data-suggestion={o.key} title={o.evidence} onClick={() => onApply(o)}>
                {o.label}
              </button>
              <span className="hint">
                {o.child.kind === "related" ? (o.child.cardinality === "one_to_one" ? "one to one" : "one to many") : "lookup"}, score {o.score.toFixed(2)}: {o.evidence}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
