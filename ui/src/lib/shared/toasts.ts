// What the cashier is told about a sale that changed off screen (a sale
// left behind with New sale, one resumed after a restart): one short line,
// or nothing when the change is not news (e.g. one more confirmation).
import type { SaleUpdate } from '../bindings/SaleUpdate';

export type Tone = 'good' | 'warn' | 'info';

export interface Toast {
  id: number;
  saleId: number | null;
  text: string;
  tone: Tone;
}

export function toastFor(update: SaleUpdate): { text: string; tone: Tone } | null {
  const { payment, previous, latePayment } = update;
  const sale = `Sale ${payment.saleId}`;
  if (latePayment) {
    return { text: `${sale}: a payment came after it had ended. Left for the owner.`, tone: 'warn' };
  }
  if (payment.state === previous) return null;
  switch (payment.state) {
    case 'paid':
      return { text: `${sale} paid`, tone: 'good' };
    case 'overpaid':
      return { text: `${sale} paid (overpaid)`, tone: 'good' };
    case 'underpaid':
      return { text: `${sale} underpaid: ${payment.remainingAmount ?? ''} ${payment.coin} still to pay`.replace('  ', ' '), tone: 'warn' };
    case 'confirming':
      return { text: `${sale}: payment seen, waiting for confirmations`, tone: 'info' };
    case 'expired':
      return { text: `${sale} expired unpaid`, tone: 'warn' };
    case 'invalid':
      return { text: `${sale}: the gateway rejected the payment`, tone: 'warn' };
    case 'refunded':
      return { text: `${sale} refunded`, tone: 'info' };
    default:
      return null;
  }
}
