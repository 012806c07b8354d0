import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { Table, tableToIPC, vectorFromArray, Utf8 } from "apache-arrow";
import type { PrivacyReport, ProductDocument, ProductSummary, SaveProductRequest } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { PrivacyView } = await import("./PrivacyView");

const product: ProductSummary = { id: "c360", name: "c360", version: "1.0.0", entity: "Customer", key: ["customer_id"], related: [], error: null };

function bytes(cols: Record<string, string[]>): ArrayBuffer {
  const t = new Table(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, vectorFromArray(v, new Utf8())])));
  const u8 = tableToIPC(t, "file");
  return u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength) as ArrayBuffer;
}

const doc: ProductDocument = {
  productId: "c360",
  revision: "0000000000000001",
  layout: {},
  issues: [],
  definition: {
    steward: "steward.product/v1",
    metadata: { name: "c360", domain: "customer", owner: "a@b.c", version: "1.0.0" },
    entity: { name: "Customer", source: "crm", key: "customer_id", fields: [{ column: "customer_id" }, { column: "phone" }] },
    masking: { analytics: { rules: [{ field: "phone", rule: "partial", params: { keep_last: 4 } }] } },
  },
};

const report = (leaks: number): PrivacyReport => ({
  product: "customer360",
  profile: "analytics",
  key_version: 1,
  fields: [
    {
      table: "entity",
      field: "phone",
      at: "masking[analytics].rules[0]",
      rule: "partial",
      via: "field",
      properties: { deterministic: true, reversible: false, format_preserving: true, unique_preserving: false, locale_aware: false },
    },
  ],
  leaks: [{ table: "entity", columns: [{ column: "phone", same_row: leaks, other_columns: [], anywhere: 0 }] }],
  total_leaks: leaks,
  collisions: [],
  found_elsewhere: [],
  uncovered: [],
  risk: { quasi_identifiers: ["phone"], rows: 2, classes: 2, k: 1, class_sizes: [[1, 2]], unique_share: 1, prosecutor_max: 1, prosecutor_avg: 1, sensitive: null, l: null },
  warnings: [],
  violations: leaks ? ["2 original values survive masking (at most 0 allowed)"] : [],
});

afterEach(cleanup);

// Found on Chinook: a new product's Privacy tab showed an empty drop-down and nothing else, and a
// name it would not take was dropped without a word.
describe("a product with no masking profile", () => {
  it("says what a profile is, refuses a bad name plainly and creates a good one", async () => {
    const saves: SaveProductRequest[] = [];
    const bare = { ...doc, definition: { ...doc.definition, masking: undefined } };
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      if (cmd === "open_product") return bare;
      if (cmd === "save_product") {
        saves.push(args.request as unknown as SaveProductRequest);
        return { revision: "0000000000000002", issues: [] };
      }
      if (cmd === "privacy_report") return report(0);
      if (cmd === "masked_rows") return bytes({ phone: ["x"] });
      throw { code: "test", message: cmd };
    });
    render(<PrivacyView product={product} />);
    await waitFor(() => expect(screen.getByTestId("no-profiles").textContent).toContain("No masking profile yet"));
    expect(screen.queryByRole("combobox", { name: /Masking profile/ })).toBeNull();
    const name = screen.getByPlaceholderText("new profile (support…)");
    fireEvent.change(name, { target: { value: "Support Team" } });
    fireEvent.click(screen.getByRole("button", { name: "+ Profile" }));
    expect(screen.getByRole("status").textContent).toContain("starts with a lowercase letter");
    expect(saves).toEqual([]);
    fireEvent.change(name, { target: { value: "support" } });
    fireEvent.click(screen.getByRole("button", { name: "+ Profile" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.masking).toEqual({ support: { rules: [] } });
  });
});

describe("rule parameters", () => {
  it("read and write as key=value pairs", async () => {
    const { formatParams, parseParams } = await import("./params");
    const p = { from: ["street_address", "city"], part: "city", keep_last: 4, keep_domain: true };
    expect(formatParams(p)).toBe("from=[street_address city], part=city, keep_last=4, keep_domain=true");
    expect(parseParams(formatParams(p))).toEqual(p);
    expect(parseParams("")).toEqual({});
    expect(parseParams("kind first_name")).toBeNull();
  });

  it("are checked against the generated catalog as Steward checks them", async () => {
    const { ruleProblem, startingParams } = await import("./params");
    expect(ruleProblem("partial", { keep_last: 4 })).toBeNull();
    expect(ruleProblem("partial", { keep: 4 })).toBe("partial has no parameter keep; it takes: keep_first, keep_last, keep_domain, mask");
    expect(ruleProblem("partial", { keep_last: "four" })).toBe("keep_last must be a whole number");
    expect(ruleProblem("fake", {})).toBe("fake needs kind");
    expect(ruleProblem("fake", { kind: "horoscope" })).toMatch(/^kind must be one of name, first_name/);
    expect(ruleProblem("generalize", { to: "year" })).toBeNull();
    expect(ruleProblem("fpe", { id: "card" })).toBeNull();
    expect(ruleProblem("scramble", {})).toBe("scramble is not a masking rule");
    // Picking another rule keeps what it takes and starts what it needs.
    expect(startingParams("fake", { keep_last: 4 }, ["email"])).toEqual({ kind: "name" });
    expect(startingParams("linked_address", { locale: "fr_fr" }, ["city"])).toEqual({ part: "street_address", locale: "fr_fr", from: ["city"] });
    expect(startingParams("partial", { keep_last: 2, id: "x" }, [])).toEqual({ keep_last: 2, id: "x" });
  });
});

describe("PrivacyView", () => {
  it("shows masked values with originals hidden until revealed, the leak check, k, and saves rule edits", async () => {
    const saves: SaveProductRequest[] = [];
    let leaks = 2;
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      switch (cmd) {
        case "open_product":
          return doc;
        case "privacy_report":
          return report(leaks);
        case "masked_rows":
          return args.request.side === "masked"
            ? bytes({ customer_id: ["1", "2"], phone: ["+** ** 5678", "+** ** 1234"] })
            : bytes({ phone: ["+33 6 12 34 5678", "+31 6 99 88 1234"] });
        case "save_product":
          saves.push(args.request as unknown as SaveProductRequest);
          leaks = 0;
          return { revision: "0000000000000002", issues: [] };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={product} />);
    await waitFor(() => expect(screen.getByTestId("leak-summary").textContent).toBe("Leak check: 2 original values survive"));
    expect(screen.getByTestId("k-anonymity").textContent).toContain("k = 1 · 2 classes");
    // The class-size chart says what its axes are.
    const chart = screen.getByRole("figure", { name: "Class sizes" });
    expect(chart.textContent).toContain("classes, up to 2");
    expect(screen.getByTestId("bars-x").textContent).toBe("1class size (rows alike on the quasi-identifiers)1");
    const table = screen.getByTestId("side-by-side");
    await waitFor(() => expect(within(table).getAllByRole("row").length).toBe(3));
    const first = () => table.querySelector('tr[data-row="0"]') as HTMLElement;
    expect(first().querySelector('[data-masked="phone"]')?.textContent).toBe("+** ** 5678");
    expect(first().querySelector('[data-original="phone"]')?.textContent).toBe("•••");
    expect(invoke.mock.calls.some((c) => c[0] === "masked_rows" && (c[1] as { request: { side: string } }).request.side === "original")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "Reveal original phone" }));
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Show originals" }));
    await waitFor(() => expect(first().querySelector('[data-original="phone"]')?.textContent).toBe("+33 6 12 34 5678"));

    fireEvent.change(screen.getByRole("textbox", { name: "Parameters of rule 1" }), { target: { value: "keep_last=2" } });
    fireEvent.blur(screen.getByRole("textbox", { name: "Parameters of rule 1" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].baseRevision).toBe("0000000000000001");
    expect(saves[0].definition.masking?.analytics.rules).toEqual([{ field: "phone", rule: "partial", params: { keep_last: 2 } }]);
    await waitFor(() => expect(screen.getByTestId("leak-summary").textContent).toBe("Leak check: clean"));

    // A rule on a classification tag covers every column the steward tagged so.
    fireEvent.change(screen.getByRole("combobox", { name: "Field of rule 1" }), { target: { value: "tag:phone" } });
    await waitFor(() => expect(saves.length).toBe(2));
    expect(saves[1].definition.masking?.analytics.rules?.[0]).toEqual({ tag: "phone", rule: "partial", params: { keep_last: 2 } });
  });

  it("compares a related table side by side, offers its fields to rules, and reverses an FPE value for key holders", async () => {
    const withOrders: ProductDocument = {
      ...doc,
      definition: {
        ...doc.definition,
        related: [{ name: "orders", source: "shop", join: [{ parent: "customer_id", child: "customer_id" }], cardinality: "one_to_many", fields: [{ column: "customer_id" }, { column: "amount" }] }],
        masking: { billing: { rules: [{ field: "phone", rule: "fpe" }, { field: "orders.amount", rule: "noise", params: { pct: 5 } }] } },
      },
    };
    const field = (table: string, f: string, rule: string, reversible: boolean) => ({
      table, field: f, at: "masking[billing].rules[0]", rule, via: "field",
      properties: { deterministic: true, reversible, format_preserving: true, unique_preserving: reversible, locale_aware: false },
    });
    const reveals: Record<string, unknown>[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      switch (cmd) {
        case "open_product":
          return withOrders;
        case "privacy_report":
          return { ...report(0), profile: "billing", fields: [field("entity", "phone", "fpe", true), field("orders", "amount", "noise", false)] };
        case "masked_rows":
          if (args.request.table === "orders") {
            return args.request.side === "masked" ? bytes({ customer_id: ["1"], amount: ["104.2"] }) : bytes({ amount: ["100.0"] });
          }
          return bytes({ customer_id: ["1"], phone: ["+71 4 09 88 1276"] });
        case "privacy_reveal":
          reveals.push(args.request);
          return ["+33 6 12 34 5678"];
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={product} />);
    await waitFor(() => expect(screen.getByTestId("leak-summary").textContent).toBe("Leak check: clean"));
    // Related fields are offered to rules under their table's name.
    const fieldOptions = within(screen.getByRole("combobox", { name: "Field of rule 2" })).getAllByRole("option").map((o) => (o as HTMLOptionElement).value);
    expect(fieldOptions).toContain("orders.amount");
    expect((screen.getByRole("combobox", { name: "Field of rule 2" }) as HTMLSelectElement).value).toBe("orders.amount");

    fireEvent.change(screen.getByRole("combobox", { name: "Table side by side" }), { target: { value: "orders" } });
    const table = screen.getByTestId("side-by-side");
    const first = () => table.querySelector('tr[data-row="0"]') as HTMLElement;
    await waitFor(() => expect(first()?.querySelector('[data-masked="amount"]')?.textContent).toBe("104.2"));
    expect(first().querySelector('[data-original="amount"]')?.textContent).toBe("•••");
    fireEvent.click(screen.getByRole("button", { name: "Reveal original amount" }));
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Show originals" }));
    await waitFor(() => expect(first().querySelector('[data-original="amount"]')?.textContent).toBe("100.0"));
    const originalsAsked = invoke.mock.calls.filter((c) => c[0] === "masked_rows" && (c[1] as { request: { side: string } }).request.side === "original");
    expect((originalsAsked.at(-1)?.[1] as { request: { table: string; columns: string[] } }).request).toMatchObject({ table: "orders", columns: ["amount"] });

    // Only reversible fields can be reversed.
    const reversible = within(screen.getByRole("form", { name: "Reverse a masked value" }));
    expect(reversible.getAllByRole("option").map((o) => o.textContent)).toEqual(["phone"]);
    fireEvent.change(reversible.getByRole("textbox", { name: "Masked value" }), { target: { value: " +71 4 09 88 1276 " } });
    fireEvent.click(reversible.getByRole("button", { name: "Decrypt" }));
    await waitFor(() => expect(screen.getByTestId("revealed-original").textContent).toBe("+33 6 12 34 5678"));
    expect(reveals).toEqual([{ productId: "c360", profile: "billing", field: "phone", values: ["+71 4 09 88 1276"], keyVersion: null }]);
  });
});

describe("Coverage", () => {
  it("lists originals found elsewhere and uncovered personal data, each offering a rule there", async () => {
    const saves: SaveProductRequest[] = [];
    const withGaps: PrivacyReport = {
      ...report(1979),
      found_elsewhere: [
        { field: "street_address", table: "invoices", column: "billing_address", rows: 1979, in_text: false },
        { field: "phone", table: "tickets", column: "body", rows: 193, in_text: true },
      ],
      uncovered: [{ table: "invoices", field: "billing_address", tag: "street_address", why: "suggested", confidence: 1 }],
    };
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      switch (cmd) {
        case "open_product":
          return doc;
        case "privacy_report":
          return saves.length ? report(0) : withGaps;
        case "masked_rows":
          return bytes({ customer_id: ["1"], phone: ["+** ** 5678"] });
        case "save_product":
          saves.push(args.request as unknown as SaveProductRequest);
          return { revision: "0000000000000002", issues: [] };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={product} />);
    await waitFor(() => expect(screen.getByTestId("found-elsewhere-summary").textContent).toContain("2,172 rows keep original values"));
    const body = document.querySelector('[data-found-elsewhere="tickets.body"]') as HTMLElement;
    expect(body.textContent).toContain("inside the text");
    expect(screen.getByTestId("uncovered-summary").textContent).toBe("Uncovered: 1 fields hold personal data no rule covers");
    expect(document.querySelector('[data-uncovered="invoices.billing_address"]')?.textContent).toContain("suggested, 100% sure");
    fireEvent.click(screen.getByRole("button", { name: "Add a rule on invoices.billing_address" }));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].definition.masking?.analytics.rules).toEqual([
      { field: "phone", rule: "partial", params: { keep_last: 4 } },
      { field: "invoices.billing_address", rule: "redact" },
    ]);
    await waitFor(() => expect(screen.getByTestId("coverage-summary")).toBeTruthy());
  });
});

describe("rule edits in quick succession", () => {
  it("keeps both: the second builds on the first, not on what the screen showed", async () => {
    const saves: SaveProductRequest[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      switch (cmd) {
        case "open_product":
          return doc;
        case "privacy_report":
          return report(0);
        case "masked_rows":
          return bytes({ customer_id: ["1"], phone: ["+** ** 5678"] });
        case "save_product":
          saves.push(args.request as unknown as SaveProductRequest);
          return { revision: `000000000000000${saves.length + 1}`, issues: [] };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={product} />);
    const field = await screen.findByRole("combobox", { name: "Field of rule 1" });
    // Two edits of one rule before the screen redraws: the second builds on the first.
    const rule = screen.getByRole("combobox", { name: "Rule 1" });
    act(() => {
      fireEvent.change(field, { target: { value: "customer_id" } });
      fireEvent.change(rule, { target: { value: "fake" } });
    });
    await waitFor(() => expect(saves.at(-1)?.definition.masking?.analytics.rules?.[0]).toMatchObject({ field: "customer_id", rule: "fake" }));
    // The rule starts with the parameter it needs, so what is saved is a rule Steward accepts.
    expect(saves.at(-1)?.definition.masking?.analytics.rules?.[0].params).toEqual({ kind: "name" });
    const before = saves.length;
    const params = screen.getByRole("textbox", { name: "Parameters of rule 1" });
    fireEvent.change(params, { target: { value: "kind=horoscope" } });
    fireEvent.blur(params);
    expect((await screen.findByRole("alert")).textContent).toMatch(/^kind must be one of name/);
    await new Promise((r) => setTimeout(r, 50));
    expect(saves.length).toBe(before);
  });
});

describe("masking a product tree", () => {
  it("lists nested tables by path to compare, and offers their fields to rules as orders.lines.unit_price", async () => {
    const tree: ProductDocument = {
      ...doc,
      definition: {
        ...doc.definition,
        related: [
          {
            name: "orders",
            source: "shop",
            join: [{ parent: "customer_id", child: "customer_id" }],
            cardinality: "one_to_many",
            fields: [{ column: "order_id" }, { column: "amount" }],
            related: [
              {
                name: "lines",
                source: "order_lines",
                join: [{ parent: "order_id", child: "order_id" }],
                cardinality: "one_to_many",
                fields: [{ column: "order_id" }, { column: "sku" }, { column: "unit_price" }],
                reference: [{ name: "product", source: "products", join: [{ parent: "sku", child: "sku" }], fields: [{ column: "product_name" }] }],
              },
            ],
          },
        ],
        masking: { analytics: { rules: [{ field: "orders.lines.unit_price", rule: "noise", params: { pct: 5 } }] } },
      },
    };
    const linesMasked = {
      table: "orders.lines", field: "unit_price", at: "masking[analytics].rules[0]", rule: "noise", via: "field",
      properties: { deterministic: true, reversible: false, format_preserving: true, unique_preserving: false, locale_aware: false },
    };
    invoke.mockImplementation(async (cmd: string, args: { request: Record<string, unknown> }) => {
      switch (cmd) {
        case "open_product":
          return tree;
        case "privacy_report":
          return { ...report(0), fields: [linesMasked], leaks: [] };
        case "masked_rows":
          return args.request.table === "orders.lines"
            ? bytes({ customer_id: ["1"], order_id: ["100001"], unit_price: ["12.9"] })
            : bytes({ customer_id: ["1"], phone: ["+** 5678"] });
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={{ ...product, related: ["orders", "orders.lines"] }} />);
    const field = await screen.findByRole("combobox", { name: "Field of rule 1" });
    const offered = within(field).getAllByRole("option").map((o) => (o as HTMLOptionElement).value);
    expect(offered.filter((f) => !f.startsWith("tag:"))).toEqual([
      "customer_id",
      "phone",
      "orders.order_id",
      "orders.amount",
      "orders.lines.order_id",
      "orders.lines.sku",
      "orders.lines.unit_price",
      "orders.lines.product_name",
    ]);
    expect((field as HTMLSelectElement).value).toBe("orders.lines.unit_price");

    const picker = await screen.findByRole("combobox", { name: "Table side by side" });
    await waitFor(() =>
      expect(within(picker).getAllByRole("option").map((o) => [(o as HTMLOptionElement).value, o.textContent])).toEqual([
        ["entity", "crm (entity) · nothing masked"],
        ["orders", "orders · nothing masked"],
        ["orders.lines", "orders.lines"],
      ]),
    );
    fireEvent.change(picker, { target: { value: "orders.lines" } });
    const table = screen.getByTestId("side-by-side");
    await waitFor(() => expect(table.querySelector('tr[data-row="0"] [data-masked="unit_price"]')?.textContent).toBe("12.9"));
    const asked = invoke.mock.calls.filter((c) => c[0] === "masked_rows").map((c) => (c[1] as { request: { table: string } }).request.table);
    expect(asked).toContain("orders.lines");
  });
});

describe("rules on fields the product does not list", () => {
  it("shows each rule on its own field, never on the first one offered", async () => {
    // The entity takes every column of its table as it is (no `fields`), so the product lists
    // none of the root's fields: the rules must still show, and save, where they point.
    const bare: ProductDocument = {
      ...doc,
      definition: {
        ...doc.definition,
        entity: { name: "Customer", source: "crm", key: "c_custkey" },
        related: [{ name: "orders", source: "orders", join: [{ parent: "c_custkey", child: "o_custkey" }], cardinality: "one_to_many", fields: [{ column: "o_orderkey" }] }],
        masking: {
          analytics: {
            rules: [
              { field: "c_name", rule: "redact" },
              { field: "c_phone", rule: "partial", params: { keep_last: 4 } },
            ],
          },
        },
      },
    };
    invoke.mockImplementation(async (cmd: string) => {
      switch (cmd) {
        case "open_product":
          return bare;
        case "privacy_report":
          return { ...report(0), fields: [], leaks: [], risk: null };
        case "masked_rows":
          return bytes({ c_custkey: ["1"] });
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<PrivacyView product={{ ...product, key: ["c_custkey"], related: ["orders"] }} />);
    const first = await screen.findByRole("combobox", { name: "Field of rule 1" });
    const second = screen.getByRole("combobox", { name: "Field of rule 2" });
    expect((first as HTMLSelectElement).value).toBe("c_name");
    expect((second as HTMLSelectElement).value).toBe("c_phone");
    expect(within(second).getAllByRole("option").map((o) => (o as HTMLOptionElement).value)).toContain("orders.o_orderkey");
    // No quasi-identifier chosen: the risk section says what to do, not nothing.
    expect((await screen.findByTestId("risk-prompt")).textContent).toContain("Pick the quasi-identifiers");
  });
});
