// Profiles every column of a source, with progress and cancel: a card per column.
import { useEffect, useRef, useState } from "react";
import type { ScanProgress } from "../bindings";
import { api } from "../shared/api";
import { ColumnCard } from "../shared/ColumnCard";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";

const READING: ScanProgress = { done: 0, total: 0, stage: "reading" };

export function ProfilePanel({ sourceId }: { sourceId: string }) {
  // Each source has its own scan, and its own progress.
  return <Profiles key={sourceId} sourceId={sourceId} />;
}

function Profiles({ sourceId }: { sourceId: string }) {
  const [scanProgress, setScanProgress] = useState<ScanProgress | null>(null);
  const scan = useRef<number | null>(null);
  const profiles = useIpcQuery(() => {
    // Only the scan under way reports progress: a cancelled one may still send some.
    const { scanId, result } = api.profileSource(sourceId, (p) => scan.current === scanId && setScanProgress(p));
    scan.current = scanId;
    return result.finally(() => {
      if (scan.current !== scanId) return;
      scan.current = null;
      setScanProgress(null);
    });
  }, [sourceId]);
  const cancel = () => {
    if (scan.current !== null) void api.cancelScan(scan.current);
  };
  // Leaving the source stops its scan.
  useEffect(
    () => () => {
      if (scan.current !== null) void api.cancelScan(scan.current);
    },
    [],
  );

  const progress = profiles.loading ? (scanProgress ?? READING) : null;
  const error = profiles.error;
  return (
    <section className="panel" aria-label="Profile">
      {progress && (
        <div className="progress" role="status">
          <span>
            {progress.stage === "reading"
              ? "Reading the source…"
              : `Profiling column ${progress.done} of ${progress.total}`}
          </span>
          <progress max={progress.total || 1} value={progress.done} />
          <button onClick={cancel}>Cancel</button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {error?.code === "profile.cancelled" && <button onClick={profiles.reload}>Profile again</button>}
      {profiles.data && (
        <div className="column-cards">
          {profiles.data.map((p) => (
            <ColumnCard key={p.name} p={p} />
          ))}
        </div>
      )}
    </section>
  );
}
