// Who sells at the counter, apart from how it is drawn: the open shift and
// its cashier, the sign-in / switch dialog, the X report, and closing the
// shift (asked once more before it happens) with its Z report. Without any
// cashier set up none of this shows: the till sells as it always did.
import * as backend from '../backend';
import type { AppError } from '../bindings/AppError';
import type { ShiftReport } from '../bindings/ShiftReport';
import type { ShiftStatus } from '../bindings/ShiftStatus';

/** What the shift bar has open: nothing, the sign-in form, the close question, a report. */
export type ShiftDialog = 'none' | 'sign-in' | 'switch' | 'confirm-close' | 'report';

export class ShiftState {
  status = $state<ShiftStatus | null>(null);
  dialog = $state<ShiftDialog>('none');
  /** The X or Z report on screen. */
  report = $state<ShiftReport | null>(null);
  error = $state<AppError | null>(null);
  busy = $state(false);

  /** Cashiers exist and no shift is open: the counter cannot sell yet. */
  needsSignIn = $derived(!!this.status?.cashiersSetUp && !this.status?.shift);
  /** The name of whoever sells now, if the till has cashiers. */
  cashier = $derived(this.status?.shift?.cashier ?? null);

  async load() {
    try {
      this.status = await backend.shiftStatus();
    } catch {
      // An older till or a failed read: sell as without cashiers; a sale
      // that needs a shift is refused by Rust with its own sentence.
      this.status = null;
    }
  }

  open(dialog: ShiftDialog) {
    this.error = null;
    this.dialog = dialog;
  }

  dismiss() {
    this.error = null;
    this.dialog = 'none';
    this.report = null;
  }

  async #run<T>(call: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    try {
      return await call();
    } catch (e) {
      this.error = e as AppError;
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Opens a shift, or (with a shift open) hands it to `cashier`. */
  async signIn(cashier: string, pin: string): Promise<boolean> {
    const switching = !!this.status?.shift;
    const status = await this.#run(() =>
      switching ? backend.switchCashier(cashier, pin) : backend.openShift(cashier, pin),
    );
    if (!status) return false;
    this.status = status;
    this.dialog = 'none';
    return true;
  }

  async showX() {
    const report = await this.#run(() => backend.xReport());
    if (report) {
      this.report = report;
      this.dialog = 'report';
    }
  }

  /** After the cashier confirmed: closes the shift and shows its Z report. */
  async close() {
    const report = await this.#run(() => backend.closeShift());
    if (report) {
      this.report = report;
      this.dialog = 'report';
      await this.load();
    }
  }
}
