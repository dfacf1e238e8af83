// The shop's language and formats in the real window. A German shop: the
// owner picks Deutsch (Deutschland) in Settings, the window speaks German at
// once, the keypad's separator is a comma, "12,5" typed on the keyboard shows
// as 12,5 and is recorded as 12.50, and the owner's sales, date filter and
// day report write days as 29.11.2026. An Irish shop (the default en-IE):
// the owner's screens write days first (29/11/2026), never the US way.
// Each till has its own data dir and driver (ports 4462/4463, 4464/4465).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Till, requireApp, stopAll, typeInto, waitGone } from "./harness.mjs";

const PIN = "2580";

before(requireApp);
after(stopAll);

/** Today as the till's local day, in a locale's numeric order (dd.mm.yyyy, dd/mm/yyyy). */
function today(separator) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return { iso: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, shown: [pad(d.getDate()), pad(d.getMonth() + 1), d.getFullYear()].join(separator) };
}

/** First start: the owner PIN, which also opens owner mode once. */
async function setPin(session) {
  await session.waitFor("pin-setup", 20_000);
  await typeInto(session, "pin-setup-pin", PIN);
  await typeInto(session, "pin-setup-again", PIN);
  await session.click("pin-setup-save");
  await waitGone(session, "pin-setup");
}

/** Types an amount on the keyboard, picks BTC, charges, pays in the demo and goes back to a new sale. */
async function paidSale(session, keys, shownAmount) {
  await session.typeKeys(keys);
  await session.until(`${shownAmount} on the display`, async () => (await session.text("amount")) === shownAmount);
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("the BTC quote", async () => /\d/.test(await session.text("crypto-amount")));
  await session.click("charge");
  await session.waitFor("qr", 15_000);
  await session.click("simulate-payment");
  await session.until("paid", async () => (await session.attr("status", "data-state")) === "paid", 15_000);
}

/** The value of a form control, as the page holds it. */
const valueOf = async (session, testid) =>
  session.cmd("GET", `/element/${await session.find(testid)}/property/value`);

test("a German shop sells in German with a decimal comma and reads German dates", async () => {
  const till = new Till({ name: "locale-de", port: 4462 });
  const session = await till.start();
  await setPin(session);

  // The owner chooses the shop's locale from the list; the window follows at once.
  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-settings");
  await session.clickUntil("settings-locale-de-DE", async () => (await valueOf(session, "settings-locale")) === "de-DE");
  assert.match(await session.text("settings-locale-example"), /1\.234,50 EUR · 29\.11\.2026/);
  await session.click("settings-save");
  await session.until("saved", async () => (await session.text("settings-saved")) === "Gespeichert.");
  assert.equal(await session.text("owner-tab-settings"), "Einstellungen");
  assert.equal(await session.cmd("POST", "/execute/sync", { script: "return document.documentElement.lang", args: [] }), "de-DE");
  assert.deepEqual(till.ledger("SELECT value FROM settings WHERE key = 'locale'"), [{ value: "de-DE" }]);
  await session.click("owner-lock");
  await waitGone(session, "owner-panel");

  // The counter in German.
  await session.until("German labels", async () => (await session.text("charge")) === "Kassieren");
  assert.equal(await session.text("owner-button"), "Inhaber");
  assert.equal(await session.text("open-recent"), "Verkäufe dieser Schicht");
  assert.equal(await session.text("key-dot"), ",");
  assert.equal(await session.text("charge-hint"), "Betrag eingeben");

  // A decimal comma typed on the keyboard (the German numpad's key) shows as a comma.
  await paidSale(session, "12,5", "12,5");
  assert.equal(await session.text("status"), "Bezahlt");
  assert.equal(await session.text("pay-fiat"), "12,50 EUR");
  assert.match(await session.text("pay-amount"), /^0,000\d+ BTC$/);
  const [sale] = till.ledger("SELECT id, fiat_amount FROM sales ORDER BY id DESC LIMIT 1");
  assert.equal(sale.fiat_amount, "12.50", "the ledger keeps the exact decimal, not the locale's text");
  await session.click("new-sale");

  // The owner's screens write days the German way.
  const day = today(".");
  await session.click("owner-button");
  await session.waitFor("unlock-dialog");
  // Rust's refusal in German, with its count of tries left.
  await typeInto(session, "unlock-pin", "0000");
  await session.click("unlock-submit");
  const wrong = await session.until("the wrong-PIN sentence", () => session.text("unlock-error"));
  assert.match(wrong, /^Falsche PIN\. Noch \d+ Versuch/);
  await typeInto(session, "unlock-pin", PIN);
  await session.click("unlock-submit");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-sales");
  const created = await session.until("the sale's time", async () => {
    const t = await session.text("sale-created");
    return /\d/.test(t) && t;
  });
  assert.match(created, new RegExp(`^${day.shown.replace(/\./g, "\\.")}, \\d{2}:\\d{2}$`));
  assert.equal(await session.text("sale-amount"), "12,50 EUR");
  await typeInto(session, "sales-from", day.shown);
  await session.click("sales-filter");
  await session.until("the typed day read as ISO", async () => (await session.attr("sales-from", "data-value")) === day.iso);
  await session.waitFor("sale-row");

  await session.click("owner-tab-report");
  await session.until("the day report", async () => (await session.text("report-title")) === `Z-Bericht ${day.shown}`);
  assert.equal(await session.text("report-gross"), "12,50 EUR");
  assert.equal(await valueOf(session, "report-from"), day.shown);
  await session.click("owner-lock");
  await till.shutdown();
});

test("an Irish shop's owner screens write days first", async () => {
  const till = new Till({ name: "locale-ie", port: 4464 });
  const session = await till.start();
  await setPin(session);
  await paidSale(session, "3", "3");
  await session.click("new-sale");

  const day = today("/");
  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-sales");
  const created = await session.until("the sale's time", async () => {
    const t = await session.text("sale-created");
    return /\d/.test(t) && t;
  });
  // 29/11/2026, 20:36: day first and a 24-hour clock, not 11/29/2026, 8:36 PM.
  assert.match(created, new RegExp(`^${day.shown}, \\d{2}:\\d{2}$`));
  await session.click("owner-tab-report");
  await session.until("the day report", async () => (await session.text("report-title")) === `Z-report ${day.shown}`);
  assert.equal(await valueOf(session, "report-from"), day.shown);
  // A day typed the Irish way is taken (and one that is not a day is refused).
  await typeInto(session, "report-from", "31/02/2026");
  await session.click("report-show");
  await session.until("the refusal", async () => (await session.attr("report-from", "aria-invalid")) === "true");
  await typeInto(session, "report-from", day.shown);
  await session.click("report-show");
  await session.until("the day taken", async () => (await session.attr("report-from", "aria-invalid")) === "false");
  await session.click("owner-tab-balances");
  await session.until("the balance", async () => /^\d+\.\d+$/.test(await session.text("balance-BTC")));
  await session.click("owner-lock");
  await till.shutdown();
});
