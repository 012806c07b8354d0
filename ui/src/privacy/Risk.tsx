// Re-identification risk over the quasi-identifiers the privacy officer picks: k-anonymity,
// unique share, prosecutor risk, l-diversity, and the sizes of the classes.
import type { PrivacyReport } from "../bindings";
import { Bars } from "../shared/ColumnCard";

export function Risk({
  report,
  fields,
  quasi,
  onToggle,
}: {
  report: PrivacyReport;
  /** The entity's fields, each of which can be a quasi-identifier. */
  fields: string[];
  quasi: string[] | null;
  onToggle: (field: string) => void;
}) {
  return (
    <>
      <h3>Re-identification risk</h3>
      <fieldset className="key-picker" aria-label="Quasi-identifiers">
        <legend>Quasi-identifiers</legend>
        {fields.map((f) => (
          <label key={f} className="inline">
            <input type="checkbox" checked={(quasi ?? []).includes(f)} onChange={() => onToggle(f)} />
            {f}
          </label>
        ))}
      </fieldset>
      {!report.risk && (
        <p className="hint" data-testid="risk-prompt">
          Pick the quasi-identifiers above — fields an outsider could know and link, such as birth date, postal code or
          country — to measure k-anonymity and the risk of singling people out. A central policy asking for a minimum k
          also needs them declared in the profile's checks.
        </p>
      )}
      {report.risk && (
        <div className="risk">
          <p className="summary" data-testid="k-anonymity">
            k = {report.risk.k} · {report.risk.classes.toLocaleString("en-US")} classes ·{" "}
            {(report.risk.unique_share * 100).toFixed(1)}% unique · prosecutor risk max {report.risk.prosecutor_max.toFixed(3)}, avg{" "}
            {report.risk.prosecutor_avg.toFixed(3)}
            {report.risk.l !== null && ` · l = ${report.risk.l} for ${report.risk.sensitive}`}
          </p>
          <Bars
            title="Class sizes"
            values={report.risk.class_sizes.slice(0, 20).map(([, n]) => n)}
            labels={report.risk.class_sizes.slice(0, 20).map(([s, n]) => `${n} classes of ${s}`)}
            axes={{
              x: "class size (rows alike on the quasi-identifiers)",
              y: "classes",
              first: String(report.risk.class_sizes[0]?.[0] ?? ""),
              last: String(report.risk.class_sizes.slice(0, 20).at(-1)?.[0] ?? ""),
            }}
          />
        </div>
      )}
    </>
  );
}
