// The shared harness of the end-to-end tests: a till (the real app under
// tauri-driver, on its own data dir), its ledger read with sqlite3, an
// optional `cryptill sandbox serve` process, and the guarantee that every
// process a test file starts is gone when the file ends.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDriver, newSession, sleep } from "./webdriver.mjs";

export const BIN = process.env.CRYPTILL_BIN;

/** For each file's `before`: the tests need the built app. */
export function requireApp() {
  assert.ok(BIN && existsSync(BIN), `CRYPTILL_BIN must name the built app, got ${BIN}`);
}

/** Rows of a query on an SQLite file, read by the sqlite3 tool (not the app). */
export function sqlIn(file, query) {
  const out = execFileSync("sqlite3", ["-json", file, query], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : [];
}

/** A loopback port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on the loopback port. */
export async function listening(port, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

/** Every process below `root` in the process tree, from `ps` (root not included). */
function descendantsOf(root) {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter(Boolean)
    .map(([, pid, ppid, args]) => ({ pid: +pid, ppid: +ppid, args }));
  const ours = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) {
      if (ours.has(r.ppid) && !ours.has(r.pid)) {
        ours.add(r.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => ours.has(r.pid) && r.pid !== root);
}

function killQuietly(pid) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

// Every till this file made, so `stopAll` (each file's `after`) ends every
// process any of them started, whichever test failed half-way. One process
// left running (a sandbox, a WebKitWebDriver whose app was killed) holds
// node's event loop or the test's output open, and node --test then never
// ends: it once hung CI for 90 minutes. Do not start processes around this.
const tills = [];

/**
 * One app under tauri-driver, on its own data dir (kept across restarts, so
 * a killed app can be started again on the same till).
 *
 * `port`: tauri-driver's port (its native port is the next one). Files run
 * in parallel (node --test), so each file uses its own pair.
 * `keyringService`: a keyring service of its own (CRYPTILL_KEYRING_SERVICE),
 * so its keys are apart from every other till's; without it, the app's
 * default service.
 * `env`: more environment for the app and its command line.
 */
export class Till {
  constructor({ name, port, keyringService = false, env = {} }) {
    tills.push(this);
    this.port = port;
    this.dataDir = mkdtempSync(join(tmpdir(), `cryptill-e2e-${name}-`));
    this.env = { CRYPTILL_DATA_DIR: this.dataDir, ...env };
    if (keyringService) this.env.CRYPTILL_KEYRING_SERVICE = `cryptill-e2e-${name}-${process.pid}-${Date.now()}`;
  }

  /** Starts the driver and a session; waits for `ready` (a test id) if given. */
  async start(ready) {
    this.driver = await startDriver({ env: this.env, port: this.port });
    this.session = await newSession(this.driver.base, BIN);
    if (ready) await this.session.waitFor(ready, 20_000);
    return this.session;
  }

  /** Ends the session and every process under our tauri-driver, and the driver. */
  async stop() {
    // After a SIGKILL the browser is gone; do not wait on it for long.
    await Promise.race([this.session?.close().catch(() => {}), sleep(5_000)]);
    // A WebKitWebDriver whose app was killed can outlive tauri-driver and
    // hold the test's output open; end what we started, by pid.
    const left = this.driver ? this.descendants() : [];
    this.driver?.stop();
    for (const { pid } of left) killQuietly(pid);
    this.session = undefined;
    this.driver = undefined;
    // Let tauri-driver release its port before a restart binds it again.
    await sleep(500);
  }

  /** Processes started under our tauri-driver (WebKitWebDriver, the app). */
  descendants() {
    return descendantsOf(this.driver.pid);
  }

  /** The app process: the descendant of our tauri-driver running BIN. */
  appPid() {
    const app = this.descendants().find((r) => r.args.startsWith(BIN));
    assert.ok(app, "the app process under our tauri-driver");
    return app.pid;
  }

  ledger(query) {
    return sqlIn(join(this.dataDir, "cryptill.sqlite3"), query);
  }

  /** The demo gateway's own database, beside the ledger. */
  gateway(query) {
    return sqlIn(join(this.dataDir, "demo-gateway.sqlite3"), query);
  }

  /** The app's command line on this till's data dir. */
  cli(args, input = "") {
    return execFileSync(BIN, ["--data-dir", this.dataDir, ...args], {
      input,
      encoding: "utf8",
      env: { ...process.env, ...this.env },
    });
  }

  /** `cryptill sandbox serve` in its own process, on a free port; returns its URL. */
  async serveSandbox() {
    const port = await freePort();
    this.sandbox = spawn(BIN, ["--data-dir", this.dataDir, "sandbox", "serve", "--port", String(port)], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await listening(port);
    this.sandboxUrl = `http://127.0.0.1:${port}`;
    return this.sandboxUrl;
  }

  /** The customer's wallet pays the sale on the served sandbox, from outside the app. */
  pay(saleId) {
    return this.cli(["sandbox", "pay", String(saleId), "--url", this.sandboxUrl]);
  }

  /** Stops the till and its sandbox. */
  async shutdown() {
    await this.stop();
    this.sandbox?.kill("SIGKILL");
    this.sandbox = undefined;
  }
}

/** For each file's `after`: every till of the file, and all it started, ends. */
export async function stopAll() {
  for (const till of tills) await till.shutdown();
}

/** The sale's state as the till shows it. */
export const state = (session) => session.attr("status", "data-state");

/** Types into an input, as a person would: what was there is cleared first. */
export async function typeInto(session, testid, text) {
  const id = await session.find(testid);
  await session.cmd("POST", `/element/${id}/clear`, {});
  await session.cmd("POST", `/element/${id}/value`, { text });
}

/** Waits until no element has `testid` (a dialog closed, a panel left). */
export async function waitGone(session, testid) {
  await session.until(`${testid} to disappear`, async () => {
    try {
      await session.find(testid);
      return false;
    } catch {
      return true;
    }
  });
}

/** Types an amount on the keyboard, picks BTC, charges; returns the sale id. */
export async function charge(session, till, keys) {
  await session.typeKeys(keys);
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.click("charge");
  await session.waitFor("qr", 15_000);
  await session.until("awaiting", async () => (await state(session)) === "awaiting");
  const [row] = till.ledger("SELECT max(id) AS id FROM sales");
  return row.id;
}
