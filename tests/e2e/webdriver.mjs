// A small W3C WebDriver client over fetch, and the processes a desktop session needs:
// a virtual display (Xvfb), a private D-Bus session, and tauri-driver in front of WebKitWebDriver.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Every process started here, so `stopAll` can end each one (and its children). */
const started = [];

function track(child, name) {
  started.push({ child, name });
  child.on("error", (e) => console.error(`${name}: ${e.message}`));
  return child;
}

export async function stopAll() {
  for (const { child } of started.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM"); // the whole process group
    } catch {
      child.kill("SIGTERM");
    }
  }
  await sleep(500);
  for (const { child } of started) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
  started.length = 0;
}

/** Starts Xvfb on a free display and resolves to `:N`. */
export async function startXvfb() {
  const child = track(
    spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      detached: true,
    }),
    "Xvfb",
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const display = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdio[3].on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) resolve(`:${buf.trim()}`);
    });
    child.on("exit", (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`Xvfb did not report a display: ${stderr}`)), 15000);
  });
  return display;
}

const keyring = new URL("../../scripts/with-keyring.sh", import.meta.url).pathname;

/** Starts tauri-driver inside a private D-Bus session on `display`; resolves to its URL. */
export async function startDriver({ display, env = {}, companion = [] }) {
  const port = await freePort();
  const nativePort = await freePort();
  // `companion` (a command and its arguments) runs beside tauri-driver in the same session: it
  // shares the app's keychain and home, as a local registry does under `make run`.
  const args = companion.length
    ? ["bash", "-c", `"$@" & exec tauri-driver --port ${port} --native-port ${nativePort}`, "bash", ...companion]
    : ["tauri-driver", "--port", String(port), "--native-port", String(nativePort)];
  const child = track(
    // A private D-Bus session with an unlocked gnome-keyring: the app keeps masking and signing
    // keys in the real OS keychain (Secret Service), as on a desktop.
    spawn(keyring, args, {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: { ...process.env, ...env, DISPLAY: display, NO_AT_BRIDGE: "1" },
    }),
    "tauri-driver",
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited early:\n${log}`);
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) return { url, log: () => log };
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`tauri-driver did not start on ${url}:\n${log}`);
}

export class Session {
  constructor(url, id) {
    this.url = url;
    this.id = id;
  }

  static async create(driverUrl, application) {
    const body = { capabilities: { alwaysMatch: { "tauri:options": { application } } } };
    const r = await fetch(`${driverUrl}/session`, { method: "POST", body: JSON.stringify(body) });
    const v = await r.json();
    if (!r.ok) throw new Error(`new session failed: ${JSON.stringify(v)}`);
    return new Session(driverUrl, v.value.sessionId);
  }

  async cmd(method, path, body) {
    const r = await fetch(`${this.url}/session/${this.id}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const v = await r.json();
    if (!r.ok) {
      const err = new Error(`${method} ${path}: ${v.value?.error}: ${v.value?.message}`);
      err.webdriver = v.value?.error;
      throw err;
    }
    return v.value;
  }

  async findAll(css) {
    const els = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return els.map((e) => e[ELEMENT]);
  }

  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  /** The DOM text of an element (WebKit's rendered-text heuristics skip clipped grid cells). */
  async content(el) {
    return this.cmd("GET", `/element/${el}/property/textContent`);
  }

  async contents(css) {
    const els = await this.findAll(css);
    return Promise.all(els.map((e) => this.content(e)));
  }

  /** Runs a script in the page; elements pass as WebDriver references. */
  async execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args: args.map((a) => (typeof a === "string" && a.startsWith("node-") ? { [ELEMENT]: a } : a)) });
  }

  /** Scrolls an element inside its scrolling containers into view, then clicks it. */
  async scrollAndClick(el) {
    await this.execute("arguments[0].scrollIntoView({ block: 'center', inline: 'center' });", [el]);
    return this.click(el);
  }

  /** Clicks an element. One that is moving into place (the canvas fits its view after an
   * edit, a dialog opens) is briefly not interactable: the click is made again for up to 3 s. */
  async click(el) {
    for (let i = 0; ; i++) {
      try {
        return await this.cmd("POST", `/element/${el}/click`, {});
      } catch (e) {
        if (e.webdriver !== "element not interactable" || i >= 20) throw e;
        await sleep(150);
      }
    }
  }

  async texts(css) {
    const els = await this.findAll(css);
    return Promise.all(els.map((e) => this.text(e)));
  }

  /** Polls until `fn` returns a truthy value; returns it. */
  async waitFor(what, fn, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await sleep(150);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async close() {
    await fetch(`${this.url}/session/${this.id}`, { method: "DELETE" }).catch(() => {});
  }
}
