// A refund at the counter, apart from how it is drawn: the form from the
// sale's suggestion, the read-back with the address QR (checked by the
// core, so its sentence shows beside the form), the request, then the
// owner's PIN on the spot or "later". Nothing here decides what is allowed:
// every refusal is Rust's {kind, message}.
import * as backend from '../backend';
import type { AppError } from '../bindings/AppError';
import type { RefundForm } from '../bindings/RefundForm';
import type { RefundPreview } from '../bindings/RefundPreview';
import type { RefundRecord } from '../bindings/RefundRecord';
import type { RefundSuggestion } from '../bindings/RefundSuggestion';
import { formFrom, missing, switchUnit } from './refund';

/**
 * Where the refund stands at the counter: opening (asking the gateway about
 * the sale), the form, the customer's read-back, the owner's PIN, the
 * outcome; `unavailable` when the sale cannot be refunded (the error says why).
 */
export type RefundStep = 'opening' | 'form' | 'confirm' | 'owner' | 'outcome' | 'unavailable';

export class RefundFlow {
  step = $state<RefundStep>('opening');
  suggestion = $state<RefundSuggestion | null>(null);
  form = $state<RefundForm | null>(null);
  preview = $state<RefundPreview | null>(null);
  /** The refund once asked; its state after the owner's PIN. */
  record = $state<RefundRecord | null>(null);
  /** The sale's refunds asked before this one. */
  earlier = $state<RefundRecord[]>([]);
  error = $state<AppError | null>(null);
  busy = $state(false);
  pin = $state('');

  /** What the form still lacks (a sentence), so the button waits for it. */
  lacking = $derived(this.form && this.suggestion ? missing(this.form, this.suggestion) : null);

  constructor(readonly saleId: number) {}

  async #run(call: () => Promise<void>) {
    this.busy = true;
    this.error = null;
    try {
      await call();
    } catch (e) {
      this.error = e as AppError;
    } finally {
      this.busy = false;
    }
  }

  /** Asks the gateway about the sale, then opens the form on its suggestion. */
  async open() {
    this.step = 'opening';
    await this.#run(async () => {
      const [suggestion, earlier] = await Promise.all([
        backend.refundSuggestion(this.saleId),
        backend.saleRefunds(this.saleId),
      ]);
      this.suggestion = suggestion;
      this.earlier = earlier;
      this.form = formFrom(suggestion);
      this.step = 'form';
    });
    if (this.step === 'opening') this.step = 'unavailable';
  }

  /** The amount typed in the coin instead of the shop's currency (or back). */
  setInCoin(inCoin: boolean) {
    if (this.form && this.suggestion) this.form = switchUnit(this.form, this.suggestion, inCoin);
  }

  /** The core checks the form; a good one is read back to the customer with the address QR. */
  async check() {
    if (!this.form || this.lacking) return;
    const form = this.form;
    await this.#run(async () => {
      this.preview = await backend.refundPreview(form);
      this.step = 'confirm';
    });
  }

  /** Back from the read-back to change the form. */
  edit() {
    this.preview = null;
    this.error = null;
    this.step = 'form';
  }

  /** The customer confirmed the address: the refund is asked and waits for the owner. */
  async confirm() {
    if (!this.form) return;
    const form = this.form;
    await this.#run(async () => {
      this.record = await backend.requestRefund(form);
      this.step = 'owner';
    });
  }

  /**
   * The owner's PIN typed here: approved and sent. A wrong PIN keeps the
   * refund waiting (try again, or later); a gateway's refusal ends it as
   * failed in the ledger, which the outcome shows with the error.
   */
  async approve() {
    const record = this.record;
    if (!record || !this.pin) return;
    const pin = this.pin;
    this.pin = '';
    await this.#run(async () => {
      this.record = await backend.approveRefundWithPin(record.id, pin);
      this.step = 'outcome';
    });
    if (this.error) {
      // Refused: read where the refund stands now (still waiting after a wrong PIN).
      const now = (await backend.saleRefunds(this.saleId).catch(() => [])).find((r) => r.id === record.id);
      if (now) this.record = now;
      if (this.record && this.record.state !== 'requested') this.step = 'outcome';
    }
  }
}
