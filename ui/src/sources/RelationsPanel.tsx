// Suggested join keys across the workspace's sources.
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";

export function RelationsPanel() {
  const { data: report, error, loading } = useIpcQuery(() => api.discoverRelations(), []);
  return (
    <section className="panel" aria-label="Relationships">
      {error && <ErrorBox error={error} />}
      {loading && <p className="loading">Comparing keys across sources…</p>}
      {report && (
        <>
          <table className="relations">
            <thead>
              <tr>
                <th>Child</th>
                <th>Parent key</th>
                <th>Score</th>
                <th>Inclusion</th>
                <th>Cardinality</th>
                <th>Orphans</th>
                <th>Evidence</th>
              </tr>
            </thead>
            <tbody>
              {report.suggestions.map((r) => (
                <tr key={`${r.child}.${r.child_column}->${r.parent}.${r.parent_column}`}>
                  <td>
                    <code>
                      {r.child}.{r.child_column}
                    </code>
                  </td>
                  <td>
                    <code>
                      {r.parent}.{r.parent_column}
                    </code>
                  </td>
                  <td>{r.score.toFixed(2)}</td>
                  <td>{(r.inclusion * 100).toFixed(1)}%</td>
                  <td>{r.cardinality}</td>
                  <td>
                    {r.orphan_rows.toLocaleString("en-US")} ({(r.orphan_share * 100).toFixed(1)}%)
                  </td>
                  <td className="evidence">{r.evidence}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.skipped.map((e) => (
            <ErrorBox key={e.source_id} error={{ code: e.code, message: `${e.source_id}: ${e.message}` }} />
          ))}
        </>
      )}
    </section>
  );
}
