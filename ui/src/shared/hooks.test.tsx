import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn(), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { useAction, useIpcQuery } = await import("./hooks");

/** A promise settled by hand, to order answers as a test needs. */
function deferred<T>() {
  let resolve: (v: T) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(cleanup);

describe("useIpcQuery", () => {
  it("loads, then holds the data; a failure is an IpcError", async () => {
    const answer = deferred<string>();
    const { result } = renderHook(() => useIpcQuery(() => answer.promise, []));
    expect(result.current).toMatchObject({ data: null, error: null, loading: true });
    await act(async () => answer.resolve("rows"));
    expect(result.current).toMatchObject({ data: "rows", error: null, loading: false });

    const { result: failed } = renderHook(() => useIpcQuery(() => Promise.reject({ code: "source.read", message: "bad line" }), []));
    await waitFor(() => expect(failed.current.loading).toBe(false));
    expect(failed.current).toMatchObject({ data: null, error: { code: "source.read", message: "bad line" } });
    const { result: thrown } = renderHook(() => useIpcQuery(() => Promise.reject(new Error("boom")), []));
    await waitFor(() => expect(thrown.current.error).toEqual({ code: "ui.unexpected", message: "boom" }));
  });

  it("calls again when its inputs change, and a later call wins over an earlier one answering late", async () => {
    const answers: Record<string, ReturnType<typeof deferred<string>>> = { a: deferred(), b: deferred() };
    const fn = vi.fn((id: string) => answers[id].promise);
    const { result, rerender } = renderHook(({ id }) => useIpcQuery(() => fn(id), [id]), { initialProps: { id: "a" } });
    rerender({ id: "b" });
    expect(fn.mock.calls.map((c) => c[0])).toEqual(["a", "b"]);
    await act(async () => answers.b.resolve("for b"));
    expect(result.current).toMatchObject({ data: "for b", loading: false });
    await act(async () => answers.a.resolve("for a"));
    expect(result.current.data).toBe("for b");
  });

  it("clears the data when its inputs change, unless asked to keep it", async () => {
    const { result, rerender } = renderHook(({ id, keep }) => useIpcQuery(() => (id === "a" ? Promise.resolve("A") : new Promise<string>(() => {})), [id], { keepPrevious: keep }), {
      initialProps: { id: "a", keep: false },
    });
    await waitFor(() => expect(result.current.data).toBe("A"));
    rerender({ id: "b", keep: false });
    expect(result.current).toMatchObject({ data: null, loading: true });

    const { result: kept, rerender: rerenderKept } = renderHook(
      ({ id }) => useIpcQuery(() => (id === "a" ? Promise.resolve("A") : Promise.reject({ code: "x", message: "no b" })), [id], { keepPrevious: true }),
      { initialProps: { id: "a" } },
    );
    await waitFor(() => expect(kept.current.data).toBe("A"));
    rerenderKept({ id: "b" });
    expect(kept.current).toMatchObject({ data: "A", loading: true });
    await waitFor(() => expect(kept.current.loading).toBe(false));
    expect(kept.current).toMatchObject({ data: "A", error: { code: "x", message: "no b" } });
  });

  it("reloads with the same inputs, keeping the data and hiding the old error meanwhile", async () => {
    let n = 0;
    let next = deferred<number>();
    const { result } = renderHook(() =>
      useIpcQuery(() => {
        n += 1;
        return n === 1 ? Promise.reject({ code: "profile.cancelled", message: "cancelled" }) : next.promise;
      }, []),
    );
    await waitFor(() => expect(result.current.error?.code).toBe("profile.cancelled"));
    act(() => result.current.reload());
    expect(result.current).toMatchObject({ error: null, loading: true });
    await act(async () => next.resolve(2));
    expect(result.current).toMatchObject({ data: 2, loading: false });
    next = deferred<number>();
    act(() => result.current.reload());
    expect(result.current).toMatchObject({ data: 2, loading: true });
    await act(async () => next.resolve(3));
    expect(result.current.data).toBe(3);
  });

  it("takes data set by hand, e.g. what an action returned", async () => {
    const { result } = renderHook(() => useIpcQuery(() => Promise.resolve(["suggested"]), []));
    await waitFor(() => expect(result.current.data).toEqual(["suggested"]));
    act(() => result.current.setData(["accepted"]));
    expect(result.current).toMatchObject({ data: ["accepted"], loading: false, error: null });
  });
});

describe("useAction", () => {
  it("is busy while it runs, returns the result, and keeps why it failed until the next run", async () => {
    const answer = deferred<string>();
    const fn = vi.fn<(path: string) => Promise<string>>(() => answer.promise);
    const { result } = renderHook(() => useAction(fn));
    expect(result.current).toMatchObject({ busy: false, error: null });
    let done: Promise<string | undefined> = Promise.resolve(undefined);
    act(() => {
      done = result.current.run("/data/a.csv");
    });
    expect(fn).toHaveBeenCalledWith("/data/a.csv");
    expect(result.current.busy).toBe(true);
    await act(async () => answer.resolve("added"));
    expect(await done).toBe("added");
    expect(result.current).toMatchObject({ busy: false, error: null });

    fn.mockImplementationOnce(() => Promise.reject({ code: "source.ragged", message: "line 3" }));
    let failed: string | undefined = "";
    await act(async () => {
      failed = await result.current.run("/data/bad.csv");
    });
    expect(failed).toBeUndefined();
    expect(result.current).toMatchObject({ busy: false, error: { code: "source.ragged", message: "line 3" } });
    act(() => result.current.reset());
    expect(result.current.error).toBeNull();
  });

  it("lets the latest run speak when runs overlap", async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const fn = vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const { result } = renderHook(() => useAction(fn as () => Promise<string>));
    act(() => {
      void result.current.run();
      void result.current.run();
    });
    await act(async () => first.reject({ code: "old", message: "stale" }));
    expect(result.current).toMatchObject({ busy: true, error: null });
    await act(async () => second.resolve("ok"));
    expect(result.current).toMatchObject({ busy: false, error: null });
  });
});
