import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { payment } from '../../test/fixtures';
import type { Payment } from '../bindings/Payment';
import PaymentScreen from './PaymentScreen.svelte';

const backend = await vi.hoisted(async () => (await import('../../test/fixtures')).paymentCalls());
vi.mock('../backend', () => backend);

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
});

function show(p: Payment) {
  const handlers = {
    onretrywatch: vi.fn(),
    onnewsale: vi.fn(),
    onreplaced: vi.fn<(p: Payment) => void>(),
    onchanged: vi.fn<(p: Payment) => void>(),
    onreceipt: vi.fn(),
  };
  render(PaymentScreen, { payment: p, demo: true, ...handlers });
  return handlers;
}

const underpaid = payment({
  state: 'underpaid',
  paidAmount: '0.00010000',
  remainingAmount: '0.00011552',
  remainingUri: 'bitcoin:bc1q?amount=0.00011552',
  remainingQrPng: 'data:image/png;base64,REST',
});

describe('the outcome screens', () => {
  it('underpaid: shows paid X of Y, the rest with its own QR, and lets the owner take it', async () => {
    backend.markForOwner.mockResolvedValue({ ...underpaid, needsOwner: true });
    const { onchanged } = show(underpaid);
    expect(screen.getByTestId('status').dataset.state).toBe('underpaid');
    expect(screen.getByTestId('remaining-amount').textContent).toBe('0.00011552 BTC');
    expect(screen.getByTestId('pay-amount').textContent).toBe('0.00011552 BTC');
    expect(screen.getByTestId('qr').getAttribute('src')).toBe('data:image/png;base64,REST');
    await fireEvent.click(screen.getByTestId('mark-for-owner'));
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(backend.markForOwner).toHaveBeenCalledWith(41);
  });

  it('underpaid after expiry: no top-up QR, says so', () => {
    show({ ...underpaid, remainingUri: null, remainingQrPng: null });
    expect(screen.getByTestId('no-top-up')).toBeTruthy();
    expect(screen.getByTestId('qr').dataset.kind).toBe('full');
  });

  it('overpaid: paid, with the excess noted', () => {
    show(payment({ state: 'overpaid', excessAmount: '0.00002000' }));
    expect(screen.getByTestId('excess').textContent).toMatch('0.00002 BTC too much');
    expect(screen.getByTestId('show-receipt')).toBeTruthy();
  });

  it('expired: Try again records one fresh sale and retries placing that same one', async () => {
    backend.tryAgain.mockResolvedValue(payment({ saleId: 42, state: 'creating' }));
    backend.placeSale
      .mockRejectedValueOnce({ kind: 'network', message: 'No connection.' })
      .mockResolvedValue(payment({ saleId: 42 }));
    const { onreplaced } = show(payment({ state: 'expired' }));
    await fireEvent.click(screen.getByTestId('try-again'));
    await waitFor(() => expect(screen.getByTestId('action-error').textContent).toBe('No connection.'));
    await fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(onreplaced).toHaveBeenCalled());
    expect(backend.tryAgain).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenNthCalledWith(2, 42);
  });

  it('awaiting: the cashier can cancel; a refusal is shown', async () => {
    backend.voidSale.mockRejectedValue({ kind: 'notAllowed', message: 'Already paid.' });
    show(payment());
    await fireEvent.click(screen.getByTestId('void-sale'));
    await waitFor(() => expect(screen.getByTestId('action-error').textContent).toBe('Already paid.'));
  });

  it('demo training buttons ask the sandbox for each kind', async () => {
    backend.simulate.mockResolvedValue(undefined);
    show(payment());
    for (const [id, kind] of [
      ['simulate-part', 'part'],
      ['simulate-overpay', 'overpay'],
      ['simulate-expire', 'expire'],
    ]) {
      await fireEvent.click(screen.getByTestId(id));
      await waitFor(() => expect(backend.simulate).toHaveBeenLastCalledWith(41, kind));
    }
  });

  it('a late payment is flagged', () => {
    show(payment({ state: 'expired', latePaymentAt: '2025-01-01T12:00:00Z' }));
    expect(screen.getByTestId('late-payment')).toBeTruthy();
  });
});
