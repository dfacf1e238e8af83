// The payment screen's states, apart from how it is drawn: which QR and
// amount the customer is shown (the whole, or the rest of an underpaid
// sale), the paid beep, and the cashier's actions on the sale (cancel, mark
// for the owner, try again, the demo's simulations), one at a time, with
// Retry repeating the action that failed.
import * as backend from '../backend';
import type { AppError } from '../bindings/AppError';
import type { Payment } from '../bindings/Payment';
import type { SaleState } from '../bindings/SaleState';
import type { Simulation } from '../bindings/Simulation';
import { isFinal, isPaid, toPay } from '../shared/format';
import { beepPaid } from '../shared/sound';

/** What the screen around the payment gives it; read on every use, so it may change. */
export interface PaymentProps {
  payment: Payment;
  /** Beep when the sale turns paid. */
  sound: boolean;
  /** The cashier changed the sale here (void, owner flag). */
  onchanged: (updated: Payment) => void;
  /** "Try again" made this fresh sale for the expired one. */
  onreplaced: (fresh: Payment) => void;
}

export class PaymentState {
  readonly #props: () => PaymentProps;

  /** An action is on its way: the action buttons wait. */
  busy = $state(false);
  actionError = $state<AppError | null>(null);
  #retryAction: (() => Promise<void>) | null = null;
  /** Underpaid: the cashier chose to keep watching for the rest. */
  letRun = $state(false);

  // The state last seen, to beep on the change to paid only (not when a
  // paid sale is reopened).
  #lastState: SaleState | null = null;
  // The fresh sale is recorded once; a failed placing retries the same one.
  #freshSaleId: number | null = null;

  /** Call while a component initialises (or inside `$effect.root`): the beep follows the sale. */
  constructor(props: () => PaymentProps) {
    this.#props = props;
    $effect(() => this.#beepWhenPaid());
  }

  get payment(): Payment {
    return this.#props().payment;
  }

  final = $derived(isFinal(this.payment.state));
  paid = $derived(isPaid(this.payment.state));
  /** The whole, or the rest of an underpaid sale (its own QR). */
  toPay = $derived(toPay(this.payment));
  /** The sale has not been paid into yet, so the cashier may cancel it. */
  cancelable = $derived(this.payment.state === 'awaiting' || this.payment.state === 'creating');

  /** Demo only: the sandbox makes the customer's wallet (or the clock) act. */
  simulate(kind: Simulation) {
    const saleId = this.payment.saleId;
    void this.#act(() => backend.simulate(saleId, kind));
  }

  voidSale() {
    const saleId = this.payment.saleId;
    void this.#act(async () => this.#props().onchanged(await backend.voidSale(saleId)));
  }

  markForOwner() {
    const saleId = this.payment.saleId;
    void this.#act(async () => this.#props().onchanged(await backend.markForOwner(saleId)));
  }

  /** Expired: a fresh sale for the same lines, then its order placed. */
  tryAgain() {
    const saleId = this.payment.saleId;
    void this.#act(async () => {
      if (this.#freshSaleId === null) this.#freshSaleId = (await backend.tryAgain(saleId)).saleId;
      const placed = await backend.placeSale(this.#freshSaleId);
      this.#freshSaleId = null;
      this.#props().onreplaced(placed);
    });
  }

  /** Repeats the action that failed. */
  retry() {
    if (this.#retryAction) void this.#act(this.#retryAction);
  }

  letItRun() {
    this.letRun = true;
  }

  async #act(action: () => Promise<void>) {
    if (this.busy) return;
    this.busy = true;
    this.actionError = null;
    this.#retryAction = null;
    try {
      await action();
    } catch (error) {
      this.actionError = error as AppError;
      this.#retryAction = action;
    } finally {
      this.busy = false;
    }
  }

  #beepWhenPaid() {
    const state = this.payment.state;
    const { sound } = this.#props();
    if (sound && this.#lastState !== null && !isPaid(this.#lastState) && isPaid(state)) beepPaid();
    this.#lastState = state;
  }
}
