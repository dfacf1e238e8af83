// Every main screen at the smallest window the till allows (900x640): the
// counter's screens (entry, each outcome, sales this shift, receipt) and
// the owner's tabs show all they need without scrolling, in English, German
// and right-to-left Persian. Each screen is photographed on the way; with
// SCREENSHOTS=docs/screenshots the pictures replace the committed ones
// (README: "Screenshots"), otherwise they go to a temporary folder.
// Its own data dir and driver (ports 4466/4467).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Till, requireApp, stopAll, typeInto, waitGone } from "./harness.mjs";

const PIN = "2580";
const SHOTS = process.env.SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "cryptill-screens-"));
const till = new Till({ name: "layout", port: 4466 });
let session;

before(async () => {
  requireApp();
  mkdirSync(SHOTS, { recursive: true });
  session = await till.start();
  await session.setRect({ width: 900, height: 640 });
});

after(stopAll);

const run = (script) => session.cmd("POST", "/execute/sync", { script, args: [] });

/**
 * What scrolls: the page, the till's main area, the owner panel's body or
 * the payment details (each must show all it holds), and any button whose
 * bottom is below the window's edge.
 */
function overflows() {
  return run(`
    const out = [];
    const root = document.scrollingElement;
    if (root.scrollHeight > innerHeight + 1) out.push('page ' + root.scrollHeight + '>' + innerHeight);
    for (const el of document.querySelectorAll('main, .body, .info')) {
      if (el.scrollHeight > el.clientHeight + 1) out.push(el.tagName + '.' + el.className.split(' ')[0] + ' ' + el.scrollHeight + '>' + el.clientHeight);
    }
    for (const b of document.querySelectorAll('button')) {
      const r = b.getBoundingClientRect();
      if (r.height > 0 && r.bottom > innerHeight + 1) out.push('button ' + (b.dataset.testid || b.textContent.trim()) + ' ends at ' + Math.round(r.bottom));
    }
    return out;`);
}

/**
 * Photographs the screen and checks that nothing on it scrolls or hides
 * below the edge. Owner screens whose lists grow with the ledger (the day
 * report, the withdrawals, the sales) scroll only their list region (`scrolls`, a test
 * id), never the body: the form, the totals and the buttons stay in view.
 */
async function fits(name, { scrolls } = {}) {
  // The QR is a data: image; photograph it drawn.
  await session.until("the images drawn", () => run("return [...document.images].every((i) => i.complete && i.naturalWidth > 0)"));
  await session.screenshot(join(SHOTS, `${name}.png`));
  for (const problem of await overflows()) problems.push(`${name}: ${problem}`);
  if (scrolls) {
    const [height, shown] = await run(`const el = document.querySelector('[data-testid="${scrolls}"]'); return [el.scrollHeight, el.clientHeight];`);
    if (!(height > shown)) problems.push(`${name}: ${scrolls} holds all its rows (${height}<=${shown}), so the long ledger was not shown`);
  }
}

/**
 * A long ledger for the owner's lists: 60 more withdrawal requests and 60
 * more overpaid sales (each one for the owner in the day report), written
 * straight into the till's SQLite file beside the running app.
 */
function fillLedger() {
  const numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)";
  till.ledger(`${numbers} INSERT INTO withdrawal_requests (gateway, coin, amount, address, requested_at, outcome, message)
    SELECT (SELECT gateway FROM sales LIMIT 1), 'BTC', '0.0001', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'refused', 'Withdrawals are not allowed for this terminal.' FROM n`);
  const columns = till.ledger("PRAGMA table_info(sales)").map((c) => c.name).filter((c) => c !== "id" && c !== "merchant_order_id");
  const list = columns.join(", ");
  till.ledger(`${numbers} INSERT INTO sales (merchant_order_id, ${list})
    SELECT 'e2e-long-' || n.i, ${columns.map((c) => `s.${c}`).join(", ")} FROM n, (SELECT * FROM sales WHERE state = 'overpaid' LIMIT 1) s`);
}

/**
 * The fonts the screen's text is drawn in, as WebKit asks for them: one per
 * (size, weight, style, family). WebKitGTK makes each one on the screen's
 * first layout, about a millisecond apiece (issue 11, BENCHMARKS.md
 * "Round 28"), so the keypad screen keeps to few.
 */
function fontsOnScreen() {
  return run(`
    const fonts = new Set();
    for (const el of document.querySelectorAll('body *')) {
      const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!text && !(el.tagName === 'INPUT' && el.type !== 'hidden')) continue;
      if (el.getClientRects().length === 0) continue;
      const s = getComputedStyle(el);
      fonts.add(s.fontSize + ' ' + s.fontWeight + ' ' + s.fontStyle + ' ' + s.fontFamily);
    }
    return [...fonts].sort();`);
}

/** At most this many fonts on the keypad screen: the sizes and the two weights it needs. */
const KEYPAD_FONTS = 9;

// Every screen is walked even when one does not fit; the test then names them all.
const problems = [];

const paid = () => session.until("paid", async () => (await session.attr("status", "data-state")) === "paid", 15_000);

async function charge(keys) {
  await session.typeKeys(keys);
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("the BTC quote", async () => /\d/.test(await session.text("crypto-amount")));
  await session.click("charge");
  await session.until("awaiting", async () => (await session.attr("status", "data-state")) === "awaiting", 15_000);
}

async function ownerTab(tab, ready) {
  await session.click(`owner-tab-${tab}`);
  if (ready) await session.waitFor(ready);
}

test("every main screen fits 900x640 without scrolling, left to right and right to left", async () => {
  const size = await run("return [innerWidth, innerHeight]");
  assert.ok(size[0] <= 900 && size[1] <= 640, `the window is at most 900x640 inside, got ${size}`);

  await session.waitFor("pin-setup", 20_000);
  await typeInto(session, "pin-setup-pin", PIN);
  await typeInto(session, "pin-setup-again", PIN);
  await session.click("pin-setup-save");
  await waitGone(session, "pin-setup");

  await session.waitFor("charge");
  await fits("till-entry");
  const fonts = await fontsOnScreen();
  assert.ok(
    fonts.length <= KEYPAD_FONTS,
    `the keypad screen draws its text in ${fonts.length} fonts, at most ${KEYPAD_FONTS} wanted (each costs WebKit's first layout; use the sizes and weights it already has): ${fonts.join("; ")}`,
  );
  await session.typeKeys("12.50");
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("the BTC quote", async () => /\d/.test(await session.text("crypto-amount")));
  await fits("till-quote");

  await session.click("charge");
  await session.until("awaiting", async () => (await session.attr("status", "data-state")) === "awaiting", 15_000);
  await fits("pay-awaiting");
  await session.click("simulate-part");
  await session.until("underpaid", async () => (await session.attr("status", "data-state")) === "underpaid", 15_000);
  await fits("pay-underpaid");
  await session.click("simulate-payment");
  await paid();
  await fits("pay-paid");
  await session.click("show-receipt");
  await session.waitFor("receipt");
  await fits("receipt");
  await session.click("receipt-close");

  await session.click("new-sale");
  await charge("3");
  await session.click("simulate-overpay");
  await session.until("overpaid", async () => (await session.attr("status", "data-state")) === "overpaid", 15_000);
  await fits("pay-overpaid");
  await session.click("new-sale");
  await charge("4");
  await session.click("simulate-expire");
  await session.until("expired", async () => (await session.attr("status", "data-state")) === "expired", 15_000);
  await fits("pay-expired");
  await session.click("new-sale");

  await session.click("open-recent");
  await session.waitFor("recent-sales");
  await fits("recent-sales");

  // A refund of the overpaid sale: the form, the address read back as a QR, the owner's PIN.
  const [{ id: overpaid }] = till.ledger("SELECT id FROM sales WHERE state = 'overpaid'");
  const refundStep = (name) =>
    session.until(`the refund's ${name} step`, async () => (await session.attr("refund", "data-step")) === name, 15_000);
  await session.click(`recent-refund-${overpaid}`);
  await refundStep("form");
  await typeInto(session, "refund-address", "tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9");
  await fits("refund-form");
  await session.click("refund-check");
  await refundStep("confirm");
  await fits("refund-confirm");
  await session.click("refund-confirm");
  await refundStep("owner");
  await fits("refund-owner");
  await session.click("refund-later");
  await session.waitFor("recent-sales");
  await session.click("recent-close");

  // The owner's tabs (owner mode is open since the PIN was set).
  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.until("the balance", async () => /\d/.test(await session.text("balance-BTC")));
  await fits("owner-balances");
  fillLedger();
  await ownerTab("withdrawals", "withdraw-submit");
  await session.click("withdrawals-show-requests");
  await session.until("the long list of requests", async () => (await run("return document.querySelectorAll('[data-testid=request-row]').length")) >= 60);
  await fits("owner-withdrawals", { scrolls: "withdrawals-list" });
  await ownerTab("refunds", "refund-row-1");
  await fits("owner-refunds");
  await ownerTab("report", "report-title");
  await session.until("the long list for the owner", async () => (await run("return document.querySelectorAll('[data-testid=report-exception]').length")) >= 60);
  await fits("owner-report", { scrolls: "report-detail" });
  await ownerTab("sales", "sale-row");
  await fits("owner-sales", { scrolls: "sales-list" });
  await ownerTab("cashiers", "cashier-add");
  await fits("owner-cashiers");
  await ownerTab("shifts", "shift-history");
  await fits("owner-shifts");
  await ownerTab("printer", "printer-form");
  await fits("owner-printer");
  await ownerTab("settings", "settings-form");
  await fits("owner-settings-shop");
  for (const section of ["counter", "security", "gateway"]) {
    await session.click(`settings-section-${section}`);
    await session.until(`the ${section} settings`, async () => (await session.attr(`settings-section-${section}`, "aria-pressed")) === "true");
    await fits(`owner-settings-${section}`);
  }

  // German and Persian (right to left): the longer words and the mirrored layout fit too.
  for (const [locale, name] of [["de-DE", "de"], ["fa-IR", "fa"]]) {
    await session.click("settings-section-shop");
    await session.clickUntil(`settings-locale-${locale}`, async () =>
      (await session.cmd("GET", `/element/${await session.find("settings-locale")}/property/value`)) === locale);
    await session.click("settings-save");
    await session.waitFor("settings-saved");
    assert.equal(await run("return document.documentElement.dir"), name === "fa" ? "rtl" : "ltr");
    await fits(`owner-settings-${name}`);
    if (name === "de") {
      // The long lists with German's longer words.
      await ownerTab("report", "report-title");
      await fits("owner-report-de", { scrolls: "report-detail" });
      await ownerTab("withdrawals", "withdraw-submit");
      await session.click("withdrawals-show-requests");
      await session.until("the requests", async () => (await run("return document.querySelectorAll('[data-testid=request-row]').length")) >= 60);
      await fits("owner-withdrawals-de", { scrolls: "withdrawals-list" });
    } else {
      // Persian is complete: every owner tab right to left (mirrored tables,
      // numbers and icons) fits as the English one does.
      await ownerTab("balances", "balance-BTC");
      await fits("owner-balances-fa");
      await ownerTab("withdrawals", "withdraw-submit");
      await session.click("withdrawals-show-requests");
      await session.until("the requests", async () => (await run("return document.querySelectorAll('[data-testid=request-row]').length")) >= 60);
      await fits("owner-withdrawals-fa", { scrolls: "withdrawals-list" });
      await ownerTab("refunds", "refund-row-1");
      await fits("owner-refunds-fa");
      await ownerTab("report", "report-title");
      await fits("owner-report-fa", { scrolls: "report-detail" });
      await ownerTab("sales", "sale-row");
      await fits("owner-sales-fa", { scrolls: "sales-list" });
      await ownerTab("cashiers", "cashier-add");
      await fits("owner-cashiers-fa");
      await ownerTab("shifts", "shift-history");
      await fits("owner-shifts-fa");
      await ownerTab("printer", "printer-form");
      await fits("owner-printer-fa");
    }
    await session.click("owner-lock");
    await waitGone(session, "owner-panel");
    await session.typeKeys("12,5");
    await session.until("the amount", async () => /^12\D5$/.test(await session.text("amount")));
    await fits(`till-entry-${name}`);
    await session.typeKeys("\uE00C"); // Escape clears the amount.
    await session.click("owner-button");
    await session.waitFor("unlock-dialog");
    await fits(`owner-unlock-${name}`);
    await typeInto(session, "unlock-pin", PIN);
    await session.click("unlock-submit");
    await session.waitFor("owner-panel");
    await ownerTab("settings", "settings-form");
  }
  assert.deepEqual(problems, [], "every screen fits 900x640 without scrolling");
});
