import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { AddGrantRequest, GrantInfo, RevokeGrantRequest } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { Grants } = await import("./Grants");

afterEach(cleanup);

const grant = (name: string, profile: string, revoked: string | null = null): GrantInfo => ({
  digest: `sha256:${name.length.toString().padStart(64, "0")}`,
  consumerName: name,
  consumer: "SHA256:abc",
  profile,
  versions: "^1",
  expires: null,
  grantedAt: "2026-12-02T10:00:00Z",
  signer: "SHA256:ada",
  revoked,
});

describe("Grants", () => {
  it("lists grants, grants a profile of the product, refuses plainly, and revokes with a reason", async () => {
    let grants = [grant("support desk", "analytics")];
    const added: AddGrantRequest[] = [];
    const revoked: RevokeGrantRequest[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request?: unknown; product?: string; productId?: string }) => {
      switch (cmd) {
        case "registry_grants":
          return grants;
        case "open_product":
          return { productId: "customer360", revision: "1", layout: {}, issues: [], definition: { masking: { analytics: { rules: [] } } } };
        case "registry_grant": {
          const r = args.request as AddGrantRequest;
          if (r.consumer === "bad") throw { code: "registry.untrusted", message: "a grant of customer360 must be signed by a key trusted for domain `customer`" };
          added.push(r);
          grants = [...grants, grant(r.consumerName, r.profile)];
          return grants[grants.length - 1];
        }
        case "registry_revoke_grant":
          revoked.push(args.request as RevokeGrantRequest);
          grants = grants.map((g) => (g.consumerName === "support desk" ? { ...g, revoked: (args.request as RevokeGrantRequest).reason } : g));
          return null;
        default:
          throw { code: "test.unexpected", message: cmd };
      }
    });
    render(<Grants product="customer360" />);
    const table = await screen.findByRole("table", { name: "Grants of customer360" });
    expect(within(table).getByText("support desk")).toBeTruthy();
    // The profiles offered are the product's, and `unmasked` said for what it is.
    await waitFor(() => expect(screen.getByRole("option", { name: "analytics" })).toBeTruthy());
    expect(screen.getByRole("option", { name: "unmasked (owners)" })).toBeTruthy();

    // Refused: said plainly, nothing added.
    fireEvent.change(screen.getByRole("textbox", { name: "Consumer key" }), { target: { value: "bad" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Who holds it" }), { target: { value: "mallory" } });
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await waitFor(() => expect(screen.getByText(/trusted for domain `customer`/)).toBeTruthy());
    expect(added).toEqual([]);

    fireEvent.change(screen.getByRole("textbox", { name: "Consumer key" }), { target: { value: "ed25519:AAAA" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Who holds it" }), { target: { value: "owners" } });
    fireEvent.change(screen.getByRole("combobox", { name: "Profile" }), { target: { value: "unmasked" } });
    fireEvent.change(screen.getByLabelText("Ends"), { target: { value: "2027-06-30" } });
    fireEvent.click(screen.getByRole("button", { name: "Grant" }));
    await waitFor(() => expect(added.length).toBe(1));
    expect(added[0]).toEqual({ product: "customer360", consumer: "ed25519:AAAA", consumerName: "owners", profile: "unmasked", versions: null, expires: "2027-06-30" });
    await waitFor(() => expect(document.querySelector('tr[data-grant="owners"]')).toBeTruthy());

    fireEvent.click(screen.getByRole("button", { name: "Revoke the grant to support desk" }));
    const revoke = screen.getByRole("button", { name: "Revoke" }) as HTMLButtonElement;
    expect(revoke.disabled).toBe(true);
    fireEvent.change(screen.getByRole("textbox", { name: "Why the grant to support desk is revoked" }), { target: { value: "desk closed" } });
    fireEvent.click(revoke);
    await waitFor(() => expect(document.querySelector('tr[data-grant="support desk"]')?.getAttribute("data-revoked")).toBe("yes"));
    expect(revoked).toEqual([{ digest: grant("support desk", "analytics").digest, reason: "desk closed" }]);
    expect(screen.getByText("revoked: desk closed")).toBeTruthy();
  });
});

describe("Recent accesses", () => {
  it("lists who read the product, or says why it cannot", async () => {
    let answer: unknown = [
      { index: 7, at: "2026-12-02T10:00:01Z", consumerName: "analytics app", consumer: "SHA256:a", version: "1.0.0", profile: "analytics", endpoint: "arrow", entities: 1000000 },
    ];
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "registry_grants") return [];
      if (cmd === "open_product") return { productId: "customer360", revision: "1", layout: {}, issues: [], definition: { masking: {} } };
      if (cmd === "node_accesses") {
        if (answer instanceof Error) throw { code: answer.message, message: "refused" };
        return answer;
      }
      throw { code: "test.unexpected", message: cmd };
    });
    render(<Grants product="customer360" />);
    const table = await screen.findByRole("table", { name: "Recent accesses to customer360" });
    expect(within(table).getByText("analytics app")).toBeTruthy();
    expect(within(table).getByText("1,000,000")).toBeTruthy();
    expect(within(table).getByText("arrow · 1.0.0")).toBeTruthy();
    cleanup();
    answer = new Error("app.no_node");
    render(<Grants product="customer360" />);
    await waitFor(() => expect(screen.getByText("Set the data node in Settings to see who read this product.")).toBeTruthy());
    cleanup();
    answer = new Error("node.forbidden");
    render(<Grants product="customer360" />);
    await waitFor(() => expect(screen.getByText(/your key needs an unmasked grant/)).toBeTruthy());
  });
});
