import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ProductSummary, SettingsInfo } from "../bindings";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: class {} }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
const { SettingsDialog } = await import("./SettingsDialog");
const { RegistryView } = await import("../registry/RegistryView");

afterEach(cleanup);

const product: ProductSummary = { id: "customer360", name: "customer360", version: "1.0.0", entity: "Customer", key: ["customer_id"], related: [], error: null };

describe("Settings", () => {
  it("checks a registry before saving it, and says why one cannot be reached", async () => {
    let saved: SettingsInfo = { registry: null, registryInUse: null, path: "~/.config/steward/settings.json", theme: "system", node: null };
    const calls: string[] = [];
    const requests: unknown[] = [];
    invoke.mockImplementation(async (cmd: string, args: { url?: string; request?: { registry: string | null } }) => {
      calls.push(cmd);
      if (cmd === "save_settings") requests.push(args.request);
      switch (cmd) {
        case "settings_info":
          return saved;
        case "check_registry":
          if (args.url === "http://127.0.0.1:9") throw { code: "registry.unreachable", message: "registry http://127.0.0.1:9 is unreachable: connection refused" };
          return { url: args.url, registryKey: "SHA256:reg", products: 1 };
        case "save_settings":
          saved = { ...saved, registry: args.request?.registry ?? null, registryInUse: args.request?.registry ?? null };
          return saved;
        default:
          throw { code: "test", message: cmd };
      }
    });
    const onSaved = vi.fn();
    render(<SettingsDialog onClose={() => {}} onSaved={onSaved} />);
    await waitFor(() => expect(screen.getByText(/Kept in ~\/.config\/steward\/settings.json/)).toBeTruthy());
    const input = screen.getByRole("textbox", { name: "Registry URL" });
    fireEvent.change(input, { target: { value: "http://127.0.0.1:9" } });
    fireEvent.click(screen.getByRole("button", { name: "Check connection" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("127.0.0.1:9 is unreachable"));
    fireEvent.change(input, { target: { value: "http://127.0.0.1:7878" } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Check connection" }));
    await waitFor(() => expect(screen.getByTestId("registry-check").textContent).toBe("Reached http://127.0.0.1:7878: 1 product, registry key SHA256:reg."));
    // The data node, whose access log the product's owners read, is kept beside it.
    fireEvent.change(screen.getByRole("textbox", { name: "Data node URL" }), { target: { value: "http://127.0.0.1:7979" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(saved.registry).toBe("http://127.0.0.1:7878");
    expect(requests).toEqual([{ registry: "http://127.0.0.1:7878", theme: "system", node: "http://127.0.0.1:7979" }]);
  });

  it("tries colours at once, keeps them when saved and puts the saved ones back when closed", async () => {
    let saved: SettingsInfo = { registry: "http://r", registryInUse: "http://r", path: "settings.json", theme: "light", node: null };
    const requests: unknown[] = [];
    invoke.mockImplementation(async (cmd: string, args: { request?: { registry: string | null; theme: SettingsInfo["theme"] } }) => {
      if (cmd === "settings_info") return saved;
      if (cmd === "save_settings") {
        requests.push(args.request);
        saved = { ...saved, theme: args.request?.theme ?? saved.theme };
        return saved;
      }
      throw { code: "test", message: cmd };
    });
    const root = document.documentElement;
    const onClose = vi.fn();
    render(<SettingsDialog onClose={onClose} />);
    const colours = (await screen.findByRole("combobox", { name: "Colours" })) as HTMLSelectElement;
    await waitFor(() => expect(colours.value).toBe("light"));
    fireEvent.change(colours, { target: { value: "dark" } });
    expect(root.dataset.theme).toBe("dark");
    fireEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(root.dataset.theme).toBe("light");
    expect(onClose).toHaveBeenCalled();
    cleanup();
    render(<SettingsDialog onClose={() => {}} />);
    const again = (await screen.findByRole("combobox", { name: "Colours" })) as HTMLSelectElement;
    await waitFor(() => expect(again.value).toBe("light"));
    fireEvent.change(again, { target: { value: "system" } });
    expect(root.dataset.theme).toBeUndefined();
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(requests).toEqual([{ registry: "http://r", theme: "system", node: "" }]));
    expect(root.dataset.theme).toBeUndefined();
  });

  it("says when no registry is configured, or it cannot be reached, instead of 'nothing published'", async () => {
    let url: string | null = null;
    invoke.mockImplementation(async (cmd: string) => {
      switch (cmd) {
        case "registry_info":
          return { url, keyName: "ada", fingerprint: "SHA256:abc", publicKey: "ed25519:AAAA", keyError: null };
        case "registry_search":
        case "registry_diff":
          if (!url) throw { code: "registry.unconfigured", message: "no registry configured" };
          throw { code: "registry.unreachable", message: `registry ${url} is unreachable: connection refused` };
        default:
          throw { code: "test", message: cmd };
      }
    });
    render(<RegistryView product={product} />);
    await waitFor(() => expect(screen.getByTestId("registry-state").textContent).toContain("No registry configured"));
    expect(screen.queryByText(/Nothing published/)).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    cleanup();
    url = "http://127.0.0.1:9";
    render(<RegistryView product={product} />);
    await waitFor(() => expect(screen.getByTestId("registry-state").textContent).toContain("cannot be reached"));
    expect(screen.queryByText(/Nothing published/)).toBeNull();
  });
});
