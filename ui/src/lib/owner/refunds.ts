// What owner mode offers on each refund, by its state (the ledger's life
// cycle, cryptill_core::ledger::refunds): a cashier's request is approved
// (and sent) or rejected; an approved one not yet sent is sent or
// rejected; a Counos refund sent in demo mode can have its e-mail
// confirmed by the training button; one left "sending" (the gateway's
// answer was lost and the core's look-up found nothing) is settled by the
// owner after checking the gateway's dashboard. Rust refuses anything else
// anyway.
import type { RefundRecord } from '../bindings/RefundRecord';
import { isWithdrawal } from '../till/refund';

export interface RefundActions {
  approve: boolean;
  send: boolean;
  reject: boolean;
  demoEmail: boolean;
  /** Mark sent or failed: only a refund whose send was interrupted. */
  resolve: boolean;
}

export function actionsFor(r: RefundRecord, demo: boolean): RefundActions {
  return {
    approve: r.state === 'requested',
    send: r.state === 'approved',
    reject: r.state === 'requested' || r.state === 'approved',
    demoEmail: demo && r.state === 'sent' && isWithdrawal(r.gateway) && r.gatewayRefundId !== null,
    resolve: r.state === 'sending',
  };
}

/** Refunds waiting for the owner's approval. */
export function waitingCount(refunds: RefundRecord[]): number {
  return refunds.filter((r) => r.state === 'requested').length;
}
