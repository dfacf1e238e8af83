// The till window's states, apart from how they are drawn: starting up
// (shop, coins, settings; sales resumed after a restart), which screen is
// open, the sale on the counter and its live updates, news of other sales
// (toasts), and the customer display following the counter.
import * as backend from '../backend';
import type { AppError } from '../bindings/AppError';
import type { AppInfo } from '../bindings/AppInfo';
import type { Coin } from '../bindings/Coin';
import type { Payment } from '../bindings/Payment';
import type { SaleUpdate } from '../bindings/SaleUpdate';
import type { Settings } from '../bindings/Settings';
import { errorText, inShopLanguage, isFinal, isPaid } from '../shared/format';
import { afterNextPaint } from '../shared/paint';
import { beepPaid } from '../shared/sound';
import { ToastQueue } from '../shared/toastQueue.svelte';
import { toastFor } from '../shared/toasts';
import { setShopLocale, shop, t } from '../i18n/index.svelte';
import { confirmSeparators } from '../shared/separators.svelte';

/** The till's screens besides owner mode (a dialog over them). */
export type TillScreen = 'till' | 'recent' | 'receipt' | 'refund';

export class TillState {
  info = $state<AppInfo | null>(null);
  coins = $state<Coin[]>([]);
  /** The settings the counter follows (tips, maximum, locale, sound). */
  settings = $state<Settings | null>(null);
  loadError = $state<AppError | null>(null);
  loading = $state(false);
  /** The gateway's coin list is on its way (the keypad is drawn meanwhile). */
  coinsLoading = $state(false);
  /** Why the coin list could not be had (Retry asks again). */
  coinsError = $state<AppError | null>(null);

  /** The sale on the counter; null while a new one is typed. */
  payment = $state<Payment | null>(null);
  watchError = $state<AppError | null>(null);
  /** Open sales found at start-up, offered until opened or dismissed. */
  resumed = $state<Payment[]>([]);

  screen = $state<TillScreen>('till');
  receiptSaleId = $state<number | null>(null);
  /** The sale whose refund the counter is asking for (issue 18). */
  refundSaleId = $state<number | null>(null);
  ownerOpen = $state(false);
  displayError = $state<AppError | null>(null);

  /** News of sales not on screen, and of the receipt printer. */
  readonly toasts = new ToastQueue();
  /** A receipt printer is set up: the counter offers to print on it. */
  printer = $state(false);
  /** Goes up whenever any sale changes, so "Sales this shift" reloads. */
  salesVersion = $state(0);

  // The sale the customer display was last told to show (undefined: none yet).
  #shownSaleId: number | null | undefined = undefined;

  locale = $derived(this.settings?.locale ?? 'en-IE');

  /**
   * Call while a component initialises (or inside `$effect.root`): it starts
   * the till, listens to Rust's events and keeps the customer display on the
   * counter's sale until that owner is destroyed.
   */
  readonly #alsoFirst: () => Promise<unknown>;
  #gone = false;

  /**
   * `alsoFirst`: what else the first draw needs, asked for beside the
   * till's own answers (the window's shift status: the keypad or the
   * sign-in form), again on Retry.
   */
  constructor(alsoFirst: () => Promise<unknown> = async () => {}) {
    this.#alsoFirst = alsoFirst;
    $effect(() => this.#listen());
    $effect(() => this.#followOnCustomerDisplay());
    // The work deferred past the first paint is not done for a till whose
    // owner is gone meanwhile (a window closing at start; the tests).
    $effect(() => () => (this.#gone = true));
    // Asked at once, not from an effect: at start the first effects ran
    // once the page had loaded, a median 77 ms after the script (measured,
    // BENCHMARKS.md "Round 23: from the page's load to the keypad").
    void this.load();
  }

  /** Starts the till; Retry after a failed start calls it again. */
  async load() {
    this.loading = true;
    this.loadError = null;
    // Right after the first paint with the till's answers in (the keypad):
    // what that draw does not need waits for it (issue 11).
    let painted!: () => void;
    const firstPaint = new Promise<void>((resolve) => (painted = resolve));
    try {
      // The keypad is drawn from the till's own answers (its file); the
      // coins come from the gateway (over the network, or the demo
      // gateway's loopback): asked for now, drawn once the keypad is on
      // screen, or when they arrive if later.
      void this.loadCoins(firstPaint);
      const [info, settings] = await Promise.all([
        backend.appInfo(),
        backend.counterSettings(),
        this.#alsoFirst(),
      ]);
      [this.info, this.settings] = [info, settings];
      // What the keypad does not need comes after the task that reports it
      // ready (queued from the same frame, paint.ts): the coin list's draw,
      // the printer, the resumed sales, and ICU's first use, off the first
      // draw (shared/separators.svelte.ts). Each held the report up when
      // it came first (issue 11, BENCHMARKS.md "Round 25").
      afterNextPaint(() =>
        setTimeout(() => {
          painted();
          if (this.#gone) return;
          void this.refreshPrinter();
          // Not awaited: the gateway may be slow; the till is usable meanwhile.
          backend
            .resumedSales()
            .then((list) => (this.resumed = list))
            .catch(() => {});
          confirmSeparators(this.locale);
          confirmSeparators(shop.locale);
        }, 0),
      );
      // The first draw in the shop's language, not English then German: the
      // catalogue of the language the till last used was fetched as the page
      // started (i18n/index.svelte.ts), so this waits for nothing, or for the
      // rest of that fetch; on an English till it is in the start script.
      await setShopLocale(settings.locale);
    } catch (error) {
      this.loadError = error as AppError;
      painted();
    } finally {
      this.loading = false;
    }
  }

  /**
   * Asks the gateway for its coins; an error is shown in the coin picker,
   * with Retry. The answer is drawn once `drawAfter` has resolved.
   */
  async loadCoins(drawAfter: Promise<void> = Promise.resolve()) {
    this.coinsLoading = true;
    this.coinsError = null;
    try {
      const coins = await backend.listCoins();
      await drawAfter;
      this.coins = coins;
    } catch (error) {
      await drawAfter;
      this.coinsError = error as AppError;
    } finally {
      this.coinsLoading = false;
    }
  }

  /** A sale was charged (or taken over): its payment screen, followed live. */
  charged(created: Payment) {
    this.payment = created;
    this.#watch(created.saleId);
    // Opened from the banner or taken over here: no longer news.
    this.resumed = this.resumed.filter((p) => p.saleId !== created.saleId);
  }

  /** The payment screen changed its sale (void, owner flag). */
  changed(updated: Payment) {
    if (this.payment?.saleId === updated.saleId) this.payment = updated;
  }

  /** Back to typing a new sale; the old one is still followed by Rust's watcher. */
  newSale() {
    this.payment = null;
    this.watchError = null;
  }

  /** Reconnect after the live updates stopped. */
  retryWatch() {
    if (this.payment) this.#watch(this.payment.saleId);
  }

  /** Reopens a sale's payment screen (a pending QR, a resumed sale, a toast). */
  async reopen(saleId: number) {
    try {
      const found = await backend.salePayment(saleId);
      this.screen = 'till';
      this.charged(found);
    } catch (error) {
      this.loadError = error as AppError;
    }
  }

  open(screen: TillScreen) {
    this.screen = screen;
  }

  /** A refund of a sale from Sales this shift; back there when it is done. */
  startRefund(saleId: number) {
    this.refundSaleId = saleId;
    this.screen = 'refund';
  }

  showReceipt(saleId: number) {
    this.receiptSaleId = saleId;
    this.screen = 'receipt';
  }

  /** The counter's settings again after owner mode (tips, maximum, language may have changed). */
  async refreshSettings() {
    try {
      this.settings = await backend.counterSettings();
      setShopLocale(this.settings.locale);
    } catch {
      // The counter keeps the settings it has; the next start reads them again.
    }
  }

  /** Whether a receipt printer is set up (again after owner mode closes). */
  async refreshPrinter() {
    try {
      this.printer = await backend.printerConfigured();
    } catch {
      // Unknown: the system dialog's Receipt button still works.
      this.printer = false;
    }
  }

  /**
   * A paid sale's receipt on the receipt printer. Never in the way: the
   * outcome is a toast (what to check, when it failed), the sale is
   * recorded either way.
   */
  async printReceipt(saleId: number) {
    try {
      await backend.printReceipt(saleId);
      this.toasts.add(null, t('app.receiptPrinted', { sale: saleId }), 'info');
    } catch (error) {
      this.toasts.add(null, errorText(error as AppError).text, 'warn');
    }
  }

  dismissResumed() {
    this.resumed = [];
  }

  async openCustomerDisplay() {
    this.displayError = null;
    try {
      await backend.openCustomerDisplay();
      await backend.showOnCustomerDisplay(this.payment?.saleId ?? null);
    } catch (error) {
      this.displayError = error as AppError;
    }
  }

  #watch(saleId: number) {
    this.watchError = null;
    backend
      .watchSale(saleId, (update) => {
        // A sale the cashier has left (New sale) may still send updates.
        if (this.payment?.saleId === update.saleId) this.payment = update;
      })
      .catch((error: AppError) => {
        if (this.payment?.saleId === saleId && !isFinal(this.payment.state)) this.watchError = error;
      });
  }

  /** A sale changed, found by the till's watcher in Rust. */
  #onSaleUpdated(update: SaleUpdate) {
    const changed = update.payment;
    this.salesVersion++;
    this.resumed = this.resumed.map((p) => (p.saleId === changed.saleId ? changed : p));
    if (this.payment?.saleId === changed.saleId) {
      // The sale on screen: its screen shows it (and beeps).
      this.payment = changed;
      return;
    }
    const toast = toastFor(update);
    if (!toast) return;
    this.toasts.add(changed.saleId, toast.text, toast.tone);
    if (this.settings?.sound && isPaid(changed.state) && !isPaid(update.previous)) beepPaid();
  }

  #listen() {
    const stops = [
      backend.onSaleUpdated((update) => this.#onSaleUpdated(update)),
      backend.onSecondLaunch(() =>
        this.toasts.add(null, t('app.alreadyOpen'), 'info'),
      ),
      // A receipt printed by itself needs no news; one that could not print does.
      backend.onReceiptPrint((outcome) => {
        if (!outcome.printed) this.toasts.add(null, inShopLanguage(outcome.message, outcome.said), 'warn');
      }),
    ];
    return () => {
      for (const stop of stops) stop.then((unlisten) => unlisten()).catch(() => {});
    };
  }

  // The customer display follows the sale on the counter (or shows welcome).
  #followOnCustomerDisplay() {
    const id = this.payment?.saleId ?? null;
    if (id === this.#shownSaleId || !this.info) return;
    this.#shownSaleId = id;
    backend.showOnCustomerDisplay(id).catch(() => {});
  }
}
