// Small data hooks for calls into the desktop shell: a query that loads whenever its inputs
// change (the latest call wins), and an action run on demand with its busy flag and error.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type DependencyList, type RefObject } from "react";
import type { IpcError } from "../bindings";
import { toIpcError } from "./api";

/** A ref that always holds the value of the latest render: for callbacks read later, outside render. */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

export interface IpcQuery<T> {
  /** The result for the current inputs; null until it arrives (a reload keeps the last one). */
  data: T | null;
  /** Why the latest call failed; null while a call is under way. */
  error: IpcError | null;
  loading: boolean;
  /** Calls again with the same inputs. */
  reload: () => void;
  /** Replaces the result, e.g. with what an action returned. */
  setData: (data: T) => void;
}

export interface QueryOptions {
  /** Keep the last result while new inputs load (and when they fail), instead of clearing it. */
  keepPrevious?: boolean;
}

type Settled<T> = { call: () => Promise<T>; run: number; data: T | null; error: IpcError | null };

/**
 * Calls `fn` once mounted and again whenever `deps` change (as `useEffect` would). Only the
 * latest call may set the result: one that returns after a later one started is dropped.
 */
export function useIpcQuery<T>(fn: () => Promise<T>, deps: DependencyList, options: QueryOptions = {}): IpcQuery<T> {
  const keepPrevious = options.keepPrevious ?? false;
  // `deps` are the caller's inputs, as for useEffect: lint checks them where the hook is called
  // (eslint.config.js names it to exhaustive-deps), so not here.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/use-memo
  const call = useCallback(fn, deps);
  const [run, setRun] = useState(0);
  const [settled, setSettled] = useState<Settled<T> | null>(null);

  useEffect(() => {
    let live = true;
    call().then(
      (data) => {
        if (live) setSettled({ call, run, data, error: null });
      },
      (e: unknown) => {
        if (live) setSettled((prev) => ({ call, run, data: keepPrevious ? (prev?.data ?? null) : null, error: toIpcError(e) }));
      },
    );
    return () => {
      live = false;
    };
  }, [call, run, keepPrevious]);

  const reload = useCallback(() => setRun((r) => r + 1), []);
  const setData = useCallback((data: T) => setSettled({ call, run, data, error: null }), [call, run]);

  const loading = settled === null || settled.call !== call || settled.run !== run;
  const shown = settled !== null && (keepPrevious || settled.call === call) ? settled : null;
  return { data: shown?.data ?? null, error: loading ? null : settled.error, loading, reload, setData };
}

export interface IpcAction<A extends unknown[], T> {
  /** Runs the action; resolves to its result, or to undefined when it failed (see `error`). */
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  /** Why the latest run failed; cleared when the next one starts. */
  error: IpcError | null;
  /** Forgets the error. */
  reset: () => void;
}

/** An action the steward starts (save, add, publish…): busy while it runs, and why it failed. */
export function useAction<A extends unknown[], T>(fn: (...args: A) => Promise<T>): IpcAction<A, T> {
  const fnRef = useLatest(fn);
  const runs = useRef(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);

  const run = useCallback(
    async (...args: A) => {
      // A later run speaks for the action: an earlier one that ends after it changes nothing.
      const mine = ++runs.current;
      setBusy(true);
      setError(null);
      try {
        return await fnRef.current(...args);
      } catch (e) {
        if (mine === runs.current) setError(toIpcError(e));
        return undefined;
      } finally {
        if (mine === runs.current) setBusy(false);
      }
    },
    [fnRef],
  );
  const reset = useCallback(() => setError(null), []);
  return { run, busy, error, reset };
}
