// What a masking profile does to each field it covers: the rule's properties, and the leak
// check (original values that survive masking), then key-remap collisions, warnings and broken
// thresholds.
import type { PrivacyReportInfo } from "../bindings";

function Yes({ on }: { on: boolean }) {
  return <span className={on ? "prop yes" : "prop no"}>{on ? "yes" : "–"}</span>;
}

export function LeakCheck({ report }: { report: PrivacyReportInfo }) {
  return (
    <>
      <h3 data-testid="leak-summary">
        Leak check: {report.totalLeaks === 0 ? "clean" : `${report.totalLeaks} original values survive`}
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
            const l = report.leaks.find((x) => x.table === f.table && x.field === f.field);
            return (
              <tr key={`${f.table}.${f.field}`} data-masked-field={`${f.table}.${f.field}`}>
                <td>
                  {f.table}.{f.field} <small>{f.via}</small>
                </td>
                <td>{f.rule}</td>
                <td>
                  <Yes on={f.deterministic} />
                </td>
                <td>
                  <Yes on={f.reversible} />
                </td>
                <td>
                  <Yes on={f.formatPreserving} />
                </td>
                <td>
                  <Yes on={f.uniquePreserving} />
                </td>
                <td>
                  <Yes on={f.localeAware} />
                </td>
                <td data-leaks={l?.leaks ?? 0}>{l ? `${l.leaks}${l.anywhere ? ` (${l.anywhere} elsewhere)` : ""}` : "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {report.collisions.length > 0 && (
        <p className="summary">
          Key remaps: {report.collisions.map(([f, n]) => `${f} ${n === 0 ? "no collisions" : `${n} collisions`}`).join(" · ")}
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
