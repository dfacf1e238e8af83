import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { answerCheckout, coins, demoInfo, payment, quoteFor, settings } from '../../test/fixtures';
import type { Settings } from '../bindings/Settings';
import type { Payment } from '../bindings/Payment';
import Entry from './Entry.svelte';

const backend = await vi.hoisted(async () => (await import('../../test/fixtures')).checkoutCalls());
vi.mock('../backend', () => backend);

const created = payment();

beforeEach(() => {
  answerCheckout(backend, created);
});

function setup(info = demoInfo) {
  const oncharged = vi.fn<(p: Payment) => void>();
  render(Entry, { info, coins, oncharged });
  return { oncharged, amount: () => screen.getByTestId('amount').textContent };
}

async function keys(...names: string[]) {
  for (const key of names) await fireEvent.keyDown(window, { key });
}

describe('start-up', () => {
  it('tells Rust once the keypad is drawn and takes keys', () => {
    backend.keypadReady.mockClear();
    setup();
    expect(backend.keypadReady).toHaveBeenCalledTimes(1);
  });

  it('takes keys while the coins are on their way, saying they are loading, not that there are none', async () => {
    backend.keypadReady.mockClear();
    render(Entry, { info: demoInfo, coins: [], coinsLoading: true, oncharged: vi.fn() });
    expect(backend.keypadReady).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('coins-loading')).toBeTruthy();
    expect(screen.queryByTestId('no-coins')).toBeNull();
    await keys('1', '2');
    expect(screen.getByTestId('amount').textContent).toBe('12');
  });

  it('shows why the coins could not be had, with Retry, beside a working keypad', async () => {
    const onretrycoins = vi.fn();
    render(Entry, {
      info: demoInfo,
      coins: [],
      coinsError: { kind: 'network', message: 'No network.' },
      onretrycoins,
      oncharged: vi.fn(),
    });
    expect(screen.getByTestId('coins-error').textContent).toContain('No network.');
    await fireEvent.click(screen.getByTestId('coins-retry'));
    expect(onretrycoins).toHaveBeenCalledTimes(1);
    await keys('5');
    expect(screen.getByTestId('amount').textContent).toBe('5');
  });
});

describe('typing on the physical keyboard', () => {
  it('shows 0 before anything is typed', () => {
    const { amount } = setup();
    expect(amount()).toBe('0');
    expect(screen.getByTestId('currency').textContent).toBe('EUR');
  });

  it('shows exactly the typed amount, comma read as the separator', async () => {
    const { amount } = setup();
    await keys('1', '2', ',', '5', '0');
    expect(amount()).toBe('12.50');
  });

  it('ignores a third decimal and a second separator', async () => {
    const { amount } = setup();
    await keys('1', '.', '2', '5', '9', '.');
    expect(amount()).toBe('1.25');
  });

  it('Backspace removes a digit and Escape clears', async () => {
    const { amount } = setup();
    await keys('4', '2');
    await keys('Backspace');
    expect(amount()).toBe('4');
    await keys('7', 'Escape');
    expect(amount()).toBe('0');
  });

  it('leaves Ctrl shortcuts alone', async () => {
    const { amount } = setup();
    await fireEvent.keyDown(window, { key: '5', ctrlKey: true });
    expect(amount()).toBe('0');
  });

  it('Enter charges the typed amount with the chosen coin', async () => {
    const { oncharged } = setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('1', '2', '.', '5', '0', 'Enter');
    await waitFor(() => expect(oncharged).toHaveBeenCalledWith(created));
    expect(backend.chargeSale).toHaveBeenCalledWith({
      lines: [{ label: '', amount: '12.50' }],
      tip: undefined,
      coin: 'BTC',
    });
    expect(backend.placeSale).not.toHaveBeenCalled();
  });

  it('Enter does nothing until a coin is chosen', async () => {
    setup();
    await keys('5', 'Enter');
    expect(backend.chargeSale).not.toHaveBeenCalled();
  });
});

describe('the on-screen keypad', () => {
  it('types, deletes and clears', async () => {
    const { amount } = setup();
    for (const id of ['key-0', 'key-5', 'key-dot', 'key-2']) {
      await fireEvent.click(screen.getByTestId(id));
    }
    expect(amount()).toBe('5.2');
    await fireEvent.click(screen.getByTestId('key-back'));
    expect(amount()).toBe('5.');
    await fireEvent.click(screen.getByTestId('key-clear'));
    expect(amount()).toBe('0');
  });

  it('starts with "0." when the separator comes first', async () => {
    const { amount } = setup();
    await fireEvent.click(screen.getByTestId('key-dot'));
    expect(amount()).toBe('0.');
  });
});

describe('coin, quote and charge', () => {
  it('marks the chosen coin', async () => {
    setup();
    await fireEvent.click(screen.getByTestId('coin-USDT'));
    expect(screen.getByTestId('coin-USDT').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('coin-BTC').getAttribute('aria-pressed')).toBe('false');
  });

  it('keeps charge disabled until the amount is above zero and a coin is chosen', async () => {
    setup();
    const charge = screen.getByTestId('charge') as HTMLButtonElement;
    expect(charge.disabled).toBe(true);
    await keys('0', '.', '0');
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    expect(charge.disabled).toBe(true);
    await keys('5');
    expect(charge.disabled).toBe(false);
  });

  it('shows the quote for the latest amount only once typing pauses', async () => {
    setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('1', '2', '.', '5');
    await waitFor(() =>
      expect(screen.getByTestId('crypto-amount').textContent).toBe('0.00021552 BTC'),
    );
    expect(backend.quotes).toHaveBeenCalledTimes(1);
    expect(backend.quotes).toHaveBeenCalledWith('12.50');
  });

  it('shows a quote error inline and still lets the cashier charge', async () => {
    backend.quotes.mockRejectedValue({ kind: 'network', message: 'No internet.' });
    setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('3');
    await waitFor(() => expect(screen.getByTestId('quote-error').textContent).toMatch(/No internet/));
    expect((screen.getByTestId('charge') as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows a charge error and retries the same recorded sale, never a second one', async () => {
    backend.chargeSale.mockRejectedValueOnce({
      kind: 'gateway',
      message: 'CoinGate is down. Try again in a minute.',
      saleId: created.saleId,
    });
    const { oncharged } = setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('9', '.', '9', '9');
    await fireEvent.click(screen.getByTestId('charge'));
    await waitFor(() =>
      expect(screen.getByTestId('error').textContent).toBe('CoinGate is down. Try again in a minute.'),
    );
    await fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(oncharged).toHaveBeenCalled());
    expect(backend.chargeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenCalledWith(created.saleId);
  });

  it('disables charge while charging so one sale is not created twice', async () => {
    let resolve!: (p: Payment) => void;
    backend.chargeSale.mockReturnValue(new Promise<Payment>((r) => (resolve = r)));
    setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('5', 'Enter', 'Enter');
    const charge = screen.getByTestId('charge') as HTMLButtonElement;
    await waitFor(() => expect(charge.disabled).toBe(true));
    expect(backend.chargeSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).not.toHaveBeenCalled();
    resolve(created);
  });
});

describe('lines, tip, maximum and locale', () => {
  function setupWith(extra: Partial<Settings>) {
    const oncharged = vi.fn<(p: Payment) => void>();
    render(Entry, { info: demoInfo, coins, settings: { ...settings, ...extra }, oncharged });
    return oncharged;
  }

  it('+ adds a labelled line, and the lines and a preset tip make the total', async () => {
    const oncharged = setupWith({ tipsEnabled: true });
    await fireEvent.input(screen.getByTestId('line-label'), { target: { value: 'Coffee' } });
    await keys('3', '.', '5', '0', '+', '4');
    expect(screen.getByTestId('line-0').textContent).toMatch('Coffee');
    await fireEvent.click(screen.getByTestId('tip-10'));
    // 3.50 + 4 = 7.50; 10 % is 0.75 (exact, no floats).
    expect(screen.getByTestId('tip-amount').textContent).toBe('Tip 0.75 EUR');
    expect(screen.getByTestId('total').textContent).toBe('Total 8.25 EUR');
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await fireEvent.click(screen.getByTestId('charge'));
    await waitFor(() => expect(oncharged).toHaveBeenCalled());
    expect(backend.chargeSale).toHaveBeenCalledWith({
      lines: [
        { label: 'Coffee', amount: '3.50' },
        { label: '', amount: '4' },
      ],
      tip: '0.75',
      coin: 'BTC',
    });
  });

  it('no tip buttons unless tips are switched on', () => {
    setupWith({ tipsEnabled: false });
    expect(screen.queryByTestId('tips')).toBeNull();
  });

  it('refuses an amount above the maximum inline, before any call', async () => {
    setupWith({ maxSaleAmount: '100' });
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('1', '0', '1', 'Enter');
    expect(screen.getByTestId('entry-error').textContent).toMatch('more than this till takes');
    expect((screen.getByTestId('charge') as HTMLButtonElement).disabled).toBe(true);
    expect(backend.chargeSale).not.toHaveBeenCalled();
    expect(backend.quotes).not.toHaveBeenCalled();
  });

  it("shows the locale's decimal key and each coin's live amount", async () => {
    setupWith({ locale: 'de-DE' });
    await keys('1', '2', '.', '5');
    expect(screen.getByTestId('amount').textContent).toBe('12,5');
    await waitFor(() =>
      expect(screen.getByTestId('coin-amount-USDT').textContent).toBe('≈ 0.00021552 USDT'),
    );
  });

  it('shows the last rate with a warning when the feed fails', async () => {
    backend.quotes.mockResolvedValue([
      { ...quoteFor('5.00', 'BTC'), ageSeconds: 180, warning: 'The rate could not be updated.' },
    ]);
    setupWith({});
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('5');
    await waitFor(() =>
      expect(screen.getByTestId('quote-warning').textContent).toMatch('3 min old'),
    );
    expect((screen.getByTestId('charge') as HTMLButtonElement).disabled).toBe(false);
  });
});
