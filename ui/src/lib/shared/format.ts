import type { ErrorKind } from '../bindings/ErrorKind';
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

/** Amount and coin as one string, e.g. "0.00021552 BTC". */
export function coinAmount(amount: string, coin: string): string {
  return `${amount} ${coin}`;
}

export function statusText(p: Payment): string {
  switch (p.state) {
    case 'creating':
      return 'Creating order…';
    case 'awaiting':
      return 'Waiting for payment';
    case 'confirming':
      return `Payment seen, waiting for confirmations (${p.confirmations} of ${p.requiredConfirmations})`;
    case 'paid':
      return 'Paid';
    case 'underpaid':
      return `Underpaid: paid ${coinAmount(p.paidAmount, p.coin)} of ${coinAmount(p.cryptoAmount, p.coin)}`;
    case 'overpaid':
      return 'Paid (overpaid)';
    case 'expired':
      return 'Expired';
    case 'invalid':
      return 'Payment rejected';
    case 'canceled':
      return 'Canceled';
    case 'refunded':
      return 'Refunded';
  }
}

/** A short heading above an error's message, so the cashier sees at a glance where it went wrong. */
export function errorTitle(kind: ErrorKind): string {
  switch (kind) {
    case 'input':
      return 'Check the amount';
    case 'gateway':
      return 'The payment gateway said no';
    case 'auth':
      return 'Gateway login failed';
    case 'network':
      return 'No connection to the gateway';
    case 'keyring':
      return 'Cannot read the saved API key';
    case 'storage':
      return 'Cannot save the sale';
    case 'notAllowed':
      return 'Not allowed';
    case 'notFound':
      return 'Not found';
    case 'printer':
      return 'The receipt printer did not print';
    case 'internal':
      return 'Something went wrong';
  }
}
