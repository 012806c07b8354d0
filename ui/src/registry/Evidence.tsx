// What a publish carries beside the definition: the evidence Steward measured on the data
// (validation, quality, every masking profile's k, leaks and uncovered personal data) and what
// the registry's central policy finds missing in it, each with its fix.
import type { Evidence, Shortfall } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { count } from "../shared/plural";

export function EvidenceSummary({ evidence }: { evidence: Evidence }) {
  const q = evidence.quality;
  return (
    <div className="evidence" data-testid="evidence">
      <p className="summary">
        Measured {evidence.measured_at} over {count(evidence.entities, "entity", "entities")} · validation: {count(evidence.validation.errors, "error")},{" "}
        {count(evidence.validation.warnings, "warning")} · quality: {q.passed} of {count(q.rules, "rule")} pass
        {q.failed.length > 0 && ` (failing: ${q.failed.join(", ")})`}
      </p>
      {(evidence.dismissed ?? []).length > 0 && (
        <p className="issue issue-warning" data-testid="dismissed">
          Personal data the steward dismissed: {(evidence.dismissed ?? []).map((f) => `${f.field} (${f.tag})`).join(", ")}
        </p>
      )}
      {evidence.profiles.length === 0 ? (
        <p className="hint">No masking profile.</p>
      ) : (
        <table className="relations" aria-label="Evidence per profile">
          <thead>
            <tr>
              <th>Profile</th>
              <th>Rules</th>
              <th>k</th>
              <th>Leaks</th>
              <th>Uncovered personal data</th>
            </tr>
          </thead>
          <tbody>
            {evidence.profiles.map((p) => (
              <tr key={p.name} data-profile={p.name}>
                <td>{p.name}</td>
                <td>{p.masked.length}</td>
                <td data-col="k" title={p.quasi_identifiers.join(", ")}>
                  {p.k ?? "—"}
                </td>
                <td data-col="leaks">{p.leaks}</td>
                <td>{p.uncovered.length === 0 ? "none" : p.uncovered.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Shortfalls({ shortfalls }: { shortfalls: Shortfall[] }) {
  if (shortfalls.length === 0) return <p className="model-status" data-testid="policy-ok">Meets the central policy of its domain.</p>;
  return (
    <div data-testid="policy-shortfalls">
      <p className="issue issue-error">
        Misses the central policy of its domain ({shortfalls.length} {shortfalls.length === 1 ? "requirement" : "requirements"}): the registry refuses it.
      </p>
      <ul className="shortfalls">
        {shortfalls.map((s) => (
          <li key={s.requirement} data-requirement={s.requirement}>
            <strong>{s.requirement}</strong>: {s.message}
            <br />
            <span className="hint">Fix: {s.fix}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The evidence a published version carries, fetched when the steward opens it. */
export function VersionEvidenceView({ name, version }: { name: string; version: string }) {
  const { data, error } = useIpcQuery(() => api.registryEvidence({ name, version }), [name, version]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p className="loading">Loading evidence…</p>;
  return (
    <div data-testid="version-evidence" data-version={version}>
      {data.evidence ? <EvidenceSummary evidence={data.evidence} /> : <p className="hint">Published without evidence.</p>}
      {data.waiver && (
        <p className="issue issue-warning" data-testid="waiver">
          Published under a privacy officer's override: {data.waiver.reason} (waived: {data.waiver.waives.join(", ")})
        </p>
      )}
    </div>
  );
}
