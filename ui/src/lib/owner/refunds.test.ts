import { describe, expect, it } from 'vitest';
import type { RefundRecord } from '../bindings/RefundRecord';
import type { RefundState } from '../bindings/RefundState';
import { actionsFor, waitingCount } from './refunds';

function refund(state: RefundState, gateway = 'demo', gatewayRefundId: string | null = null): RefundRecord {
  return {
    id: 1, saleId: 1, kind: 'return', reason: 'r', fiatAmount: '1.00', fiatCurrency: 'EUR', cryptoAmount: '0.0001',
    coin: 'BTC', coinDecimals: 8, network: 'Bitcoin', address: 'tb1q', email: null, gateway, state,
    requestedBy: 'cashier Ann', approvedBy: null, gatewayRefundId, gatewayStatus: null, message: null, said: null,
    requestedAt: '', approvedAt: null, sentAt: null, finishedAt: null, updatedAt: '',
  };
}

describe("the owner's refund actions", () => {
  it('approves or rejects a request, sends or rejects an approved one', () => {
    expect(actionsFor(refund('requested'), false)).toEqual({ approve: true, send: false, reject: true, demoEmail: false, resolve: false });
    expect(actionsFor(refund('approved'), false)).toEqual({ approve: false, send: true, reject: true, demoEmail: false, resolve: false });
  });

  it('offers nothing on a refund that is done, failed or rejected', () => {
    for (const state of ['done', 'failed', 'rejected'] as const) {
      expect(Object.values(actionsFor(refund(state), true)).some(Boolean), state).toBe(false);
    }
  });

  it('offers only marking sent or failed on a refund whose send was interrupted', () => {
    expect(actionsFor(refund('sending'), true)).toEqual({ approve: false, send: false, reject: false, demoEmail: false, resolve: true });
  });

  it("offers the demo's e-mail confirmation only on a sent withdrawal in demo mode", () => {
    expect(actionsFor(refund('sent', 'demo', '12'), true).demoEmail).toBe(true);
    expect(actionsFor(refund('sent', 'demo', '12'), false).demoEmail).toBe(false);
    expect(actionsFor(refund('sent', 'coingate-sandbox', '12'), true).demoEmail).toBe(false);
  });

  it('counts the refunds waiting for approval', () => {
    expect(waitingCount([refund('requested'), refund('sent'), refund('requested')])).toBe(2);
  });
});
