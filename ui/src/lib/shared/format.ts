import type { AppError } from '../bindings/AppError';
import type { ErrorKind } from '../bindings/ErrorKind';
import type { Said } from '../bindings/Said';
import { englishWords, hasMessage, languageOf, shop, t, type Values } from '../i18n/index.svelte';
import { coin as coinText } from '../i18n/format';
import type { Payment } from '../bindings/Payment';
import type { SaleState } from '../bindings/SaleState';

/** States after which the sale no longer changes by itself. */
export const FINAL_STATES: readonly SaleState[] = [
  'paid',
  'overpaid',
  'expired',
  'invalid',
  'canceled',
  'refunded',
];

export function isFinal(state: SaleState): boolean {
  return FINAL_STATES.includes(state);
}

export function isPaid(state: SaleState): boolean {
  return state === 'paid' || state === 'overpaid';
}

/** What the customer is asked to pay now, on the till and on the customer display. */
export interface ToPay {
  /** Underpaid, and the order can still take the rest: the QR asks for the rest. */
  topUp: boolean;
  qrPng: string;
  amount: string;
}

export function toPay(p: Payment): ToPay {
  if (p.state === 'underpaid' && p.remainingQrPng !== null) {
    return { topUp: true, qrPng: p.remainingQrPng, amount: p.remainingAmount ?? p.cryptoAmount };
  }
  return { topUp: false, qrPng: p.qrPng, amount: p.cryptoAmount };
}

/** The countdown once the time is up (the screen shows it in the shop's language). */
export const TIME_IS_UP = 'Time is up';
export const NO_DEADLINE = '—';

/**
 * Time left until `expiresAt` (RFC 3339) as mm:ss; minutes go past 59 rather
 * than adding hours, because gateways give 15 to 60 minutes and a cashier
 * reads "75:00" faster than "1:15:00".
 */
export function formatCountdown(expiresAt: string | null, nowMs: number): string {
  if (expiresAt === null) return NO_DEADLINE;
  const deadline = Date.parse(expiresAt);
  if (Number.isNaN(deadline)) return NO_DEADLINE;
  // Round up so the display shows 00:01 during the last second, not 00:00.
  const seconds = Math.ceil((deadline - nowMs) / 1000);
  if (seconds <= 0) return TIME_IS_UP;
  const mm = Math.floor(seconds / 60);
  const ss = seconds % 60;
  return `${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

/** Amount and coin as one string, readable and in the shop's digits, e.g. "0.00021552 BTC". */
export function coinAmount(amount: string, coin: string): string {
  return coinText(amount, coin);
}

export function statusText(p: Payment): string {
  switch (p.state) {
    case 'confirming':
      return t('status.confirming', { n: p.confirmations, of: p.requiredConfirmations });
    case 'underpaid':
      return t('status.underpaid', {
        paid: coinAmount(p.paidAmount, p.coin),
        asked: coinAmount(p.cryptoAmount, p.coin),
      });
    default:
      return t(`status.${p.state}`);
  }
}

/** A short heading above an error's message, so the cashier sees at a glance where it went wrong. */
export function errorTitle(kind: ErrorKind): string {
  return t(`error.title.${kind}`);
}

// Rust's sentences are English in `message`; most also come with `said`
// (the sentence's stable code and its values, see src-tauri/core/src/said.rs),
// which the catalogue's `error.said.<code>` says in the shop's language. An
// English shop reads Rust's own sentence; a code the catalogue lacks (or an
// error without `said`) keeps the English message. The window's own
// sentences (lib/backend.ts, `toAppError`) come with codes of their own,
// `window_*`.

/**
 * A value of a sentence that is a word the window says too: a sale's state
 * (`state.paid` ...), or a refund's state, which Rust passes as its English
 * label (RefundState::label, the English of `error.refundState`).
 */
function wordIn(name: string, value: string): string {
  if (name === 'state' && hasMessage(`state.${value}`)) return t(`state.${value}`);
  if (GATEWAY_VALUES.has(name)) return gatewayWords(value);
  if (name === 'refund_state') {
    const english = englishWords('error.refundState');
    const code = Object.keys(english).find((k) => english[k] === value);
    if (code !== undefined) return t(`error.refundState.${code}`);
  }
  return value;
}

/** Values of Rust's sentences that name a gateway (by its English name or label). */
const GATEWAY_VALUES = new Set(['gateway', 'paid_through', 'now_uses']);

/**
 * A gateway as Rust names it in a sentence (GatewayKind::name, "The demo
 * gateway", or ::label, "Demo gateway (sandbox)"; the English of
 * `error.gateway.name` / `.label`) in the shop's language.
 */
function gatewayWords(value: string): string {
  for (const form of ['name', 'label'] as const) {
    const english = englishWords(`error.gateway.${form}`);
    const kind = Object.keys(english).find((k) => english[k] === value);
    if (kind !== undefined) return t(`error.gateway.${form}.${kind}`);
  }
  return value;
}

/** A gateway by its ledger id (`demo`, `coingate-sandbox` ...), as the owner's screens name it. */
export function gatewayName(kind: string): string {
  return hasMessage(`error.gateway.label.${kind}`) ? t(`error.gateway.label.${kind}`) : kind;
}

/** The catalogue's message for a sentence of Rust's, or null where the catalogue has none. */
export function saidText(said: Said): string | null {
  const key = `error.said.${said.code}`;
  if (!hasMessage(key)) return null;
  const values: Values = {};
  for (const [name, param] of Object.entries(said.params)) {
    if (param === undefined) continue;
    if (typeof param === 'string') {
      values[name] = wordIn(name, param);
    } else {
      const inner = saidText(param);
      if (inner === null) return null;
      values[name] = inner;
    }
  }
  return t(key, values);
}

/**
 * What an error says in the shop's language (Rust's English for an English
 * shop and for any sentence the catalogue lacks). `detail` is kept for
 * callers that show a second line; it is null today.
 */
export function errorText(error: AppError): { text: string; detail: string | null } {
  return { text: inShopLanguage(error.message, error.said), detail: null };
}

/**
 * A sentence of Rust's in the shop's language: its English `message` for an
 * English shop, for a code the catalogue lacks and where it has no code (a
 * refund's note from before notes had codes, a reason the owner typed).
 */
export function inShopLanguage(message: string, said: Said | null | undefined): string {
  if (languageOf(shop.locale) === 'en' || !said) return message;
  return saidText(said) ?? message;
}

/**
 * Who asked for or approved a refund, as the ledger names them (`owner`,
 * `cashier <name>`, `cashier at the counter` on a till without cashiers),
 * in the shop's language; anything else as it is.
 */
export function refundPerson(who: string): string {
  if (who === 'owner') return t('refund.by.owner');
  if (who === 'cashier at the counter') return t('refund.by.counter');
  const cashier = /^cashier (.+)$/.exec(who);
  return cashier ? t('refund.by.cashier', { name: cashier[1] }) : who;
}
