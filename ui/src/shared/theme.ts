// The app's colours: the system's light or dark (the default), or one of them always. The choice
// is applied as `data-theme` on the root element, which styles.css reads; components that draw
// their own colours (the canvas) follow it through useTheme.
import { useSyncExternalStore } from "react";
import type { Theme } from "../bindings";

let current: Theme = "system";
const listeners = new Set<() => void>();

/** Applies `theme` to the document and tells every useTheme. */
export function applyTheme(theme: Theme) {
  current = theme;
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
  listeners.forEach((l) => l());
}

/** The colours chosen now. */
export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

export const THEME_LABELS: Record<Theme, string> = { system: "As the system", light: "Light", dark: "Dark" };
