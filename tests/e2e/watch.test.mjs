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
import { spawn } from "node:child_process";
import { BIN, Till, charge, requireApp, stopAll } from "./harness.mjs";

const KEY = "cryptill-demo-terminal-key";
const PIN = "2468";

/**
 * A till on a served sandbox's Counos dialect, with its own keyring service;
 * ports 4450/4451, apart from the other files (node runs files in parallel).
 */
async function tillOnSandbox() {
  // Choosing the gateway and setting its key are the owner's: the PIN is set
  // first, then read from CRYPTILL_OWNER_PIN.
  const till = new Till({ name: "watch", port: 4450, keyringService: true, env: { CRYPTILL_OWNER_PIN: PIN } });
  const url = await till.serveSandbox();
  till.cli(["owner", "pin", "set"], `${PIN}\n${PIN}\n`);
  till.cli(["gateway", "use", "counos", "--base-url", `${url}/counos/api/`]);
  till.cli(["gateway", "key", "set", "counos"], `${KEY}\n`);
  return till;
}

async function toastSaying(session, text, timeout = 20_000) {
  return session.until(`a toast saying "${text}"`, async () => (await session.text("toasts")).includes(text), timeout);
}

let till;

before(requireApp);

// Every till of the file, its driver, app and sandbox: see stopAll.
after(stopAll);

test("the earlier of two open sales, paid while the next is on screen, turns paid on its own", async () => {
  till = await tillOnSandbox();
  const session = await till.start("coin-BTC");
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
  till = await tillOnSandbox();
  let session = await till.start("coin-BTC");
  const id = await charge(session, till, "7.25");
  process.kill(till.appPid(), "SIGKILL");
  await till.stop();

  session = await till.start("coin-BTC");
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
  till = await tillOnSandbox();
  const session = await till.start("coin-BTC");
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
