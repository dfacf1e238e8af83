// Cashiers and shifts end to end in the real window: the owner adds two
// cashiers; Ana opens shift 1 and sells, Ben takes over and sells, the
// shift closes after a confirmation with Z report 1; Ben opens shift 2,
// sells, closes it as Z report 2; the owner reads both Z reports back in
// the shift history (and the command line reads them from the ledger).
// Its own data dir and driver.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, requireApp, stopAll, typeInto, waitGone } from "./harness.mjs";

const PIN = "2580";

// Ports 4458/4459, apart from the other files: node runs files in parallel.
const till = new Till({ name: "shifts", port: 4458 });
let session;

const type = (testid, text) => typeInto(session, testid, text);
const gone = (testid) => waitGone(session, testid);

/** Sells `keys` EUR in BTC, pays it in full (demo), back to a new sale. */
async function sellAndPay(keys) {
  await session.waitFor("amount", 15_000);
  await session.typeKeys(keys);
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("the BTC quote", async () => /\d/.test(await session.text("crypto-amount")));
  await session.click("charge");
  await session.waitFor("qr", 15_000);
  await session.click("simulate-payment");
  await session.until("the Paid state", async () => (await session.attr("status", "data-state")) === "paid", 15_000);
  await session.click("new-sale");
}

async function signIn(cashier, pin) {
  await session.waitFor("shift-sign-in", 15_000);
  await session.click(`shift-cashier-${cashier}`);
  await type("shift-pin", pin);
  await session.click("shift-sign-in-submit");
  await session.until(`${cashier} signed in`, async () => (await session.text("shift-cashier-name")) === `Cashier: ${cashier}`);
}

async function closeShift(number) {
  await session.click("shift-close");
  await session.waitFor("shift-confirm-close");
  await session.click("shift-close-confirm");
  const title = await session.until("the Z report", () => session.text("shift-report-title"), 15_000);
  assert.equal(title, `Z report ${number}`);
  await session.click("shift-report-done");
  await gone("shift-report");
}

async function addCashier(name, pin) {
  await type("cashier-name", name);
  await type("cashier-pin", pin);
  await type("cashier-pin-again", pin);
  await session.click("cashier-add-submit");
  await session.until(`${name} added`, async () => (await session.text("cashier-done")).includes(name));
}

before(async () => {
  requireApp();
  session = await till.start();
});

after(stopAll);

test("two cashiers run two shifts and the owner reads both Z reports back", async () => {
  await session.waitFor("pin-setup", 20_000);
  await type("pin-setup-pin", PIN);
  await type("pin-setup-again", PIN);
  await session.click("pin-setup-save");
  await gone("pin-setup");
  // A one-person till: the keypad, no sign-in.
  await session.waitFor("amount", 15_000);

  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-cashiers");
  await addCashier("Ana", "1111");
  await addCashier("Ben", "2222");
  await session.click("owner-lock");
  await gone("owner-panel");

  // Shift 1: Ana opens it (after one wrong PIN), sells; Ben takes over.
  await session.waitFor("shift-sign-in", 15_000);
  await session.click("shift-cashier-Ana");
  await type("shift-pin", "9999");
  await session.click("shift-sign-in-submit");
  assert.match(await session.until("the wrong-PIN sentence", () => session.text("shift-error")), /Wrong PIN/);
  await signIn("Ana", "1111");
  await sellAndPay("12.50");
  await session.click("shift-switch");
  await signIn("Ben", "2222");
  await sellAndPay("5");
  await closeShift(1);

  // Shift 2: Ben alone.
  await signIn("Ben", "2222");
  await sellAndPay("3");
  await closeShift(2);

  const sales = till.ledger(
    "SELECT s.id, c.name AS cashier, s.shift_id AS shift FROM sales s JOIN cashiers c ON c.id = s.cashier_id ORDER BY s.id",
  );
  assert.deepEqual(
    sales.map((s) => [s.cashier, s.shift]),
    [
      ["Ana", 1],
      ["Ben", 1],
      ["Ben", 2],
    ],
  );
  assert.deepEqual(
    till.ledger("SELECT number FROM shifts ORDER BY id").map((r) => r.number),
    [1, 2],
  );

  // The owner's shift history, newest first; Z 1 read back per cashier.
  await session.waitFor("shift-sign-in", 15_000);
  await session.click("owner-button");
  await session.waitFor("unlock-dialog");
  await type("unlock-pin", PIN);
  await session.click("unlock-submit");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-shifts");
  await session.until("two closed shifts", async () => (await session.text("shift-history")).includes("Ben"));
  const rows = await session.cmd("POST", "/elements", { using: "css selector", value: '[data-testid="shift-history-row"]' });
  assert.equal(rows.length, 2);
  const opens = await session.cmd("POST", "/elements", { using: "css selector", value: '[data-testid="shift-history-open"]' });
  // The second row is Z 1.
  await session.cmd("POST", `/element/${Object.values(opens[1])[0]}/click`, {});
  assert.equal(await session.until("Z 1", () => session.text("shift-report-title")), "Z report 1");
  assert.equal(await session.text("shift-report-gross"), "17.50 EUR");
  const cashiers = await session.cmd("POST", "/elements", { using: "css selector", value: '[data-testid="shift-report-cashier"]' });
  assert.equal(cashiers.length, 2, "Ana and Ben in Z 1");
  await session.click("shift-history-back");
  await session.click("owner-lock");

  // The command line reads the same Z reports from the ledger.
  const z2 = JSON.parse(till.cli(["report", "--shift", "2", "--json"], `${PIN}\n`));
  assert.equal(z2.number, 2);
  assert.equal(z2.gross, "3.00");
  assert.deepEqual(
    z2.cashiers.map((c) => c.cashier),
    ["Ben"],
  );
});
