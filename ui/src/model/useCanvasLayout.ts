// Where the steward left the canvas's boxes, saved a moment after they stop moving; keyed by the
// tables' ids, which carry their paths (`related:orders.lines`).
import { useCallback, useRef, useState } from "react";
import type { IpcError } from "../bindings";
import { api, toIpcError } from "../shared/api";
import * as D from "./definition";
import type { Positions } from "./placement";

const SAVE_AFTER_MS = 300;

export function useCanvasLayout(productId: string) {
  const [positions, setPositions] = useState<Positions>({});
  const [error, setError] = useState<IpcError | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The positions as the latest change left them, for changes made before a render.
  const latest = useRef<Positions>({});

  const save = useCallback(
    (next: Positions) => {
      latest.current = next;
      setPositions(next);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        api.saveLayout({ productId, layout: next }).then(
          () => setError(null),
          (e: unknown) => setError(toIpcError(e)),
        );
      }, SAVE_AFTER_MS);
    },
    [productId],
  );

  /** Positions as the file had them when the model opened (not saved again). */
  const reset = useCallback((layout: Positions) => {
    latest.current = layout;
    setPositions(layout);
  }, []);

  /** Boxes being dragged move live; they are saved when let go. */
  const move = useCallback((moved: Positions) => {
    setPositions((p) => {
      const next = { ...p, ...moved };
      latest.current = next;
      return next;
    });
  }, []);

  /** A table's id changed (renamed, moved under another table): its box and those under it stay put. */
  const follow = useCallback(
    (from: D.NodeId, to: D.NodeId) => {
      // Kept under the old ids too, so undoing the rename finds them where they were.
      save({ ...latest.current, ...D.movePositions(latest.current, from, to) });
    },
    [save],
  );

  /** Adds positions to the saved ones. */
  const place = useCallback((added: Positions) => save({ ...latest.current, ...added }), [save]);

  return { positions, error, save, reset, move, follow, place, latest };
}
