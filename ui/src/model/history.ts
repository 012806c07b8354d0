// Undo and redo over whole states. Consecutive edits with the same `merge` key (typing in one
// input) become one step, so undo takes back a word, not a letter.

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** Key of the edit that made `present`, while further edits may merge into it. */
  merge: string | null;
}

export const LIMIT = 200;

export function start<T>(present: T): History<T> {
  return { past: [], present, future: [], merge: null };
}

export function push<T>(h: History<T>, next: T, merge: string | null = null): History<T> {
  if (next === h.present) return h;
  if (merge !== null && merge === h.merge) return { ...h, present: next, future: [] };
  return { past: [...h.past, h.present].slice(-LIMIT), present: next, future: [], merge };
}

export function undo<T>(h: History<T>): History<T> {
  const prev = h.past[h.past.length - 1];
  if (prev === undefined) return h;
  return { past: h.past.slice(0, -1), present: prev, future: [h.present, ...h.future], merge: null };
}

export function redo<T>(h: History<T>): History<T> {
  const next = h.future[0];
  if (next === undefined) return h;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(1), merge: null };
}
