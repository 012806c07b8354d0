// The relationships Steward discovers between the workspace's sources, read for the canvas once
// the steward first selects a table, then kept for the rest of the session (Steward itself keeps
// them until a source changes, so opening the canvas again is quick). Reading never blocks the
// canvas: the inspector shows how far it got, and a Retry when it failed.
import { useEffect, useRef, useState } from "react";
import type { IpcError, Relation, ScanProgress } from "../bindings";
import { api } from "../shared/api";
import { useIpcQuery } from "../shared/hooks";

export interface SuggestedJoinsState {
  /** Every discovered relationship, best first as Steward ranks them; null until read. */
  relations: Relation[] | null;
  /** Sources are being read. */
  loading: boolean;
  /** How far the reading got, once Steward reports it. */
  progress: ScanProgress | null;
  error: IpcError | null;
  retry: () => void;
}

/** Discovers relationships once `wanted` first turns true (a table is selected), not before. */
export function useSuggestedJoins(wanted: boolean): SuggestedJoinsState {
  const [started, setStarted] = useState(wanted);
  if (wanted && !started) setStarted(true);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const scan = useRef<number | null>(null);
  const query = useIpcQuery(() => {
    if (!started) return Promise.resolve(null);
    const { scanId, result } = api.discoverRelations((p) => scan.current === scanId && setProgress(p));
    scan.current = scanId;
    return result.finally(() => {
      if (scan.current !== scanId) return;
      scan.current = null;
      setProgress(null);
    });
  }, [started]);
  // Leaving the canvas stops the reading.
  useEffect(
    () => () => {
      if (scan.current !== null) api.cancelScan(scan.current).catch(() => undefined);
    },
    [],
  );
  return {
    relations: query.data?.suggestions ?? null,
    loading: started && query.loading,
    progress,
    error: query.error,
    retry: query.reload,
  };
}
