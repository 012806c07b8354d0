// The model as the modeller edits it: the product's definition document, every state of this
// session for undo and redo, the model's problems, and what the steward is told when the file
// changed outside Steward.
import { useCallback, useRef, useState } from "react";
import type { ProductDefinition, ProductDocument } from "../bindings";
import { useProductDocument } from "../product/useProductDocument";
import { push, redo, start, undo, type History } from "./history";
import { useModelChecks } from "./useModelChecks";

export interface ModelOptions {
  /** The revision on disk, as the watcher last saw it. */
  diskRevision?: string;
  /** The document as first opened (its canvas layout with it). */
  onOpen?: (doc: ProductDocument) => void;
  /** Called after each round of saves, so lists and previews refresh. */
  onSaved?: () => void;
}

export function useModel(productId: string, { diskRevision, onOpen, onSaved }: ModelOptions) {
  const [hist, setHist] = useState<History<ProductDefinition> | null>(null);
  // The history as the latest edit left it: edits in quick succession build on each other.
  const histRef = useRef<History<ProductDefinition> | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const checks = useModelChecks(productId);
  const { setIssues, validate, invalidate } = checks;

  const doc = useProductDocument(productId, {
    diskRevision,
    onLoad: (d, why) => {
      setIssues(d.issues);
      if (why === "open") {
        histRef.current = start(d.definition);
        onOpen?.(d);
      } else {
        // What is on disk becomes the present; undo goes back to the steward's version.
        histRef.current = push(histRef.current ?? start(d.definition), d.definition);
        setNotice(
          why === "outside"
            ? `products/${productId}.yaml was edited outside Steward: reloaded it (undo goes back to your version).`
            : `products/${productId}.yaml changed outside Steward while you were editing: reloaded it; your last edit was not applied.`,
        );
      }
      setHist(histRef.current);
      validate();
    },
    onSaved: (saved) => setIssues(saved.issues),
    onSettled: () => {
      onSaved?.();
      validate();
    },
  });
  const { save } = doc;

  /** Makes `next` the history; a new present is saved. */
  const commit = useCallback(
    (next: History<ProductDefinition>) => {
      if (next === histRef.current) return;
      const changed = next.present !== histRef.current?.present;
      histRef.current = next;
      setHist(next);
      if (changed) {
        setNotice(null);
        invalidate();
        void save(next.present);
      }
    },
    [save, invalidate],
  );

  /** Applies an edit to the latest definition; edits with the same `merge` key make one undo step. */
  const edit = useCallback(
    (f: (d: ProductDefinition) => ProductDefinition, merge: string | null = null) => {
      const h = histRef.current;
      if (h) commit(push(h, f(h.present), merge));
    },
    [commit],
  );

  const doUndo = useCallback(() => histRef.current && commit(undo(histRef.current)), [commit]);
  const doRedo = useCallback(() => histRef.current && commit(redo(histRef.current)), [commit]);
  /** The definition as the latest edit left it, which the screen may not show yet. */
  const current = useCallback(() => histRef.current?.present ?? null, []);

  return {
    def: hist?.present ?? null,
    hist,
    edit,
    undo: doUndo,
    redo: doRedo,
    current,
    notice,
    setNotice,
    issues: checks.issues,
    checking: checks.checking,
    saveState: doc.saveState,
    error: doc.error ?? checks.error,
  };
}
