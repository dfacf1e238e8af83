// The refund form's logic (issue 18), kept apart from its screen so it is
// tested on its own: what the form starts from, when it may be sent, and
// what the cashier reads back to the customer before the owner approves.
// Every real check is Rust's (cryptill_core::refund, the preview and the
// request share it); these only spare the cashier a round trip for an
// empty field.
import type { RefundForm } from '../bindings/RefundForm';
import type { RefundKind } from '../bindings/RefundKind';
import type { RefundPreview } from '../bindings/RefundPreview';
import type { RefundSuggestion } from '../bindings/RefundSuggestion';
import { t } from '../i18n/index.svelte';
import { coin, fiat } from '../i18n/format';

export const KINDS: readonly RefundKind[] = ['return', 'overpaid', 'underpaid'];

/** The kind of refund in the shop's language. */
export function kindLabel(kind: RefundKind | string): string {
  return t(`refund.kind.${kind}`);
}

/**
 * The form as it opens: the kind that fits the sale and its amount in the
 * shop's currency (the core maps it back onto the coin at the sale's rate).
 */
export function formFrom(s: RefundSuggestion): RefundForm {
  return {
    sale: String(s.saleId),
    kind: s.kind,
    amount: s.fiatAmount,
    inCoin: false,
    address: '',
    reason: t(`refund.defaultReason.${s.kind}`),
    email: null,
  };
}

/** The amount field switched between the shop's currency and the coin: the suggestion's figure in the other unit. */
export function switchUnit(form: RefundForm, s: RefundSuggestion, inCoin: boolean): RefundForm {
  return { ...form, inCoin, amount: inCoin ? s.cryptoAmount : s.fiatAmount };
}

/** What is still missing before the form can go to Rust, as a sentence; null when nothing. */
export function missing(form: RefundForm, s: RefundSuggestion): string | null {
  if (!form.amount.trim()) return t('refund.missing.amount');
  if (!form.address.trim()) return t('refund.missing.address');
  if (!form.reason.trim()) return t('refund.missing.reason');
  if (s.needsEmail && !form.email?.trim()) return t('refund.missing.email');
  return null;
}

/** The line read back to the customer beside the address QR, from what the core checked. */
export function confirmLine(p: RefundPreview): string {
  return t('refund.confirmLine', {
    amount: coin(p.cryptoAmount, p.coin),
    fiat: fiat(p.fiatAmount, p.fiatCurrency),
    network: p.network,
  });
}

/** Counos (and the demo, which speaks it) has no refund call: the owner confirms a withdrawal by e-mail. */
export function isWithdrawal(gateway: string): boolean {
  return gateway === 'counos' || gateway === 'demo';
}

/** What happens after sending, in the shop's language: whose e-mail confirms it. */
export function emailStep(gateway: string): string {
  return t(isWithdrawal(gateway) ? 'refund.step.counos' : 'refund.step.coingate');
}
