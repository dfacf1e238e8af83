import { describe, expect, it } from 'vitest';
import type { Payment } from '../bindings/Payment';
import type { SaleState } from '../bindings/SaleState';
import { errorTitle, formatCountdown, isFinal, isPaid, statusText, toPay } from './format';
import { payment as salePayment } from '../../test/fixtures';

const NOW = Date.parse('2025-01-01T12:00:00Z');

describe('formatCountdown', () => {
  it('shows minutes and seconds left', () => {
    expect(formatCountdown('2025-01-01T12:14:05Z', NOW)).toBe('14:05');
    expect(formatCountdown('2025-01-01T12:00:09Z', NOW)).toBe('00:09');
  });

  it('keeps counting minutes past an hour', () => {
    expect(formatCountdown('2025-01-01T13:15:00Z', NOW)).toBe('75:00');
  });

  it('shows 00:01 during the last second, not 00:00', () => {
    expect(formatCountdown('2025-01-01T12:00:01Z', NOW + 400)).toBe('00:01');
  });

  it('says time is up at and after the deadline', () => {
    expect(formatCountdown('2025-01-01T12:00:00Z', NOW)).toBe('Time is up');
    expect(formatCountdown('2025-01-01T11:59:00Z', NOW)).toBe('Time is up');
  });

  it('reads offsets and fractions of RFC 3339', () => {
    expect(formatCountdown('2025-01-01T13:01:00.500+01:00', NOW)).toBe('01:01');
  });

  it('shows a dash without a deadline', () => {
    expect(formatCountdown(null, NOW)).toBe('—');
  });

  it('shows a dash for a deadline it cannot read', () => {
    expect(formatCountdown('soon', NOW)).toBe('—');
  });
});

/** A sale in `state` with no deadline, for the status texts. */
function payment(state: SaleState, extra: Partial<Payment> = {}): Payment {
  return salePayment({ saleId: 7, state, expiresAt: null, ...extra });
}

describe('statusText', () => {
  it.each<[SaleState, string]>([
    ['creating', 'Creating order…'],
    ['awaiting', 'Waiting for payment'],
    ['paid', 'Paid'],
    ['overpaid', 'Paid (overpaid)'],
    ['expired', 'Expired'],
    ['invalid', 'Payment rejected'],
    ['canceled', 'Canceled'],
    ['refunded', 'Refunded'],
  ])('%s reads "%s"', (state, text) => {
    expect(statusText(payment(state))).toBe(text);
  });

  it('counts confirmations while confirming', () => {
    expect(
      statusText(payment('confirming', { confirmations: 1, requiredConfirmations: 3 })),
    ).toBe('Payment seen, waiting for confirmations (1 of 3)');
  });

  it('says how much arrived when underpaid', () => {
    expect(statusText(payment('underpaid', { paidAmount: '0.0001' }))).toBe(
      'Underpaid: paid 0.0001 BTC of 0.00021552 BTC',
    );
  });
});

describe('sale states', () => {
  it('treats paid, overpaid, expired, invalid, canceled and refunded as final', () => {
    // A Record, so a state added in Rust fails the type check until it is judged here.
    const final: Record<SaleState, boolean> = {
      creating: false,
      awaiting: false,
      confirming: false,
      underpaid: false,
      paid: true,
      overpaid: true,
      expired: true,
      invalid: true,
      canceled: true,
      refunded: true,
    };
    for (const [state, expected] of Object.entries(final)) {
      expect(isFinal(state as SaleState), state).toBe(expected);
    }
  });

  it('counts overpaid as paid', () => {
    expect(isPaid('overpaid')).toBe(true);
    expect(isPaid('underpaid')).toBe(false);
  });
});

describe('toPay', () => {
  it('asks for the whole amount with its QR', () => {
    expect(toPay(payment('awaiting'))).toEqual({
      topUp: false,
      qrPng: 'data:image/png;base64,iVBORw0KGgo=',
      amount: '0.00021552',
    });
  });

  it('asks for the rest with its own QR while an underpaid order can take it', () => {
    const rest = { remainingAmount: '0.0001', remainingQrPng: 'data:image/png;base64,REST' };
    expect(toPay(payment('underpaid', rest))).toEqual({
      topUp: true,
      qrPng: 'data:image/png;base64,REST',
      amount: '0.0001',
    });
  });

  it('shows the whole again once the underpaid order cannot take the rest', () => {
    const ranOut = { remainingAmount: '0.0001', remainingQrPng: null };
    expect(toPay(payment('underpaid', ranOut))).toMatchObject({ topUp: false, amount: '0.00021552' });
  });
});

describe('errorTitle', () => {
  it('names where the network error happened', () => {
    expect(errorTitle('network')).toBe('No connection to the gateway');
  });
});
