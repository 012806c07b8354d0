import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { Table, tableToIPC, vectorFromArray, Int64, Utf8 } from "apache-arrow";
import type { SourceSummary, WorkspaceInfo } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { PreviewPanel } = await import("./PreviewPanel");

afterEach(cleanup);

const crm = (keepText: string[]): SourceSummary => ({ id: "crm", name: "CRM", kind: "sqlite", path: "crm.sqlite", table: "customers", server: null, system: null, description: null, keepText });

function bytes(t: Table): ArrayBuffer {
  const u8 = tableToIPC(t, "file");
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

describe("PreviewPanel", () => {
  it("offers a date read from text to be kept as text, and back", async () => {
    let kept: string[] = [];
    const requests: unknown[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request?: { column: string; keep: boolean } }) => {
      switch (cmd) {
        case "inspect_source":
          return { path: "crm.sqlite", format: "sqlite", row_count: 1, table: "customers", tables: [], columns: [{ name: "customer_id", dtype: "i64" }, { name: "birth_date", dtype: kept.includes("birth_date") ? "str" : "date" }] };
        case "preview_source":
          return bytes(new Table({ customer_id: vectorFromArray([1n], new Int64()), birth_date: vectorFromArray(["1962-02-18"], new Utf8()) }));
        case "keep_text":
          requests.push(args.request);
          kept = args.request!.keep ? [args.request!.column] : [];
          return { root: "/ws", name: "W", sources: [crm(kept)] } satisfies WorkspaceInfo;
        default:
          throw { code: "test", message: cmd };
      }
    });
    const onWorkspace = vi.fn();
    const { rerender } = render(<PreviewPanel source={crm([])} onWorkspace={onWorkspace} />);
    fireEvent.click(await screen.findByRole("button", { name: "birth_date · keep as text" }));
    await waitFor(() => expect(onWorkspace).toHaveBeenCalled());
    expect(requests).toEqual([{ sourceId: "crm", column: "birth_date", keep: true }]);
    const inspections = invoke.mock.calls.filter(([c]) => c === "inspect_source").length;
    rerender(<PreviewPanel source={onWorkspace.mock.calls[0][0].sources[0]} onWorkspace={onWorkspace} />);
    fireEvent.click(await screen.findByRole("button", { name: "birth_date · read as dates" }));
    expect(invoke.mock.calls.filter(([c]) => c === "inspect_source").length).toBeGreaterThan(inspections);
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1]).toEqual({ sourceId: "crm", column: "birth_date", keep: false });
    expect(screen.queryByRole("button", { name: "customer_id · keep as text" })).toBeNull();
  });
});
