import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ModelIssue, ProductDefinition, ProductDocument, SaveProductRequest, SourceSummary } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { Modeller } = await import("./Modeller");

const definition: ProductDefinition = {
  steward: "steward.product/v1",
  metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
  entity: { name: "Customer", source: "crm", key: "customer_id" },
};

const source = (id: string): SourceSummary => ({
  id,
  name: id,
  kind: "csv",
  path: `${id}.csv`,
  table: null,
  system: null,
  description: null,
  server: null,
  keepText: [],
});

const COLUMNS: Record<string, { name: string; dtype: string }[]> = {
  crm: [
    { name: "customer_id", dtype: "i64" },
    { name: "email", dtype: "str" },
  ],
  orders: [
    { name: "order_id", dtype: "i64" },
    { name: "customer_id", dtype: "i64" },
  ],
};

let saves: SaveProductRequest[] = [];
let disk: ProductDocument;
let conflictNext = false;
/** What `check_draft` answers about an edit before it is saved. */
let draftIssues: ModelIssue[] = [];
let drafts: ProductDefinition[] = [];
let layouts: Record<string, { x: number; y: number }>[] = [];

beforeEach(() => {
  saves = [];
  conflictNext = false;
  draftIssues = [];
  drafts = [];
  layouts = [];
  disk = { productId: "c360", revision: "0000000000000001", definition, layout: { entity: { x: 0, y: 0 } }, issues: [] };
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "open_product":
        return disk;
      case "inspect_source": {
        const id = args.sourceId as string;
        return { path: `/ws/data/${id}.csv`, columns: COLUMNS[id], row_count: 2, format: "csv" };
      }
      case "save_product": {
        const r = args.request as SaveProductRequest;
        if (conflictNext) {
          conflictNext = false;
          throw { code: "model.conflict", message: "products/c360.yaml: changed outside Steward" };
        }
        if (r.baseRevision !== disk.revision) throw { code: "test.stale", message: "saved on a stale revision" };
        saves.push(r);
        const revision = (parseInt(disk.revision, 16) + 1).toString(16).padStart(16, "0");
        disk = { ...disk, revision, definition: r.definition };
        return { revision, issues: r.definition.related?.some((x) => x.join.length === 0) ? [{ path: "related[orders].join", severity: "error", code: "model.empty", message: "no join" }] : [] };
      }
      case "validate_product":
        return [];
      case "check_draft":
        drafts.push((args.request as { definition: ProductDefinition }).definition);
        return draftIssues;
      case "save_layout":
        layouts.push((args.request as { layout: Record<string, { x: number; y: number }> }).layout);
        return null;
      default:
        throw { code: "test.unexpected", message: cmd };
    }
  });
});
afterEach(cleanup);

describe("Modeller", () => {
  it("measures a join before saving it, and shows the numbers when the data contradicts it", async () => {
    render(<Modeller productId="c360" sources={[source("crm"), source("orders")]} />);
    await screen.findByText("Customer");
    fireEvent.click(screen.getByRole("button", { name: "Add orders to the model" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(drafts).toHaveLength(0);
    draftIssues = [
      { path: "related[orders].join", severity: "error", code: "model.orphans", message: "2,145 of 2,495 rows (86.0%) have no matching Customer, above the 5% limit" },
      { path: "entity.key", severity: "error", code: "model.null_key", message: "not about this join" },
    ];
    fireEvent.click(await screen.findByRole("button", { name: "Join on customer_id = customer_id" }));
    const warning = await screen.findByRole("alertdialog", { name: "The data contradicts this join" });
    expect(drafts[0].related?.[0].join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    expect(warning.textContent).toContain("The data contradicts the join of orders:");
    expect(warning.textContent).toContain("2,145 of 2,495 rows (86.0%) have no matching Customer");
    expect(warning.textContent).not.toContain("not about this join");
    expect(saves.length).toBe(1);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(saves.length).toBe(1);
    fireEvent.click(screen.getByRole("button", { name: "Join on customer_id = customer_id" }));
    fireEvent.click(await screen.findByRole("button", { name: "Join anyway" }));
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.related?.[0].join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    // A join the data agrees with is saved at once.
    draftIssues = [{ path: "related[orders].join", severity: "warning", code: "model.orphans", message: "32 of 2,495 rows (1.3%) have no matching Customer" }];
    fireEvent.change(screen.getByRole("combobox", { name: /Field of Customer in pair 1/ }), { target: { value: "email" } });
    await waitFor(() => expect(saves.length).toBe(3));
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("adds a table from the source browser, saves every edit on the revision it read, and undoes", async () => {
    render(<Modeller productId="c360" sources={[source("crm"), source("orders")]} />);
    await screen.findByText("Customer");
    fireEvent.click(screen.getByRole("button", { name: "Add orders to the model" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.related).toEqual([{ name: "orders", source: "orders", join: [], cardinality: "one_to_many" }]);
    expect(saves[0].baseRevision).toBe("0000000000000001");
    // The new table is selected: the inspector offers the join on the key's name.
    const join = await screen.findByRole("button", { name: "Join on customer_id = customer_id" });
    await waitFor(() => expect(document.querySelector('[data-node="related:orders"]')).toBeTruthy());
    // The badge follows the validation, which answers after the node is drawn.
    await waitFor(() => expect(document.querySelector('[data-testid="issues-related:orders"]')?.textContent).toBe("1"));
    fireEvent.click(join);
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.related?.[0].join).toEqual([{ parent: "customer_id", child: "customer_id" }]);
    expect(saves[1].baseRevision).toBe("0000000000000002");

    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.length).toBe(3));
    expect(saves[2].definition.related?.[0].join).toEqual([]);
    fireEvent.keyDown(document, { key: "z", ctrlKey: true });
    await waitFor(() => expect(saves.length).toBe(4));
    expect(saves[3].definition.related).toBeUndefined();
    fireEvent.keyDown(document, { key: "z", ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(saves.length).toBe(5));
    expect(saves[4].definition.related?.length).toBe(1);
    await waitFor(() => expect(screen.getByTestId("save-state").textContent).toBe("Saved"));
  });

  it("moves a selected box with the arrow keys and keeps where it was left", async () => {
    render(<Modeller productId="c360" sources={[source("crm")]} />);
    await screen.findByText("Customer");
    // Reached with Tab and chosen with Enter, as a mouse click would.
    const box = document.querySelector('.react-flow__node[data-id="entity"]') as HTMLElement;
    expect(box.tabIndex).toBe(0);
    box.focus();
    fireEvent.keyDown(box, { key: "Enter" });
    await screen.findByRole("textbox", { name: "Name of email in the product" });
    await waitFor(() => expect(box.classList.contains("selected")).toBe(true));
    fireEvent.keyDown(box, { key: "ArrowRight" });
    fireEvent.keyDown(box, { key: "ArrowDown", shiftKey: true });
    await waitFor(() => expect(layouts.at(-1)?.entity).toEqual({ x: 5, y: 20 }));
  });

  it("renames a field in one undo step however many keys were typed", async () => {
    render(<Modeller productId="c360" sources={[source("crm")]} />);
    fireEvent.click(await screen.findByText("Customer"));
    const input = await screen.findByRole("textbox", { name: "Name of email in the product" });
    for (const v of ["m", "ma", "mail"]) fireEvent.change(input, { target: { value: v } });
    await waitFor(() => expect(saves.at(-1)?.definition.entity.fields?.[1]).toEqual({ column: "email", as: "mail", type: "str" }));
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.at(-1)?.definition.entity.fields).toBeUndefined());
  });

  it("ignores the watcher reporting one of its own earlier saves", async () => {
    const { rerender } = render(<Modeller productId="c360" sources={[source("crm"), source("orders")]} />);
    await screen.findByText("Customer");
    fireEvent.click(screen.getByRole("button", { name: "Add orders to the model" }));
    await waitFor(() => expect(saves.length).toBe(1));
    await waitFor(() => expect(screen.getByTestId("save-state").textContent).toBe("Saved"));
    rerender(<Modeller productId="c360" sources={[source("crm"), source("orders")]} diskRevision="0000000000000001" />);
    await waitFor(() => expect(invoke.mock.calls.filter((c) => c[0] === "open_product").length).toBe(2));
    expect(screen.queryByTestId("modeller-notice")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.related).toBeUndefined();
  });

  it("reloads an edit made outside the app, and never overwrites one that raced a save", async () => {
    const { rerender } = render(<Modeller productId="c360" sources={[source("crm"), source("orders")]} />);
    await screen.findByText("Customer");
    disk = { ...disk, revision: "00000000000000aa", definition: { ...definition, entity: { ...definition.entity, name: "Client" } } };
    rerender(<Modeller productId="c360" sources={[source("crm"), source("orders")]} diskRevision="00000000000000aa" />);
    await screen.findByText("Client");
    expect(screen.getByTestId("modeller-notice").textContent).toContain("edited outside Steward");

    conflictNext = true;
    disk = { ...disk, revision: "00000000000000bb", definition: { ...definition, entity: { ...definition.entity, name: "Account" } } };
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Add orders to the model" }));
    });
    await screen.findByText("Account");
    expect(screen.getByTestId("modeller-notice").textContent).toContain("your last edit was not applied");
    expect(saves).toEqual([]);
  });
});
