// What the profile leaves uncovered across the whole product: original values of masked fields
// found in columns left in clear (a copied address, a phone inside a ticket), and fields holding
// personal data that no rule masks. Each offers a rule at that place, which the officer can then
// tune in the rules above.
import type { MaskingRule, PrivacyReport } from "../bindings";

/** A product field as rules name it: `email` on the entity, `invoices.billing_address` elsewhere. */
export function fieldPath(table: string, field: string): string {
  return table === "entity" ? field : `${table}.${field}`;
}

/** A first rule for a field holding personal data of `tag`: it masks, and stays editable. */
export function ruleForTag(field: string, tag: string | null): MaskingRule {
  if (tag === "phone" || tag === "payment_card" || tag === "iban") {
    return { field, rule: "partial", params: { keep_last: 4 } };
  }
  return { field, rule: "redact" };
}

export function Coverage({ report, onAddRule }: { report: PrivacyReport; onAddRule: (rule: MaskingRule) => void }) {
  const elsewhere = report.found_elsewhere;
  const uncovered = report.uncovered;
  if (elsewhere.length === 0 && uncovered.length === 0) {
    return (
      <p className="summary" data-testid="coverage-summary">
        No original value found elsewhere in the product; every field holding personal data is covered.
      </p>
    );
  }
  return (
    <>
      {elsewhere.length > 0 && (
        <>
          <h3 data-testid="found-elsewhere-summary">
            Found elsewhere: {elsewhere.reduce((n, f) => n + f.rows, 0).toLocaleString("en-US")} rows keep original values
          </h3>
          <table className="relations">
            <thead>
              <tr>
                <th>Masked field</th>
                <th>Found in</th>
                <th>Rows</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {elsewhere.map((f) => {
                const at = fieldPath(f.table, f.column);
                return (
                  <tr key={`${f.field}>${at}>${f.in_text}`} data-found-elsewhere={at} data-rows={f.rows}>
                    <td>{f.field}</td>
                    <td>
                      <code>{at}</code> {f.in_text && <small>inside the text</small>}
                    </td>
                    <td>{f.rows.toLocaleString("en-US")}</td>
                    <td>
                      <button onClick={() => onAddRule(ruleForTag(at, null))}>Mask {at}</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {uncovered.length > 0 && (
        <>
          <h3 data-testid="uncovered-summary">Uncovered: {uncovered.length} fields hold personal data no rule covers</h3>
          <table className="relations">
            <thead>
              <tr>
                <th>Field</th>
                <th>Holds</th>
                <th>Because</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {uncovered.map((u) => {
                const at = fieldPath(u.table, u.field);
                return (
                  <tr key={at} data-uncovered={at}>
                    <td>
                      <code>{at}</code>
                    </td>
                    <td>{u.tag}</td>
                    <td>{u.confidence !== null ? `suggested, ${Math.round(u.confidence * 100)}% sure` : u.why}</td>
                    <td>
                      <button onClick={() => onAddRule(ruleForTag(at, u.tag))}>Add a rule on {at}</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
