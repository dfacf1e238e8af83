import { describe, expect, it } from 'vitest';
import type { RefundPreview } from '../bindings/RefundPreview';
import { overpaidSuggestion } from '../../test/fixtures';
import { confirmLine, emailStep, formFrom, kindLabel, missing, switchUnit } from './refund';

const overpaid = overpaidSuggestion;

describe('the refund form', () => {
  it('opens on the sale with the overpaid excess prefilled in the shop currency', () => {
    const form = formFrom(overpaid);
    expect(form).toMatchObject({ sale: '7', kind: 'overpaid', amount: '100.00', inCoin: false });
    expect(form.reason).toBe('Customer paid more than asked');
    expect(kindLabel(form.kind)).toBe('Overpaid excess');
  });

  it('switches the amount between the shop currency and the coin from the suggestion', () => {
    const inCoin = switchUnit(formFrom(overpaid), overpaid, true);
    expect(inCoin).toMatchObject({ amount: '0.00172414', inCoin: true });
    expect(switchUnit(inCoin, overpaid, false)).toMatchObject({ amount: '100.00', inCoin: false });
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

  it('reads back what the core checked: the coin amount, its value and the network', () => {
    const preview: RefundPreview = {
      saleId: 7,
      kind: 'overpaid',
      coin: 'BTC',
      network: 'Bitcoin',
      address: 'tb1q...',
      fiatAmount: '100.00',
      fiatCurrency: 'EUR',
      cryptoAmount: '0.00172414',
      qrPng: 'data:image/png;base64,',
    };
    expect(confirmLine(preview)).toBe(
      'Send 0.00172414 BTC (100.00 EUR) on Bitcoin to this address. Check it with the customer.',
    );
  });

  it('says whose e-mail confirms the refund: the owner on Counos, the customer on CoinGate', () => {
    expect(emailStep('demo')).toMatch(/e-mails the owner/);
    expect(emailStep('counos')).toMatch(/withdrawal/);
    expect(emailStep('coingate-sandbox')).toMatch(/e-mails the customer/);
  });
});
