// Desktop end-to-end: drives the real built Steward app over WebDriver on the sample workspace.
// Needs: STEWARD_DESKTOP_BIN (the built binary), Xvfb, dbus-run-session, tauri-driver, WebKitWebDriver.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session, startDriver, startXvfb, stopAll } from "./webdriver.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const workspace = join(repo, "sample-data");
const app = process.env.STEWARD_DESKTOP_BIN;
const shots = resolve(process.env.STEWARD_SCREENSHOTS ?? join(repo, "target/e2e"));

/** The first data rows of a CSV with no quoted fields, as the grid shows them. */
function csvHead(path, n) {
  const [header, ...rows] = readFileSync(path, "utf8").trim().split("\n");
  return {
    header: header.split(","),
    rows: rows.slice(0, n).map((r) => r.split(",").map((v) => (v === "" ? "null" : v))),
  };
}

describe("Steward desktop on the sample workspace", () => {
  let session;
  let driver;

  before(async () => {
    assert.ok(app && existsSync(app), `STEWARD_DESKTOP_BIN must name the built app (got ${app})`);
    const display = await startXvfb();
    driver = await startDriver({ display, env: { STEWARD_WORKSPACE: workspace } });
    session = await Session.create(driver.url, app);
  });

  after(async () => {
    if (session) {
      try {
        mkdirSync(shots, { recursive: true });
        writeFileSync(join(shots, "last.png"), await session.screenshot());
      } catch {
        /* the window may already be gone */
      }
      await session.close();
    }
    await stopAll();
  });

  it("opens the workspace and lists its sources", async () => {
    const name = await session.waitFor("workspace name", async () => {
      const [t] = await session.texts("[data-testid=workspace-name]");
      return t;
    });
    assert.equal(name, "Customer 360 demo");
    const ids = await session.waitFor("source list", async () => {
      const els = await session.findAll(".source-list [data-source-id]");
      return els.length === 5 ? els : null;
    });
    assert.equal(ids.length, 5);
    const names = await session.texts(".source-list .source-name");
    assert.deepEqual(names, ["CRM customers", "Web shop orders", "Billing invoices", "Support tickets", "Country reference"]);
  });

  it("shows the CSV's real first rows in the grid, read by the Rust core", async () => {
    const want = csvHead(join(workspace, "orders.csv"), 3);
    await session.waitFor("orders grid", async () => (await session.findAll('[role=grid][aria-label="Preview of orders"] .grid-row[data-row="2"]')).length === 1);
    const headers = await session.contents("[role=grid] .col-name");
    assert.deepEqual(headers, want.header);
    for (let i = 0; i < want.rows.length; i++) {
      const cells = await session.contents(`[role=grid] .grid-row[data-row="${i}"] [role=gridcell]`);
      assert.deepEqual(cells, want.rows[i], `row ${i + 1}`);
    }
    const summary = (await session.texts("[data-testid=preview-summary]"))[0];
    const total = readFileSync(join(workspace, "orders.csv"), "utf8").trim().split("\n").length - 1;
    assert.match(summary, new RegExp(`^${total.toLocaleString("en-US")} rows · 7 columns`));
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, "orders-preview.png"), await session.screenshot());
  });

  it("previews the Parquet tickets, the SQLite customers and the Excel invoices", async () => {
    const open = async (id, columns) => {
      const [button] = await session.findAll(`[data-source-id="${id}"]`);
      await session.click(button);
      await session.waitFor(`${id} grid`, async () => (await session.findAll(`[aria-label="Preview of ${id}"] .grid-row[data-row="0"]`)).length === 1);
      const headers = await session.contents("[role=grid] .col-name");
      for (const c of columns) assert.ok(headers.includes(c), `${id}: ${c} missing from ${headers.join(",")}`);
      return session.contents("[role=grid] .col-type");
    };
    await open("tickets", ["body", "opened_at"]);
    const crmTypes = await open("crm", ["customer_id", "email", "birth_date"]);
    assert.ok(crmTypes.includes("date"), `birth_date typed as a date: ${crmTypes.join(",")}`);
    const firstId = (await session.contents('[role=grid] .grid-row[data-row="0"] [data-col="customer_id"]'))[0];
    assert.equal(firstId, "1");
    const invoiceTypes = await open("invoices", ["invoice_id", "issued_on", "paid"]);
    assert.deepEqual(invoiceTypes.slice(3, 5), ["date", "date"]);
    const summary = (await session.texts("[data-testid=preview-summary]"))[0];
    assert.match(summary, /rows · 10 columns/);
  });
});
