// Every open sale followed to its end, whatever the cashier does next (issue
// 9), end to end in the real window: the till is on the Counos dialect of a
// sandbox served by a separate `cryptill sandbox serve` process, and the
// customer pays with `cryptill sandbox pay`, as another device would. The
// window is never clicked to learn of a payment:
// (a) two open sales, the earlier one paid: a toast, and the open "Sales
//     this shift" list turns it paid live;
// (b) the app is SIGKILLed with a sale open, started again, and the payment
//     comes after the restart: the sale turns paid with no click;
// (c) a second launch on the same till hands over to the first window.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDriver, newSession, sleep } from "./webdriver.mjs";

const BIN = process.env.CRYPTILL_BIN;
const KEY = "cryptill-demo-terminal-key";

function sqlIn(file, query) {
  const out = execFileSync("sqlite3", ["-json", file, query], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : [];
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function listening(port, timeout = 10_000) {
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

// Every till of this file, so `after` stops every sandbox process: one left
// running keeps node's event loop, and so the whole test run, alive forever.
const tills = [];

/** A till on a served sandbox, under tauri-driver, on its own data dir. */
class Till {
  constructor() {
    tills.push(this);
    this.dataDir = mkdtempSync(join(tmpdir(), "cryptill-e2e-watch-"));
    this.env = {
      CRYPTILL_DATA_DIR: this.dataDir,
      CRYPTILL_KEYRING_SERVICE: `cryptill-e2e-watch-${process.pid}-${Date.now()}`,
      // Choosing the gateway and setting its key are the owner's: the PIN
      // is set first (serveSandbox), then read from here.
      CRYPTILL_OWNER_PIN: "2468",
    };
  }
  cli(args, input = "") {
    return execFileSync(BIN, ["--data-dir", this.dataDir, ...args], {
      input,
      encoding: "utf8",
      env: { ...process.env, ...this.env },
    });
  }
  /** `cryptill sandbox serve` in its own process; the till uses its Counos dialect. */
  async serveSandbox() {
    const port = await freePort();
    this.sandbox = spawn(BIN, ["--data-dir", this.dataDir, "sandbox", "serve", "--port", String(port)], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await listening(port);
    this.sandboxUrl = `http://127.0.0.1:${port}`;
    this.cli(["owner", "pin", "set"], "2468\n2468\n");
    this.cli(["gateway", "use", "counos", "--base-url", `${this.sandboxUrl}/counos/api/`]);
    this.cli(["gateway", "key", "set", "counos"], `${KEY}\n`);
  }
  /** The customer's wallet pays the sale, from outside the app. */
  pay(saleId) {
    return this.cli(["sandbox", "pay", String(saleId), "--url", this.sandboxUrl]);
  }
  async start() {
    // Ports apart from the other e2e files: node runs files in parallel.
    this.driver = await startDriver({ env: this.env, port: 4450 });
    this.session = await newSession(this.driver.base, BIN);
    await this.session.waitFor("coin-BTC", 20_000);
    return this.session;
  }
  async stop() {
    await Promise.race([this.session?.close().catch(() => {}), sleep(5_000)]);
    const left = this.driver ? this.descendants() : [];
    this.driver?.stop();
    for (const { pid } of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    this.session = undefined;
    this.driver = undefined;
    await sleep(500);
  }
  shutdown() {
    this.sandbox?.kill("SIGKILL");
    this.sandbox = undefined;
  }
  ledger(query) {
    return sqlIn(join(this.dataDir, "cryptill.sqlite3"), query);
  }
  descendants() {
    const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
      .filter(Boolean)
      .map(([, pid, ppid, args]) => ({ pid: +pid, ppid: +ppid, args }));
    const ours = new Set([this.driver.pid]);
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
    return rows.filter((r) => ours.has(r.pid) && r.pid !== this.driver.pid);
  }
  appPid() {
    const app = this.descendants().find((r) => r.args.startsWith(BIN));
    assert.ok(app, "the app process under our tauri-driver");
    return app.pid;
  }
}

async function charge(session, till, keys) {
  await session.typeKeys(keys);
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.click("charge");
  await session.waitFor("qr", 15_000);
  await session.until("awaiting", async () => (await session.attr("status", "data-state")) === "awaiting");
  const [row] = till.ledger("SELECT max(id) AS id FROM sales");
  return row.id;
}

async function toastSaying(session, text, timeout = 20_000) {
  return session.until(`a toast saying "${text}"`, async () => (await session.text("toasts")).includes(text), timeout);
}

let till;

before(() => {
  assert.ok(BIN && existsSync(BIN), `CRYPTILL_BIN must name the built app, got ${BIN}`);
});

after(async () => {
  for (const t of tills) {
    await t.stop();
    t.shutdown();
  }
});

test("the earlier of two open sales, paid while the next is on screen, turns paid on its own", async () => {
  till = new Till();
  await till.serveSandbox();
  const session = await till.start();
  const first = await charge(session, till, "4");
  await session.click("new-sale");
  const second = await charge(session, till, "6");
  // The cashier looks at this shift's sales; nothing else is clicked from here on.
  await session.click("open-recent");
  await session.waitFor(`recent-sale-${first}`);
  assert.equal(await session.attr(`recent-sale-${first}`, "data-state"), "awaiting");

  assert.match(till.pay(first), /received the payment/);
  await toastSaying(session, `Sale ${first} paid`);
  await session.until(
    "the list shows the first sale paid",
    async () => (await session.attr(`recent-sale-${first}`, "data-state")) === "paid",
    15_000,
  );
  assert.equal(await session.attr(`recent-sale-${second}`, "data-state"), "awaiting");
  assert.deepEqual(till.ledger("SELECT id, state FROM sales ORDER BY id"), [
    { id: first, state: "paid" },
    { id: second, state: "awaiting" },
  ]);
  await till.stop();
});

test("a sale open when the app is killed turns paid after the restart with no click", async () => {
  till = new Till();
  await till.serveSandbox();
  let session = await till.start();
  const id = await charge(session, till, "7.25");
  process.kill(till.appPid(), "SIGKILL");
  await till.stop();

  session = await till.start();
  await session.waitFor(`resumed-${id}`, 20_000);
  // The customer pays only now, after the restart.
  assert.match(till.pay(id), /received the payment/);
  await toastSaying(session, `Sale ${id} paid`);
  await session.until(
    "the resumed banner shows it paid",
    async () => (await session.attr(`resumed-${id}`, "data-state")) === "paid",
    10_000,
  );
  assert.deepEqual(till.ledger(`SELECT state FROM sales WHERE id = ${id}`), [{ state: "paid" }]);
  await till.stop();
});

test("a second launch on the same till hands over to the first window and exits", async () => {
  till = new Till();
  await till.serveSandbox();
  const session = await till.start();
  const started = Date.now();
  // The same binary, no subcommand: what a double-click on the icon runs.
  const second = spawn(BIN, [], { env: { ...process.env, ...till.env }, stdio: "ignore" });
  const code = await new Promise((resolve) => second.on("exit", resolve));
  assert.equal(code, 0, "the second launch exits cleanly");
  assert.ok(Date.now() - started < 15_000, "and promptly, without opening a window of its own");
  await toastSaying(session, "already open on this till");
  // Command-line subcommands still work beside the window.
  assert.match(till.cli(["coins"]), /BTC/);
  await till.stop();
});
