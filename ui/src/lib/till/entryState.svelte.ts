// The sale being typed at the counter, as a state machine the Entry screen
// only draws: lines and the amount being typed, tip, coin, the live quote
// (debounced, newest answer only), and the charge (record the sale once,
// then place it; Retry places the same recorded sale again).
import * as backend from '../backend';
import type { AppError } from '../bindings/AppError';
import type { AppInfo } from '../bindings/AppInfo';
import type { Coin } from '../bindings/Coin';
import type { Payment } from '../bindings/Payment';
import type { Quote } from '../bindings/Quote';
import type { Settings } from '../bindings/Settings';
import { fromMinor, percentOf, toMinor } from '../shared/money';
import { separators } from '../shared/separators.svelte';
import { fiat } from '../i18n/format';
import { t } from '../i18n/index.svelte';
import {
  applyKey,
  displayAmount,
  isChargeable,
  keyFromKeyboard,
  toDecimalString,
  type EntryKey,
} from './keys';

/** Long enough to skip the quotes for "1" and "12" while "12.50" is typed. */
export const QUOTE_DEBOUNCE_MS = 250;

export interface EntryLine {
  label: string;
  amount: string;
}

/** No tip, a preset percent, or 'custom' with its own typed amount. */
export type TipChoice = number | 'custom' | null;

/** What the screen around the entry gives it; read on every use, so it may change. */
export interface EntryProps {
  info: AppInfo;
  coins: Coin[];
  settings: Settings | null;
  /** The sale was recorded and its order placed: show its payment screen. */
  oncharged: (payment: Payment) => void;
}

export class EntryState {
  readonly #props: () => EntryProps;

  // Lines already added with `+`; `amount`/`label` is the line being typed.
  lines = $state<EntryLine[]>([]);
  /** Exactly what the cashier typed (a decimal string, never a float). */
  amount = $state('');
  label = $state('');
  tipChoice = $state<TipChoice>(null);
  customTip = $state('');
  #picked = $state<string | null>(null);

  quotes = $state<Record<string, Quote>>({});
  // The total the quotes are for: while a new total is being priced, the
  // old figures are not shown beside it.
  #quotedFor = $state<string | null>(null);
  quoteError = $state<AppError | null>(null);
  quoting = $state(false);
  // Answers can come back out of order; only the newest request may show.
  #quoteSeq = 0;

  charging = $state(false);
  chargeError = $state<AppError | null>(null);
  // The sale recorded by a charge whose order could not be placed: Retry
  // places this same sale again, so it can never become two charges.
  #pendingSaleId: number | null = null;

  /**
   * Call while a component initialises (or inside `$effect.root`): the quote
   * follows the total from then on, and stops when that owner is destroyed.
   */
  constructor(props: () => EntryProps) {
    this.#props = props;
    $effect(() => this.#followQuote());
  }

  get info(): AppInfo {
    return this.#props().info;
  }
  get coins(): Coin[] {
    return this.#props().coins;
  }
  get settings(): Settings | null {
    return this.#props().settings;
  }

  locale = $derived(this.settings?.locale ?? 'en-IE');
  decimalChar = $derived(separators(this.locale).decimal);
  decimals = $derived(this.info.fiatDecimals);
  tipsEnabled = $derived(this.settings?.tipsEnabled ?? false);

  /** With a single coin there is nothing to choose. */
  coin = $derived(this.#picked ?? (this.coins.length === 1 ? this.coins[0].symbol : null));

  /** The lines that would be charged now: those added, and the typed one if above zero. */
  allLines = $derived<EntryLine[]>(
    isChargeable(this.amount)
      ? [...this.lines, { label: this.label, amount: toDecimalString(this.amount) }]
      : this.lines,
  );
  subtotalMinor = $derived(
    this.allLines.reduce((sum, l) => sum + (toMinor(l.amount, this.decimals) ?? 0n), 0n),
  );
  /** The tip in minor units; -1 when the custom tip is not an amount. */
  tipMinor = $derived.by(() => {
    if (!this.tipsEnabled || this.tipChoice === null) return 0n;
    if (this.tipChoice === 'custom') {
      return toMinor(this.customTip.replace(',', '.'), this.decimals) ?? -1n;
    }
    return percentOf(this.subtotalMinor, this.tipChoice);
  });
  /** The tip to show and charge, or null for none. */
  tip = $derived(this.tipMinor > 0n ? fromMinor(this.tipMinor, this.decimals) : null);
  totalMinor = $derived(this.subtotalMinor + (this.tipMinor > 0n ? this.tipMinor : 0n));
  total = $derived(fromMinor(this.totalMinor, this.decimals));
  maxMinor = $derived(this.settings ? toMinor(this.settings.maxSaleAmount, this.decimals) : null);

  /** Why the entry cannot be charged, said inline; never sent to a gateway. */
  entryError = $derived.by(() => {
    if (this.tipMinor < 0n) {
      return t('entry.tipNotAmount', { decimals: this.decimals });
    }
    if (this.maxMinor !== null && this.totalMinor > this.maxMinor) {
      const max = this.fiat(fromMinor(this.maxMinor, this.decimals));
      return t('entry.overMax', { amount: this.fiat(this.total), max });
    }
    return null;
  });

  /** The quotes of the total on screen; none while it is being priced. */
  #current = $derived(this.#quotedFor === this.total ? this.quotes : {});
  /** The quote of the chosen coin, once it is in. */
  quote = $derived(this.coin !== null ? (this.#current[this.coin] ?? null) : null);
  /** Each coin's live amount, for the coin picker. */
  amounts = $derived(
    Object.fromEntries(Object.values(this.#current).map((q) => [q.coin, q.cryptoAmount])),
  );

  canAddLine = $derived(!this.charging && isChargeable(this.amount));
  canCharge = $derived(
    this.totalMinor > 0n && this.coin !== null && !this.charging && this.entryError === null,
  );

  /** The typed line as the locale writes it (its decimal key), no grouping. */
  shown = $derived(displayAmount(this.amount).replace('.', this.decimalChar));

  hint = $derived(
    this.totalMinor <= 0n
      ? t('entry.hintType')
      : this.coin === null
        ? t('entry.hintCoin')
        : t('entry.hintCharge', { amount: this.fiat(this.total), coin: this.coin }),
  );

  /** An amount in the till's currency, as the locale writes it. */
  fiat(amount: string): string {
    return fiat(amount, this.info.fiatCurrency, this.locale);
  }

  /** One key of the keypad or keyboard. */
  press(key: EntryKey) {
    if (this.charging) return;
    if (key.type === 'charge') {
      this.charge();
      return;
    }
    if (key.type === 'clear' && this.amount === '' && this.lines.length > 0) {
      // Esc on an empty line clears the whole sale.
      this.lines = [];
      this.tipChoice = null;
      this.#entryChanged();
      return;
    }
    const next = applyKey(this.amount, key, this.decimals);
    if (next !== this.amount) {
      this.amount = next;
      // The error was about the amount that was on screen; it no longer is.
      this.#entryChanged();
    }
  }

  /** `+`: the typed amount (and its label) becomes a line of the sale. */
  addLine() {
    if (!this.canAddLine) return;
    this.lines = [...this.lines, { label: this.label.trim(), amount: toDecimalString(this.amount) }];
    this.amount = '';
    this.label = '';
    this.#entryChanged();
  }

  removeLine(index: number) {
    if (this.charging) return;
    this.lines = this.lines.filter((_, i) => i !== index);
    this.#entryChanged();
  }

  selectCoin(symbol: string) {
    if (this.charging || this.coin === symbol) return;
    this.#picked = symbol;
    this.#entryChanged();
  }

  chooseTip(choice: TipChoice) {
    if (this.charging) return;
    this.tipChoice = choice;
    this.#entryChanged();
  }

  /** The Charge button and Enter: only when the entry can be charged. */
  charge() {
    if (!this.canCharge) return;
    void this.#runCharge();
  }

  /** Retry after a failed charge: places the sale already recorded, if any. */
  retry() {
    void this.#runCharge();
  }

  /**
   * A key pressed anywhere in the window. Returns whether the entry took it
   * (the caller then prevents the browser's default).
   */
  keydown(event: KeyboardEvent): boolean {
    if (event.defaultPrevented || event.isComposing) return false;
    // Leave shortcuts (copy, reload, zoom) to the webview.
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    // Typing a label or a custom tip is typing text, not the keypad.
    if (event.target instanceof HTMLInputElement) return false;
    if (event.key === '+') {
      this.addLine();
      return true;
    }
    const key = keyFromKeyboard(event.key);
    if (key === null) return false;
    // A button that has keyboard focus (Tab) keeps Enter for itself.
    if (key.type === 'charge' && event.target instanceof HTMLButtonElement) return false;
    this.press(key);
    return true;
  }

  /** The entry changed after a failed charge: that recorded sale is dropped. */
  #entryChanged() {
    this.chargeError = null;
    if (this.#pendingSaleId !== null) {
      const id = this.#pendingSaleId;
      this.#pendingSaleId = null;
      // Best effort: a sale the gateway never saw is voided, kept in the ledger.
      backend.voidSale(id).catch(() => {});
    }
  }

  async #runCharge() {
    const coin = this.coin;
    if (this.charging || coin === null) return;
    this.charging = true;
    this.chargeError = null;
    try {
      // One call from the keypad to the QR; Retry after a failure places
      // the sale that failure left recorded, never a second one.
      const payment =
        this.#pendingSaleId === null
          ? await backend.chargeSale({ lines: this.allLines, tip: this.tip ?? undefined, coin })
          : await backend.placeSale(this.#pendingSaleId);
      this.#pendingSaleId = null;
      this.#props().oncharged(payment);
    } catch (error) {
      const failed = error as AppError;
      if (failed.saleId !== undefined) this.#pendingSaleId = failed.saleId;
      this.chargeError = failed;
    } finally {
      this.charging = false;
    }
  }

  /** The effect body: asks for the quotes of the total once typing pauses. */
  #followQuote() {
    const typed = this.total;
    const chargeable = this.totalMinor > 0n && this.entryError === null;
    const seq = ++this.#quoteSeq;
    this.quoteError = null;
    if (!chargeable) {
      this.quotes = {};
      this.quoting = false;
      return;
    }
    this.quoting = true;
    const timer = setTimeout(async () => {
      try {
        const answer = await backend.quotes(typed);
        if (seq === this.#quoteSeq) {
          this.quotes = Object.fromEntries(answer.map((q) => [q.coin, q]));
          this.#quotedFor = typed;
        }
      } catch (error) {
        if (seq === this.#quoteSeq) {
          this.quotes = {};
          this.quoteError = error as AppError;
        }
      } finally {
        if (seq === this.#quoteSeq) this.quoting = false;
      }
    }, QUOTE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      this.#quoteSeq++;
    };
  }
}
