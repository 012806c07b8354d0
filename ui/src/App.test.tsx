import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, fireEvent, waitFor, within } from "@testing-library/react";
import { Table, tableToIPC, vectorFromArray, Int64, Utf8 } from "apache-arrow";
import type { WorkspaceInfo } from "./bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: unknown) => void = () => {};
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));

const { App } = await import("./App");
const { PREVIEW_ROWS } = await import("./sources/PreviewPanel");

const workspace: WorkspaceInfo = {
  root: "/ws",
  name: "Customer 360 demo",
  sources: [
    { id: "crm", name: "CRM customers", kind: "sqlite", path: "crm.sqlite", table: "customers", server: null, system: "CRM", description: null, keepText: [] },
    { id: "orders", name: "Web shop orders", kind: "csv", path: "orders.csv", table: null, server: null, system: "Shop", description: null, keepText: [] },
  ],
};

function ordersBytes(): ArrayBuffer {
  const t = new Table({
    order_id: vectorFromArray([100001n, 100002n], new Int64()),
    status: vectorFromArray(["shipped", "delivered"], new Utf8()),
  });
  const u8 = tableToIPC(t, "file");
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args?: Record<string, unknown>) => {
    switch (cmd) {
      case "get_workspace":
        return workspace;
      case "list_products":
        return [];
      case "inspect_source":
        return { path: "/ws/data/orders.csv", format: "csv", columns: [{ name: "order_id", dtype: "i64" }, { name: "status", dtype: "str" }], row_count: 2495 };
      case "preview_source":
        expect(args).toEqual({ request: { sourceId: "orders", limit: PREVIEW_ROWS } });
        return ordersBytes();
      default:
        throw { code: "test.unknown", message: cmd };
    }
  });
});
afterEach(cleanup);

describe("App", () => {
  it("lists the workspace's sources and previews the first previewable one", async () => {
    render(<App />);
    expect(await screen.findByTestId("workspace-name")).toHaveProperty("textContent", "Customer 360 demo");
    const list = screen.getByRole("list", { name: "Sources" });
    expect(within(list).getAllByRole("button").map((b) => b.getAttribute("data-source-id"))).toEqual(["crm", "orders"]);
    const grid = await screen.findByRole("grid", { name: "Preview of orders" });
    await waitFor(() => expect(within(grid).getAllByRole("row").length).toBe(3));
    const firstRow = within(grid).getAllByRole("row")[1];
    expect(within(firstRow).getAllByRole("gridcell").map((c) => c.textContent)).toEqual(["100001", "shipped"]);
    expect(screen.getByTestId("preview-summary").textContent).toContain("2,495 rows");
    expect(within(grid).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["#", "order_idi64", "statusstr"]);
  });

  it("profiles a grid column over every row on demand", async () => {
    const calls: unknown[] = [];
    const base = invoke.getMockImplementation();
    invoke.mockImplementation(async (cmd: string, args?: Record<string, unknown>) => {
      if (cmd !== "profile_column") return base?.(cmd, args);
      calls.push(args);
      return {
        name: "status", dtype: "str", rows: 2495, nulls: 5, null_share: 0.002, distinct: 5, distinct_exact: true,
        min: null, max: null, top: [{ value: "delivered", count: 1200 }], histogram: null,
      };
    });
    render(<App />);
    fireEvent.click(await screen.findByRole("button", { name: "Profile status" }));
    const card = await screen.findByRole("dialog", { name: "Profile of status" });
    await waitFor(() => expect(within(card).getByRole("list", { name: "Top values of status" }).textContent).toBe("delivered1,200"));
    expect(calls).toEqual([{ request: { sourceId: "orders", productId: null, table: null, column: "status" } }]);
    fireEvent.click(within(card).getByRole("button", { name: "Close profile" }));
    expect(screen.queryByRole("dialog", { name: "Profile of status" })).toBeNull();
  });

  it("shows the table inside a database source and reports its read errors", async () => {
    render(<App />);
    await screen.findByRole("grid");
    expect(screen.getByRole("button", { name: /CRM customers/ }).textContent).toContain("crm.sqlite › customers");
    invoke.mockImplementation(async (cmd: string) => {
      throw { code: "source.corrupt", message: `crm.sqlite: the database is damaged (${cmd})` };
    });
    fireEvent.click(screen.getByRole("button", { name: /CRM customers/ }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("crm.sqlite: the database is damaged"));
  });

  it("shows the {code, message} of a failed command", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "get_workspace") return workspace;
      if (cmd === "list_products") return [];
      throw { code: "source.read", message: "orders.csv: could not parse line 12" };
    });
    render(<App />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("orders.csv: could not parse line 12");
    expect(alert.textContent).toContain("source.read");
  });

  it("shows why no workspace is open", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "workspace.no_manifest", message: "/data/x: not a Steward workspace (no steward.yaml)" };
    });
    render(<App />);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("steward.yaml"));
  });
});
