// A Charge whose order the gateway refuses, end to end in the real window:
// the till is on the Counos dialect of a sandbox served by a separate
// `cryptill sandbox serve` process, whose fault plan makes its next answer
// an HTTP 500. Charge is one call (`charge_sale`); its failure names the sale
// it recorded, the window shows the error with Retry, and Retry places that
// same sale: one sale, one order, never a second charge.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, requireApp, state, stopAll } from "./harness.mjs";

const KEY = "cryptill-demo-terminal-key";
const PIN = "2468";

let till;

before(requireApp);

after(stopAll);

test("a charge the gateway refuses shows the error, and Retry places the same sale", async () => {
  // Ports 4470/4471, apart from the other files.
  till = new Till({ name: "retry", port: 4470, keyringService: true, env: { CRYPTILL_OWNER_PIN: PIN } });
  const url = await till.serveSandbox();
  till.cli(["owner", "pin", "set"], `${PIN}\n${PIN}\n`);
  till.cli(["gateway", "use", "counos", "--base-url", `${url}/counos/api/`]);
  till.cli(["gateway", "key", "set", "counos"], `${KEY}\n`);
  const session = await till.start("coin-BTC");

  await session.typeKeys("8");
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  // The quote is in: the charge converts at its rate, so the order is the
  // charge's only gateway call, and the one the fault meets.
  await session.until("the quote", async () => /BTC/.test(await session.text("crypto-amount")), 15_000);
  const queued = await fetch(`${url}/control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ next: ["http_500"] }),
  });
  assert.ok(queued.ok, `the sandbox took the fault: ${queued.status}`);

  await session.click("charge");
  await session.waitFor("retry", 15_000);
  assert.match(await session.text("error"), /HTTP 500/);
  // The sale is recorded, and stays the one sale. (The till's watcher may
  // place it meanwhile, as it places any recorded sale; Retry finds that.)
  const recorded = till.ledger("SELECT id FROM sales");
  assert.equal(recorded.length, 1);

  await session.click("retry");
  await session.waitFor("qr", 15_000);
  await session.until("awaiting", async () => (await state(session)) === "awaiting");
  const rows = till.ledger("SELECT id, state, gateway_order_id IS NOT NULL AS placed FROM sales");
  assert.deepEqual(rows, [{ id: recorded[0].id, state: "awaiting", placed: 1 }]);
  await till.stop();
});
