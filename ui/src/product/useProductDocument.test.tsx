import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ProductDefinition, ProductDocument, SaveProductRequest } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { useProductDocument } = await import("./useProductDocument");

const definition: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
};
const named = (name: string): ProductDefinition => ({ ...definition, entity: { ...definition.entity, name } });

/** The definition file on disk, as the shell reads and writes it. */
let disk: ProductDocument;
let saves: SaveProductRequest[];
/** Holds the next save until released, to edit while one is under way. */
let gate: Promise<void> | null;
let failNext: { code: string; message: string } | null;

const bump = (revision: string) => (parseInt(revision, 16) + 1).toString(16).padStart(16, "0");

beforeEach(() => {
  disk = { productId: "c360", revision: "0000000000000001", definition, layout: {}, issues: [] };
  saves = [];
  gate = null;
  failNext = null;
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: { productId?: string; request?: SaveProductRequest }) => {
    switch (cmd) {
      case "open_product":
        return disk;
      case "save_product": {
        const r = args.request as SaveProductRequest;
        if (gate) await gate;
        if (failNext) {
          const e = failNext;
          failNext = null;
          throw e;
        }
        // The shell refuses a save on a revision that is not the file's.
        if (r.baseRevision !== disk.revision) throw { code: "model.conflict", message: "products/c360.yaml: changed outside Steward" };
        saves.push(r);
        disk = { ...disk, revision: bump(disk.revision), definition: r.definition };
        return { revision: disk.revision, issues: [] };
      }
      default:
        throw { code: "test.unexpected", message: cmd };
    }
  });
});
afterEach(cleanup);

const opens = () => invoke.mock.calls.filter((c) => c[0] === "open_product").length;

describe("useProductDocument", () => {
  it("opens the definition with its revision", async () => {
    const onLoad = vi.fn();
    const { result } = renderHook(() => useProductDocument("c360", { onLoad }));
    expect(result.current.definition).toBeNull();
    await waitFor(() => expect(result.current.revision).toBe("0000000000000001"));
    expect(invoke).toHaveBeenCalledWith("open_product", { productId: "c360" });
    expect(result.current.definition).toEqual(definition);
    expect(result.current).toMatchObject({ error: null, conflict: null, saveState: "saved" });
    expect(onLoad).toHaveBeenCalledWith(disk, "open");
  });

  it("reports why the file could not be opened", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "model.parse", message: "products/c360.yaml: line 3: bad indentation" };
    });
    const { result } = renderHook(() => useProductDocument("c360"));
    await waitFor(() => expect(result.current.error?.code).toBe("model.parse"));
    expect(result.current.definition).toBeNull();
  });

  it("saves each edit on the revision it last read or wrote, and moves to the new revision", async () => {
    const onSaved = vi.fn();
    const onSettled = vi.fn();
    const { result } = renderHook(() => useProductDocument("c360", { onSaved, onSettled }));
    await waitFor(() => expect(result.current.revision).toBe("0000000000000001"));
    await act(() => result.current.save(named("Client")));
    expect(saves.map((s) => [s.baseRevision, s.definition.entity.name])).toEqual([["0000000000000001", "Client"]]);
    expect(result.current.revision).toBe("0000000000000002");
    expect(result.current.definition?.entity.name).toBe("Client");
    expect(result.current.saveState).toBe("saved");
    expect(onSaved).toHaveBeenCalledWith({ revision: "0000000000000002", issues: [] });
    expect(onSettled).toHaveBeenCalledTimes(1);

    await act(() => result.current.save(named("Account")));
    expect(saves.map((s) => s.baseRevision)).toEqual(["0000000000000001", "0000000000000002"]);
    expect(result.current.revision).toBe("0000000000000003");
  });

  it("saves one edit at a time: edits made during a save wait, and only the latest is written", async () => {
    const { result } = renderHook(() => useProductDocument("c360"));
    await waitFor(() => expect(result.current.revision).not.toBeNull());
    let release: () => void = () => {};
    gate = new Promise((r) => (release = r));
    let first: Promise<void> = Promise.resolve();
    act(() => {
      first = result.current.save(named("A"));
      void result.current.save(named("B"));
      void result.current.save(named("C"));
    });
    // The view shows the latest edit at once, and knows it is not on disk yet.
    expect(result.current.definition?.entity.name).toBe("C");
    expect(result.current.latest()?.entity.name).toBe("C");
    expect(result.current.hasUnsavedEdits()).toBe(true);
    expect(result.current.saveState).toBe("saving");
    gate = null;
    await act(async () => {
      release();
      await first;
    });
    expect(saves.map((s) => [s.baseRevision, s.definition.entity.name])).toEqual([
      ["0000000000000001", "A"],
      ["0000000000000002", "C"],
    ]);
    expect(result.current.hasUnsavedEdits()).toBe(false);
    expect(result.current.saveState).toBe("saved");
  });

  it("reports a conflict, shows what is on disk, and never writes over it", async () => {
    const onLoad = vi.fn();
    const { result } = renderHook(() => useProductDocument("c360", { onLoad }));
    await waitFor(() => expect(result.current.revision).toBe("0000000000000001"));
    // Someone edits the file; the watcher has not said so yet.
    disk = { ...disk, revision: "00000000000000aa", definition: named("Edited elsewhere") };
    await act(() => result.current.save(named("Mine")));
    expect(result.current.conflict).toEqual({ code: "model.conflict", message: "products/c360.yaml: changed outside Steward" });
    expect(result.current.error).toBeNull();
    expect(saves).toEqual([]);
    expect(invoke.mock.calls.filter((c) => c[0] === "save_product").length).toBe(1);
    expect(disk.definition.entity.name).toBe("Edited elsewhere");
    expect(result.current.definition?.entity.name).toBe("Edited elsewhere");
    expect(result.current.revision).toBe("00000000000000aa");
    expect(onLoad).toHaveBeenLastCalledWith(disk, "conflict");
    expect(result.current.saveState).toBe("saved");

    // The next edit builds on the file as it now is, and clears the report.
    await act(() => result.current.save(named("Mine, again")));
    expect(saves.map((s) => s.baseRevision)).toEqual(["00000000000000aa"]);
    expect(result.current.conflict).toBeNull();
  });

  it("shows a save that failed for another reason as not saved", async () => {
    const { result } = renderHook(() => useProductDocument("c360"));
    await waitFor(() => expect(result.current.revision).not.toBeNull());
    failNext = { code: "model.io", message: "products/c360.yaml: disk full" };
    await act(() => result.current.save(named("Client")));
    expect(result.current).toMatchObject({ saveState: "failed", error: { code: "model.io" }, conflict: null, revision: "0000000000000001" });
    expect(result.current.definition?.entity.name).toBe("Client");
  });

  it("reloads a change on disk when no edit is waiting", async () => {
    const onLoad = vi.fn();
    const { result, rerender } = renderHook(({ rev }) => useProductDocument("c360", { diskRevision: rev, onLoad }), {
      initialProps: { rev: undefined as string | undefined },
    });
    await waitFor(() => expect(result.current.revision).toBe("0000000000000001"));
    disk = { ...disk, revision: "00000000000000aa", definition: named("Client") };
    rerender({ rev: "00000000000000aa" });
    await waitFor(() => expect(result.current.definition?.entity.name).toBe("Client"));
    expect(result.current.revision).toBe("00000000000000aa");
    expect(onLoad).toHaveBeenLastCalledWith(disk, "outside");
  });

  it("does not reload for its own saves, nor while an edit waits to be saved", async () => {
    const onLoad = vi.fn();
    const { result, rerender } = renderHook(({ rev }) => useProductDocument("c360", { diskRevision: rev, onLoad }), {
      initialProps: { rev: undefined as string | undefined },
    });
    await waitFor(() => expect(result.current.revision).toBe("0000000000000001"));
    await act(() => result.current.save(named("Client")));
    // The watcher reports the save just made.
    rerender({ rev: "0000000000000002" });
    // ...or, late, an earlier revision: the file is read, and found to be what was written.
    rerender({ rev: "0000000000000001" });
    await waitFor(() => expect(opens()).toBe(2));
    expect(onLoad.mock.calls.map((c) => c[1])).toEqual(["open"]);

    // A change reported while an edit is being saved is not read over it.
    let release: () => void = () => {};
    gate = new Promise((r) => (release = r));
    let saving: Promise<void> = Promise.resolve();
    act(() => {
      saving = result.current.save(named("Account"));
    });
    rerender({ rev: "00000000000000bb" });
    gate = null;
    await act(async () => {
      release();
      await saving;
    });
    expect(opens()).toBe(2);
    expect(result.current.definition?.entity.name).toBe("Account");
    expect(saves.map((s) => s.definition.entity.name)).toEqual(["Client", "Account"]);
  });
});
