import { vi, type Mock } from 'vitest';
import type { AppInfo } from '../lib/bindings/AppInfo';
import type { Coin } from '../lib/bindings/Coin';
import type { Payment } from '../lib/bindings/Payment';
import type { Quote } from '../lib/bindings/Quote';
import type { RefundSuggestion } from '../lib/bindings/RefundSuggestion';
import type { Settings } from '../lib/bindings/Settings';
import type { ShiftReport } from '../lib/bindings/ShiftReport';

export const demoInfo: AppInfo = {
  demo: true,
  gatewayLabel: 'Sandbox',
  shopName: 'Corner Café',
  fiatCurrency: 'EUR',
  fiatDecimals: 2,
  version: '0.1.0',
  schemaVersion: 9,
};

export const coins: Coin[] = [
  { symbol: 'BTC', title: 'Bitcoin', network: 'Bitcoin', decimals: 8 },
  { symbol: 'USDT', title: 'Tether', network: 'Tron (TRC-20)', decimals: 6 },
];

export function quoteFor(amount: string, coin: string): Quote {
  return {
    fiatAmount: amount,
    fiatCurrency: 'EUR',
    coin,
    cryptoAmount: '0.00021552',
    rate: '58000.00',
    fetchedAt: '2025-01-01T12:00:00Z',
    ageSeconds: 0,
    warning: null,
  };
}

/** The outcome fields of a plain awaiting payment (nothing paid, nothing flagged). */
export const NO_OUTCOME = {
  remainingAmount: null,
  remainingUri: null,
  remainingQrPng: null,
  excessAmount: null,
  tipAmount: null,
  latePaymentAt: null,
  needsOwner: false,
  voidedAt: null,
  replacesSaleId: null,
  cashier: null,
} satisfies Partial<Payment>;

export function payment(extra: Partial<Payment> = {}): Payment {
  return {
    saleId: 41,
    state: 'awaiting',
    fiatAmount: '12.50',
    fiatCurrency: 'EUR',
    coin: 'BTC',
    network: 'Bitcoin',
    cryptoAmount: '0.00021552',
    paidAmount: '0',
    address: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    paymentUri: 'bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.00021552',
    qrPng: 'data:image/png;base64,iVBORw0KGgo=',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    confirmations: 0,
    requiredConfirmations: 2,
    gatewayOrderId: 'sandbox-41',
    ...NO_OUTCOME,
    ...extra,
  };
}

export const settings: Settings = {
  shopName: 'Corner Café',
  fiatCurrency: 'EUR',
  locale: 'en-IE',
  tipsEnabled: false,
  tipPresets: [5, 10, 15],
  maxSaleAmount: '10000',
  sound: false,
  receiptFooter: 'Thank you!',
  idleLockMinutes: 5,
  lockOnBlur: false,
  offeredCoins: [],
  coinNetworks: {},
};

/** Fresh vi.fn() mocks standing in for the named calls of backend.ts. */
export function mockCalls<K extends string>(...names: K[]): Record<K, Mock> {
  return Object.fromEntries(names.map((name) => [name, vi.fn()])) as Record<K, Mock>;
}

/**
 * The checkout calls a sale makes, for a test's `vi.mock('…/backend')`:
 * `const backend = await vi.hoisted(async () => (await import('…/fixtures')).checkoutCalls());`
 * (imported inside vi.hoisted because it runs before the file's imports).
 */
export function checkoutCalls() {
  return mockCalls('quotes', 'chargeSale', 'placeSale', 'voidSale', 'keypadReady');
}
export type CheckoutCalls = ReturnType<typeof checkoutCalls>;

/** The calls of the payment screen's actions, mocked as checkoutCalls(). */
export function paymentCalls() {
  return mockCalls('simulate', 'voidSale', 'markForOwner', 'tryAgain', 'placeSale');
}

/**
 * Resets the checkout calls to answer as a working till does: a quote for
 * BTC and USDT, a charge placed as `created` (chargeSale; placeSale, the
 * Retry of a charge that failed, places it as `created` too); voiding gives
 * it back canceled.
 */
export function answerCheckout(backend: CheckoutCalls, created: Payment = payment()) {
  backend.quotes
    .mockReset()
    .mockImplementation(async (a: string) => [quoteFor(a, 'BTC'), quoteFor(a, 'USDT')]);
  backend.chargeSale.mockReset().mockResolvedValue(created);
  backend.placeSale.mockReset().mockResolvedValue(created);
  backend.voidSale.mockReset().mockResolvedValue({ ...created, state: 'canceled' });
}

/** An X report (pass `number` and `closedAt` for a Z) of a shift Ana opened. */
export function shiftReport(extra: Partial<ShiftReport> = {}): ShiftReport {
  return {
    number: null,
    shiftId: 1,
    openedAt: '2026-11-29T08:00:00.000Z',
    openedBy: 'Ana',
    closedAt: null,
    closedBy: null,
    generatedAt: '2026-11-29T12:00:00.000Z',
    currency: 'EUR',
    salesCount: 2,
    gross: '14.50',
    tips: '1.50',
    net: '13.00',
    coins: [],
    cashiers: [],
    voids: 0,
    voidedAmount: '0.00',
    expired: 0,
    exceptions: [],
    carriedOver: [],
    earlier: [],
    signIns: [],
    otherCurrencySales: 0,
    open: 0,
    firstSaleAt: null,
    lastSaleAt: null,
    refunds: [],
    refunded: '0.00',
    ...extra,
  };
}

/** What the refund form of an overpaid 1000 EUR BTC sale starts from (the demo, Counos's dialect). */
export const overpaidSuggestion: RefundSuggestion = {
  saleId: 7,
  kind: 'overpaid',
  coin: 'BTC',
  network: 'Bitcoin',
  fiatCurrency: 'EUR',
  fiatAmount: '100.00',
  cryptoAmount: '0.00172414',
  left: '0.01896552',
  gateway: 'demo',
  needsEmail: false,
  note: 'Counos has no refund call: ...',
};
