import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { DraftDiffInfo, Evidence, ProductSummary, PublishCheck, RegistryProduct } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
const open = vi.fn();
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: (...a: unknown[]) => open(...a) }));
const { RegistryView } = await import("./RegistryView");

const product: ProductSummary = { id: "customer360", name: "customer360", version: "1.0.0", entity: "Customer", key: ["customer_id"], related: [], error: null };

afterEach(cleanup);

const evidence = (k: number | null): Evidence => ({
  measured_at: "2026-12-02T10:00:00Z",
  steward: "0.1.0",
  entities: 500,
  validation: { errors: 0, warnings: 2 },
  quality: { rules: 7, passed: 5, failed: ["not_null email", "regex phone"] },
  personal_data: [{ field: "email", tag: "email" }],
  profiles: [
    {
      name: "analytics",
      masked: [{ field: "email", rule: "fake", reversible: false }],
      k,
      quasi_identifiers: ["birth_date", "country_code"],
      leaks: 0,
      uncovered: [],
      violations: [],
    },
  ],
});
const passing: PublishCheck = { evidence: evidence(7), shortfalls: [] };

describe("RegistryView", () => {
  it("diffs the draft, explains a refusal, publishes and lists the product", async () => {
    const listed: RegistryProduct[] = [];
    const publishes: unknown[] = [];
    let diff: DraftDiffInfo = {
      product: "customer360",
      draftVersion: "1.1.0",
      published: "1.0.0",
      changes: [{ path: "entity.fields[phone]", kind: "removed", message: "field `phone` removed", bump: "major" }],
      suggested: "major",
      underBumped: true,
      privacyReview: false,
    };
    invoke.mockImplementation(async (cmd: string, args: { request?: Record<string, unknown> }) => {
      switch (cmd) {
        case "registry_info":
          return { url: "http://127.0.0.1:7878", keyName: "demo-steward", fingerprint: "SHA256:abc", publicKey: "ed25519:AAAA", keyError: null };
        case "registry_search":
          return listed;
        case "registry_diff":
          return diff;
        case "registry_check":
          return passing;
        case "registry_publish":
          publishes.push(args.request);
          if (!args.request?.allowBreaking) throw { code: "registry.breaking_change", message: "customer360 1.0.0 → 1.1.0 needs a major bump" };
          listed.push({ name: "customer360", latest: "1.1.0", domain: "customer", owner: "o@x", tags: [], description: null, versions: 2, deprecated: null });
          diff = { ...diff, published: "1.1.0", changes: [], suggested: "none", underBumped: true };
          return { name: "customer360", version: "1.1.0", digest: "sha256:00", logIndex: 3, privacyReview: false, previous: "1.0.0" };
        case "registry_versions":
          return [{ version: "1.1.0", digest: "sha256:00", signer: "SHA256:abc", publishedAt: "2026-11-26T00:00:00Z", yanked: null, deprecated: null }];
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<RegistryView product={product} />);
    await waitFor(() => expect(screen.getByTestId("signing-key").textContent).toBe("Signing key: demo-steward"));
    expect(screen.getByTestId("public-key").textContent).toBe("ed25519:AAAA");
    await waitFor(() => expect(screen.getByTestId("suggested-bump").textContent).toBe("major"));
    expect(screen.getByText(/publishing will be refused unless you override/)).toBeTruthy();
    expect(screen.getByText("Nothing published yet.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Publish…" }));
    await waitFor(() => expect(screen.getByTestId("policy-ok")).toBeTruthy());
    fireEvent.click(screen.getByRole("button", { name: "Sign and publish" }));
    await waitFor(() => expect(screen.getByTestId("publish-refusal").getAttribute("data-code")).toBe("registry.breaking_change"));
    expect(screen.getByText(/raise the major version, or publish with an explained override/)).toBeTruthy();

    // The override needs a reason, which goes to the audit log.
    const dialog = screen.getByRole("dialog", { name: "Publish" });
    fireEvent.click(within(dialog).getByRole("checkbox"));
    expect((within(dialog).getByRole("button", { name: "Sign and publish" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(dialog).getByRole("textbox", { name: "Reason" }), { target: { value: "phone moved" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Sign and publish" }));
    await waitFor(() => expect(screen.getByTestId("publish-result").textContent).toContain("Published customer360@1.1.0"));
    expect(publishes).toEqual([
      { productId: "customer360", allowBreaking: false, reason: null, waiver: null },
      { productId: "customer360", allowBreaking: true, reason: "phone moved", waiver: null },
    ]);
    const table = await screen.findByRole("table", { name: "Registry products" });
    fireEvent.click(within(table).getByRole("button", { name: "customer360" }));
    await waitFor(() => expect(screen.getByRole("table", { name: "Versions of customer360" })).toBeTruthy());
  });

  it("offers to make a signing key when there is none", async () => {
    invoke.mockImplementation(async (cmd: string, args: { name?: string }) => {
      switch (cmd) {
        case "registry_info":
          return { url: "http://r", keyName: null, fingerprint: null, publicKey: null, keyError: "no signing key on this machine" };
        case "generate_signing_key":
          return { url: "http://r", keyName: args.name, fingerprint: "SHA256:x", publicKey: "ed25519:BBBB", keyError: null };
        case "registry_search":
          return [];
        case "registry_diff":
          return { product: "customer360", draftVersion: "1.0.0", published: null, changes: [], suggested: "none", underBumped: false, privacyReview: false };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<RegistryView product={product} />);
    await waitFor(() => expect(screen.getByText("no signing key on this machine")).toBeTruthy());
    expect(screen.getByTestId("draft-diff").textContent).toContain("not published yet: 1.0.0 would be its first version");
    fireEvent.change(screen.getByRole("textbox", { name: "New key name" }), { target: { value: "ada" } });
    fireEvent.click(screen.getByRole("button", { name: "Generate signing key" }));
    await waitFor(() => expect(screen.getByTestId("signing-key").textContent).toBe("Signing key: ada"));
  });

  it("shows what the central policy misses, with fixes, and publishes only with an officer's override", async () => {
    const publishes: unknown[] = [];
    const failing: PublishCheck = {
      evidence: evidence(1),
      shortfalls: [
        {
          requirement: "min_k[analytics]",
          message: "k = 1 over birth_date, country_code in profile `analytics` (at least 2 required)",
          fix: "generalise birth_date, country_code further (age bands, postal code prefixes)",
        },
      ],
    };
    invoke.mockImplementation(async (cmd: string, args: { request?: Record<string, unknown> }) => {
      switch (cmd) {
        case "registry_info":
          return { url: "http://r", keyName: "ada", fingerprint: "SHA256:x", publicKey: "ed25519:BBBB", keyError: null };
        case "registry_search":
          return [{ name: "customer360", latest: "1.0.0", domain: "customer", owner: "o@x", tags: [], description: null, versions: 1, deprecated: null }];
        case "registry_diff":
          return { product: "customer360", draftVersion: "1.0.0", published: null, changes: [], suggested: "none", underBumped: false, privacyReview: false };
        case "registry_check":
          return failing;
        case "registry_publish":
          publishes.push(args.request);
          return { name: "customer360", version: "1.0.0", digest: "sha256:00", logIndex: 1, privacyReview: false, previous: null };
        case "registry_versions":
          return [{ version: "1.0.0", digest: "sha256:00", signer: "SHA256:x", publishedAt: "2026-12-02T00:00:00Z", yanked: null, deprecated: null }];
        case "registry_evidence":
          return { evidence: evidence(1), waiver: { reason: "accepted for the fraud team", waives: ["min_k[analytics]"] } };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<RegistryView product={product} />);
    await waitFor(() => expect(screen.getByTestId("signing-key")).toBeTruthy());
    fireEvent.click(screen.getByRole("button", { name: "Publish…" }));
    const listed = await screen.findByTestId("policy-shortfalls");
    const item = listed.querySelector('[data-requirement="min_k[analytics]"]');
    expect(item?.textContent).toContain("k = 1 over birth_date, country_code");
    expect(item?.textContent).toContain("Fix: generalise birth_date");
    expect(screen.getByRole("table", { name: "Evidence per profile" }).querySelector('[data-profile="analytics"] [data-col="k"]')?.textContent).toBe("1");
    const sign = screen.getByRole("button", { name: "Sign and publish" }) as HTMLButtonElement;
    expect(sign.disabled).toBe(true);

    // What the native picker hands back: an absolute path on the steward's machine.
    const picked = `${process.cwd()}/waiver.json`;
    open.mockResolvedValue(picked);
    fireEvent.click(screen.getByRole("button", { name: "attach a privacy officer's signed override…" }));
    await waitFor(() => expect(sign.disabled).toBe(false));
    fireEvent.click(sign);
    await waitFor(() => expect(screen.getByTestId("publish-result").textContent).toContain("Published customer360@1.0.0"));
    expect(publishes).toEqual([{ productId: "customer360", allowBreaking: false, reason: null, waiver: picked }]);

    // A published version shows the evidence and the override it carries.
    const table = await screen.findByRole("table", { name: "Registry products" });
    fireEvent.click(within(table).getByRole("button", { name: "customer360" }));
    fireEvent.click(await screen.findByRole("button", { name: "1.0.0" }));
    const shown = await screen.findByTestId("version-evidence");
    await waitFor(() => expect(within(shown).getByTestId("waiver").textContent).toContain("accepted for the fraud team (waived: min_k[analytics])"));
  });
});
