// The refund form's logic (issue 18), kept apart from its screen so it is
// tested on its own: what the form starts from, when it may be sent, and
// what the cashier reads back to the customer before the owner approves.
// Every real check is Rust's (cryptill_core::refund); these only spare the
// cashier a round trip for an empty field.
import type { RefundForm } from '../bindings/RefundForm';
import type { RefundKind } from '../bindings/RefundKind';
import type { RefundSuggestion } from '../bindings/RefundSuggestion';

export const KIND_LABELS: Record<RefundKind, string> = {
  return: 'Return (goods back)',
  overpaid: 'Overpaid excess',
  underpaid: 'Stranded underpayment',
};

const DEFAULT_REASONS: Record<RefundKind, string> = {
  return: 'Customer returned the goods',
  overpaid: 'Customer paid more than asked',
  underpaid: 'Payment could not be finished',
};

/** The form as it opens: the kind that fits the sale and its amount, in the coin. */
export function formFrom(s: RefundSuggestion): RefundForm {
  return {
    sale: String(s.saleId),
    kind: s.kind,
    amount: s.cryptoAmount,
    inCoin: true,
    address: '',
    reason: DEFAULT_REASONS[s.kind],
    email: null,
  };
}

/** What is still missing before the form can go to Rust, as a sentence; null when nothing. */
export function missing(form: RefundForm, s: RefundSuggestion): string | null {
  if (!form.amount.trim()) return 'Type the amount to give back.';
  if (!form.address.trim()) return "Scan or type the customer's wallet address.";
  if (!form.reason.trim()) return 'Type the reason for the refund.';
  if (s.needsEmail && !form.email?.trim()) {
    return "Type the customer's e-mail: the gateway asks them to confirm the address there.";
  }
  return null;
}

/** The line read back to the customer beside the address QR, before sending. */
export function confirmLine(form: RefundForm, s: RefundSuggestion): string {
  const unit = form.inCoin ? s.coin : s.fiatCurrency;
  return `Send ${form.amount.trim()} ${unit} on ${s.network} to this address. Check it with the customer.`;
}
