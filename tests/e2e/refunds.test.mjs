// Refunds end to end in the real window (issue 18), in demo mode against
// the embedded sandbox (Counos dialect, so a refund is a withdrawal the
// owner confirms by e-mail): a 1000 EUR sale is overpaid (large enough
// for Counos's minimum withdrawal), the cashier refunds the excess from
// Sales this shift (the core refuses a wrong-network address beside the
// form; the address is read back as a QR; the owner's PIN typed on the spot
// approves and sends it); a second refund waits for the owner and is
// rejected in owner mode; the demo's e-mail confirmation finishes the
// first, which the day's Z-report then shows per coin and in euros.
// Its own data dir and driver (ports 4468/4469).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, charge, requireApp, state, stopAll, typeInto, waitGone } from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const PIN = "2580";
/** A testnet Bitcoin address the core's check and the sandbox accept. */
const CUSTOMER = "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9";
const ETHER = "0x52908400098527886E0F7030069857D2E4169EE7";

const till = new Till({ name: "refunds", port: 4468 });
let session;

const type = (testid, text) => typeInto(session, testid, text);
const step = () => session.attr("refund", "data-step");
const atStep = (name) => session.until(`the refund's ${name} step`, async () => (await step()) === name, 15_000);

before(async () => {
  requireApp();
  session = await till.start();
});

after(stopAll);

/** Owner mode, unlocked (right after the PIN is set, without asking for it). */
async function ownerMode() {
  await session.click("owner-button");
  await session.until("owner mode", async () => {
    try {
      await session.find("owner-panel");
      return true;
    } catch {
      await session.find("unlock-dialog");
      await type("unlock-pin", PIN);
      await session.click("unlock-submit");
      return false;
    }
  }, 15_000);
}

async function lock() {
  await session.click("owner-lock");
  await waitGone(session, "owner-panel");
}

/** From Sales this shift, the refund form of `sale`, filled in and read back to the customer. */
async function askRefund(sale, { kind, amount } = {}) {
  await session.click("open-recent");
  await session.waitFor(`recent-refund-${sale}`, 15_000);
  await session.click(`recent-refund-${sale}`);
  await atStep("form");
  if (kind) {
    await session.cmd("POST", "/execute/sync", {
      script: `const s = document.querySelector('[data-testid="refund-kind"]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
      args: [kind],
    });
  }
  if (amount) await type("refund-amount", amount);
  await type("refund-address", CUSTOMER);
  await session.click("refund-check");
  await atStep("confirm");
  await session.click("refund-confirm");
  await atStep("owner");
}

test("an overpaid sale's excess goes back with the owner's PIN, shows in owner mode and in the day's report", async () => {
  // First start: the owner PIN (the session is open after it); the demo terminal
  // is allowed to withdraw (its dashboard box, demo only).
  await session.waitFor("pin-setup", 20_000);
  await type("pin-setup-pin", PIN);
  await type("pin-setup-again", PIN);
  await session.click("pin-setup-save");
  await waitGone(session, "pin-setup");
  await ownerMode();
  await session.click("owner-tab-withdrawals");
  await session.waitFor("demo-permit");
  await session.clickUntil("demo-permit", async () => (await session.cmd("GET", `/element/${await session.find("demo-permit")}/selected`)) === true);
  // The box tells the demo gateway at once; give the call its moment before owner mode closes.
  await sleep(500);
  await session.click("owner-tab-refunds");
  assert.match(await session.until("the empty list", () => session.text("refunds-empty")), /Sales this shift/);
  await lock();

  // 1000 EUR in BTC, overpaid by the customer's wallet.
  const sale = await charge(session, till, "1000");
  await session.click("simulate-overpay");
  await session.until("overpaid", async () => (await state(session)) === "overpaid", 15_000);
  await session.click("new-sale");

  // The refund form opens on the excess: 100 EUR = 0.00172414 BTC.
  await session.click("open-recent");
  await session.waitFor(`recent-refund-${sale}`, 15_000);
  await session.click(`recent-refund-${sale}`);
  await atStep("form");
  assert.equal(await session.cmd("GET", `/element/${await session.find("refund-amount")}/property/value`), "100.00");
  assert.equal(await session.cmd("GET", `/element/${await session.find("refund-kind")}/property/value`), "overpaid");
  assert.equal(await session.text("refund-network"), "BTC on Bitcoin");
  assert.equal(await session.text("refund-suggested"), "100.00 EUR = 0.00172414 BTC");
  assert.match(await session.text("refund-missing"), /wallet address/);

  // A wrong-network address: the core's sentence beside the form, nothing recorded.
  await type("refund-address", ETHER);
  await session.click("refund-check");
  const refused = await session.until("the address refused", () => session.text("refund-error"), 15_000);
  assert.match(refused, /not a BTC address on the Bitcoin network/);
  assert.equal(await step(), "form");
  assert.deepEqual(till.ledger("SELECT id FROM refunds"), []);

  // The right address is read back big, as a QR, with the amount and network.
  await type("refund-address", CUSTOMER);
  await session.click("refund-check");
  await atStep("confirm");
  assert.equal(await session.text("refund-confirm-amount"), "0.00172414 BTC");
  assert.equal(await session.text("refund-confirm-address"), CUSTOMER);
  assert.match(await session.text("refund-confirm-line"), /on Bitcoin/);
  assert.match(await session.attr("refund-qr", "src"), /^data:image\/png;base64,/);
  assert.deepEqual(till.ledger("SELECT id FROM refunds"), [], "nothing is asked before the customer confirms");

  // The customer confirms: the refund waits for the owner, who types the PIN here.
  await session.click("refund-confirm");
  await atStep("owner");
  assert.match(await session.text("refund-email-step"), /e-mails the owner a confirmation link/);
  const [asked] = till.ledger("SELECT id, state, kind, fiat_amount, crypto_amount, address, requested_by FROM refunds");
  assert.deepEqual(
    { ...asked, id: undefined },
    { id: undefined, state: "requested", kind: "overpaid", fiat_amount: "100.00", crypto_amount: "0.00172414", address: CUSTOMER, requested_by: "cashier at the counter" },
  );
  await type("refund-pin", "0000");
  await session.click("refund-approve");
  assert.match(await session.until("the wrong PIN", () => session.text("refund-error"), 15_000), /Wrong PIN/);
  assert.equal(await step(), "owner");
  await type("refund-pin", PIN);
  await session.click("refund-approve");
  await atStep("outcome");
  assert.equal(await session.attr("refund-outcome", "data-state"), "sent");
  assert.match(await session.text("refund-email-step"), /nothing is sent until the owner confirms/);
  await session.click("refund-done");
  await session.waitFor("recent-sales");

  // A second refund (a return of 10 EUR) waits for the owner: the cashier is back at the list.
  await session.click("recent-close");
  await askRefund(sale, { kind: "return", amount: "10.00" });
  await session.click("refund-later");
  await session.waitFor("recent-sales");
  await session.click("recent-close");
  const rows = till.ledger("SELECT id, state, approved_by FROM refunds ORDER BY id");
  assert.deepEqual(rows.map((r) => [r.state, r.approved_by]), [["sent", "owner"], ["requested", null]]);
  const [first, second] = rows.map((r) => r.id);

  // Owner mode: both refunds, newest first; the waiting one is rejected with a reason.
  await ownerMode();
  await session.click("owner-tab-refunds");
  await session.waitFor(`refund-row-${second}`, 15_000);
  assert.match(await session.text("refunds-waiting"), /1 waits/);
  const order = await session.cmd("POST", "/execute/sync", {
    script: `return [...document.querySelectorAll('tr[data-testid^="refund-row-"]')].map((r) => r.dataset.testid);`,
    args: [],
  });
  assert.deepEqual(order, [`refund-row-${second}`, `refund-row-${first}`]);
  assert.equal(await session.attr(`refund-row-${first}`, "data-state"), "sent");
  assert.equal(await session.text(`refund-address-${first}`), CUSTOMER);
  assert.match(await session.text(`refund-gateway-id-${first}`), /Gateway id \d+/);
  assert.match(await session.text(`refund-row-${first}`), /Asked by cashier at the counter/);
  assert.match(await session.text(`refund-row-${first}`), /Approved by owner/);
  assert.match(await session.text(`refund-row-${first}`), /Customer paid more than asked/);
  await session.click(`refund-reject-${second}`);
  await type(`refund-reject-why-${second}`, "Goods not brought back");
  await session.click(`refund-reject-go-${second}`);
  await session.until("rejected", async () => (await session.attr(`refund-row-${second}`, "data-state")) === "rejected", 15_000);
  assert.match(await session.text(`refund-message-${second}`), /Goods not brought back/);

  // Demo only: the owner confirms Counos's e-mail; the refund is done.
  await session.click(`refund-demo-email-${first}`);
  await session.until("done", async () => (await session.attr(`refund-row-${first}`, "data-state")) === "done", 15_000);
  assert.equal(till.ledger(`SELECT state FROM refunds WHERE id = ${first}`)[0].state, "done");

  // The day's Z-report: one BTC refund of 0.00172414 BTC = 100.00 EUR.
  await session.click("owner-tab-report");
  await session.waitFor("report-refund-BTC", 15_000);
  const line = await session.text("report-refund-BTC");
  assert.match(line, /^BTC\s*1\s*0\.00172414 BTC\s*100\.00 EUR$/);
  assert.equal(await session.text("report-refunded"), "Given back: 100.00 EUR");
  await lock();
});
