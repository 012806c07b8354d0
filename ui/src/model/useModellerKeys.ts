// The modeller's keyboard: undo, redo, lay out, deselect. Inputs keep their own undo.
import { useEffect } from "react";
import { useLatest } from "../shared/hooks";

export function useModellerKeys(actions: { undo: () => void; redo: () => void; layoutAll: () => Promise<void>; deselect: () => void }) {
  const latest = useLatest(actions);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT")) return;
      const { undo, redo, layoutAll, deselect } = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "z" && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if (mod && (key === "y" || (key === "z" && e.shiftKey))) {
        e.preventDefault();
        redo();
      } else if (e.shiftKey && key === "l") {
        e.preventDefault();
        void layoutAll();
      } else if (e.key === "Escape") {
        deselect();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [latest]);
}
