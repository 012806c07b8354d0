// Suggested join keys across the workspace's sources, with progress and Cancel while sources
// are read. Steward keeps the result until a source changes, so coming back is instant.
import { useEffect, useRef, useState } from "react";
import type { Relation, ScanProgress } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";

/** `orders.o_custkey`, or `lineitem.(l_partkey, l_suppkey)` for a composite key. */
function columns(table: string, cs: string[]): string {
  return cs.length === 1 ? `${table}.${cs[0]}` : `${table}.(${cs.join(", ")})`;
}

function key(r: Relation): string {
  return `${columns(r.child, r.child_columns)}->${columns(r.parent, r.parent_columns)}`;
}

export function RelationsPanel() {
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const scan = useRef<number | null>(null);
  const query = useIpcQuery(() => {
    const { scanId, result } = api.discoverRelations((p) => scan.current === scanId && setProgress(p));
    scan.current = scanId;
    return result.finally(() => {
      if (scan.current !== scanId) return;
      scan.current = null;
      setProgress(null);
    });
  }, []);
  // Leaving the panel stops the reading; the next visit starts again (or finds it kept).
  useEffect(
    () => () => {
      if (scan.current !== null) void api.cancelScan(scan.current);
    },
    [],
  );
  const { data: report, error, loading } = query;
  return (
    <section className="panel" aria-label="Relationships">
      {error && <ErrorBox error={error} />}
      {error?.code === "profile.cancelled" && <button onClick={query.reload}>Compare again</button>}
      {loading && (
        <div className="progress" role="status">
          <span>{progress ? `Reading ${progress.stage} (source ${Math.min(progress.done + 1, progress.total)} of ${progress.total})` : "Comparing keys across sources…"}</span>
          <progress max={progress?.total || 1} value={progress?.done ?? 0} />
          <button onClick={() => scan.current !== null && void api.cancelScan(scan.current)}>Cancel</button>
        </div>
      )}
      {report && (
        <>
          <table className="relations">
            <thead>
              <tr>
                <th>Child</th>
                <th>Parent key</th>
                <th>Role</th>
                <th>Score</th>
                <th>Inclusion</th>
                <th title="Share of the parent's keys that some child row refers to">Covers</th>
                <th>Cardinality</th>
                <th>Orphans</th>
                <th>Evidence</th>
              </tr>
            </thead>
            <tbody>
              {report.suggestions.map((r) => (
                <tr key={key(r)} data-relation={key(r)} data-role={r.role}>
                  <td>
                    <code>{columns(r.child, r.child_columns)}</code>
                  </td>
                  <td>
                    <code>{columns(r.parent, r.parent_columns)}</code>
                  </td>
                  <td title={r.role === "child" ? "its rows belong under the parent's" : "it looks the parent up"}>{r.role === "child" ? "child" : "lookup"}</td>
                  <td>{r.score.toFixed(2)}</td>
                  <td>{(r.inclusion * 100).toFixed(1)}%</td>
                  <td>{(r.parent_coverage * 100).toFixed(1)}%</td>
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
