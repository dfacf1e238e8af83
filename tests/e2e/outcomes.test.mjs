// The payment outcomes at the counter, end to end in the real window, driven
// by the demo's training buttons (the sandbox gateway pays part, pays the
// rest, or lets the order expire), and a crash: the app is killed (SIGKILL)
// with a sale open, started again on the same data dir, and must resume that
// sale to its end with exactly one gateway order and one ledger row.
//
// Why WebDriver for the crash and not the CLI: what must survive is the
// window's own sale, and the proof is what the cashier sees after the
// restart (the resumed banner, then Paid), on the same CRYPTILL_DATA_DIR.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, charge, requireApp, state, stopAll } from "./harness.mjs";

/** A till on its own data dir; ports 4446/4447, apart from the other files. */
const newTill = () => new Till({ name: "outcomes", port: 4446 });

let till;

before(requireApp);

after(stopAll);

test("an underpaid sale shows the rest with its own QR, and the top-up makes it paid", async () => {
  till = newTill();
  const session = await till.start("demo-banner");
  const id = await charge(session, till, "12.50");
  const fullQr = await session.attr("qr", "src");

  await session.click("simulate-part");
  await session.until("underpaid", async () => (await state(session)) === "underpaid", 15_000);
  // Half of 0.00021552 BTC was paid; the rest is asked for, with a QR for it.
  assert.equal(await session.text("underpaid-paid"), "0.00010776 BTC");
  assert.equal(await session.text("remaining-amount"), "0.00010776 BTC");
  assert.equal(await session.text("pay-amount"), "0.00010776 BTC");
  assert.equal(await session.attr("qr", "data-kind"), "remaining");
  assert.notEqual(await session.attr("qr", "src"), fullQr);
  await session.click("let-it-run");
  await session.waitFor("letting-run");

  await session.click("simulate-payment");
  await session.until("paid after the top-up", async () => (await state(session)) === "paid", 15_000);
  const rows = till.ledger(`SELECT state, crypto_amount, paid_amount FROM sales`);
  assert.deepEqual(rows, [{ state: "paid", crypto_amount: "0.00021552", paid_amount: "0.00021552" }]);
  assert.equal(till.ledger(`SELECT id FROM sales`)[0].id, id);

  // The receipt shows the paid sale.
  await session.click("show-receipt");
  await session.waitFor("receipt");
  assert.match(await session.text("receipt-total"), /12\.50 EUR/);
  assert.match(await session.text("receipt-crypto"), /0\.00021552 BTC/);
  await session.click("receipt-close");
  await till.stop();
});

test("an expired sale is tried again as a fresh order, which is then paid", async () => {
  till = newTill();
  const session = await till.start("demo-banner");
  const first = await charge(session, till, "5");
  const firstOrder = till.ledger(`SELECT gateway_order_id FROM sales WHERE id = ${first}`)[0].gateway_order_id;

  await session.click("simulate-expire");
  await session.until("expired", async () => (await state(session)) === "expired", 15_000);
  await session.click("try-again");
  await session.until("a fresh order awaiting payment", async () => (await state(session)) === "awaiting", 15_000);

  const rows = till.ledger("SELECT id, state, fiat_amount, replaces_sale_id, gateway_order_id FROM sales ORDER BY id");
  assert.equal(rows.length, 2);
  assert.equal(rows[0].state, "expired");
  assert.equal(rows[1].replaces_sale_id, first);
  assert.equal(rows[1].fiat_amount, "5.00");
  assert.notEqual(rows[1].gateway_order_id, firstOrder);

  await session.click("simulate-payment");
  await session.until("paid", async () => (await state(session)) === "paid", 15_000);
  assert.equal(till.ledger(`SELECT state FROM sales WHERE id = ${rows[1].id}`)[0].state, "paid");

  // Both are in this shift's list: the expired one and its paid replacement.
  await session.click("open-recent");
  await session.waitFor(`recent-sale-${rows[1].id}`);
  assert.equal(await session.attr(`recent-sale-${first}`, "data-state"), "expired");
  assert.equal(await session.attr(`recent-sale-${rows[1].id}`, "data-state"), "paid");
  await till.stop();
});

test("a sale open when the app is killed is resumed after the restart: one order, one row", async () => {
  till = newTill();
  let session = await till.start("demo-banner");
  const id = await charge(session, till, "7.25");
  const [before] = till.ledger(`SELECT state, gateway_order_id FROM sales WHERE id = ${id}`);
  assert.equal(before.state, "awaiting");

  process.kill(till.appPid(), "SIGKILL");
  await till.stop();

  session = await till.start("demo-banner");
  await session.waitFor(`resumed-${id}`, 20_000);
  assert.equal(await session.attr(`resumed-${id}`, "data-state"), "awaiting");
  await session.click(`resumed-${id}`);
  await session.waitFor("qr", 15_000);
  await session.click("simulate-payment");
  await session.until("paid", async () => (await state(session)) === "paid", 15_000);

  assert.deepEqual(till.ledger("SELECT id, state, gateway_order_id FROM sales"), [
    { id, state: "paid", gateway_order_id: before.gateway_order_id },
  ]);
  assert.equal(till.gateway("SELECT count(*) AS n FROM counos_orders")[0].n, 1, "exactly one gateway order");
  await till.stop();
});

test("the customer display mirrors the sale without any cashier control, and remembers its place", async () => {
  till = newTill();
  const session = await till.start("demo-banner");
  await charge(session, till, "3");
  const cashier = await session.windowHandle();

  await session.click("open-customer-display");
  const handles = await session.until("a second window", async () => {
    const all = await session.windowHandles();
    return all.length === 2 && all;
  });
  const customer = handles.find((h) => h !== cashier);
  await session.switchTo(customer);
  await session.waitFor("customer-display", 15_000);
  await session.until("the sale on the display", async () => (await session.text("customer-amount")) === "3.00 EUR");
  assert.equal(await session.attr("customer-status", "data-state"), "awaiting");
  assert.match(await session.attr("customer-qr", "src"), /^data:image\/png;base64,/);
  assert.equal(await session.text("customer-shop"), "My shop");
  const page = await session.source();
  for (const control of ["charge", "simulate-payment", "void-sale", "new-sale", "key-1"]) {
    assert.ok(!page.includes(`data-testid="${control}"`), `${control} is on the customer display`);
  }

  // Moved by the shop: the place is kept for the next opening.
  await session.setRect({ x: 40, y: 30, width: 640, height: 700 });
  await session.until("the place remembered", () =>
    till.ledger("SELECT value FROM settings WHERE key = 'customer_display_geometry'").length === 1,
  );

  await session.switchTo(cashier);
  await session.click("simulate-payment");
  await session.switchTo(customer);
  await session.until("paid on the display", async () => (await session.attr("customer-status", "data-state")) === "paid", 15_000);
  await till.stop();
});
