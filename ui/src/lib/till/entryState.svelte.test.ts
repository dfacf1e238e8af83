// The entry's states and transitions without a screen: the class runs under
// its own effect root, the clock is Vitest's, the backend calls are mocks.
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerCheckout, coins, demoInfo, payment, quoteFor, settings } from '../../test/fixtures';
import type { Payment } from '../bindings/Payment';
import type { Quote } from '../bindings/Quote';
import { EntryState, QUOTE_DEBOUNCE_MS, type EntryProps } from './entryState.svelte';
import { keyFromKeyboard } from './keys';

// A runes file compiles `await`, which vi.hoisted cannot hold: the mocks come as a promise.
const mocked = vi.hoisted(() => import('../../test/fixtures').then((f) => f.checkoutCalls()));
vi.mock('../backend', () => mocked);
const backend = await mocked;

const created = payment();
const stops: (() => void)[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  answerCheckout(backend, created);
});

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.useRealTimers();
});

/** An entry as the screen makes it, with props that a test may change. */
function setup(extra: Partial<EntryProps> = {}) {
  const oncharged = vi.fn<(p: Payment) => void>();
  const props = $state<EntryProps>({ info: demoInfo, coins, settings, oncharged, ...extra });
  let entry!: EntryState;
  stops.push($effect.root(() => void (entry = new EntryState(() => props))));
  flushSync();
  return { entry, props, oncharged };
}

/** Types key by key: a digit or separator, "+" adds a line, E is Enter, X is Escape. */
function type(entry: EntryState, keys: string) {
  for (const ch of keys) {
    if (ch === '+') entry.addLine();
    else entry.press(keyFromKeyboard(ch === 'E' ? 'Enter' : ch === 'X' ? 'Escape' : ch)!);
    flushSync();
  }
}

/** Lets the debounce run out and the answers (already settled mocks) arrive. */
async function settle() {
  await vi.advanceTimersByTimeAsync(QUOTE_DEBOUNCE_MS);
  flushSync();
}

describe('typing', () => {
  it('starts empty: 0 shown, nothing to charge, asked for the amount', () => {
    const { entry } = setup();
    expect(entry.shown).toBe('0');
    expect(entry.totalMinor).toBe(0n);
    expect(entry.canCharge).toBe(false);
    expect(entry.hint).toBe('Type the amount');
  });

  it("shows the typed amount with the locale's decimal key", () => {
    const { entry } = setup({ settings: { ...settings, locale: 'de-DE' } });
    type(entry, '12.5');
    expect(entry.amount).toBe('12.5');
    expect(entry.shown).toBe('12,5');
    expect(entry.total).toBe('12.50');
  });

  it('asks for a coin once there is an amount, and says what Charge does once there is one', () => {
    const { entry } = setup();
    type(entry, '12.50');
    expect(entry.hint).toBe('Choose a coin');
    entry.selectCoin('BTC');
    expect(entry.hint).toBe('Charge 12.50 EUR in BTC');
    expect(entry.canCharge).toBe(true);
  });

  it('chooses the coin itself when only one is offered', () => {
    const { entry } = setup({ coins: [coins[0]] });
    expect(entry.coin).toBe('BTC');
  });

  it('Escape on an empty line clears the whole sale, lines and tip', () => {
    const { entry } = setup({ settings: { ...settings, tipsEnabled: true } });
    type(entry, '3+4');
    entry.chooseTip(10);
    type(entry, 'X');
    expect(entry.amount).toBe('');
    expect(entry.lines).toHaveLength(1);
    type(entry, 'X');
    expect(entry.lines).toEqual([]);
    expect(entry.tipChoice).toBeNull();
    expect(entry.totalMinor).toBe(0n);
  });
});

describe('lines', () => {
  it('+ turns the typed amount and its trimmed label into a line, and starts the next', () => {
    const { entry } = setup();
    entry.label = '  Coffee ';
    type(entry, '3.50+');
    expect(entry.lines).toEqual([{ label: 'Coffee', amount: '3.50' }]);
    expect(entry.amount).toBe('');
    expect(entry.label).toBe('');
    type(entry, '4.');
    // "4." is charged as "4": the typed line counts before it is added.
    expect(entry.allLines).toEqual([
      { label: 'Coffee', amount: '3.50' },
      { label: '', amount: '4' },
    ]);
    expect(entry.total).toBe('7.50');
  });

  it('adds no line for nothing or zero', () => {
    const { entry } = setup();
    type(entry, '+0.0+');
    expect(entry.lines).toEqual([]);
    expect(entry.canAddLine).toBe(false);
  });

  it('removes the chosen line', () => {
    const { entry } = setup();
    type(entry, '1+2+3+');
    entry.removeLine(1);
    expect(entry.lines.map((l) => l.amount)).toEqual(['1', '3']);
    expect(entry.total).toBe('4.00');
  });
});

describe('tip and maximum', () => {
  const tips = { ...settings, tipsEnabled: true };

  it('a preset tip is that percent of the lines, exact', () => {
    const { entry } = setup({ settings: tips });
    type(entry, '3.50+4');
    entry.chooseTip(10);
    expect(entry.tip).toBe('0.75');
    expect(entry.total).toBe('8.25');
  });

  it('a custom tip takes a comma, and a tip that is not an amount blocks the charge', () => {
    const { entry } = setup({ settings: tips });
    type(entry, '10');
    entry.selectCoin('BTC');
    entry.chooseTip('custom');
    entry.customTip = '1,5';
    expect(entry.tip).toBe('1.50');
    expect(entry.total).toBe('11.50');
    entry.customTip = '1.555';
    expect(entry.tip).toBeNull();
    expect(entry.entryError).toMatch('The tip is not an amount');
    expect(entry.canCharge).toBe(false);
  });

  it('no tip counts while tips are switched off', () => {
    const { entry } = setup();
    type(entry, '10');
    entry.chooseTip(10);
    expect(entry.tip).toBeNull();
    expect(entry.total).toBe('10.00');
  });

  it('refuses a total above the maximum, and asks no price for it', async () => {
    const { entry } = setup({ settings: { ...settings, maxSaleAmount: '100' } });
    type(entry, '101');
    entry.selectCoin('BTC');
    expect(entry.entryError).toBe(
      '101.00 EUR is more than this till takes in one sale (100.00 EUR). Check the amount.',
    );
    expect(entry.canCharge).toBe(false);
    await settle();
    expect(backend.quotes).not.toHaveBeenCalled();
  });

  it('follows settings that change while the entry is open', () => {
    const { entry, props } = setup();
    type(entry, '101');
    expect(entry.entryError).toBeNull();
    props.settings = { ...settings, maxSaleAmount: '100' };
    flushSync();
    expect(entry.entryError).toMatch('more than this till takes');
  });
});

describe('quote', () => {
  it('asks once typing pauses, for the latest total only', async () => {
    const { entry } = setup();
    entry.selectCoin('BTC');
    type(entry, '12.5');
    expect(entry.quoting).toBe(true);
    expect(backend.quotes).not.toHaveBeenCalled();
    await settle();
    expect(backend.quotes).toHaveBeenCalledTimes(1);
    expect(backend.quotes).toHaveBeenCalledWith('12.50');
    expect(entry.quoting).toBe(false);
    expect(entry.quote?.coin).toBe('BTC');
    expect(entry.amounts).toEqual({ BTC: '0.00021552', USDT: '0.00021552' });
  });

  it('shows no quote until a coin is chosen, then that coin’s', async () => {
    const { entry } = setup();
    type(entry, '5');
    await settle();
    expect(entry.quote).toBeNull();
    entry.selectCoin('USDT');
    expect(entry.quote?.coin).toBe('USDT');
  });

  it('drops an answer that a newer amount has overtaken', async () => {
    let answerOld!: (q: Quote[]) => void;
    backend.quotes.mockImplementationOnce(() => new Promise((r) => (answerOld = r)));
    const { entry } = setup();
    type(entry, '1');
    await settle();
    type(entry, '2');
    await settle();
    answerOld([{ ...quoteFor('1.00', 'BTC'), cryptoAmount: 'OLD' }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(entry.amounts.BTC).toBe('0.00021552');
    expect(backend.quotes).toHaveBeenLastCalledWith('12.00');
  });

  it('shows no figure of an earlier total while the new one is priced', async () => {
    const { entry } = setup();
    entry.selectCoin('BTC');
    type(entry, '12');
    await settle();
    expect(entry.quote?.coin).toBe('BTC');
    type(entry, '.5');
    // 12.50 is being priced: the quote of 12.00 is not shown beside it.
    expect(entry.quoting).toBe(true);
    expect(entry.quote).toBeNull();
    expect(entry.amounts).toEqual({});
    await settle();
    expect(backend.quotes).toHaveBeenLastCalledWith('12.50');
    expect(entry.quote?.coin).toBe('BTC');
  });

  it('keeps the error of a failed quote and still lets the cashier charge', async () => {
    backend.quotes.mockRejectedValue({ kind: 'network', message: 'No internet.' });
    const { entry } = setup();
    entry.selectCoin('BTC');
    type(entry, '3');
    await settle();
    expect(entry.quoteError?.message).toBe('No internet.');
    expect(entry.quotes).toEqual({});
    expect(entry.canCharge).toBe(true);
  });

  it('forgets the quotes when the amount goes back to zero', async () => {
    const { entry } = setup();
    type(entry, '3');
    await settle();
    expect(Object.keys(entry.quotes)).toHaveLength(2);
    type(entry, 'X');
    expect(entry.quotes).toEqual({});
    expect(entry.quoting).toBe(false);
  });
});

describe('charge', () => {
  it('charges in one call and hands the payment on', async () => {
    const { entry, oncharged } = setup();
    entry.selectCoin('BTC');
    type(entry, '12.50E');
    expect(entry.charging).toBe(true);
    await vi.runAllTimersAsync();
    expect(backend.chargeSale).toHaveBeenCalledWith({
      lines: [{ label: '', amount: '12.50' }],
      tip: undefined,
      coin: 'BTC',
    });
    expect(backend.chargeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).not.toHaveBeenCalled();
    expect(oncharged).toHaveBeenCalledWith(created);
    expect(entry.charging).toBe(false);
  });

  it('sends the tip with the lines', async () => {
    const { entry } = setup({ settings: { ...settings, tipsEnabled: true } });
    entry.selectCoin('BTC');
    type(entry, '20');
    entry.chooseTip(5);
    entry.charge();
    await vi.runAllTimersAsync();
    expect(backend.chargeSale).toHaveBeenCalledWith({
      lines: [{ label: '', amount: '20' }],
      tip: '1.00',
      coin: 'BTC',
    });
  });

  it('does nothing without a coin or an amount', async () => {
    const { entry } = setup();
    type(entry, '5E');
    entry.selectCoin('BTC');
    type(entry, 'XE');
    await vi.runAllTimersAsync();
    expect(backend.chargeSale).not.toHaveBeenCalled();
  });

  it('ignores keys, clicks and a second charge while charging', async () => {
    let place!: (p: Payment) => void;
    backend.chargeSale.mockReturnValue(new Promise<Payment>((r) => (place = r)));
    const { entry, oncharged } = setup();
    entry.selectCoin('BTC');
    type(entry, '5E');
    await vi.advanceTimersByTimeAsync(0);
    type(entry, '9EX');
    entry.selectCoin('USDT');
    entry.charge();
    expect(entry.amount).toBe('5');
    expect(entry.coin).toBe('BTC');
    expect(entry.canCharge).toBe(false);
    expect(backend.chargeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).not.toHaveBeenCalled();
    place(created);
    await vi.advanceTimersByTimeAsync(0);
    expect(oncharged).toHaveBeenCalledTimes(1);
  });

  it('keeps a failed charge’s error, and Retry places the same recorded sale', async () => {
    backend.chargeSale.mockRejectedValueOnce({
      kind: 'gateway',
      message: 'CoinGate is down.',
      saleId: created.saleId,
    });
    const { entry, oncharged } = setup();
    entry.selectCoin('BTC');
    type(entry, '9.99E');
    await vi.runAllTimersAsync();
    expect(entry.chargeError?.message).toBe('CoinGate is down.');
    expect(oncharged).not.toHaveBeenCalled();
    entry.retry();
    await vi.runAllTimersAsync();
    expect(entry.chargeError).toBeNull();
    expect(oncharged).toHaveBeenCalledWith(created);
    expect(backend.chargeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenCalledWith(created.saleId);
    expect(backend.voidSale).not.toHaveBeenCalled();
  });

  it('charges again on Retry when the failure recorded no sale', async () => {
    backend.chargeSale.mockRejectedValueOnce({
      kind: 'input',
      message: 'Open a shift first.',
    });
    const { entry, oncharged } = setup();
    entry.selectCoin('BTC');
    type(entry, '9.99E');
    await vi.runAllTimersAsync();
    expect(entry.chargeError?.message).toBe('Open a shift first.');
    entry.retry();
    await vi.runAllTimersAsync();
    expect(oncharged).toHaveBeenCalledWith(created);
    expect(backend.chargeSale).toHaveBeenCalledTimes(2);
    expect(backend.placeSale).not.toHaveBeenCalled();
  });

  it('voids the recorded sale when the entry changes after a failed charge, and records a new one', async () => {
    backend.chargeSale.mockRejectedValueOnce({
      kind: 'network',
      message: 'No connection.',
      saleId: created.saleId,
    });
    const { entry } = setup();
    entry.selectCoin('BTC');
    type(entry, '9E');
    await vi.runAllTimersAsync();
    expect(entry.chargeError).not.toBeNull();
    type(entry, '5');
    expect(entry.chargeError).toBeNull();
    expect(backend.voidSale).toHaveBeenCalledWith(created.saleId);
    type(entry, 'E');
    await vi.runAllTimersAsync();
    expect(backend.chargeSale).toHaveBeenCalledTimes(2);
    expect(backend.placeSale).not.toHaveBeenCalled();
    expect(backend.chargeSale).toHaveBeenLastCalledWith({
      lines: [{ label: '', amount: '95' }],
      tip: undefined,
      coin: 'BTC',
    });
  });
});

describe('keyboard', () => {
  function key(init: KeyboardEventInit, target: EventTarget = document.body) {
    const event = new KeyboardEvent('keydown', init);
    Object.defineProperty(event, 'target', { value: target });
    return event;
  }

  it('takes digits, the separator and +, and says it took them', () => {
    const { entry } = setup();
    expect(entry.keydown(key({ key: '7' }))).toBe(true);
    expect(entry.keydown(key({ key: ',' }))).toBe(true);
    expect(entry.keydown(key({ key: '5' }))).toBe(true);
    expect(entry.keydown(key({ key: '+' }))).toBe(true);
    expect(entry.lines).toEqual([{ label: '', amount: '7.5' }]);
  });

  it('leaves shortcuts, other keys and typing in a text field alone', () => {
    const { entry } = setup();
    expect(entry.keydown(key({ key: '5', ctrlKey: true }))).toBe(false);
    expect(entry.keydown(key({ key: 'a' }))).toBe(false);
    expect(entry.keydown(key({ key: '5' }, document.createElement('input')))).toBe(false);
    expect(entry.amount).toBe('');
  });

  it('leaves Enter to a button that has the focus', () => {
    const { entry } = setup();
    entry.selectCoin('BTC');
    type(entry, '5');
    expect(entry.keydown(key({ key: 'Enter' }, document.createElement('button')))).toBe(false);
    expect(entry.charging).toBe(false);
  });
});
