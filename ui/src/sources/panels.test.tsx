import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ColumnClassification, ColumnProfile, ScanProgress } from "../bindings";

const invoke = vi.fn();
const channels: { onmessage: (m: ScanProgress) => void }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (...args: unknown[]) => invoke(...args),
  Channel: class {
    onmessage: (m: ScanProgress) => void = () => {};
    constructor() {
      channels.push(this);
    }
  },
}));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn(async () => "/data/exports/picked.csv") }));

const { ProfilePanel } = await import("./ProfilePanel");
const { PrivacyPanel } = await import("./PrivacyPanel");
const { AddSourceDialog } = await import("./AddSource");
const { RelationsPanel } = await import("./RelationsPanel");

const amount: ColumnProfile = {
  name: "amount",
  dtype: "f64",
  rows: 100,
  nulls: 25,
  null_share: 0.25,
  distinct: 70,
  distinct_exact: true,
  min: "1.5",
  max: "99.0",
  top: [],
  histogram: {
    kind: "number",
    bins: [
      { start: "1.5", end: "50", count: 60 },
      { start: "50", end: "99.0", count: 15 },
    ],
  },
};
const status: ColumnProfile = {
  ...amount,
  name: "status",
  dtype: "str",
  nulls: 0,
  null_share: 0,
  distinct: 2,
  min: "open",
  max: "paid",
  histogram: null,
  top: [
    { value: "paid", count: 80 },
    { value: "open", count: 20 },
  ],
};

beforeEach(() => {
  invoke.mockReset();
  channels.length = 0;
});
afterEach(cleanup);

describe("RelationsPanel", () => {
  it("shows progress while sources are read, can cancel, then lists keys with composite ones and roles", async () => {
    let finish: (v: unknown) => void = () => {};
    invoke.mockImplementation((cmd: string) => {
      if (cmd === "discover_relations") return new Promise((r) => (finish = r));
      return Promise.resolve(true);
    });
    render(<RelationsPanel />);
    await waitFor(() => expect(channels.length).toBe(1));
    act(() => channels[0].onmessage({ done: 6, total: 8, stage: "lineitem: column 3 of 16" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Reading lineitem: column 3 of 16 (source 7 of 8)"));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(invoke).toHaveBeenCalledWith("cancel_scan", { scanId: expect.any(Number) });
    const relation = (child: string, cc: string[], parent: string, pc: string[], role: "child" | "lookup") => ({
      parent, parent_columns: pc, child, child_columns: cc, score: 1, inclusion: 1, orphan_share: 0, parent_coverage: 1, orphan_rows: 0,
      cardinality: "1:n", role, evidence: "names match",
    });
    finish({
      suggestions: [
        relation("lineitem", ["l_orderkey"], "orders", ["o_orderkey"], "child"),
        relation("lineitem", ["l_partkey", "l_suppkey"], "partsupp", ["ps_partkey", "ps_suppkey"], "lookup"),
      ],
      skipped: [],
    });
    const composite = await waitFor(() => {
      const row = document.querySelector('[data-relation="lineitem.(l_partkey, l_suppkey)->partsupp.(ps_partkey, ps_suppkey)"]');
      expect(row).toBeTruthy();
      return row as HTMLElement;
    });
    expect(composite.getAttribute("data-role")).toBe("lookup");
    expect(document.querySelector('[data-relation="lineitem.l_orderkey->orders.o_orderkey"]')?.getAttribute("data-role")).toBe("child");
  });
});

describe("ProfilePanel", () => {
  it("shows progress from the channel, then a card per column with its chart", async () => {
    let finish: (v: ColumnProfile[]) => void = () => {};
    invoke.mockImplementation((cmd: string) => {
      if (cmd === "profile_source") return new Promise((r) => (finish = r));
      return Promise.resolve(true);
    });
    render(<ProfilePanel sourceId="orders" />);
    await waitFor(() => expect(channels.length).toBe(1));
    act(() => channels[0].onmessage({ done: 1, total: 2, stage: "profiling" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Profiling column 1 of 2"));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(invoke).toHaveBeenCalledWith("cancel_scan", { scanId: expect.any(Number) });
    finish([amount, status]);
    const card = await screen.findByRole("img", { name: "Histogram of amount" });
    expect(card.querySelectorAll("rect").length).toBe(2);
    expect(card.querySelector("rect")?.getAttribute("data-count")).toBe("60");
    expect(screen.getByText("25.0%")).toBeTruthy();
    const top = screen.getByRole("list", { name: "Top values of status" });
    expect(within(top).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["paid80", "open20"]);
  });

  it("says so when every value of a text column is different", async () => {
    const ids: ColumnProfile = { ...status, name: "invoice_id", distinct: 100, top: [] };
    invoke.mockImplementation(async (cmd: string) => (cmd === "profile_source" ? [ids] : true));
    render(<ProfilePanel sourceId="invoices" />);
    expect((await screen.findByText("Every value is different")).closest("[data-column]")?.getAttribute("data-column")).toBe(
      "invoice_id",
    );
  });

  it("shows a cancelled scan as such", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "profile_source") throw { code: "profile.cancelled", message: "orders: profiling cancelled" };
      return true;
    });
    render(<ProfilePanel sourceId="orders" />);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("profiling cancelled"));
    expect(screen.getByRole("button", { name: "Profile again" })).toBeTruthy();
  });
});

describe("PrivacyPanel", () => {
  const rows: ColumnClassification[] = [
    {
      column: "email",
      dtype: "str",
      suggestion: {
        column: "email",
        tag: "email",
        confidence: 0.99,
        evidence: "487 of 487 sampled values are valid emails; name `email`",
        matched: 487,
        sampled: 487,
      },
      accepted: [],
      rejected: [],
    },
    { column: "amount", dtype: "f64", suggestion: null, accepted: [], rejected: [] },
  ];

  it("lists suggestions with evidence and saves an accepted one", async () => {
    invoke.mockImplementation(async (cmd: string, args: { request?: { accepted: boolean } }) => {
      if (cmd === "classify_source") return rows;
      if (cmd === "decide_classification") return [{ ...rows[0], accepted: args.request?.accepted ? ["email"] : [] }, rows[1]];
      throw { code: "x", message: cmd };
    });
    render(<PrivacyPanel sourceId="crm" />);
    await waitFor(() => expect(screen.getByTestId("privacy-summary").textContent).toBe("1 of 2 columns hold personal data"));
    const row = document.querySelector('tr[data-column="email"]') as HTMLElement;
    expect(row.getAttribute("data-status")).toBe("suggested");
    expect(row.textContent).toContain("487 of 487 sampled values are valid emails");
    fireEvent.click(within(row).getByRole("button", { name: "Accept" }));
    await waitFor(() => expect(document.querySelector('tr[data-column="email"]')?.getAttribute("data-status")).toBe("accepted"));
    expect(invoke).toHaveBeenCalledWith("decide_classification", {
      request: { sourceId: "crm", column: "email", tag: "email", accepted: true },
    });
  });
});

describe("AddSourceDialog", () => {
  it("keeps the form and shows why a file was refused, then adds it", async () => {
    const onAdded = vi.fn();
    invoke.mockImplementationOnce(async () => {
      throw { code: "source.ragged", message: "/data/bad.csv: line 3 has 2 fields, expected 3" };
    });
    render(<AddSourceDialog onAdded={onAdded} onClose={() => {}} />);
    const input = screen.getByPlaceholderText("/path/to/data.csv") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "/data/bad.csv" } });
    fireEvent.click(screen.getByRole("button", { name: "Add file" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("line 3 has 2 fields"));
    expect(input.value).toBe("/data/bad.csv");
    expect(onAdded).not.toHaveBeenCalled();

    invoke.mockImplementationOnce(async () => [
      { name: "Members", kind: "sheet" },
      { name: "Tiers", kind: "sheet" },
    ]);
    fireEvent.click(screen.getByRole("button", { name: "Browse…" }));
    await waitFor(() => expect(input.value).toBe("/data/exports/picked.csv"));
    const sheet = (await screen.findByRole("combobox")) as HTMLSelectElement;
    expect(Array.from(sheet.options).map((o) => o.textContent)).toEqual(["Members (sheet)", "Tiers (sheet)"]);
    fireEvent.change(sheet, { target: { value: "Tiers" } });
    invoke.mockImplementationOnce(async () => ({ root: "/ws", name: "W", sources: [] }));
    fireEvent.click(screen.getByRole("button", { name: "Add file" }));
    await waitFor(() => expect(onAdded).toHaveBeenCalled());
    expect(invoke).toHaveBeenLastCalledWith("add_file_source", {
      request: { path: "/data/exports/picked.csv", table: "Tiers", system: null },
    });
  });

  it("tests a PostgreSQL connection and offers its tables", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "test_postgres") return { version: "PostgreSQL 15.18 on x86_64", tables: ["crm.customers", "crm.vips"] };
      throw { code: "x", message: cmd };
    });
    render(<AddSourceDialog onAdded={() => {}} onClose={() => {}} />);
    fireEvent.click(screen.getByRole("tab", { name: "PostgreSQL" }));
    const form = screen.getByRole("form", { name: "Add a PostgreSQL table" });
    fireEvent.change(within(form).getByLabelText("Database"), { target: { value: "crm" } });
    fireEvent.change(within(form).getByLabelText("User"), { target: { value: "app" } });
    // TLS verifies the server by default; a private CA is named beside it.
    const tls = form.querySelector('select[name="sslMode"]') as HTMLSelectElement;
    expect(tls.value).toBe("verify-full");
    fireEvent.change(tls, { target: { value: "verify-ca" } });
    fireEvent.change(form.querySelector('input[name="sslRootCert"]') as HTMLInputElement, { target: { value: "certs/ca.pem" } });
    fireEvent.click(within(form).getByRole("button", { name: "Test connection" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("PostgreSQL 15.18 · 2 tables"));
    expect(invoke).toHaveBeenLastCalledWith("test_postgres", {
      request: expect.objectContaining({ database: "crm", user: "app", sslMode: "verify-ca", sslRootCert: "certs/ca.pem" }),
    });
    const table = form.querySelector('select[name="table"]') as HTMLSelectElement;
    const options = within(table).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["Choose a table…", "crm.customers", "crm.vips"]);
  });
});
