// The toasts on screen: each stays a while (or until dismissed), and a new
// one about a sale replaces that sale's older one.
import type { Toast } from './toasts';

/** Long enough to read a line at a busy counter. */
export const TOAST_MS = 10_000;

export class ToastQueue {
  items = $state<Toast[]>([]);
  #nextId = 1;
  readonly #lifetimeMs: number;

  constructor(lifetimeMs = TOAST_MS) {
    this.#lifetimeMs = lifetimeMs;
  }

  /** `saleId` null: news about no sale in particular, never replaced. */
  add(saleId: number | null, text: string, tone: Toast['tone']) {
    const id = this.#nextId++;
    this.items = [
      ...this.items.filter((t) => t.saleId === null || t.saleId !== saleId),
      { id, saleId, text, tone },
    ];
    setTimeout(() => this.dismiss(id), this.#lifetimeMs);
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
