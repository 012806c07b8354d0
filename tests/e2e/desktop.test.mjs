// Desktop end-to-end: drives the real built Steward app over WebDriver on the sample workspace.
// Needs: STEWARD_DESKTOP_BIN (the built binary), Xvfb, dbus-run-session, tauri-driver, WebKitWebDriver.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, Session, startDriver, startXvfb, stopAll } from "./webdriver.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// The app edits its workspace (adding sources, saving decisions): work on a copy of the sample.
const workspace = mkdtempSync(join(tmpdir(), "steward-e2e-"));
cpSync(join(repo, "sample-data"), workspace, { recursive: true, filter: (src) => !src.includes(".steward") });
const app = process.env.STEWARD_DESKTOP_BIN;
// A local registry beside the app, as `make run` starts it (demo keys made in the app's keychain).
const registryBin = process.env.STEWARD_REGISTRY_BIN;
const registryDb = join(workspace, ".steward-registry.db");
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
  let registryUrl;

  before(async () => {
    assert.ok(app && existsSync(app), `STEWARD_DESKTOP_BIN must name the built app (got ${app})`);
    assert.ok(registryBin && existsSync(registryBin), `STEWARD_REGISTRY_BIN must name steward-registry (got ${registryBin})`);
    const display = await startXvfb();
    const registry = `127.0.0.1:${await freePort()}`;
    registryUrl = `http://${registry}`;
    // A central policy, as a registry admin would set it: no leaks, and every email masked by a
    // rule that cannot be reversed, in every profile.
    const requirements = join(workspace, ".steward-requirements.json");
    writeFileSync(requirements, JSON.stringify([{ domains: ["*"], max_leaks: 0, masked: [{ tag: "email", irreversible: true }] }]));
    driver = await startDriver({
      display,
      env: { STEWARD_WORKSPACE: workspace, STEWARD_REGISTRY: `http://${registry}`, STEWARD_KEY: "demo-steward" },
      companion: [registryBin, "demo", "--db", registryDb, "--listen", registry, "--requirements", requirements],
    });
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
    rmSync(workspace, { recursive: true, force: true });
  });

  it("opens the workspace and lists its sources", async () => {
    const name = await session.waitFor("workspace name", async () => {
      const [t] = await session.texts("[data-testid=workspace-name]");
      return t;
    });
    assert.equal(name, "Customer 360 demo");
    const ids = await session.waitFor("source list", async () => {
      const els = await session.findAll(".source-list [data-source-id]");
      return els.length === 7 ? els : null;
    });
    assert.equal(ids.length, 7);
    const names = await session.texts('ul[aria-label="Sources"] .source-name');
    assert.deepEqual(names, ["CRM customers", "Web shop orders", "Billing invoices", "Support tickets", "Country reference", "Web shop order lines", "Product catalogue"]);
  });

  it("opens the sample product on the modelling canvas", async () => {
    const nodes = await session.waitFor("canvas nodes", async () => {
      const ids = await session.findAll(".react-flow__node [data-node]");
      return ids.length === 7 ? ids : null;
    }, 60000);
    const ids = await Promise.all(nodes.map((n) => session.cmd("GET", `/element/${n}/attribute/data-node`)));
    // Three levels: the order lines under their orders, the product looked up on each line.
    assert.deepEqual(ids.sort(), [
      "entity",
      "reference:country",
      "reference:orders.lines.product",
      "related:invoices",
      "related:orders",
      "related:orders.lines",
      "related:tickets",
    ]);
    await session.waitFor("join edges", async () => (await session.findAll(".react-flow__edge.join-edge")).length === 6);
    const status = await session.waitFor("validation", async () => {
      const [t] = await session.texts('[data-testid="model-status"]');
      return t && !t.startsWith("Checking") ? t : null;
    }, 60000);
    assert.equal(status, "Valid · 2 warnings");
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, "canvas.png"), await session.screenshot());
  });

  it("shows the CSV's real first rows in the grid, read by the Rust core", async () => {
    const want = csvHead(join(workspace, "orders.csv"), 3);
    await session.click((await session.findAll('[data-source-id="orders"]'))[0]);
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
      // The grid re-renders once its column types arrive: wait for the headers, not just a row.
      const headers = await session.waitFor(`${id} headers`, async () => {
        const h = await session.contents(`[aria-label="Preview of ${id}"] .col-name`);
        return columns.every((c) => h.includes(c)) ? h : null;
      });
      for (const c of columns) assert.ok(headers.includes(c), `${id}: ${c} missing from ${headers.join(",")}`);
      return session.contents(`[aria-label="Preview of ${id}"] .col-type`);
    };
    await open("tickets", ["body", "opened_at"]);
    const crmTypes = await open("crm", ["customer_id", "email", "birth_date"]);
    assert.ok(crmTypes.includes("date"), `birth_date typed as a date: ${crmTypes.join(",")}`);
    const firstId = (await session.contents('[role=grid] .grid-row[data-row="0"] [data-col="customer_id"]'))[0];
    assert.equal(firstId, "1");
    // SQLite keeps dates as text: read as dates, a steward can keep one as text, and go back.
    const typeOf = (col) =>
      session.execute(
        "const h = [...document.querySelectorAll('[aria-label=\"Preview of crm\"] .grid-head-cell')].find((c) => c.querySelector('.col-name')?.textContent === arguments[0]); return h ? h.querySelector('.col-type')?.textContent : null;",
        [col],
      );
    const press = (label) =>
      session.waitFor(label, async () => {
        for (const b of await session.findAll('[data-testid="text-dates"] button')) {
          if ((await session.content(b)).trim() === label) return session.click(b).then(() => true);
        }
        return false;
      }, 30000);
    await press("birth_date · keep as text");
    await session.waitFor("kept as text", async () => (await typeOf("birth_date")) === "str", 30000);
    assert.match(readFileSync(join(workspace, "steward.yaml"), "utf8"), /keep_text:\n\s+- birth_date/);
    await press("birth_date · read as dates");
    await session.waitFor("dates again", async () => (await typeOf("birth_date")) === "date", 30000);
    assert.doesNotMatch(readFileSync(join(workspace, "steward.yaml"), "utf8"), /keep_text/);
    const invoiceTypes = await open("invoices", ["invoice_id", "issued_on", "paid", "billing_address"]);
    assert.deepEqual(invoiceTypes.slice(3, 5), ["date", "date"]);
    const summary = (await session.texts("[data-testid=preview-summary]"))[0];
    assert.match(summary, /rows · 11 columns/);
  });

  const clickText = async (css, text) => {
    const els = await session.findAll(css);
    for (const el of els) {
      if ((await session.content(el)).trim() === text) return session.click(el);
    }
    throw new Error(`no ${css} with text ${text}`);
  };

  const typeInto = async (css, text) => {
    const [el] = await session.findAll(css);
    // WebDriver's clear sets the DOM value behind React's back: empty the field the way typing
    // would (an input event), then type for real.
    await session.execute(
      "const s = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; s.call(arguments[0], ''); arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
      [el],
    );
    await session.cmd("POST", `/element/${el}/value`, { text });
  };

  it("adds a file through the UI, refusing a broken one with a clear error", async () => {
    const good = join(workspace, "loyalty.csv");
    writeFileSync(good, "member_id;customer_id;tier\n1;10;gold\n2;11;silver\n3;12;gold\n");
    const bad = join(workspace, "broken.csv");
    writeFileSync(bad, "a,b,c\n1,2,3\n4,5\n");
    const manifestBefore = readFileSync(join(workspace, "steward.yaml"), "utf8");

    await clickText(".sidebar-head button", "+ Add source");
    await typeInto('input[name="path"]', bad);
    await clickText('form[aria-label="Add a file"] button[type="submit"]', "Add file");
    const alert = await session.waitFor("add error", async () => (await session.texts(".modal [role=alert]"))[0]);
    assert.match(alert, /broken\.csv: line 3 has 2 fields, expected 3/);
    assert.equal(readFileSync(join(workspace, "steward.yaml"), "utf8"), manifestBefore, "a refused file leaves the workspace as it was");

    await typeInto('input[name="path"]', good);
    await clickText('form[aria-label="Add a file"] button[type="submit"]', "Add file");
    await session.waitFor("new source", async () => (await session.findAll('[data-source-id="loyalty"]')).length === 1);
    await session.waitFor("loyalty grid", async () => (await session.findAll('[aria-label="Preview of loyalty"] .grid-row[data-row="2"]')).length === 1);
    const tiers = await session.contents('[role=grid] [data-col="tier"]');
    assert.deepEqual(tiers, ["gold", "silver", "gold"]);
    assert.match(readFileSync(join(workspace, "steward.yaml"), "utf8"), /id: loyalty/);

    // Found on Chinook: a source outside the workspace shows its absolute path, which ran off the
    // side bar. It wraps within it.
    const far = join(tmpdir(), "steward-e2e-a-folder-with-a-long-name-as-exports-often-have", "nightly-exports-2026");
    mkdirSync(far, { recursive: true });
    const tierFile = join(far, "loyalty_tiers_reference_table.csv");
    writeFileSync(tierFile, "tier,discount\ngold,10\nsilver,5\n");
    await clickText(".sidebar-head button", "+ Add source");
    await typeInto('input[name="path"]', tierFile);
    await clickText('form[aria-label="Add a file"] button[type="submit"]', "Add file");
    await session.waitFor("far source", async () => (await session.findAll('[data-source-id="loyalty_tiers_reference_table"]')).length === 1, 30000);
    const fits = await session.execute(
      "const side = document.querySelector('.sidebar'); const path = document.querySelector('[data-source-id=\"loyalty_tiers_reference_table\"] .path'); return [side.scrollWidth <= side.clientWidth, path ? path.getBoundingClientRect().right <= side.getBoundingClientRect().right : false, path ? path.textContent : 'no path'];",
    );
    assert.deepEqual(fits.slice(0, 2), [true, true], `the path ${fits[2]} stays inside the side bar`);
  });

  it("profiles a source with charts, and accepts a PII suggestion", async () => {
    const [orders] = await session.findAll('[data-source-id="orders"]');
    await session.click(orders);
    await clickText("[role=tab]", "Profile");
    await session.waitFor("profile cards", async () => (await session.findAll(".column-card")).length === 7, 60000);
    const histograms = await session.findAll('svg[aria-label="Histogram of amount"] rect');
    assert.equal(histograms.length, 20);
    const nulls = await session.contents('.column-card[data-column="amount"] [data-stat="nulls"]');
    assert.match(nulls[0], /^0\.\d%$/);
    writeFileSync(join(shots, "profile.png"), await session.screenshot());

    const [crm] = await session.findAll('[data-source-id="crm"]');
    await session.click(crm);
    await clickText("[role=tab]", "Privacy");
    await session.waitFor("email suggestion", async () => (await session.findAll('tr[data-column="email"][data-status="suggested"]')).length === 1, 60000);
    const evidence = await session.contents('tr[data-column="email"] .evidence');
    assert.match(evidence[0], /sampled values are valid emails; name `email`/);
    await clickText('tr[data-column="email"] button', "Accept");
    await session.waitFor("accepted", async () => (await session.findAll('tr[data-column="email"][data-status="accepted"]')).length === 1);
    const manifest = readFileSync(join(workspace, "steward.yaml"), "utf8");
    assert.match(manifest, /classifications:\n\s+email:\n\s+accepted:\n\s+- email/);
    writeFileSync(join(shots, "privacy.png"), await session.screenshot());
  });

  it("suggests the cross-system join keys", async () => {
    await clickText(".nav-link", "Relationships across sources");
    await session.waitFor("relations", async () => (await session.findAll("table.relations tbody tr")).length >= 5, 60000);
    const pairs = await session.contents("table.relations tbody tr td:first-child");
    assert.ok(pairs.includes("orders.customer_id"), pairs.join(","));
  });

  it("shows the customer360 product table and one customer's 360 view", async () => {
    const [product] = await session.findAll('[data-product-id="customer360"]');
    await session.click(product);
    await clickText("[role=tab]", "Product table");
    await session.waitFor("product table", async () => (await session.findAll('[aria-label="Product table of customer360"] .grid-row[data-row="0"]')).length === 1, 60000);
    const firstId = await session.contents('[aria-label="Product table of customer360"] .grid-row[data-row="0"] [data-col="customer_id"]');
    assert.deepEqual(firstId, ["1"]);
    const ordersCell = await session.contents('[aria-label="Product table of customer360"] .grid-row[data-row="0"] [data-col="orders"]');
    const ordersOfOne = readFileSync(join(workspace, "orders.csv"), "utf8").trim().split("\n").slice(1).filter((l) => l.split(",")[1] === "1").length;
    assert.equal(ordersCell[0], ordersOfOne === 0 ? "null" : `${ordersOfOne} row${ordersOfOne === 1 ? "" : "s"}`);

    // Profile a column of the whole product, on demand from the grid.
    await session.scrollAndClick((await session.findAll('[aria-label="Product table of customer360"] button[aria-label="Profile segment"]'))[0]);
    const tops = await session.waitFor("segment profile", async () => {
      const t = await session.contents('[role=dialog][aria-label="Profile of segment"] .top-values .tv-value');
      return t.length ? t : null;
    }, 60000);
    assert.ok(tops.length >= 2, tops.join(","));
    await session.click((await session.findAll('button[aria-label="Close profile"]'))[0]);

    const buttons = await session.findAll(".pager button");
    for (const b of buttons) {
      if ((await session.content(b)).startsWith("Open the first")) await session.click(b);
    }
    await session.waitFor("360 view", async () => (await session.findAll('[data-testid="entity-fields"] [data-field="full_name"] dd')).length === 1, 60000);
    const [fullName] = await session.contents('[data-field="full_name"] dd');
    const [first] = await session.contents('[data-field="first_name"] dd');
    const [last] = await session.contents('[data-field="last_name"] dd');
    assert.equal(fullName, `${first} ${last}`, "derived field computed by Polars SQL");
    const heading = await session.waitFor("orders block", async () => (await session.contents('[data-related="orders"] h3'))[0]);
    assert.equal(heading, `orders ${ordersOfOne === 1 ? "1 row" : `${ordersOfOne} rows`}`);
    writeFileSync(join(shots, "product-360.png"), await session.screenshot());

    await clickText("[role=tab]", "Validation");
    const summary = await session.waitFor("quality", async () => (await session.texts('[data-testid="quality-summary"]'))[0], 60000);
    assert.match(summary, /^Quality rules: \d+ of 7 pass$/);
    const notNull = await session.findAll('tr[data-rule="quality[1]"][data-passed="false"]');
    assert.equal(notNull.length, 1, "customers without an email break the not_null rule");
    const checks = await session.waitFor("validation", async () => (await session.texts('[data-testid="validation-summary"]'))[0], 30000);
    assert.match(checks, /^0 errors, \d+ warnings?$/);
    writeFileSync(join(shots, "product-validation.png"), await session.screenshot());
  });
  const productFile = join(workspace, "products/customer_orders.yaml");
  const attr = (el, name) => session.cmd("GET", `/element/${el}/attribute/${name}`);
  // Picks an option and waits until the select shows it (WebKitWebDriver sometimes drops a
  // click on an <option>; the choice is clicked again until it holds).
  const choose = async (select, value) =>
    session.waitFor(`${select} = ${value}`, async () => {
      const [el] = await session.findAll(select);
      if (!el) return false;
      if ((await session.cmd("GET", `/element/${el}/property/value`)) === value) return true;
      const [option] = await session.findAll(`${select} option[value="${value}"]`);
      if (option) await session.click(option);
      return false;
    });
  // Sets rule row `i` of the Privacy tab's profile: its field, rule and parameters.
  const setRule = async (i, field, rule, params) => {
    await session.waitFor(`rule row ${i}`, async () => (await session.findAll(`tr[data-rule-index="${i}"]`)).length === 1);
    await choose(`tr[data-rule-index="${i}"] select[aria-label="Field of rule ${i + 1}"]`, field);
    await choose(`tr[data-rule-index="${i}"] select[aria-label="Rule ${i + 1}"]`, rule);
    await typeInto(`tr[data-rule-index="${i}"] input`, params);
    await session.click((await session.findAll(".privacy-view h3"))[0]);
  };
  const waitFile = (what, test) =>
    session.waitFor(what, async () => {
      const text = existsSync(productFile) ? readFileSync(productFile, "utf8") : "";
      return test(text) ? text : null;
    });
  const handle = async (node, column, side) => {
    const [el] = await session.findAll(`[data-node="${node}"] li[data-column="${column}"] .react-flow__handle-${side}`);
    assert.ok(el, `${node}.${column} has a ${side} handle`);
    return el;
  };

  // Clicks a field's handle once the canvas has settled (fit-view animates the nodes into place;
  // a click during the animation can land on an element WebKit deems not interactable yet).
  const clickHandle = (node, column, side) =>
    session.waitFor(`${node}.${column} ${side} handle clickable`, async () => {
      try {
        await session.click(await handle(node, column, side));
        return true;
      } catch (e) {
        if (/not interactable/.test(String(e))) return null;
        throw e;
      }
    });

  it("builds an entity on the canvas, previews it, undoes an edit and finds the model intact after a restart", async () => {
    await clickText(".sidebar-head button", "+ New product");
    await typeInto('input[name="product-id"]', "customer_orders");
    await typeInto('input[name="entity"]', "Customer");
    await typeInto('input[name="owner"]', "customer-data@example.com");
    await session.click((await session.findAll('select[name="root-source"] option[value="crm"]'))[0]);
    await session.waitFor("key guessed", async () => {
      const v = await session.cmd("GET", `/element/${(await session.findAll('select[name="key"]'))[0]}/property/value`);
      return v === "customer_id";
    });
    await clickText('.modal button[type="submit"]', "Create and open on the canvas");
    await session.waitFor("root node", async () => (await session.findAll('[data-node="entity"] li[data-column="email"]')).length === 1, 60000);
    assert.match(readFileSync(productFile, "utf8"), /entity:\n  name: Customer\n  source: crm\n  key: customer_id\n/);

    // Root + one related table, joined by drawing from field to field.
    await session.click((await session.findAll('button[aria-label="Add orders to the model"]'))[0]);
    await session.waitFor("orders node", async () => (await session.findAll('[data-node="related:orders"] li[data-column="customer_id"]')).length === 1, 60000);
    await waitFile("orders saved", (t) => t.includes("source: orders"));
    await session.click((await session.findAll(".react-flow__controls-fitview"))[0]);
    await new Promise((r) => setTimeout(r, 500));
    await clickHandle("entity", "customer_id", "right");
    await clickHandle("related:orders", "customer_id", "left");
    await session.waitFor("join edge", async () => (await session.findAll(".react-flow__edge.join-edge")).length === 1);
    await waitFile("join saved", (t) => t.includes("join:\n      - { parent: customer_id, child: customer_id }"));
    const status = await session.waitFor("valid model", async () => {
      const [t] = await session.texts('[data-testid="model-status"]');
      return t && !t.startsWith("Checking") && !/errors/.test(t) ? t : null;
    }, 60000);
    assert.match(status, /^Valid/);

    // Rename a field, then undo it: the file goes back.
    const beforeRename = readFileSync(productFile, "utf8");
    await session.click((await session.findAll('[data-node="entity"] header'))[0]);
    await typeInto('input[aria-label="Name of email in the product"]', "contact_email");
    await waitFile("rename saved", (t) => t.includes("{ column: email, as: contact_email, type: str }"));
    await clickText(".canvas-toolbar button", "Undo");
    const undone = await waitFile("rename undone", (t) => t === beforeRename).catch((e) => {
      throw new Error(`${e.message}\n--- before the rename:\n${beforeRename}\n--- now:\n${readFileSync(productFile, "utf8")}`);
    });
    writeFileSync(join(shots, "canvas-built.png"), await session.screenshot());

    // The product the canvas describes, assembled by Polars.
    await clickText("[role=tab]", "Product table");
    await session.waitFor("product rows", async () => (await session.findAll('[aria-label="Product table of customer_orders"] .grid-row[data-row="0"]')).length === 1, 60000);
    const ordersOfOne = readFileSync(join(workspace, "orders.csv"), "utf8").trim().split("\n").slice(1).filter((l) => l.split(",")[1] === "1").length;
    const cell = await session.contents('[aria-label="Product table of customer_orders"] .grid-row[data-row="0"] [data-col="orders"]');
    assert.equal(cell[0], `${ordersOfOne} row${ordersOfOne === 1 ? "" : "s"}`);
    const buttons = await session.findAll(".pager button");
    for (const b of buttons) if ((await session.content(b)).startsWith("Open the first")) await session.click(b);
    const heading = await session.waitFor("360 orders", async () => (await session.contents('[data-related="orders"] h3'))[0], 60000);
    assert.equal(heading, `orders ${ordersOfOne === 1 ? "1 row" : `${ordersOfOne} rows`}`);
    const [email] = await session.contents('[data-field="email"] dd');
    assert.match(email, /@/);

    // An edit made outside the app shows up on the canvas.
    await clickText("[role=tab]", "Model");
    await session.waitFor("canvas again", async () => (await session.findAll('[data-node="related:orders"]')).length === 1, 60000);
    writeFileSync(productFile, undone.replace("  name: Customer\n", "  name: Client\n"));
    await session.waitFor("outside edit", async () => (await session.contents('[data-node="entity"] .node-name'))[0] === "Client", 20000);

    // Restart the app: the model is as it was left.
    const before = readFileSync(productFile, "utf8");
    await session.close();
    session = await Session.create(driver.url, app);
    await session.waitFor("product list", async () => (await session.findAll('[data-product-id="customer_orders"]')).length === 1, 60000);
    await session.click((await session.findAll('[data-product-id="customer_orders"]'))[0]);
    const nodes = await session.waitFor("reopened nodes", async () => {
      const els = await session.findAll(".react-flow__node [data-node]");
      return els.length === 2 ? els : null;
    }, 60000);
    assert.deepEqual((await Promise.all(nodes.map((n) => attr(n, "data-node")))).sort(), ["entity", "related:orders"]);
    await session.waitFor("reopened edge", async () => (await session.findAll(".react-flow__edge.join-edge")).length === 1);
    assert.equal((await session.contents('[data-node="entity"] .node-name'))[0], "Client");
    assert.equal(readFileSync(productFile, "utf8"), before, "opening the model does not rewrite it");
    writeFileSync(join(shots, "canvas-reopened.png"), await session.screenshot());
  });
  it("grows the entity into a tree: order lines under orders, a product lookup on each line, and the 360 view of the tree", async () => {
    const addUnder = async (path, source, kind, name, parentField, childColumn, submit) => {
      await session.waitFor(`add under ${path}`, async () => {
        const [b] = await session.findAll(`.react-flow__node [data-table-path="${path}"] button[aria-label="Add a table under ${path}"]`);
        if (!b) return false;
        await session.click(b);
        return (await session.findAll('[role=dialog][aria-label="Add a table"]')).length === 1;
      }, 60000);
      await choose('select[name="child-source"]', source);
      await choose('select[name="child-kind"]', kind);
      await typeInto('input[name="child-name"]', name);
      await choose('select[name="join-parent"]', parentField);
      await choose('select[name="join-child"]', childColumn);
      await clickText('.modal button[type="submit"]', submit);
    };
    await session.waitFor("product list", async () => (await session.findAll('[data-product-id="customer_orders"]')).length === 1, 60000);
    await session.click((await session.findAll('[data-product-id="customer_orders"]'))[0]);
    await clickText("[role=tab]", "Model");
    await session.waitFor("orders box", async () => (await session.findAll('[data-node="related:orders"]')).length === 1, 60000);

    // A child of a child: the lines of each order, joined on the order's field.
    await addUnder("orders", "order_lines", "related", "lines", "order_id", "order_id", "Add under orders");
    await session
      .waitFor("lines box", async () => (await session.findAll('[data-node="related:orders.lines"]')).length === 1, 60000)
      .catch(async (e) => {
        const dialog = await session.execute("const d = document.querySelector('[role=dialog]'); return d ? d.outerHTML : 'no dialog';");
        const boxes = await session.execute("return [...document.querySelectorAll('[data-table-path]')].map((b) => b.getAttribute('data-table-path')).join(', ');");
        throw new Error(`${e.message}\ndialog: ${dialog}\nboxes: ${boxes}\nfile:\n${readFileSync(productFile, "utf8")}`);
      });
    await waitFile("lines saved under orders", (t) => /    related:\n      - name: lines\n        source: order_lines\n        join:\n          - \{ parent: order_id, child: order_id \}/.test(t));
    // A lookup on the grandchild, from the discovered relationships: each line's product, in one click.
    // The new box may still be moving into place (the canvas fits its view after an add): the
    // header is clicked again until the box's suggestions show.
    const offer = await session.waitFor("suggested lookup", async () => {
      const [b] = await session.findAll('[data-testid="suggested-joins"] button[data-suggestion="products->orders.lines"]');
      if (b) return b;
      const [header] = await session.findAll('[data-node="related:orders.lines"] header');
      if (header) await session.click(header);
      return null;
    }, 60000);
    await session.click(offer);
    await session.waitFor("product box", async () => (await session.findAll('[data-node="reference:orders.lines.products"]')).length === 1, 60000);
    await waitFile("lookup saved on lines", (t) => /        reference:\n          - name: products\n            source: products\n            join:\n              - \{ parent: sku, child: sku \}/.test(t));
    const status = await session.waitFor("valid tree", async () => {
      const [t] = await session.texts('[data-testid="model-status"]');
      return t && !t.startsWith("Checking") && !/error/.test(t) ? t : null;
    }, 60000);
    assert.match(status, /^Valid/);
    writeFileSync(join(shots, "canvas-tree.png"), await session.screenshot());

    // The product table nests the lines inside each order.
    await clickText("[role=tab]", "Product table");
    await session.waitFor("product rows", async () => (await session.findAll('[aria-label="Product table of customer_orders"] .grid-row[data-row="0"]')).length === 1, 60000);
    // The list cell sits far right in a scrolled grid: clicked where it is.
    await session.execute("arguments[0].click();", [(await session.findAll('[aria-label="Product table of customer_orders"] .grid-row[data-row="0"] [data-col="orders"] button.nested-count'))[0]]);
    await session.waitFor("nested lines", async () => (await session.findAll('[role=dialog][aria-label="orders of row 1"] details[data-nested-list="lines"]')).length > 0, 60000);
    writeFileSync(join(shots, "nested.png"), await session.screenshot());

    // The 360 view of customer 1 is the tree: an order opens to its own lines, each with its product.
    const buttons = await session.findAll(".pager button");
    for (const b of buttons) if ((await session.content(b)).startsWith("Open the first")) await session.click(b);
    await session.waitFor("360 orders", async () => (await session.findAll('tr[data-tree-row="orders#0"] td.tree-toggle button')).length === 1, 60000);
    const [orderId] = await session.contents('tr[data-tree-row="orders#0"] [data-col="order_id"]');
    await session.click((await session.findAll('tr[data-tree-row="orders#0"] td.tree-toggle button'))[0]);
    const products = await session.waitFor("lines of the first order", async () => {
      const p = await session.contents('[data-children-of="orders#0"] [data-child-table="orders.lines"] tr[data-tree-row^="orders.lines#"] [data-col="product_name"]');
      return p.length ? p : null;
    }, 60000);
    const lines = readFileSync(join(workspace, "order_lines.csv"), "utf8").trim().split("\n").slice(1).filter((l) => l.split(",")[0] === orderId);
    assert.equal(products.length, lines.length, `order ${orderId}`);
    const catalogue = ["Trail running shoes", "Leather boots", "Canvas sneakers", "Rain jacket", "Merino sweater", "Cotton t-shirt", "Denim jeans", "Daypack 20 l", "Travel duffel", "Steel water bottle", "Headlamp", "Camping mug", "Wool socks (3 pairs)", "Knit beanie", "Leather belt"];
    for (const p of products) assert.ok(catalogue.includes(p), p);
    writeFileSync(join(shots, "entity-tree.png"), await session.screenshot());

    // A join the data contradicts is measured before it is saved: line numbers are no order ids.
    await clickText("[role=tab]", "Model");
    await session.waitFor("orders box again", async () => (await session.findAll('[data-node="related:orders"]')).length === 1, 60000);
    const beforeWrongJoin = readFileSync(productFile, "utf8");
    await addUnder("orders", "order_lines", "related", "wrong", "order_id", "line_no", "Add under orders");
    const warning = await session.waitFor("contradicted join", async () => (await session.texts('[data-testid="contradicted-join"]'))[0], 60000);
    assert.match(warning, /The data contradicts the join of orders\.wrong:/);
    assert.match(warning, /[\d,]+ of [\d,]+ rows \(\d+\.\d%\) have no matching `orders` row, above the 5% limit/);
    writeFileSync(join(shots, "contradicted-join.png"), await session.screenshot());
    await clickText('[data-testid="contradicted-join"] button', "Cancel");
    await session.waitFor("warning gone", async () => (await session.findAll('[data-testid="contradicted-join"]')).length === 0);
    assert.equal(readFileSync(productFile, "utf8"), beforeWrongJoin, "a join the steward cancelled is not saved");
    assert.equal((await session.findAll('[data-node="related:orders.wrong"]')).length, 0);
  });

  it("masks the product for a consumer: fake names, partial phones, the leak check and k-anonymity", async () => {
    await session.click((await session.findAll('[data-product-id="customer360"]'))[0]);
    await clickText("[role=tab]", "Privacy");
    await session.waitFor("privacy view", async () => (await session.findAll('select[name="profile"]')).length === 1, 60000);
    await typeInto('input[name="new-profile"]', "support");
    await clickText(".inline-form button", "+ Profile");
    await session.waitFor("support profile", async () => {
      const v = await session.cmd("GET", `/element/${(await session.findAll('select[name="profile"]'))[0]}/property/value`);
      return v === "support";
    });
    const product = join(workspace, "products/customer360.yaml");
    const leakSummary = () => session.texts('[data-testid="leak-summary"]').then((t) => t[0] ?? "");

    await clickText(".privacy-view button", "+ Rule");
    await setRule(0, "first_name", "fake", "kind=first_name");
    await clickText(".privacy-view button", "+ Rule");
    // A phone "generalised" to its first 40 characters is the phone itself: the leak check sees it.
    await setRule(1, "phone", "generalise", "to=prefix, keep=40");
    const leaking = await session.waitFor("leaks found", async () => {
      const t = await leakSummary();
      return /original values survive/.test(t) ? t : null;
    }, 60000);
    assert.match(leaking, /Leak check: \d+ original values survive/);
    await setRule(1, "phone", "partial", "keep_last=4");
    // Across the whole product, the phones and names customers pasted into ticket bodies — and the
    // first names inside the derived full name — are still there in clear: the leak check finds
    // them, and a click on each masks it.
    await session.waitFor("found in ticket bodies", async () => (await session.findAll('[data-found-elsewhere="tickets.body"] button')).length > 0, 60000);
    const masked = [];
    const clicked = new Map();
    await session.waitFor("leak check clean", async () => {
      if ((await leakSummary()) === "Leak check: clean") return true;
      const [row] = await session.findAll("[data-found-elsewhere]");
      if (!row) return false;
      const at = await attr(row, "data-found-elsewhere");
      // Saved, not measured yet — unless the click was lost (WebKitWebDriver drops one now and
      // then): still offered 15 s later, it is clicked again.
      if (clicked.has(at) && Date.now() - clicked.get(at) < 15000) return false;
      clicked.set(at, Date.now());
      if (!masked.includes(at)) masked.push(at);
      const [b] = await session.findAll(`[data-found-elsewhere="${at}"] button`);
      await session.execute("arguments[0].click();", [b]);
      return false;
    }, 90000);
    assert.ok(masked.includes("tickets.body"), masked.join(", "));
    // The view saves each edit as it is made; the last one lands after the measures refresh.
    const saved = await session.waitFor("rules saved", async () => {
      const t = readFileSync(product, "utf8");
      return t.includes("      - { field: tickets.body, rule: redact }\n") ? t : null;
    });
    assert.match(saved, /  support:\n    rules:\n      - \{ field: first_name, rule: fake, params: \{ kind: first_name \} \}\n      - \{ field: phone, rule: partial, params: \{ keep_last: 4 \} \}\n/);

    // The masked preview: phones keep their last 4 digits; names are replaced, originals hidden.
    const phones = await session.waitFor("masked phones", async () => {
      const p = await session.contents('[data-testid="side-by-side"] td[data-masked="phone"]');
      return p.length && p.every((x) => x === "null" || x.includes("*")) ? p : null;
    }, 60000);
    assert.ok(phones.length >= 10);
    assert.equal((await session.contents('[data-testid="side-by-side"] tr[data-row="0"] td[data-original="first_name"]'))[0], "•••");
    await session.click((await session.findAll('button[aria-label="Reveal original first_name"]'))[0]);
    await clickText('[role=alertdialog] button', "Show originals");
    const original = await session.waitFor("original first name", async () => {
      const [o] = await session.contents('[data-testid="side-by-side"] tr[data-row="0"] td[data-original="first_name"]');
      return o && o !== "•••" ? o : null;
    });
    const [fakeName] = await session.contents('[data-testid="side-by-side"] tr[data-row="0"] td[data-masked="first_name"]');
    assert.notEqual(fakeName, original);

    // Re-identification: exact birth dates single people out; age bands hide them in groups.
    const boxes = await session.findAll('fieldset[aria-label="Quasi-identifiers"] label');
    for (const b of boxes) if ((await session.content(b)).trim() === "birth_date") await session.click(b);
    const kText = async () => (await session.texts('[data-testid="k-anonymity"]'))[0] ?? "";
    await session.waitFor("k over birth dates", async () => (await kText()).startsWith("k = 1 ·"), 60000);
    // The new rule's row comes after every rule the view shows (counted, not assumed).
    const before = (await session.findAll("tr[data-rule-index]")).length;
    await clickText(".privacy-view button", "+ Rule");
    await setRule(before, "birth_date", "generalise", "to=age_band, width=20");
    const k = await session.waitFor("k over age bands", async () => {
      const m = /^k = (\d+) ·/.exec(await kText());
      return m && Number(m[1]) > 1 ? Number(m[1]) : null;
    }, 60000);
    assert.ok(k > 1, `k = ${k}`);
    writeFileSync(join(shots, "product-privacy.png"), await session.screenshot());
  });

  it("publishes the product to the local registry, lists it, and refuses the same version with a change", async () => {
    const product = join(workspace, "products/customer360.yaml");
    await session.click((await session.findAll('[data-product-id="customer360"]'))[0]);
    await clickText("[role=tab]", "Registry");
    await session.waitFor("signing key", async () => (await session.texts('[data-testid="signing-key"]'))[0] === "Signing key: demo-steward", 60000);
    const [publicKey] = await session.contents('[data-testid="public-key"]');
    assert.match(publicKey, /^ed25519:[A-Za-z0-9+/]{43}=$/, "the public key is shown for a registry admin");
    const first = await session.waitFor("draft not published", async () => {
      const [t] = await session.texts('[data-testid="draft-diff"]');
      return t && t.includes("not published yet") ? t : null;
    }, 60000);
    assert.match(first, /1\.0\.0 would be its first version/);
    // Opens the publish dialog; a click landing while the tab is still mounting is made again.
    const openPublish = () =>
      session.waitFor("publish dialog", async () => {
        if ((await session.findAll('[role=dialog][aria-label="Publish"]')).length === 1) return true;
        for (const b of await session.findAll(".registry-view button")) if ((await session.content(b)).trim() === "Publish…") await session.click(b);
        return false;
      }, 60000);
    // The publish dialog measures the product first: the `support` profile made above leaves the
    // email in clear, which the central policy forbids. Signing waits for a fix.
    await openPublish();
    const shortfalls = await session.waitFor("policy check", async () => {
      const els = await session.findAll('[data-testid="policy-shortfalls"] [data-requirement]');
      return els.length ? Promise.all(els.map((e) => attr(e, "data-requirement"))) : null;
    }, 120000);
    assert.deepEqual(shortfalls, ["masked[email][support]"]);
    const [reason] = await session.texts('[data-requirement="masked[email][support]"]');
    assert.match(reason, /email \(email\) is not masked in profile `support`/);
    assert.match(reason, /Fix: mask email with a rule that cannot be reversed/);
    const sign = await session.waitFor("sign button", async () => {
      for (const b of await session.findAll("[role=dialog] button")) if ((await session.content(b)).trim() === "Sign and publish") return b;
      return null;
    });
    assert.equal(await session.cmd("GET", `/element/${sign}/enabled`), false, "signing waits for a fix");
    writeFileSync(join(shots, "publish-policy.png"), await session.screenshot());
    await clickText("[role=dialog] button", "Cancel");

    // The fix, in the Privacy tab: the support profile fakes emails too.
    await clickText("[role=tab]", "Privacy");
    await session.waitFor("privacy view", async () => (await session.findAll('select[name="profile"]')).length === 1, 60000);
    await choose('select[name="profile"]', "support");
    const rows = await session.waitFor("support rules", async () => {
      const r = await session.findAll("tr[data-rule-index]");
      return r.length >= 3 ? r.length : null;
    }, 60000);
    await clickText(".privacy-view button", "+ Rule");
    await setRule(rows, "email", "fake", "kind=email");
    await session.waitFor("email rule saved", async () => readFileSync(product, "utf8").includes("      - { field: email, rule: fake, params: { kind: email } }\n"), 30000);
    await clickText("[role=tab]", "Registry");
    await openPublish();
    await session.waitFor("policy met", async () => (await session.findAll('[data-testid="policy-ok"]')).length === 1, 120000);
    await clickText('[role=dialog] button', "Sign and publish");
    const published = await session.waitFor("published", async () => (await session.texts('[data-testid="publish-result"]'))[0], 60000);
    assert.match(published, /^Published customer360@1\.0\.0 \(audit log entry \d+\)/);
    await session.waitFor("listed", async () => (await session.findAll('[data-registry-product="customer360"]')).length === 1, 30000);

    // Published, it can be granted: the steward's own key reads it unmasked, until revoked.
    await session.waitFor("grant form", async () => (await session.findAll('[aria-label="Consumer key"]')).length === 1, 30000);
    await typeInto('[aria-label="Consumer key"]', publicKey);
    await typeInto('[aria-label="Who holds it"]', "customer data team");
    await choose('select[aria-label="Profile"]', "unmasked");
    await clickText('[aria-label="Grant access"] button', "Grant");
    await session.waitFor("grant listed", async () => (await session.findAll('tr[data-grant="customer data team"][data-revoked="no"]')).length === 1, 30000);
    await clickText('tr[data-grant="customer data team"] button', "Revoke…");
    await typeInto('[aria-label="Why the grant to customer data team is revoked"]', "granted by mistake");
    await clickText('tr[data-grant="customer data team"] button', "Revoke");
    await session.waitFor("grant revoked", async () => (await session.findAll('tr[data-grant="customer data team"][data-revoked="yes"]')).length === 1, 30000);

    // The same version with a change: refused, said plainly, and the draft is kept as it is.
    const changed = readFileSync(product, "utf8").replace(/  description: .*\n/, "  description: Changed after publishing.\n");
    writeFileSync(product, changed);
    await clickText(".registry-view button", "Search");
    await session.waitFor("diff shows the change", async () => (await session.texts('[data-testid="suggested-bump"]'))[0] === "patch", 60000);
    await openPublish();
    // Signing is enabled once the product has been measured and meets the policy.
    await session.waitFor("policy met again", async () => (await session.findAll('[data-testid="policy-ok"]')).length === 1, 120000);
    await clickText('[role=dialog] button', "Sign and publish");
    const code = await session.waitFor("refusal", async () => {
      const [el] = await session.findAll('[data-testid="publish-refusal"]');
      return el ? session.cmd("GET", `/element/${el}/attribute/data-code`) : null;
    }, 60000);
    assert.equal(code, "registry.version_exists");
    const [refusal] = await session.texts('[data-testid="publish-refusal"]');
    assert.match(refusal, /exists and versions never change/);
    assert.equal(readFileSync(product, "utf8"), changed, "a refused publish leaves the draft as it was");
    writeFileSync(join(shots, "registry.png"), await session.screenshot());
  });

  it("sets the registry and the colours in Settings: checked, kept for the steward, dark at once", async () => {
    const rootBackground = () => session.execute("return getComputedStyle(document.documentElement).backgroundColor;");
    const light = await rootBackground();
    await clickText(".topbar button", "Settings…");
    await session.waitFor("settings", async () => (await session.findAll('[role=dialog][aria-label="Settings"] select[name="theme"]')).length === 1);
    await typeInto('input[name="registry-url"]', registryUrl);
    await clickText("[role=dialog] button", "Check connection");
    const reached = await session.waitFor("registry reached", async () => (await session.texts('[data-testid="registry-check"]'))[0], 30000);
    assert.ok(reached.startsWith(`Reached ${registryUrl}: 1 product, registry key ed25519:`), reached);
    await choose('select[name="theme"]', "dark");
    const dark = await session.waitFor("dark colours", async () => {
      const bg = await rootBackground();
      return bg !== light ? bg : null;
    });
    assert.equal(dark, "rgb(18, 24, 22)", "the dark palette's background");
    await clickText("[role=dialog] button", "Save");
    await session.waitFor("settings closed", async () => (await session.findAll('[role=dialog][aria-label="Settings"]')).length === 0);
    assert.equal(await rootBackground(), dark, "saved colours stay");
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, "dark.png"), await session.screenshot());
    // Kept: the dialog opens on what was saved. Then back to the system's colours.
    await clickText(".topbar button", "Settings…");
    await session.waitFor("saved registry", async () => {
      const [input] = await session.findAll('input[name="registry-url"]');
      return input && (await session.cmd("GET", `/element/${input}/property/value`)) === registryUrl;
    });
    const [theme] = await session.findAll('select[name="theme"]');
    assert.equal(await session.cmd("GET", `/element/${theme}/property/value`), "dark");
    await choose('select[name="theme"]', "system");
    await clickText("[role=dialog] button", "Save");
    await session.waitFor("system colours", async () => (await rootBackground()) === light);
    await session.waitFor("settings closed again", async () => (await session.findAll('[role=dialog][aria-label="Settings"]')).length === 0);
  });

  it("adds, edits and removes a quality rule in the Validation tab, with results after each edit", async () => {
    const productFile = join(workspace, "products/customer360.yaml");
    const before = readFileSync(productFile, "utf8");
    await session.click((await session.findAll('[data-product-id="customer360"]'))[0]);
    await clickText("[role=tab]", "Validation");
    const summary = async () => (await session.texts('[data-testid="quality-summary"]'))[0] ?? "";
    await session.waitFor("quality results", async () => /^Quality rules: \d+ of 7 pass$/.test(await summary()), 60000);
    await clickText('[aria-label="Validation"] button', "+ Quality rule");
    await session.waitFor("a new rule", async () => (await session.findAll('tr[data-quality-index="7"]')).length === 1, 30000);
    await choose('select[aria-label="Quality rule 8"]', "accepted_values");
    await choose('select[aria-label="Column of quality rule 8"]', "country_code");
    await typeInto('input[aria-label="Values of quality rule 8"]', "NL, DE");
    await session.click((await session.findAll('[data-testid="quality-summary"]'))[0]);
    await session.waitFor("the rule saved", async () => readFileSync(productFile, "utf8").split("\n").some((l) => l.includes("rule: accepted_values") && l.includes("column: country_code") && l.includes("NL") && l.includes("DE")), 30000);
    // 21 Dutch and 90 German customers of 500: the rest break the rule, with samples.
    // Checked again once saved (an earlier result, from before the values were typed, is replaced).
    const rowText = await session.waitFor("the rule checked", async () => {
      const text = await session.execute("const r = document.querySelector('tr[data-quality-index=\"7\"][data-passed=\"false\"]'); return r ? r.textContent : null;");
      return text && text.includes("389 of 500") ? text : null;
    }, 60000);
    assert.doesNotMatch(rowText.split("fail")[1], /NL|DE/, "Dutch and German customers keep the rule");
    assert.match(await summary(), /^Quality rules: \d+ of 8 pass$/);
    mkdirSync(shots, { recursive: true });
    writeFileSync(join(shots, "quality.png"), await session.screenshot());
    await session.click((await session.findAll('button[aria-label="Remove quality rule 8"]'))[0]);
    await session.waitFor("the rule removed", async () => readFileSync(productFile, "utf8") === before, 30000);
    await session.waitFor("results of the seven", async () => /^Quality rules: \d+ of 7 pass$/.test(await summary()), 60000);
  });
});
