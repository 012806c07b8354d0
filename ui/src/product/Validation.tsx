// A product checked against its sources: the model's problems, and its quality rules evaluated
// on the assembled tables.
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import type { ProductSummary } from "../bindings";
import { count } from "../shared/plural";

export function Validation({ product }: { product: ProductSummary }) {
  const validated = useIpcQuery(() => api.validateProduct(product.id), [product.id]);
  const checked = useIpcQuery(() => api.productQuality(product.id), [product.id]);
  const issues = validated.data;
  const quality = checked.data;
  const error = validated.error ?? checked.error;
  const errors = issues?.filter((i) => i.severity === "error").length ?? 0;
  return (
    <section className="panel" aria-label="Validation">
      {error && <ErrorBox error={error} />}
      {issues && (
        <>
          <p className="summary" data-testid="validation-summary">
            {count(errors, "error")}, {count(issues.length - errors, "warning")}
          </p>
          <ul className="issues">
            {issues.map((i) => (
              <li key={`${i.path}:${i.code}`} className={`issue issue-${i.severity}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {quality && (
        <>
          <h3 data-testid="quality-summary">
            Quality rules: {quality.filter((q) => q.passed).length} of {quality.length} pass
          </h3>
          <table className="relations quality">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Field</th>
                <th>Result</th>
                <th>Violations</th>
                <th>Samples</th>
              </tr>
            </thead>
            <tbody>
              {quality.map((q) => (
                <tr key={q.path} data-rule={q.path} data-passed={q.passed}>
                  <td>
                    <code>{q.path}</code> {q.rule}
                  </td>
                  <td>{q.columns.length ? `${q.table}.${q.columns.join(", ")}` : q.table}</td>
                  <td>
                    <span className={q.passed ? "badge badge-accepted" : "badge"}>{q.passed ? "pass" : "fail"}</span>
                  </td>
                  <td>
                    {q.violations.toLocaleString("en-US")} of {q.checked.toLocaleString("en-US")}
                  </td>
                  <td className="evidence">{q.samples.join(" · ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
