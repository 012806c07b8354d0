// The installed desktop app, launched from its package (/usr/bin/steward-desktop) under Xvfb and
// driven over WebDriver: it opens the sample workspace and lists what the installed registry holds.
// Run by tests/dist/installed.sh, which installs the packages and publishes to the registry first.
// Needs: STEWARD_INSTALLED_APP, STEWARD_WORKSPACE, STEWARD_REGISTRY (the running service's URL).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session, startDriver, startXvfb, stopAll } from "../e2e/webdriver.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const app = process.env.STEWARD_INSTALLED_APP;
const workspace = process.env.STEWARD_WORKSPACE;
const registry = process.env.STEWARD_REGISTRY;
const shots = resolve(process.env.STEWARD_SCREENSHOTS ?? join(repo, "target/e2e"));

describe("Steward as installed from its Debian package", () => {
  let session;

  before(async () => {
    assert.ok(app && existsSync(app), `STEWARD_INSTALLED_APP must name the installed app (got ${app})`);
    assert.ok(workspace && existsSync(workspace), `STEWARD_WORKSPACE must name a workspace (got ${workspace})`);
    assert.ok(registry, "STEWARD_REGISTRY must name the installed registry's URL");
    const display = await startXvfb();
    const driver = await startDriver({ display, env: { STEWARD_WORKSPACE: workspace, STEWARD_REGISTRY: registry } });
    session = await Session.create(driver.url, app);
  });

  after(async () => {
    if (session) {
      try {
        mkdirSync(shots, { recursive: true });
        writeFileSync(join(shots, "installed.png"), await session.screenshot());
      } catch {
        /* the window may already be gone */
      }
      await session.close();
    }
    await stopAll();
  });

  it("opens the sample workspace", async () => {
    const name = await session.waitFor("workspace name", async () => (await session.texts("[data-testid=workspace-name]"))[0], 60000);
    assert.equal(name, "Customer 360 demo");
    const sources = await session.waitFor("source list", async () => {
      const els = await session.findAll(".source-list [data-source-id]");
      return els.length === 7 ? els : null;
    });
    assert.equal(sources.length, 7);
  });

  it("lists the product published to the installed registry", async () => {
    const [product] = await session.findAll('[data-product-id="customer360"]');
    await session.click(product);
    for (const tab of await session.findAll("[role=tab]")) {
      if ((await session.content(tab)).trim() === "Registry") await session.click(tab);
    }
    await session.waitFor("listed", async () => (await session.findAll('[data-registry-product="customer360"]')).length === 1, 60000);
  });
});
