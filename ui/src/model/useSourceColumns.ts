// The columns of every source in the model, each read once, as the canvas draws its tables.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ColumnInfo, IpcError } from "../bindings";
import { api, toIpcError } from "../shared/api";

/** Per source: its columns once read, or why they could not be. */
export type Columns = Record<string, ColumnInfo[] | IpcError>;

export function useSourceColumns(sourceIds: string[]) {
  const [columns, setColumns] = useState<Columns>({});
  const asked = useRef(new Set<string>());
  useEffect(() => {
    for (const id of sourceIds) {
      if (asked.current.has(id)) continue;
      asked.current.add(id);
      api.inspectSource(id).then(
        (i) => setColumns((c) => ({ ...c, [id]: i.columns })),
        (e: unknown) => setColumns((c) => ({ ...c, [id]: toIpcError(e) })),
      );
    }
  }, [sourceIds]);
  /** A source's columns; null until they are read (or when they could not be). */
  const columnsOf = useCallback(
    (source: string): ColumnInfo[] | null => {
      const c = columns[source];
      return Array.isArray(c) && c.length ? c : null;
    },
    [columns],
  );
  return { columns, columnsOf };
}
