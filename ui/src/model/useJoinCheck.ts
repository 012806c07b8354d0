// A join is measured against the data before it is saved: the edit that makes it is checked as a
// draft (`check_draft`, nothing written), and when the data contradicts the join — most child
// rows without a parent, columns of types that do not join, a lookup key that repeats — the
// steward sees the measured numbers and decides; otherwise the edit is saved at once.
import { useCallback, useState } from "react";
import type { ModelIssue, ProductDefinition } from "../bindings";
import { api } from "../shared/api";
import * as D from "./definition";

export interface Contradicted {
  /** The table the join makes or changes (`invoice_lines`, `orders.lines`). */
  table: string;
  /** What the data says against it, with the numbers. */
  issues: ModelIssue[];
  /** Saves the edit after all. */
  apply: () => void;
}

/** The errors the draft has at `at`'s join. */
export function againstJoin(issues: ModelIssue[], at: string): ModelIssue[] {
  return issues.filter((i) => i.severity === "error" && (i.path === `${at}.join` || i.path.startsWith(`${at}.join[`)));
}

export function useJoinCheck(productId: string) {
  const [measuring, setMeasuring] = useState(false);
  const [contradicted, setContradicted] = useState<Contradicted | null>(null);

  /** Runs `apply` once `next` (whose join makes or moves `child`) is measured and not contradicted. */
  const checkJoin = useCallback(
    async (next: ProductDefinition, child: D.NodeId, apply: () => void) => {
      const t = D.table(next, child);
      if (!t || !t.join.length) return apply();
      setMeasuring(true);
      // Data that cannot be read says nothing against the join: the saved model's validation will.
      const issues = await api.checkDraft({ productId, definition: next }).catch(() => [] as ModelIssue[]);
      setMeasuring(false);
      const against = againstJoin(issues, t.at);
      if (against.length) setContradicted({ table: t.path, issues: against, apply });
      else apply();
    },
    [productId],
  );

  return { measuring, contradicted, checkJoin, dismiss: () => setContradicted(null) };
}
