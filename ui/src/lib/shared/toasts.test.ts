import { describe, expect, it } from 'vitest';
import { payment } from '../../test/fixtures';
import { toastFor } from './toasts';

describe('background outcome toasts', () => {
  it('say a sale turned paid, by its number', () => {
    const p = { ...payment(), saleId: 12, state: 'paid' as const };
    expect(toastFor({ payment: p, previous: 'awaiting', latePayment: false })).toEqual({
      text: 'Sale 12 paid',
      tone: 'good',
    });
  });

  it('say nothing when only the confirmations moved', () => {
    const p = { ...payment(), state: 'confirming' as const, confirmations: 2 };
    expect(toastFor({ payment: p, previous: 'confirming', latePayment: false })).toBeNull();
  });

  it('flag a late payment for the owner even though the state stays', () => {
    const p = { ...payment(), saleId: 7, state: 'expired' as const };
    expect(toastFor({ payment: p, previous: 'expired', latePayment: true })?.text).toMatch(
      /Sale 7: a payment came after/,
    );
  });

  it('say what is left of an underpayment', () => {
    const p = { ...payment(), saleId: 3, state: 'underpaid' as const, remainingAmount: '0.0001', coin: 'BTC' };
    expect(toastFor({ payment: p, previous: 'awaiting', latePayment: false })?.text).toBe(
      'Sale 3 underpaid: 0.0001 BTC still to pay',
    );
  });
});
