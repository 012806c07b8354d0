// Profiles every column of a source, with progress and cancel: a card per column.
import { useEffect, useRef, useState } from "react";
import { api } from "../shared/api";
import type { ColumnProfile, IpcError, ScanProgress } from "../bindings";
import { ColumnCard } from "../shared/ColumnCard";
import { ErrorBox } from "../shared/ErrorBox";

export function ProfilePanel({ sourceId }: { sourceId: string }) {
  const [profiles, setProfiles] = useState<ColumnProfile[] | null>(null);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const scan = useRef<number | null>(null);

  const run = () => {
    setError(null);
    setProfiles(null);
    setProgress({ done: 0, total: 0, stage: "reading" });
    const { scanId, result } = api.profileSource(sourceId, setProgress);
    scan.current = scanId;
    result
      .then((p) => setProfiles(p))
      .catch((e: IpcError) => setError(e))
      .finally(() => {
        scan.current = null;
        setProgress(null);
      });
  };

  useEffect(() => {
    run();
    return () => {
      if (scan.current !== null) void api.cancelScan(scan.current);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sourceId]);

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
          <button onClick={() => scan.current !== null && void api.cancelScan(scan.current)}>Cancel</button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {error?.code === "profile.cancelled" && <button onClick={run}>Profile again</button>}
      {profiles && (
        <div className="column-cards">
          {profiles.map((p) => (
            <ColumnCard key={p.name} p={p} />
          ))}
        </div>
      )}
    </section>
  );
}
