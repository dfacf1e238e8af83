import { describe, expect, it } from 'vitest';
import type { RefundSuggestion } from '../bindings/RefundSuggestion';
import { confirmLine, formFrom, KIND_LABELS, missing } from './refund';

const overpaid: RefundSuggestion = {
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

describe('the refund form', () => {
  it('opens on the sale with the overpaid excess prefilled in the coin', () => {
    const form = formFrom(overpaid);
    expect(form).toMatchObject({ sale: '7', kind: 'overpaid', amount: '0.00172414', inCoin: true });
    expect(form.reason).toBe('Customer paid more than asked');
    expect(KIND_LABELS[form.kind as 'overpaid']).toBe('Overpaid excess');
  });

  it('asks for the address, then the reason, before anything is sent', () => {
    const form = formFrom(overpaid);
    expect(missing(form, overpaid)).toMatch(/wallet address/);
    form.address = 'tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';
    expect(missing(form, overpaid)).toBeNull();
    form.reason = '  ';
    expect(missing(form, overpaid)).toMatch(/reason/);
  });

  it('asks for the e-mail only where the gateway needs it', () => {
    const coingate = { ...overpaid, gateway: 'coingate', needsEmail: true };
    const form = { ...formFrom(coingate), address: 'tb1q...' };
    expect(missing(form, coingate)).toMatch(/e-mail/);
    expect(missing({ ...form, email: 'a@b.example' }, coingate)).toBeNull();
  });

  it('reads the amount, coin and network back beside the QR', () => {
    const form = { ...formFrom(overpaid), address: 'tb1q...' };
    expect(confirmLine(form, overpaid)).toBe(
      'Send 0.00172414 BTC on Bitcoin to this address. Check it with the customer.',
    );
    expect(confirmLine({ ...form, inCoin: false, amount: '100.00' }, overpaid)).toContain('100.00 EUR');
  });
});
