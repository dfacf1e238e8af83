// Owner mode end to end in the real window: the PIN is set at first start,
// a demo sale fills the demo terminal's wallet, the owner locks and unlocks,
// reads the balance, asks for a withdrawal that the demo gateway refuses as
// not permitted, ticks the dashboard box (demo only), asks again and is told
// about the confirmation e-mail, and locks again. Its own data dir and driver.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, requireApp, stopAll, typeInto, waitGone } from "./harness.mjs";

const PIN = "2580";
const ADDRESS = "tb1qe2eowner0000000000000000000000000000";

// Ports 4454/4455, apart from the other files: node runs files in parallel.
const till = new Till({ name: "owner", port: 4454 });
let session;

const type = (testid, text) => typeInto(session, testid, text);
const gone = (testid) => waitGone(session, testid);

before(async () => {
  requireApp();
  session = await till.start();
});

after(stopAll);

test("the owner unlocks, reads balances, is refused a withdrawal, then makes one, and locks", async () => {
  // First start: the window asks for the owner PIN.
  await session.waitFor("pin-setup", 20_000);
  await type("pin-setup-pin", PIN);
  await type("pin-setup-again", PIN);
  await session.click("pin-setup-save");
  await gone("pin-setup");
  const [auth] = till.ledger("SELECT pin_phc FROM owner_auth");
  assert.match(auth.pin_phc, /^\$argon2id\$/);

  // A 100 EUR sale paid in BTC fills the demo terminal's wallet.
  const amount = () => session.text("amount");
  await session.clickUntil("key-1", async () => (await amount()) === "1");
  await session.clickUntil("key-0", async () => (await amount()) === "10");
  await session.clickUntil("key-0", async () => (await amount()) === "100");
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("the BTC quote", async () => /\d/.test(await session.text("crypto-amount")));
  await session.click("charge");
  await session.waitFor("qr", 15_000);
  await session.click("simulate-payment");
  await session.until("the Paid state", async () => (await session.attr("status", "data-state")) === "paid", 15_000);
  await session.click("new-sale");

  // Setting the PIN opened owner mode; Lock closes it, and the Owner button
  // then asks for the PIN.
  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.click("owner-lock");
  await gone("owner-panel");
  await session.click("owner-button");
  await session.waitFor("unlock-dialog");
  await type("unlock-pin", "0000");
  await session.click("unlock-submit");
  assert.match(await session.until("the wrong-PIN message", () => session.text("unlock-error")), /Wrong PIN/);
  await type("unlock-pin", PIN);
  await session.click("unlock-submit");
  await session.waitFor("owner-panel");

  // 100 EUR at 58000 EUR/BTC, rounded up to the satoshi.
  const balance = await session.until("the BTC balance", async () => {
    const t = await session.text("balance-BTC");
    return /\d/.test(t) && t;
  });
  assert.equal(balance, "0.00172414");
  assert.ok(await session.attr("balances-updated", "data-at"), "the time of the last update is shown");

  await session.click("owner-tab-withdrawals");
  await session.until(
    "BTC in the coin list",
    async () => (await session.cmd("GET", `/element/${await session.find("withdraw-coin")}/property/value`)) === "BTC",
  );
  await type("withdraw-amount", "0.001");
  await type("withdraw-address", ADDRESS);
  await session.click("withdraw-submit");
  const refusal = await session.until("the refusal", () => session.text("withdraw-error"), 15_000);
  assert.match(refusal, /Withdraw is not permitted by API\. Please contact the terminal owner\./);

  // Demo only: tick the dashboard box, then ask again.
  await session.clickUntil("demo-permit", async () => (await session.cmd("GET", `/element/${await session.find("demo-permit")}/selected`)) === true);
  await session.click("withdraw-submit");
  const success = await session.until("the confirmation", () => session.text("withdraw-success"), 15_000);
  assert.match(success, /e-mail/);
  await session.until("the withdrawal in the history", async () => (await session.text("withdrawal-row")).includes(ADDRESS));

  // Both requests and their answers are in the ledger.
  const requests = till.ledger("SELECT outcome, coin, amount, address FROM withdrawal_requests ORDER BY id");
  assert.deepEqual(
    requests.map((r) => r.outcome),
    ["refused", "registered"],
  );
  assert.equal(requests[1].amount, "0.00100000");
  assert.equal(requests[1].address, ADDRESS);

  await session.click("owner-lock");
  await gone("owner-panel");
  await session.click("owner-button");
  await session.waitFor("unlock-dialog");
  await session.click("unlock-cancel");
  await gone("unlock-dialog");
});
