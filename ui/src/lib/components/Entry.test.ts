import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { coins, demoInfo, payment, quoteFor } from '../../test/fixtures';
import type { Payment } from '../bindings/Payment';
import Entry from './Entry.svelte';

const backend = vi.hoisted(() => ({
  quotes: vi.fn(),
  startSale: vi.fn(),
  placeSale: vi.fn(),
  voidSale: vi.fn(),
}));
vi.mock('../backend', () => backend);

const created = payment();

beforeEach(() => {
  backend.quotes
    .mockReset()
    .mockImplementation(async (a: string) => [quoteFor(a, 'BTC'), quoteFor(a, 'USDT')]);
  // The sale is recorded first (startSale), then its order placed.
  backend.startSale.mockReset().mockResolvedValue({ ...created, state: 'creating' });
  backend.placeSale.mockReset().mockResolvedValue(created);
  backend.voidSale.mockReset().mockResolvedValue({ ...created, state: 'canceled' });
});

function setup(info = demoInfo) {
  const oncharged = vi.fn<(p: Payment) => void>();
  render(Entry, { info, coins, oncharged });
  return { oncharged, amount: () => screen.getByTestId('amount').textContent };
}

async function keys(...names: string[]) {
  for (const key of names) await fireEvent.keyDown(window, { key });
}

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
    expect(backend.startSale).toHaveBeenCalledWith({
      lines: [{ label: '', amount: '12.50' }],
      tip: undefined,
      coin: 'BTC',
    });
    expect(backend.placeSale).toHaveBeenCalledWith(created.saleId);
  });

  it('Enter does nothing until a coin is chosen', async () => {
    setup();
    await keys('5', 'Enter');
    expect(backend.startSale).not.toHaveBeenCalled();
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
    backend.placeSale.mockRejectedValueOnce({
      kind: 'gateway',
      message: 'CoinGate is down. Try again in a minute.',
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
    expect(backend.startSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenNthCalledWith(2, created.saleId);
  });

  it('disables charge while charging so one sale is not created twice', async () => {
    let resolve!: (p: Payment) => void;
    backend.placeSale.mockReturnValue(new Promise<Payment>((r) => (resolve = r)));
    setup();
    await fireEvent.click(screen.getByTestId('coin-BTC'));
    await keys('5', 'Enter', 'Enter');
    const charge = screen.getByTestId('charge') as HTMLButtonElement;
    await waitFor(() => expect(charge.disabled).toBe(true));
    expect(backend.startSale).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenCalledTimes(1);
    resolve(created);
  });
});
