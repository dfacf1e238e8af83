// What the cashier is told about a sale that changed off screen (a sale
// left behind with New sale, one resumed after a restart): one short line,
// or nothing when the change is not news (e.g. one more confirmation).
import type { SaleUpdate } from '../bindings/SaleUpdate';
import { coin } from '../i18n/format';
import { t } from '../i18n/index.svelte';

export type Tone = 'good' | 'warn' | 'info';

export interface Toast {
  id: number;
  saleId: number | null;
  text: string;
  tone: Tone;
}

export function toastFor(update: SaleUpdate): { text: string; tone: Tone } | null {
  const { payment, previous, latePayment } = update;
  const sale = payment.saleId;
  if (latePayment) return { text: t('toast.late', { sale }), tone: 'warn' };
  if (payment.state === previous) return null;
  switch (payment.state) {
    case 'paid':
    case 'overpaid':
      return { text: t(`toast.${payment.state}`, { sale }), tone: 'good' };
    case 'underpaid':
      return {
        text: t('toast.underpaid', { sale, rest: coin(payment.remainingAmount, payment.coin) }),
        tone: 'warn',
      };
    case 'confirming':
    case 'refunded':
      return { text: t(`toast.${payment.state}`, { sale }), tone: 'info' };
    case 'expired':
    case 'invalid':
      return { text: t(`toast.${payment.state}`, { sale }), tone: 'warn' };
    default:
      return null;
  }
}
