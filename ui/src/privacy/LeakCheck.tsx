// What a masking profile does to each field it covers: the rule's properties, and the leak
// check (original values that survive masking), then key-remap collisions, warnings and broken
// thresholds.
import type { PrivacyReport } from "../bindings";

function Yes({ on }: { on: boolean }) {
  return <span className={on ? "prop yes" : "prop no"}>{on ? "yes" : "–"}</span>;
}

/** Leaks of one masked field: original values kept in their own record (the same or another
 * masked column), and originals met elsewhere in the column (shown, not counted). */
export function fieldLeaks(report: PrivacyReport, table: string, field: string) {
  const c = report.leaks.find((t) => t.table === table)?.columns.find((x) => x.column === field);
  if (!c) return null;
  return { leaks: c.same_row + c.other_columns.reduce((n, [, k]) => n + k, 0), anywhere: c.anywhere };
}

export function LeakCheck({ report }: { report: PrivacyReport }) {
  return (
    <>
      <h3 data-testid="leak-summary">
        Leak check: {report.total_leaks === 0 ? "clean" : `${report.total_leaks} original values survive`}
      </h3>
      <table className="relations properties">
        <thead>
          <tr>
            <th>Field</th>
            <th>Rule</th>
            <th>Deterministic</th>
            <th>Reversible</th>
            <th>Format</th>
            <th>Unique</th>
            <th>Locale</th>
            <th>Leaks</th>
          </tr>
        </thead>
        <tbody>
          {report.fields.map((f) => {
            const l = fieldLeaks(report, f.table, f.field);
            return (
              <tr key={`${f.table}.${f.field}`} data-masked-field={`${f.table}.${f.field}`}>
                <td>
                  {f.table}.{f.field} <small>{f.via}</small>
                </td>
                <td>{f.rule}</td>
                <td>
                  <Yes on={f.properties.deterministic} />
                </td>
                <td>
                  <Yes on={f.properties.reversible} />
                </td>
                <td>
                  <Yes on={f.properties.format_preserving} />
                </td>
                <td>
                  <Yes on={f.properties.unique_preserving} />
                </td>
                <td>
                  <Yes on={f.properties.locale_aware} />
                </td>
                <td data-leaks={l?.leaks ?? 0}>{l ? `${l.leaks}${l.anywhere ? ` (${l.anywhere} elsewhere)` : ""}` : "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {report.collisions.length > 0 && (
        <p className="summary">
          Key remaps: {report.collisions
            .map((c) => `${c.table}.${c.field} ${c.collisions === 0 ? "no collisions" : `${c.collisions} collisions`}`).join(" · ")}
        </p>
      )}
      {report.warnings.map((w) => (
        <p key={w} className="issue issue-warning">
          {w}
        </p>
      ))}
      {report.violations.map((v) => (
        <p key={v} className="issue issue-error">
          {v}
        </p>
      ))}
    </>
  );
}
