import { beforeEach, describe, expect, it, vi } from 'vitest';

const core = vi.hoisted(() => ({
  invoke: vi.fn(),
  isTauri: vi.fn(() => true),
  Channel: class<T> {
    onmessage: (message: T) => void = () => {};
  },
}));
vi.mock('@tauri-apps/api/core', () => core);

import * as backend from './backend';
// The page as the app serves it: its inline script asks the first answers.
import indexHtml from '../../index.html?raw';

beforeEach(() => {
  core.invoke.mockReset();
  core.isTauri.mockReturnValue(true);
});

describe('errors from commands', () => {
  it('passes an AppError from Rust through unchanged', async () => {
    core.invoke.mockRejectedValue({ kind: 'network', message: 'CoinGate did not answer.' });
    await expect(backend.placeSale(3)).rejects.toEqual({
      kind: 'network',
      message: 'CoinGate did not answer.',
    });
  });

  it("keeps the sale a failed charge recorded, so Retry places that one", async () => {
    const entry = { lines: [{ label: '', amount: '8' }], coin: 'BTC' };
    const failed = {
      kind: 'network',
      message: 'Counos has a problem on its side (HTTP 500).',
      said: { code: 'gateway_down', params: { gateway: 'Counos', status: '500' } },
      saleId: 7,
    };
    core.invoke.mockRejectedValue(failed);
    await expect(backend.chargeSale(entry)).rejects.toEqual(failed);
    // Anything else in that place is not a sale number.
    core.invoke.mockRejectedValue({ ...failed, saleId: '7' });
    await expect(backend.chargeSale(entry)).rejects.not.toHaveProperty('saleId');
  });

  it('turns a plain string into an internal error that keeps the text', async () => {
    core.invoke.mockRejectedValue('command place_sale not found');
    await expect(backend.placeSale(3)).rejects.toEqual({
      kind: 'internal',
      message: 'Something went wrong inside Cryptill: command place_sale not found',
      said: { code: 'window_failed', params: { detail: 'command place_sale not found' } },
    });
  });

  it('turns an Error into an internal error that keeps its message', async () => {
    core.invoke.mockRejectedValue(new Error('boom'));
    await expect(backend.appInfo()).rejects.toEqual({
      kind: 'internal',
      message: 'Something went wrong inside Cryptill: boom',
      said: { code: 'window_failed', params: { detail: 'boom' } },
    });
  });

  it('does not trust an object whose kind it does not know', async () => {
    core.invoke.mockRejectedValue({ kind: 'weird', message: 'odd' });
    await expect(backend.listCoins()).rejects.toMatchObject({
      kind: 'internal',
      message: 'Something went wrong inside Cryptill: odd',
    });
  });

  it('still gives a message for nothing at all', async () => {
    core.invoke.mockRejectedValue(undefined);
    const error = await backend.listCoins().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'internal', said: { code: 'window_failed_unknown' } });
    expect((error as { message: string }).message).toMatch(/restart the app/);
  });

  it('says so when the page runs outside the app', async () => {
    core.isTauri.mockReturnValue(false);
    core.invoke.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'invoke')"));
    await expect(backend.appInfo()).rejects.toMatchObject({
      kind: 'internal',
      message: expect.stringMatching(/outside the Cryptill app/),
      said: { code: 'window_outside_app' },
    });
  });
});

describe('commands', () => {
  it('sends the amount as the decimal string typed', async () => {
    core.invoke.mockResolvedValue([]);
    await backend.quotes('12.50');
    expect(core.invoke).toHaveBeenCalledWith('quotes', { amount: '12.50' });
  });

  it('sends arguments under the names Rust reads, even where TypeScript cannot use them', async () => {
    core.invoke.mockResolvedValue(undefined);
    await backend.changePin('1234', '5678');
    expect(core.invoke).toHaveBeenCalledWith('owner_change_pin', { current: '1234', new: '5678' });
  });

  it('watches a sale over a channel that feeds every update to the callback', async () => {
    core.invoke.mockResolvedValue(undefined);
    const updates: unknown[] = [];
    await backend.watchSale(7, (p) => updates.push(p));
    const [command, args] = core.invoke.mock.calls[0] as [string, { saleId: number; onUpdate: { onmessage: (p: unknown) => void } }];
    expect(command).toBe('watch_sale');
    expect(args.saleId).toBe(7);
    args.onUpdate.onmessage({ saleId: 7, state: 'paid' });
    expect(updates).toEqual([{ saleId: 7, state: 'paid' }]);
  });

  it('simulates a payment by sale id', async () => {
    core.invoke.mockResolvedValue(undefined);
    await backend.simulate(7, 'full');
    expect(core.invoke).toHaveBeenCalledWith('simulate', { saleId: 7, kind: 'full' });
  });

  it("settles a refund whose answer was lost as the owner's command reads it", async () => {
    core.invoke.mockResolvedValue({ id: 3, state: 'failed' });
    await backend.resolveRefund(3, false);
    expect(core.invoke).toHaveBeenCalledWith('owner_refund_resolve', { refundId: 3, sent: false, gatewayId: null });
    await backend.resolveRefund(4, true, 'w-17');
    expect(core.invoke).toHaveBeenLastCalledWith('owner_refund_resolve', { refundId: 4, sent: true, gatewayId: 'w-17' });
  });
});

describe("the first draw's answers, asked as the page starts", () => {
  it('go to the first caller of each; a later call (Retry) asks Rust again', async () => {
    let asked = 0;
    core.invoke.mockImplementation(async (command: string) => {
      asked += 1;
      return command === 'app_info' ? { shopName: `answer ${asked}` } : null;
    });
    const settled = backend.askFirstAnswers();
    expect(core.invoke.mock.calls.map(([command]) => command).sort()).toEqual([
      'app_info',
      'counter_settings',
      'list_coins',
      'shift_status',
    ]);
    await settled;
    const first = await backend.appInfo();
    expect(core.invoke).toHaveBeenCalledTimes(4);
    const again = await backend.appInfo();
    expect(core.invoke).toHaveBeenCalledTimes(5);
    expect(first).not.toEqual(again);
  });

  it("settle without the gateway's coins: the keypad is drawn before they come", async () => {
    let coinsAnswer!: (coins: unknown[]) => void;
    core.invoke.mockImplementation((command: string) =>
      command === 'list_coins' ? new Promise((resolve) => (coinsAnswer = resolve)) : Promise.resolve(null),
    );
    await backend.askFirstAnswers();
    const coins = backend.listCoins();
    coinsAnswer([{ symbol: 'BTC' }]);
    await expect(coins).resolves.toEqual([{ symbol: 'BTC' }]);
    expect(core.invoke.mock.calls.filter(([command]) => command === 'list_coins')).toHaveLength(1);
  });

  it("are the ones index.html's script asked for as the page was read, taken once", async () => {
    const asked: string[] = [];
    runIndexScript((command) => {
      asked.push(command);
      return command === 'counter_settings'
        ? Promise.reject({ kind: 'keyring', message: 'The system keyring is locked.' })
        : Promise.resolve({ from: 'the page', command });
    });
    expect(asked.sort()).toEqual(['app_info', 'counter_settings', 'list_coins', 'shift_status']);
    await backend.askFirstAnswers();
    expect(core.invoke).not.toHaveBeenCalled();
    await expect(backend.appInfo()).resolves.toEqual({ from: 'the page', command: 'app_info' });
    await expect(backend.listCoins()).resolves.toEqual({ from: 'the page', command: 'list_coins' });
    // A failure reaches its caller as the error the window shows.
    await expect(backend.counterSettings()).rejects.toEqual({
      kind: 'keyring',
      message: 'The system keyring is locked.',
    });
    // Retry asks Rust again, not the page's old answers.
    core.invoke.mockResolvedValue(null);
    await backend.askFirstAnswers();
    expect(core.invoke).toHaveBeenCalledTimes(4);
  });

  it("are not asked by index.html's script in the customer display", () => {
    const asked: string[] = [];
    window.location.hash = '#customer';
    try {
      runIndexScript((command) => {
        asked.push(command);
        return Promise.resolve(null);
      });
    } finally {
      window.location.hash = '';
    }
    expect(asked).toEqual([]);
  });

  it('keep a failure for the caller to show, as the error it would have had', async () => {
    core.invoke.mockRejectedValue({ kind: 'keyring', message: 'The system keyring is locked.' });
    await backend.askFirstAnswers(); // settles: nobody is left with an unhandled rejection
    await expect(backend.counterSettings()).rejects.toEqual({
      kind: 'keyring',
      message: 'The system keyring is locked.',
    });
  });
});

/** Runs index.html's inline script as the app's page does, with `invoke` as Tauri's. */
function runIndexScript(invoke: (command: string) => Promise<unknown>) {
  const script = /<script>([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
  if (!script) throw new Error('index.html has no inline script');
  const page = window as unknown as { __TAURI_INTERNALS__?: unknown };
  page.__TAURI_INTERNALS__ = { invoke };
  try {
    new Function(script)();
  } finally {
    delete page.__TAURI_INTERNALS__;
  }
}
