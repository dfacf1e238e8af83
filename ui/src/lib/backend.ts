// The one door between the UI and Rust. No other file imports @tauri-apps/*,
// so every call the UI makes is listed here and tests mock this one module.
import { Channel, invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { commands } from './bindings/commands';
import { afterNextPaint } from './shared/paint';
import type { AppError } from './bindings/AppError';
import type { AppEvent } from './bindings/AppEvent';
import type { AppInfo } from './bindings/AppInfo';
import type { Coin } from './bindings/Coin';
import type { CashierInfo } from './bindings/CashierInfo';
import type { CoinNetwork } from './bindings/CoinNetwork';
import type { ErrorKind } from './bindings/ErrorKind';
import type { Payment } from './bindings/Payment';
import type { Quote } from './bindings/Quote';
import type { Balances } from './bindings/Balances';
import type { CustomerView } from './bindings/CustomerView';
import type { GatewayChoice } from './bindings/GatewayChoice';
import type { OwnerStatus } from './bindings/OwnerStatus';
import type { Receipt } from './bindings/Receipt';
import type { RefundForm } from './bindings/RefundForm';
import type { RefundRecord } from './bindings/RefundRecord';
import type { RefundPreview } from './bindings/RefundPreview';
import type { RefundSuggestion } from './bindings/RefundSuggestion';
import type { SaleEntry } from './bindings/SaleEntry';
import type { SaleFilter } from './bindings/SaleFilter';
import type { PageRequest } from './bindings/PageRequest';
import type { SalePage } from './bindings/SalePage';
import type { SaleSummary } from './bindings/SaleSummary';
import type { SaleUpdate } from './bindings/SaleUpdate';
import type { Settings } from './bindings/Settings';
import type { ShiftReport } from './bindings/ShiftReport';
import type { ShiftStatus } from './bindings/ShiftStatus';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { PrinterSettings } from './bindings/PrinterSettings';
import type { Simulation } from './bindings/Simulation';
import type { WithdrawForm } from './bindings/WithdrawForm';
import type { WithdrawOutcome } from './bindings/WithdrawOutcome';
import type { Withdrawal } from './bindings/Withdrawal';
import type { WithdrawalRequest } from './bindings/WithdrawalRequest';
import type { ZReport } from './bindings/ZReport';
import type { Said } from './bindings/Said';

// A Record (not a list) so a kind added in Rust fails the build until it is listed here.
const ERROR_KINDS: Record<ErrorKind, true> = {
  input: true,
  gateway: true,
  auth: true,
  network: true,
  keyring: true,
  storage: true,
  notAllowed: true,
  notFound: true,
  printer: true,
  internal: true,
};

function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, message } = value as Record<string, unknown>;
  return (
    typeof kind === 'string' &&
    Object.prototype.hasOwnProperty.call(ERROR_KINDS, kind) &&
    typeof message === 'string'
  );
}

/**
 * Turns whatever a rejected command gave us into an AppError, so every screen
 * can rely on `message`. Rust sends AppError; a string or an Error can still
 * arrive from Tauri itself (a missing command, a denied permission, a panic).
 */
export function toAppError(reason: unknown): AppError {
  if (isAppError(reason)) {
    const error: AppError = { kind: reason.kind, message: reason.message };
    // `said` (the sentence's code and values) lets the window say it in the shop's language.
    const { said, saleId } = reason as { said?: unknown; saleId?: unknown };
    if (typeof said === 'object' && said !== null && typeof (said as Said).code === 'string') {
      error.said = said as Said;
    }
    // The sale a failed charge recorded: Retry places it, never a second one.
    if (typeof saleId === 'number' && Number.isSafeInteger(saleId)) error.saleId = saleId;
    return error;
  }
  // Opened in a plain browser (e.g. `npm run dev` alone), invoke() fails with
  // a TypeError because Tauri's IPC is missing; say so instead of a JS error.
  if (reason instanceof TypeError && !isTauri()) {
    return {
      kind: 'internal',
      message:
        'This screen is running outside the Cryptill app, so it cannot reach the till. Open Cryptill itself.',
      said: { code: 'window_outside_app', params: {} },
    };
  }
  let message = '';
  if (typeof reason === 'string') message = reason;
  else if (reason instanceof Error) message = reason.message;
  else if (typeof reason === 'object' && reason !== null && 'message' in reason) {
    const m = (reason as { message: unknown }).message;
    if (typeof m === 'string') message = m;
  }
  message = message.trim();
  // The window's own sentences carry a code too (`error.said.window_*`), so
  // a German shop reads them in German; what Tauri said stays as it came.
  return message
    ? {
        kind: 'internal',
        message: `Something went wrong inside Cryptill: ${message}`,
        said: { code: 'window_failed', params: { detail: message } },
      }
    : {
        kind: 'internal',
        message: 'Something went wrong inside Cryptill. Try again; if it keeps happening, restart the app.',
        said: { code: 'window_failed_unknown', params: {} },
      };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toAppError(reason);
  }
}

// Generated from Rust's command table and signatures: a command or argument
// renamed in Rust fails this file's type check.
const rust = commands(call);

/** The answers the till window's first draw needs. */
type FirstAnswers = {
  appInfo?: Promise<AppInfo>;
  counterSettings?: Promise<Settings>;
  shiftStatus?: Promise<ShiftStatus>;
  listCoins?: Promise<Coin[]>;
};
let first: FirstAnswers = {};

/**
 * Asks Rust for what the till window's first draw needs (the till, its
 * settings, who sells, the coins) as the page's script begins to run
 * (lib/boot.ts, main.ts's first import), beside the evaluation of the rest
 * of the script and the page's mount rather than after them (issue 11,
 * BENCHMARKS.md "Round 24"); in the app, index.html has asked already, as
 * the page was read, and those answers are taken instead (round 26). The
 * first call of each of those functions
 * takes its answer; every later call (Retry, a reload after owner mode)
 * asks again. Settles when the till's own answers are in or failed, not
 * the coins: they are the gateway's, over the network (tens to hundreds of
 * milliseconds, or nothing while it is down), and main.ts mounted the page
 * only after them, up to its 200 ms limit. The keypad is drawn without
 * them; the coin picker shows them when they come (round 25).
 */
export function askFirstAnswers(): Promise<unknown> {
  const early = takeEarlyAnswers();
  // The answer index.html asked for as the page was read, else asked now.
  const asked = <T>(command: EarlyCommand, ask: () => Promise<T>): Promise<T> => {
    const answer = early?.[command] as Promise<T> | undefined;
    return answer ? answer.catch((reason: unknown) => Promise.reject(toAppError(reason))) : ask();
  };
  const till = {
    appInfo: asked('app_info', rust.appInfo),
    counterSettings: asked('counter_settings', rust.counterSettings),
    shiftStatus: asked('shift_status', rust.shiftStatus),
  };
  const coins = asked('list_coins', rust.listCoins);
  first = { ...till, listCoins: coins };
  // A failure is for whoever takes the answer to show, not an unhandled rejection meanwhile.
  coins.catch(() => {});
  return Promise.all(Object.values(till).map((answer) => answer.catch(() => {})));
}

/** The commands index.html's inline script asks as the page is read. */
type EarlyCommand = 'app_info' | 'counter_settings' | 'shift_status' | 'list_coins';
type EarlyWindow = { __cryptillEarly?: Partial<Record<EarlyCommand, Promise<unknown>>> };

/** The answers index.html asked for, taken once (a reload of the till asks Rust again). */
function takeEarlyAnswers(): EarlyWindow['__cryptillEarly'] {
  const page = window as unknown as EarlyWindow;
  const early = page.__cryptillEarly;
  delete page.__cryptillEarly;
  return early;
}

/** The answer asked for at the start, once; then undefined. */
function takeFirst<K extends keyof FirstAnswers>(key: K): FirstAnswers[K] {
  const answer = first[key];
  first[key] = undefined;
  return answer;
}

export function appInfo(): Promise<AppInfo> {
  return takeFirst('appInfo') ?? rust.appInfo();
}

/**
 * Tells Rust the keypad takes keys now (logged once: the start-up figure of
 * BENCHMARKS.md). Called where the keypad is drawn; it reaches Rust right
 * after that draw has been painted, not at the draw, with the page's own
 * clock (the log then splits the start into before and in the page).
 */
export function keypadReady(): void {
  afterNextPaint(() => rust.keypadReady({ pageMs: Math.round(performance.now()) }).catch(() => {}));
}

export function listCoins(): Promise<Coin[]> {
  return takeFirst('listCoins') ?? rust.listCoins();
}

/** Streams every change of the sale to `onUpdate` until Rust stops sending. */
export function watchSale(saleId: number, onUpdate: (p: Payment) => void): Promise<void> {
  const channel = new Channel<Payment>();
  channel.onmessage = onUpdate;
  return rust.watchSale({ saleId, onUpdate: channel });
}

// Rust's event names, typed by the generated AppEvent: a name changed in
// Rust fails this build until it is changed here too.
const SALE_UPDATED: AppEvent = 'sale-updated';
const SECOND_LAUNCH: AppEvent = 'second-launch';
const CUSTOMER_VIEW: AppEvent = 'customer-view';
const RECEIPT_PRINT: AppEvent = 'receipt-print';

/**
 * Every change of any sale the till's watcher sees, on screen or not (a
 * sale left behind with New sale, one resumed after a restart). Returns
 * the function that stops listening.
 */
export function onSaleUpdated(handler: (update: SaleUpdate) => void): Promise<() => void> {
  return listen<SaleUpdate>(SALE_UPDATED, (event) => handler(event.payload));
}

/** Cryptill was launched again on this till: this window was brought forward. */
export function onSecondLaunch(handler: () => void): Promise<() => void> {
  return listen(SECOND_LAUNCH, () => handler());
}

// Checkout (issue 4).

/** Demo mode only: the sandbox makes the customer's wallet (or the clock) act. */
export function simulate(saleId: number, kind: Simulation): Promise<void> {
  return rust.simulate({ saleId, kind });
}

export function counterSettings(): Promise<Settings> {
  return takeFirst('counterSettings') ?? rust.counterSettings();
}

/** The live price of `amount` (a decimal string) in every coin offered. */
export function quotes(amount: string): Promise<Quote[]> {
  return rust.quotes({ amount });
}

/**
 * Charge: records the sale (before any order exists for it) and places its
 * order. A failure after the sale was recorded carries its `saleId`: Retry
 * places that sale with `placeSale`, never a second one.
 */
export function chargeSale(entry: SaleEntry): Promise<Payment> {
  return rust.chargeSale({ entry });
}

/** Creates the order of a recorded sale. Safe to repeat: it never charges twice. */
export function placeSale(saleId: number): Promise<Payment> {
  return rust.placeSale({ saleId });
}

/** A fresh sale for an expired one (not yet placed). */
export function tryAgain(saleId: number): Promise<Payment> {
  return rust.tryAgain({ saleId });
}

export function voidSale(saleId: number): Promise<Payment> {
  return rust.voidSale({ saleId });
}

export function markForOwner(saleId: number): Promise<Payment> {
  return rust.markForOwner({ saleId });
}

export function resumedSales(): Promise<Payment[]> {
  return rust.resumedSales();
}

export function recentSales(): Promise<SaleSummary[]> {
  return rust.recentSales();
}

export function salePayment(saleId: number): Promise<Payment> {
  return rust.salePayment({ saleId });
}

export function receipt(saleId: number): Promise<Receipt> {
  return rust.receipt({ saleId });
}

export function openCustomerDisplay(): Promise<void> {
  return rust.openCustomerDisplay();
}

/** Puts a sale (or, with null, the shop's welcome) on the customer display. */
export function showOnCustomerDisplay(saleId: number | null): Promise<void> {
  return rust.showOnCustomerDisplay({ saleId });
}

/** The customer display: what to show now, then every change pushed from Rust. */
export async function followCustomerView(onView: (view: CustomerView) => void): Promise<() => void> {
  const unlisten = await listen<CustomerView>(CUSTOMER_VIEW, (event) => onView(event.payload));
  onView(await rust.customerView());
  return unlisten;
}

// Owner mode. Rust refuses every owner_* call unless the owner session was
// unlocked with the PIN; these only carry the calls.

export function sessionStatus(): Promise<OwnerStatus> {
  return rust.sessionStatus();
}

/** First start only: sets the owner PIN and unlocks owner mode. */
export function setFirstPin(pin: string): Promise<OwnerStatus> {
  return rust.sessionSetPin({ pin });
}

export function unlockOwner(pin: string): Promise<OwnerStatus> {
  return rust.sessionUnlock({ pin });
}

export function lockOwner(): Promise<void> {
  return rust.sessionLock();
}

export function ownerSettings(): Promise<Settings> {
  return rust.ownerSettings();
}

export function saveOwnerSettings(settings: Settings): Promise<Settings> {
  return rust.ownerSaveSettings({ settings });
}

export function ownerCoinNetworks(): Promise<CoinNetwork[]> {
  return rust.ownerCoinNetworks();
}

export function ownerGateway(): Promise<GatewayChoice> {
  return rust.ownerGateway();
}

export function chooseGateway(gateway: string, baseUrl: string | null): Promise<GatewayChoice> {
  return rust.ownerChooseGateway({ gateway, baseUrl });
}

/** The key goes to the OS keyring; only whether one is set comes back. */
export function setGatewayKey(gateway: string, key: string): Promise<GatewayChoice> {
  return rust.ownerSetKey({ gateway, key });
}

export function deleteGatewayKey(gateway: string): Promise<GatewayChoice> {
  return rust.ownerDeleteKey({ gateway });
}

export function testGatewayKey(): Promise<string> {
  return rust.ownerTestKey();
}

export function balances(): Promise<Balances> {
  return rust.ownerBalances();
}

export function withdrawals(search: string | null): Promise<Withdrawal[]> {
  return rust.ownerWithdrawals({ search });
}

export function withdrawalRequests(): Promise<WithdrawalRequest[]> {
  return rust.ownerWithdrawalRequests();
}

export function withdraw(form: WithdrawForm): Promise<WithdrawOutcome> {
  return rust.ownerWithdraw({ form });
}

/** Demo mode only: the demo gateway's "allow withdraw" dashboard tick. */
export function demoWithdrawPermission(permitted: boolean): Promise<void> {
  return rust.ownerDemoWithdrawPermission({ permitted });
}

export function dayReport(filter: SaleFilter): Promise<ZReport> {
  return rust.ownerReport({ filter });
}

/** One page of the history, newest first; `page.after` is the `next` of the page before. */
export function salesHistory(filter: SaleFilter, page: PageRequest | null = null): Promise<SalePage> {
  return rust.ownerSales({ filter, page });
}

/** Writes the CSV to `path` (a full path to a .csv file); resolves to the number of sales. */
export function exportCsv(filter: SaleFilter, path: string): Promise<number> {
  return rust.ownerExportCsv({ filter, path });
}

export function changePin(current: string, next: string): Promise<void> {
  return rust.ownerChangePin({ current, new: next });
}

// Cashiers and shifts (issue 12). A cashier's PIN opens a shift, never owner
// mode; the owner_* calls below need the owner session like the others.

/** Who sells now, and whether a sale needs an open shift. */
export function shiftStatus(): Promise<ShiftStatus> {
  return takeFirst('shiftStatus') ?? rust.shiftStatus();
}

export function openShift(cashier: string, pin: string): Promise<ShiftStatus> {
  return rust.shiftOpen({ cashier, pin });
}

export function switchCashier(cashier: string, pin: string): Promise<ShiftStatus> {
  return rust.shiftSwitch({ cashier, pin });
}

/** The X report: the open shift so far. */
export function xReport(): Promise<ShiftReport> {
  return rust.shiftXReport();
}

/** Closes the open shift; resolves to its Z report. */
export function closeShift(): Promise<ShiftReport> {
  return rust.shiftClose();
}

export function cashiers(): Promise<CashierInfo[]> {
  return rust.ownerCashiers();
}

export function addCashier(name: string, pin: string): Promise<CashierInfo> {
  return rust.ownerAddCashier({ name, pin });
}

export function renameCashier(name: string, newName: string): Promise<CashierInfo> {
  return rust.ownerRenameCashier({ name, newName });
}

export function setCashierEnabled(name: string, enabled: boolean): Promise<CashierInfo> {
  return rust.ownerSetCashierEnabled({ name, enabled });
}

/** Every Z report, newest first, as made at each close. */
export function shiftReports(): Promise<ShiftReport[]> {
  return rust.ownerShiftReports();
}

export function shiftReport(number: number): Promise<ShiftReport> {
  return rust.ownerShiftReport({ number });
}

// Receipt printers (issue 13).

/** Whether a receipt printer is set up (else receipts go through the system's dialog). */
export function printerConfigured(): Promise<boolean> {
  return rust.printerConfigured();
}

/** A paid sale's receipt on the receipt printer. */
export function printReceipt(saleId: number): Promise<void> {
  return rust.printReceipt({ saleId });
}

/** A waiting sale's payment QR on paper. */
export function printPaymentSlip(saleId: number): Promise<void> {
  return rust.printPaymentSlip({ saleId });
}

/** Receipts the till printed by itself when a sale was paid, or why it could not. */
export function onReceiptPrint(handler: (outcome: PrintOutcome) => void): Promise<() => void> {
  return listen<PrintOutcome>(RECEIPT_PRINT, (event) => handler(event.payload));
}

export function ownerPrinterSettings(): Promise<PrinterSettings> {
  return rust.ownerPrinterSettings();
}

export function saveOwnerPrinterSettings(settings: PrinterSettings): Promise<PrinterSettings> {
  return rust.ownerSavePrinterSettings({ settings });
}

/** Prints the test page; resolves to where it went. */
export function printTestPage(): Promise<string> {
  return rust.ownerPrintTestPage();
}

/** The report of `filter` on the receipt printer: X (`x`) or Z. */
export function printReport(filter: SaleFilter, x: boolean): Promise<void> {
  return rust.ownerPrintReport({ filter, x });
}

// ---- refunds (issue 18) ----------------------------------------------------------

/** The refund form's starting point for a sale (asks the gateway about the sale first). */
export function refundSuggestion(saleId: number): Promise<RefundSuggestion> {
  return rust.refundSuggestion({ saleId });
}

/** The counter asks for a refund; it waits for the owner. */
export function requestRefund(form: RefundForm): Promise<RefundRecord> {
  return rust.refundRequest({ form });
}

/** The owner's PIN typed at the counter: approves and sends, owner mode stays locked. */
export function approveRefundWithPin(refundId: number, pin: string): Promise<RefundRecord> {
  return rust.refundApproveWithPin({ refundId, pin });
}

export function saleRefunds(saleId: number): Promise<RefundRecord[]> {
  return rust.saleRefunds({ saleId });
}

/** Owner mode: every refund, newest first (sent ones asked about again). */
export function ownerRefunds(): Promise<RefundRecord[]> {
  return rust.ownerRefunds();
}

export function ownerRefund(form: RefundForm): Promise<RefundRecord> {
  return rust.ownerRefund({ form });
}

export function approveRefund(refundId: number): Promise<RefundRecord> {
  return rust.ownerRefundApprove({ refundId });
}

export function rejectRefund(refundId: number, why: string): Promise<RefundRecord> {
  return rust.ownerRefundReject({ refundId, why });
}

export function sendRefund(refundId: number): Promise<RefundRecord> {
  return rust.ownerRefundSend({ refundId });
}

// The shop's tills on a shared ledger (issue 14).

/** The names of the ledger's tills (one on a till of its own). */
export function tills(): Promise<string[]> {
  return rust.ownerTills();
}

const SHOP_SALE_CHANGED: AppEvent = 'shop-sale-changed';

/**
 * A sale of the shop changed on the shared ledger, at this till or another
 * (PostgreSQL's LISTEN/NOTIFY): the owner's history and report read again.
 * Never heard on a till of its own (SQLite). Returns the function that
 * stops listening.
 */
export function onShopSaleChanged(handler: () => void): Promise<() => void> {
  return listen(SHOP_SALE_CHANGED, () => handler());
}

/** The counter's read-back: the form checked by the core, the address as a QR; nothing recorded. */
export function refundPreview(form: RefundForm): Promise<RefundPreview> {
  return rust.refundPreview({ form });
}

/** Demo mode only: the owner confirms the demo gateway's withdrawal e-mail; the refund is followed. */
export function demoConfirmRefund(refundId: number): Promise<RefundRecord> {
  return rust.ownerDemoConfirmRefund({ refundId });
}

// ---- refunds in the books (issue 18): a refund whose answer was lost --------------

/**
 * Owner mode: settles a refund left being sent (its gateway answer lost),
 * after the owner checked the gateway's dashboard: sent (with the
 * dashboard's id, if it shows one) or failed. The gateway is asked first;
 * a refund it holds is recorded as it says, never as failed.
 */
export function resolveRefund(refundId: number, sent: boolean, gatewayId: string | null = null): Promise<RefundRecord> {
  return rust.ownerRefundResolve({ refundId, sent, gatewayId });
}
