// The model's problems: those the shell found when it read or saved the file, then those of a
// check against the data, run a moment after the latest change (only the latest check speaks).
import { useCallback, useEffect, useRef, useState } from "react";
import type { IpcError, ModelIssue } from "../bindings";
import { api, toIpcError } from "../shared/api";

const CHECK_AFTER_MS = 400;

export function useModelChecks(productId: string) {
  const [issues, setIssues] = useState<ModelIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  /** Checks the model on disk against the data, a moment from now. */
  const validate = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    const mine = ++latest.current;
    setChecking(true);
    timer.current = setTimeout(() => {
      api
        .validateProduct(productId)
        .then((found) => {
          if (mine !== latest.current) return;
          setIssues(found);
          setError(null);
        })
        .catch((e: unknown) => mine === latest.current && setError(toIpcError(e)))
        .finally(() => mine === latest.current && setChecking(false));
    }, CHECK_AFTER_MS);
  }, [productId]);

  /** An edit is on its way to disk: a check under way speaks of the file before it. */
  const invalidate = useCallback(() => {
    latest.current += 1;
  }, []);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  return { issues, setIssues, checking, error, validate, invalidate };
}
