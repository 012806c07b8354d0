// Sensitive-data suggestions per column, with the evidence, to accept or reject.
import type { ColumnClassification } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";

export const TAG_LABEL: Record<string, string> = {
  email: "Email",
  phone: "Phone",
  person_name: "Person name",
  street_address: "Street address",
  postal_code: "Postal code",
  birth_date: "Birth date",
  national_id: "National id",
  payment_card: "Payment card",
  iban: "IBAN",
  ip_address: "IP address",
  free_text_pii: "PII in free text",
};

function status(c: ColumnClassification): "accepted" | "rejected" | "suggested" | null {
  const tag = c.suggestion?.tag;
  if (!tag) return c.accepted.length ? "accepted" : null;
  if (c.accepted.includes(tag)) return "accepted";
  if (c.rejected.includes(tag)) return "rejected";
  return "suggested";
}

export function PrivacyPanel({ sourceId }: { sourceId: string }) {
  const classified = useIpcQuery(() => api.classifySource(sourceId), [sourceId]);
  const decision = useAction(async (c: ColumnClassification, accepted: boolean) => {
    const tag = c.suggestion?.tag;
    if (!tag) return;
    classified.setData(await api.decideClassification({ sourceId, column: c.column, tag, accepted }));
  });
  const rows = classified.data;
  const error = classified.error ?? decision.error;

  const found = rows?.filter((c) => status(c) !== null) ?? [];
  return (
    <section className="panel" aria-label="Privacy">
      {error && <ErrorBox error={error} />}
      {classified.loading && <p className="loading">Looking for personal data…</p>}
      {rows && (
        <>
          <p className="summary" data-testid="privacy-summary">
            {found.length} of {rows.length} columns hold personal data
          </p>
          <table className="classifications">
            <thead>
              <tr>
                <th>Column</th>
                <th>Classification</th>
                <th>Confidence</th>
                <th>Evidence</th>
                <th>Decision</th>
              </tr>
            </thead>
            <tbody>
              {found.map((c) => {
                const s = status(c);
                return (
                  <tr key={c.column} data-column={c.column} data-status={s ?? ""}>
                    <td>
                      <strong>{c.column}</strong> <code>{c.dtype}</code>
                    </td>
                    <td>
                      <span className={`badge badge-${s}`}>{TAG_LABEL[c.suggestion?.tag ?? c.accepted[0]] ?? c.suggestion?.tag}</span>
                    </td>
                    <td>{c.suggestion ? `${Math.round(c.suggestion.confidence * 100)}%` : ""}</td>
                    <td className="evidence">{c.suggestion?.evidence}</td>
                    <td className="decision">
                      <button
                        className={s === "accepted" ? "on" : ""}
                        aria-pressed={s === "accepted"}
                        onClick={() => void decision.run(c, true)}
                      >
                        Accept
                      </button>
                      <button
                        className={s === "rejected" ? "on" : ""}
                        aria-pressed={s === "rejected"}
                        onClick={() => void decision.run(c, false)}
                      >
                        Reject
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
