// The receipt printer end to end in the real window: the owner sets a
// network printer (a loopback listener here that keeps every byte, as a
// printer's raw port 9100 takes them) and automatic printing in owner mode;
// a demo sale turns paid and its receipt prints by itself, with no dialog;
// Print receipt on the paid screen prints it again. The bytes are read back
// as the paper reads: text, QR contents, the cut. Its own data dir and driver.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { Till, charge, requireApp, state, stopAll } from "./harness.mjs";

const PIN = "2580";

// Ports 4458/4459, apart from the other files: node runs files in parallel.
const till = new Till({ name: "printer", port: 4458 });
let session;

/** A network receipt printer on loopback: each connection's bytes, kept when the till closes it. */
function virtualPrinter() {
  const jobs = [];
  const server = createServer((socket) => {
    const chunks = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    // The till closes its side after the last byte; the printer then closes its own.
    socket.on("end", () => {
      jobs.push(Buffer.concat(chunks));
      socket.end();
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ jobs, port: server.address().port, server })),
  );
}

/**
 * ESC/POS as the paper reads (the subset a receipt uses): text lines in the
 * Windows-1252 code page, `[QR data]` for a printed QR code, `--- cut ---`.
 */
function paper(bytes) {
  const lines = [];
  let text = [];
  let stored = null;
  const decoder = new TextDecoder("windows-1252");
  const endLine = () => {
    lines.push(decoder.decode(Uint8Array.from(text)));
    text = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b === 0x0a) {
      endLine();
      i += 1;
    } else if (b === 0x1b) {
      const c = String.fromCharCode(bytes[i + 1]);
      if (c === "@") i += 2;
      else if ("taE".includes(c)) i += 3;
      else if (c === "d") {
        let feeds = bytes[i + 2];
        if (text.length) {
          endLine();
          feeds -= 1;
        }
        for (; feeds > 0; feeds--) endLine();
        i += 3;
      } else throw new Error(`ESC ${c} is not in the subset`);
    } else if (b === 0x1d) {
      const c = String.fromCharCode(bytes[i + 1]);
      if (c === "!") i += 3;
      else if (c === "V") {
        if (text.length) endLine();
        lines.push("--- cut ---");
        i += bytes[i + 2] === 65 || bytes[i + 2] === 66 ? 4 : 3;
      } else if (c === "(" && bytes[i + 2] === 0x6b) {
        const len = bytes[i + 3] + 256 * bytes[i + 4];
        const body = bytes.subarray(i + 5, i + 5 + len);
        if (body[0] === 49 && body[1] === 80) stored = body.subarray(3).toString("utf8");
        if (body[0] === 49 && body[1] === 81) lines.push(`[QR ${stored}]`);
        i += 5 + len;
      } else throw new Error(`GS ${c} is not in the subset`);
    } else {
      text.push(b);
      i += 1;
    }
  }
  if (text.length) endLine();
  return lines.map((l) => l.trimEnd()).join("\n");
}

/** Types into an input, as the owner would. */
async function type(testid, text) {
  const id = await session.find(testid);
  await session.cmd("POST", `/element/${id}/clear`, {});
  await session.cmd("POST", `/element/${id}/value`, { text });
}

async function jobsArrived(printer, count) {
  await session.until(`${count} job(s) at the printer`, async () => printer.jobs.length >= count, 20_000);
}

let printer;

before(async () => {
  requireApp();
  printer = await virtualPrinter();
  session = await till.start();
});

after(async () => {
  printer?.server.close();
  await stopAll();
});

test("the owner sets a network printer and a paid demo sale prints its receipt by itself", async () => {
  // First start: the owner PIN, which opens owner mode.
  await session.waitFor("pin-setup", 20_000);
  await type("pin-setup-pin", PIN);
  await type("pin-setup-again", PIN);
  await session.click("pin-setup-save");

  await session.click("owner-button");
  await session.waitFor("owner-panel");
  await session.click("owner-tab-printer");
  await session.waitFor("printer-form");
  await type("printer-address", `tcp://127.0.0.1:${printer.port}`);
  await session.click("printer-auto");
  await session.click("printer-save");
  assert.equal(
    await session.until("the saved note", () => session.text("printer-note")),
    `Saved: receipts go to tcp://127.0.0.1:${printer.port}.`,
  );
  await session.click("printer-test");
  await jobsArrived(printer, 1);
  assert.match(paper(printer.jobs[0]), /Printer test page/);
  await session.click("owner-lock");

  // A demo sale, paid by the training button: the receipt comes out by itself.
  await session.waitFor("coin-BTC");
  const saleId = await charge(session, till, "12.50");
  await session.click("simulate-payment");
  await session.until("the Paid state", async () => (await state(session)) === "paid", 15_000);
  await jobsArrived(printer, 2);
  const receipt = paper(printer.jobs[1]);
  const [sale] = till.ledger(
    `SELECT tx_id, address, gateway_order_id FROM sales WHERE id = ${saleId}`,
  );
  assert.match(receipt, /^My shop\nReceipt\nDEMO - NOT A REAL PAYMENT\n/);
  // The shop's locale (en-IE) writes the day first, as its window does.
  assert.match(receipt, new RegExp(`^Sale ${saleId} +\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d$`, "m"));
  assert.match(receipt, /^Item 1 +12\.50$/m);
  assert.match(receipt, /^Total +12\.50 EUR$/m);
  assert.match(receipt, /^Paid in +BTC Bitcoin$/m);
  assert.match(receipt, new RegExp(`^Order +${sale.gateway_order_id}$`, "m"));
  assert.ok(receipt.replace(/\n/g, "").includes(sale.address), receipt);
  // Demo money: the QR is the transaction id itself, not an explorer link.
  assert.ok(receipt.includes(`[QR ${sale.tx_id}]`), receipt);
  assert.match(receipt, /Thank you!\n(\n)*--- cut ---$/);
  const [printed] = till.ledger(`SELECT printed_at, error FROM receipt_prints WHERE sale_id = ${saleId}`);
  assert.ok(printed.printed_at, "the ledger records the receipt as printed");
  assert.equal(printed.error, null);

  // Print receipt on the paid screen: the same receipt again.
  await session.click("print-receipt");
  await jobsArrived(printer, 3);
  assert.equal(paper(printer.jobs[2]), receipt);
});
