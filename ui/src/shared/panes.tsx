// Panes a steward can fold away or widen, each remembered on this machine (localStorage): the
// app's side bar, the modeller's source browser and its inspector.
import { useCallback, useState, type PointerEvent as ReactPointerEvent } from "react";

const read = (key: string): string | null => {
  try {
    return localStorage.getItem(`steward.pane.${key}`);
  } catch {
    return null;
  }
};
const write = (key: string, value: string) => {
  try {
    localStorage.setItem(`steward.pane.${key}`, value);
  } catch {
    /* a pane that cannot be remembered still works */
  }
};

/** Whether pane `key` is folded away, and a toggle. */
export function useFolded(key: string): [boolean, () => void] {
  const [folded, setFolded] = useState(() => read(`${key}.folded`) === "1");
  const toggle = useCallback(() => {
    setFolded((f) => {
      write(`${key}.folded`, f ? "0" : "1");
      return !f;
    });
  }, [key]);
  return [folded, toggle];
}

/** Pane `key`'s width in pixels, between `min` and `max`, and a setter that remembers it. */
export function usePaneWidth(key: string, initial: number, min: number, max: number): [number, (w: number) => void] {
  const clamp = (w: number) => Math.min(max, Math.max(min, Math.round(w)));
  const [width, setWidth] = useState(() => {
    const saved = Number(read(`${key}.width`));
    return Number.isFinite(saved) && saved > 0 ? clamp(saved) : initial;
  });
  const set = (w: number) => {
    const c = clamp(w);
    setWidth(c);
    write(`${key}.width`, String(c));
  };
  return [width, set];
}

/**
 * A bar between two panes, dragged to resize the one on `side` of it (arrow keys move it by
 * 16 px when it has the focus).
 */
export function Splitter({ label, width, setWidth, side }: { label: string; width: number; setWidth: (w: number) => void; side: "left" | "right" }) {
  const sign = side === "left" ? 1 : -1;
  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const start = e.clientX;
    const from = width;
    const bar = e.currentTarget;
    bar.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => setWidth(from + sign * (m.clientX - start));
    const up = () => {
      bar.removeEventListener("pointermove", move);
      bar.removeEventListener("pointerup", up);
    };
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", up);
  };
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={(e) => {
        if (e.key === "ArrowLeft") setWidth(width - sign * 16);
        else if (e.key === "ArrowRight") setWidth(width + sign * 16);
        else return;
        e.preventDefault();
      }}
    />
  );
}

/** A pane folded away: a strip with its name, which brings it back. */
export function FoldedPane({ title, label, onShow, right = false }: { title: string; label: string; onShow: () => void; right?: boolean }) {
  return (
    <div className={right ? "pane-folded right" : "pane-folded"}>
      <button className="small" aria-label={label} onClick={onShow}>
        {title}
      </button>
    </div>
  );
}
