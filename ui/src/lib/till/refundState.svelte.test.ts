// A refund at the counter without a screen: the form from the suggestion,
// the core's refusal beside the form, the read-back, the request, and the
// owner's PIN (wrong, then right; or the gateway refusing). The backend is a mock.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefundRecord } from '../bindings/RefundRecord';
import { overpaidSuggestion } from '../../test/fixtures';
import { RefundFlow } from './refundState.svelte';

const mocked = vi.hoisted(() =>
  import('../../test/fixtures').then((f) =>
    f.mockCalls('refundSuggestion', 'saleRefunds', 'refundPreview', 'requestRefund', 'approveRefundWithPin'),
  ),
);
vi.mock('../backend', () => mocked);
const backend = await mocked;

const ADDRESS = 'tb1qqpzry9x8gf2tvdw0s3jn54khce6mua7lqpzry9';

const suggestion = overpaidSuggestion;

function record(extra: Partial<RefundRecord> = {}): RefundRecord {
  return {
    id: 3,
    saleId: 7,
    kind: 'overpaid',
    reason: 'Customer paid more than asked',
    fiatAmount: '100.00',
    fiatCurrency: 'EUR',
    cryptoAmount: '0.00172414',
    coin: 'BTC',
    coinDecimals: 8,
    network: 'Bitcoin',
    address: ADDRESS,
    email: null,
    gateway: 'demo',
    state: 'requested',
    requestedBy: 'cashier at the counter',
    approvedBy: null,
    gatewayRefundId: null,
    gatewayStatus: null,
    message: null,
    said: null,
    requestedAt: '2026-11-29T10:00:00Z',
    approvedAt: null,
    sentAt: null,
    finishedAt: null,
    updatedAt: '2026-11-29T10:00:00Z',
    ...extra,
  };
}

async function openForm(): Promise<RefundFlow> {
  backend.refundSuggestion.mockResolvedValue(suggestion);
  backend.saleRefunds.mockResolvedValue([]);
  const flow = new RefundFlow(7);
  await flow.open();
  return flow;
}

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
});

describe('RefundFlow', () => {
  it('opens the form on the suggestion, waiting for the address', async () => {
    const flow = await openForm();
    expect(backend.refundSuggestion).toHaveBeenCalledWith(7);
    expect(flow.step).toBe('form');
    expect(flow.form).toMatchObject({ sale: '7', amount: '100.00', inCoin: false });
    expect(flow.lacking).toMatch(/wallet address/);
    await flow.check();
    expect(backend.refundPreview).not.toHaveBeenCalled();
  });

  it('says why a sale cannot be refunded instead of a form', async () => {
    backend.refundSuggestion.mockRejectedValue({ kind: 'notAllowed', message: 'Sale 7 has received no payment, so there is nothing to refund.' });
    backend.saleRefunds.mockResolvedValue([]);
    const flow = new RefundFlow(7);
    await flow.open();
    expect(flow.step).toBe('unavailable');
    expect(flow.error?.message).toContain('no payment');
  });

  it("keeps the form and shows the core's sentence when the address is refused", async () => {
    const flow = await openForm();
    flow.form!.address = '0x52908400098527886E0F7030069857D2E4169EE7';
    backend.refundPreview.mockRejectedValue({ kind: 'input', message: "'0x5290…9EE7' is not a BTC address on the Bitcoin network" });
    await flow.check();
    expect(flow.step).toBe('form');
    expect(flow.error).toEqual({ kind: 'input', message: expect.stringContaining('not a BTC address') });
  });

  it('reads the address back, asks after the customer confirms, and approves with the owner PIN', async () => {
    const flow = await openForm();
    flow.form!.address = ADDRESS;
    backend.refundPreview.mockResolvedValue({ saleId: 7, kind: 'overpaid', coin: 'BTC', network: 'Bitcoin', address: ADDRESS,
      fiatAmount: '100.00', fiatCurrency: 'EUR', cryptoAmount: '0.00172414', qrPng: 'data:image/png;base64,AA' });
    await flow.check();
    expect(flow.step).toBe('confirm');
    expect(backend.requestRefund).not.toHaveBeenCalled();

    backend.requestRefund.mockResolvedValue(record());
    await flow.confirm();
    expect(backend.requestRefund).toHaveBeenCalledWith(expect.objectContaining({ address: ADDRESS, amount: '100.00' }));
    expect(flow.step).toBe('owner');

    // A wrong PIN: the refund still waits, the PIN field is empty again.
    flow.pin = '9999';
    backend.approveRefundWithPin.mockRejectedValueOnce({ kind: 'input', message: 'Wrong PIN. 4 more tries.' });
    backend.saleRefunds.mockResolvedValue([record()]);
    await flow.approve();
    expect(flow.step).toBe('owner');
    expect(flow.pin).toBe('');
    expect(flow.error?.message).toContain('Wrong PIN');

    flow.pin = '1234';
    backend.approveRefundWithPin.mockResolvedValueOnce(record({ state: 'sent', approvedBy: 'owner', gatewayRefundId: '12' }));
    await flow.approve();
    expect(backend.approveRefundWithPin).toHaveBeenLastCalledWith(3, '1234');
    expect(flow.step).toBe('outcome');
    expect(flow.record?.state).toBe('sent');
    expect(flow.error).toBeNull();
  });

  it("shows the gateway's refusal with the refund now failed", async () => {
    const flow = await openForm();
    flow.record = record();
    flow.step = 'owner';
    flow.pin = '1234';
    backend.approveRefundWithPin.mockRejectedValue({ kind: 'gateway', message: 'Counos refused: withdrawals are not permitted.' });
    backend.saleRefunds.mockResolvedValue([record({ state: 'failed', message: 'not permitted' })]);
    await flow.approve();
    expect(flow.step).toBe('outcome');
    expect(flow.record?.state).toBe('failed');
    expect(flow.error?.kind).toBe('gateway');
  });
});
