// The one door between the UI and Rust. No other file imports @tauri-apps/*,
// so every call the UI makes is listed here and tests mock this one module.
import { Channel, invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AppError } from './bindings/AppError';
import type { AppEvent } from './bindings/AppEvent';
import type { AppInfo } from './bindings/AppInfo';
import type { Coin } from './bindings/Coin';
import type { CoinNetwork } from './bindings/CoinNetwork';
import type { ErrorKind } from './bindings/ErrorKind';
import type { Payment } from './bindings/Payment';
import type { Quote } from './bindings/Quote';
import type { Balances } from './bindings/Balances';
import type { CustomerView } from './bindings/CustomerView';
import type { GatewayChoice } from './bindings/GatewayChoice';
import type { OwnerStatus } from './bindings/OwnerStatus';
import type { Receipt } from './bindings/Receipt';
import type { SaleEntry } from './bindings/SaleEntry';
import type { SaleFilter } from './bindings/SaleFilter';
import type { SaleRow } from './bindings/SaleRow';
import type { SaleSummary } from './bindings/SaleSummary';
import type { SaleUpdate } from './bindings/SaleUpdate';
import type { Settings } from './bindings/Settings';
import type { Simulation } from './bindings/Simulation';
import type { WithdrawForm } from './bindings/WithdrawForm';
import type { WithdrawOutcome } from './bindings/WithdrawOutcome';
import type { Withdrawal } from './bindings/Withdrawal';
import type { WithdrawalRequest } from './bindings/WithdrawalRequest';
import type { ZReport } from './bindings/ZReport';

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
  if (isAppError(reason)) return { kind: reason.kind, message: reason.message };
  // Opened in a plain browser (e.g. `npm run dev` alone), invoke() fails with
  // a TypeError because Tauri's IPC is missing; say so instead of a JS error.
  if (reason instanceof TypeError && !isTauri()) {
    return {
      kind: 'internal',
      message:
        'This screen is running outside the Cryptill app, so it cannot reach the till. Open Cryptill itself.',
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
  return {
    kind: 'internal',
    message: message
      ? `Something went wrong inside Cryptill: ${message}`
      : 'Something went wrong inside Cryptill. Try again; if it keeps happening, restart the app.',
  };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toAppError(reason);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call('app_info');
}

export function listCoins(): Promise<Coin[]> {
  return call('list_coins');
}

/** `amount` is the fiat amount as typed, a decimal string such as "12.50". */
export function quote(amount: string, coin: string): Promise<Quote> {
  return call('quote', { amount, coin });
}

/** `amount` is the fiat amount as typed, a decimal string such as "12.50". */
export function charge(amount: string, coin: string): Promise<Payment> {
  return call('charge', { amount, coin });
}

/** Streams every change of the sale to `onUpdate` until Rust stops sending. */
export function watchSale(saleId: number, onUpdate: (p: Payment) => void): Promise<void> {
  const channel = new Channel<Payment>();
  channel.onmessage = onUpdate;
  return call('watch_sale', { saleId, onUpdate: channel });
}

// Rust's event names, typed by the generated AppEvent: a name changed in
// Rust fails this build until it is changed here too.
const SALE_UPDATED: AppEvent = 'sale-updated';
const SECOND_LAUNCH: AppEvent = 'second-launch';

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

/** Demo mode only: the sandbox gateway pretends the customer paid. */
export function simulatePayment(saleId: number): Promise<void> {
  return call('simulate_payment', { saleId });
}

// Checkout (issue 4).

/** Demo mode only: the sandbox makes the customer's wallet (or the clock) act. */
export function simulate(saleId: number, kind: Simulation): Promise<void> {
  return call('simulate', { saleId, kind });
}

export function counterSettings(): Promise<Settings> {
  return call('counter_settings');
}

/** The live price of `amount` (a decimal string) in every coin offered. */
export function quotes(amount: string): Promise<Quote[]> {
  return call('quotes', { amount });
}

/** Records the sale before any gateway call; the answer carries its saleId. */
export function startSale(entry: SaleEntry): Promise<Payment> {
  return call('start_sale', { entry });
}

/** Creates the order of a recorded sale. Safe to repeat: it never charges twice. */
export function placeSale(saleId: number): Promise<Payment> {
  return call('place_sale', { saleId });
}

/** A fresh sale for an expired one (not yet placed). */
export function tryAgain(saleId: number): Promise<Payment> {
  return call('try_again', { saleId });
}

export function voidSale(saleId: number): Promise<Payment> {
  return call('void_sale', { saleId });
}

export function markForOwner(saleId: number): Promise<Payment> {
  return call('mark_for_owner', { saleId });
}

export function resumedSales(): Promise<Payment[]> {
  return call('resumed_sales');
}

export function recentSales(): Promise<SaleSummary[]> {
  return call('recent_sales');
}

export function salePayment(saleId: number): Promise<Payment> {
  return call('sale_payment', { saleId });
}

export function receipt(saleId: number): Promise<Receipt> {
  return call('receipt', { saleId });
}

export function openCustomerDisplay(): Promise<void> {
  return call('open_customer_display');
}

/** Puts a sale (or, with null, the shop's welcome) on the customer display. */
export function showOnCustomerDisplay(saleId: number | null): Promise<void> {
  return call('show_on_customer_display', { saleId });
}

/** The customer display: what to show now, then every change pushed from Rust. */
export async function followCustomerView(onView: (view: CustomerView) => void): Promise<() => void> {
  const unlisten = await listen<CustomerView>('customer-view', (event) => onView(event.payload));
  onView(await call<CustomerView>('customer_view'));
  return unlisten;
}

// Owner mode. Rust refuses every owner_* call unless the owner session was
// unlocked with the PIN; these only carry the calls.

export function sessionStatus(): Promise<OwnerStatus> {
  return call('session_status');
}

/** First start only: sets the owner PIN and unlocks owner mode. */
export function setFirstPin(pin: string): Promise<OwnerStatus> {
  return call('session_set_pin', { pin });
}

export function unlockOwner(pin: string): Promise<OwnerStatus> {
  return call('session_unlock', { pin });
}

export function lockOwner(): Promise<void> {
  return call('session_lock');
}

export function ownerSettings(): Promise<Settings> {
  return call('owner_settings');
}

export function saveOwnerSettings(settings: Settings): Promise<Settings> {
  return call('owner_save_settings', { settings });
}

export function ownerCoinNetworks(): Promise<CoinNetwork[]> {
  return call('owner_coin_networks');
}

export function ownerGateway(): Promise<GatewayChoice> {
  return call('owner_gateway');
}

export function chooseGateway(gateway: string, baseUrl: string | null): Promise<GatewayChoice> {
  return call('owner_choose_gateway', { gateway, baseUrl });
}

/** The key goes to the OS keyring; only whether one is set comes back. */
export function setGatewayKey(gateway: string, key: string): Promise<GatewayChoice> {
  return call('owner_set_key', { gateway, key });
}

export function deleteGatewayKey(gateway: string): Promise<GatewayChoice> {
  return call('owner_delete_key', { gateway });
}

export function testGatewayKey(): Promise<string> {
  return call('owner_test_key');
}

export function balances(): Promise<Balances> {
  return call('owner_balances');
}

export function withdrawals(search: string | null): Promise<Withdrawal[]> {
  return call('owner_withdrawals', { search });
}

export function withdrawalRequests(): Promise<WithdrawalRequest[]> {
  return call('owner_withdrawal_requests');
}

export function withdraw(form: WithdrawForm): Promise<WithdrawOutcome> {
  return call('owner_withdraw', { form });
}

/** Demo mode only: the demo gateway's "allow withdraw" dashboard tick. */
export function demoWithdrawPermission(permitted: boolean): Promise<void> {
  return call('owner_demo_withdraw_permission', { permitted });
}

export function dayReport(filter: SaleFilter): Promise<ZReport> {
  return call('owner_report', { filter });
}

export function salesHistory(filter: SaleFilter): Promise<SaleRow[]> {
  return call('owner_sales', { filter });
}

/** Writes the CSV to `path` (a full path to a .csv file); resolves to the number of sales. */
export function exportCsv(filter: SaleFilter, path: string): Promise<number> {
  return call('owner_export_csv', { filter, path });
}

export function changePin(current: string, next: string): Promise<void> {
  return call('owner_change_pin', { current, new: next });
}
