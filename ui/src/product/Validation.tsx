// A product checked against its sources: the model's problems, and its quality rules — added,
// edited and removed here — evaluated on the assembled tables again after every saved edit.
import { useMemo } from "react";
import type { ProductSummary, QualityRule } from "../bindings";
import { tables as modelTables, fieldNames } from "../model/tree";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { count } from "../shared/plural";
import { QualityRules, type RuleTable } from "./QualityRules";
import { useProductDocument } from "./useProductDocument";

export function Validation({ product }: { product: ProductSummary }) {
  const validated = useIpcQuery(() => api.validateProduct(product.id), [product.id], { keepPrevious: true });
  const checked = useIpcQuery(() => api.productQuality(product.id), [product.id], { keepPrevious: true });
  // Once the definition on disk is what the view shows, the checks run again on the saved file.
  const doc = useProductDocument(product.id, {
    onSettled: () => {
      validated.reload();
      checked.reload();
    },
  });
  const def = doc.definition;
  const issues = validated.data;
  const quality = checked.data;
  const error = doc.conflict ?? doc.error ?? validated.error ?? checked.error;
  const errors = issues?.filter((i) => i.severity === "error").length ?? 0;
  /** The entity and every related table at any depth, with the fields a rule can name. */
  const ruleTables = useMemo<RuleTable[]>(
    () =>
      def
        ? modelTables(def)
            .filter((t) => t.kind !== "reference")
            .map((t) => ({ path: t.path, label: t.kind === "entity" ? `${t.name} (entity)` : t.path, fields: fieldNames(def, t.id, null) }))
        : [],
    [def],
  );
  const rules = def?.quality ?? [];
  /** Edits the rules as the latest edit left them, and saves the definition. */
  const editRules = (edit: (rs: QualityRule[]) => QualityRule[]) => {
    const base = doc.latest() ?? def;
    if (!base) return;
    const quality = edit(base.quality ?? []);
    void doc.save({ ...base, quality: quality.length ? quality : undefined });
  };
  const passing = quality?.filter((q) => q.passed).length ?? 0;
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
      <div className="section-head">
        {quality ? <h3 data-testid="quality-summary">{`Quality rules: ${passing} of ${quality.length} pass`}</h3> : <h3>Quality rules</h3>}
        {(checked.loading || doc.saveState === "saving") && <span className="hint">checking…</span>}
      </div>
      {def && <QualityRules rules={rules} results={quality ?? null} tables={ruleTables} onEdit={editRules} />}
    </section>
  );
}
