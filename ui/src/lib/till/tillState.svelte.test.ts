// The till window's states without a screen: the class runs under its own
// effect root, the backend calls and the beep are mocks.
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coins, demoInfo, payment, settings } from '../../test/fixtures';
import type { Payment } from '../bindings/Payment';
import type { PrintOutcome } from '../bindings/PrintOutcome';
import type { SaleUpdate } from '../bindings/SaleUpdate';
import { afterNextPaint } from '../shared/paint';
import { TillState } from './tillState.svelte';

// A runes file compiles `await`, which vi.hoisted cannot hold: the mocks come as a promise.
const mocked = vi.hoisted(() =>
  import('../../test/fixtures').then((f) =>
    f.mockCalls(
      'appInfo',
      'listCoins',
      'counterSettings',
      'resumedSales',
      'watchSale',
      'salePayment',
      'openCustomerDisplay',
      'showOnCustomerDisplay',
      'onSaleUpdated',
      'onSecondLaunch',
      'printerConfigured',
      'printReceipt',
      'onReceiptPrint',
    ),
  ),
);
vi.mock('../backend', () => mocked);
const backend = await mocked;
const sound = vi.hoisted(() => ({ beepPaid: vi.fn() }));
vi.mock('../shared/sound', () => sound);

const created = payment();
const stops: (() => void)[] = [];
let pushWatch: (p: Payment) => void;
let pushSaleUpdate: (u: SaleUpdate) => void;
let secondLaunch: () => void;
let pushPrint: (o: PrintOutcome) => void;

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
  sound.beepPaid.mockReset();
  backend.appInfo.mockResolvedValue(demoInfo);
  backend.listCoins.mockResolvedValue(coins);
  backend.counterSettings.mockResolvedValue(settings);
  backend.resumedSales.mockResolvedValue([]);
  backend.showOnCustomerDisplay.mockResolvedValue(undefined);
  backend.openCustomerDisplay.mockResolvedValue(undefined);
  backend.watchSale.mockImplementation(async (_id: number, onUpdate: (p: Payment) => void) => {
    pushWatch = onUpdate;
  });
  backend.onSaleUpdated.mockImplementation(async (handler: (u: SaleUpdate) => void) => {
    pushSaleUpdate = handler;
    return () => {};
  });
  backend.onSecondLaunch.mockImplementation(async (handler: () => void) => {
    secondLaunch = handler;
    return () => {};
  });
  backend.printerConfigured.mockResolvedValue(false);
  backend.onReceiptPrint.mockImplementation(async (handler: (o: PrintOutcome) => void) => {
    pushPrint = handler;
    return () => {};
  });
});

afterEach(async () => {
  // What a test's till left waiting for the first paint runs with its own mocks.
  await new Promise<void>((r) => afterNextPaint(r));
  await new Promise((r) => setTimeout(r, 0));
  for (const stop of stops.splice(0)) stop();
});

/** Lets the mocked calls answer and the effects run. */
async function answered() {
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
  // What waits for the first paint (the coins' draw, the printer, the resumed sales).
  await new Promise<void>((r) => afterNextPaint(r));
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
}

/** A till as the window makes it, started. */
async function started() {
  let till!: TillState;
  stops.push($effect.root(() => void (till = new TillState())));
  flushSync();
  await answered();
  return till;
}

describe('starting', () => {
  it('loads the shop, coins and settings, then the sales resumed after a restart', async () => {
    const open = payment({ saleId: 9 });
    backend.resumedSales.mockResolvedValue([open]);
    const till = await started();
    expect(till.info).toEqual(demoInfo);
    expect(till.coins).toEqual(coins);
    expect(till.locale).toBe('en-IE');
    expect(till.loading).toBe(false);
    expect(till.resumed).toEqual([open]);
    expect(till.screen).toBe('till');
  });

  it('keeps a failed start’s error, and starts on Retry', async () => {
    backend.appInfo.mockRejectedValueOnce({ kind: 'keyring', message: 'Ask the owner.' });
    const till = await started();
    expect(till.info).toBeNull();
    expect(till.loadError?.message).toBe('Ask the owner.');
    await till.load();
    expect(till.loadError).toBeNull();
    expect(till.info).toEqual(demoInfo);
  });
});

describe('the first paint', () => {
  it('has the keypad’s answers before it, and the coins’ draw, the printer and the resumed sales after it', async () => {
    const shiftAsked = vi.fn(async () => {});
    let till!: TillState;
    stops.push($effect.root(() => void (till = new TillState(shiftAsked))));
    // Asked at once, beside the till's own answers.
    expect(backend.appInfo).toHaveBeenCalledTimes(1);
    expect(backend.counterSettings).toHaveBeenCalledTimes(1);
    expect(backend.listCoins).toHaveBeenCalledTimes(1);
    expect(shiftAsked).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(till.info).toEqual(demoInfo);
    expect(till.coins).toEqual([]);
    expect(till.coinsLoading).toBe(true);
    expect(backend.printerConfigured).not.toHaveBeenCalled();
    expect(backend.resumedSales).not.toHaveBeenCalled();
    await new Promise<void>((r) => afterNextPaint(r));
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(till.coins).toEqual(coins);
    expect(backend.printerConfigured).toHaveBeenCalledTimes(1);
    expect(backend.resumedSales).toHaveBeenCalledTimes(1);
  });

  it('asks again for what the first draw needs on Retry', async () => {
    backend.appInfo.mockRejectedValueOnce({ kind: 'keyring', message: 'Ask the owner.' });
    const shiftAsked = vi.fn(async () => {});
    let till!: TillState;
    stops.push($effect.root(() => void (till = new TillState(shiftAsked))));
    await answered();
    expect(till.info).toBeNull();
    await till.load();
    expect(till.info).toEqual(demoInfo);
    expect(shiftAsked).toHaveBeenCalledTimes(2);
  });
});

describe('starting before the gateway answers', () => {
  it('has the shop and settings (the keypad) while the coins are still on their way, then fills them in', async () => {
    let answer!: (c: typeof coins) => void;
    backend.listCoins.mockReturnValue(new Promise((r) => (answer = r)));
    const till = await started();
    expect(till.info).toEqual(demoInfo);
    expect(till.loading).toBe(false);
    expect(till.coins).toEqual([]);
    expect(till.coinsLoading).toBe(true);
    answer(coins);
    await answered();
    expect(till.coins).toEqual(coins);
    expect(till.coinsLoading).toBe(false);
  });

  it('keeps the keypad when the gateway cannot list its coins, and asks again on Retry', async () => {
    backend.listCoins.mockRejectedValueOnce({ kind: 'network', message: 'No network.' });
    const till = await started();
    expect(till.info).toEqual(demoInfo);
    expect(till.loadError).toBeNull();
    expect(till.coinsError?.message).toBe('No network.');
    await till.loadCoins();
    expect(till.coinsError).toBeNull();
    expect(till.coins).toEqual(coins);
  });
});

describe('the sale on the counter', () => {
  it('is followed live once charged, and taken off the resumed list', async () => {
    backend.resumedSales.mockResolvedValue([created]);
    const till = await started();
    till.charged(created);
    expect(backend.watchSale).toHaveBeenCalledWith(created.saleId, expect.any(Function));
    expect(till.resumed).toEqual([]);
    pushWatch({ ...created, state: 'confirming' });
    expect(till.payment?.state).toBe('confirming');
  });

  it('ignores the live updates of a sale the cashier has left', async () => {
    const till = await started();
    till.charged(created);
    const fromOldSale = pushWatch;
    till.newSale();
    till.charged(payment({ saleId: 42 }));
    fromOldSale({ ...created, state: 'expired' });
    expect(till.payment?.saleId).toBe(42);
    expect(till.payment?.state).toBe('awaiting');
  });

  it('says when the live updates stop, unless the sale is over, and reconnects', async () => {
    backend.watchSale.mockRejectedValueOnce({ kind: 'network', message: 'Lost the gateway.' });
    const till = await started();
    till.charged(created);
    await answered();
    expect(till.watchError?.message).toBe('Lost the gateway.');
    till.retryWatch();
    expect(till.watchError).toBeNull();
    expect(backend.watchSale).toHaveBeenCalledTimes(2);

    backend.watchSale.mockRejectedValueOnce({ kind: 'network', message: 'Lost the gateway.' });
    till.charged(payment({ saleId: 43, state: 'paid' }));
    await answered();
    expect(till.watchError).toBeNull();
  });

  it('takes the changes the payment screen made, for its own sale only', async () => {
    const till = await started();
    till.charged(created);
    till.changed(payment({ saleId: 99, state: 'canceled' }));
    expect(till.payment?.state).toBe('awaiting');
    till.changed({ ...created, state: 'canceled' });
    expect(till.payment?.state).toBe('canceled');
  });

  it('reopens a sale from another screen on the till screen', async () => {
    backend.salePayment.mockResolvedValue(payment({ saleId: 7 }));
    const till = await started();
    till.open('recent');
    await till.reopen(7);
    expect(till.screen).toBe('till');
    expect(till.payment?.saleId).toBe(7);
    backend.salePayment.mockRejectedValue({ kind: 'notFound', message: 'No sale 8.' });
    await till.reopen(8);
    expect(till.loadError?.message).toBe('No sale 8.');
  });

  it('shows a receipt, then goes back to the till', async () => {
    const till = await started();
    till.showReceipt(41);
    expect(till.screen).toBe('receipt');
    expect(till.receiptSaleId).toBe(41);
    till.open('till');
    expect(till.screen).toBe('till');
  });
});

describe('news of other sales', () => {
  it('a sale left behind turning paid is a toast (and a beep with sound on)', async () => {
    backend.counterSettings.mockResolvedValue({ ...settings, sound: true });
    const till = await started();
    till.charged(payment({ saleId: 42 }));
    pushSaleUpdate({ payment: { ...created, state: 'paid' }, previous: 'awaiting', latePayment: false });
    expect(till.toasts.items.map((t) => t.text)).toEqual([`Sale ${created.saleId} paid`]);
    expect(sound.beepPaid).toHaveBeenCalledTimes(1);
    expect(till.salesVersion).toBe(1);
  });

  it('the sale on screen changes the screen, with no toast', async () => {
    const till = await started();
    till.charged(created);
    pushSaleUpdate({ payment: { ...created, state: 'underpaid' }, previous: 'awaiting', latePayment: false });
    expect(till.payment?.state).toBe('underpaid');
    expect(till.toasts.items).toEqual([]);
    expect(sound.beepPaid).not.toHaveBeenCalled();
  });

  it('keeps a resumed sale in the banner up to date', async () => {
    backend.resumedSales.mockResolvedValue([created]);
    const till = await started();
    pushSaleUpdate({ payment: { ...created, state: 'expired' }, previous: 'awaiting', latePayment: false });
    expect(till.resumed.map((p) => p.state)).toEqual(['expired']);
    till.dismissResumed();
    expect(till.resumed).toEqual([]);
  });

  it('a second launch says this is the window', async () => {
    const till = await started();
    secondLaunch();
    expect(till.toasts.items[0].text).toMatch('already open on this till');
  });
});

describe('the customer display', () => {
  it('follows the sale on the counter, telling Rust each change once', async () => {
    const till = await started();
    expect(backend.showOnCustomerDisplay).toHaveBeenCalledWith(null);
    till.charged(created);
    flushSync();
    pushWatch({ ...created, state: 'confirming' });
    flushSync();
    till.newSale();
    flushSync();
    expect(backend.showOnCustomerDisplay.mock.calls).toEqual([[null], [created.saleId], [null]]);
  });

  it('opens on the sale on the counter, and says why it could not', async () => {
    const till = await started();
    till.charged(created);
    await till.openCustomerDisplay();
    expect(backend.showOnCustomerDisplay).toHaveBeenLastCalledWith(created.saleId);
    backend.openCustomerDisplay.mockRejectedValue({ kind: 'internal', message: 'No window.' });
    await till.openCustomerDisplay();
    expect(till.displayError?.message).toBe('No window.');
  });
});

describe('the receipt printer', () => {
  it('is offered once the till knows one is set up, and again after owner mode', async () => {
    const till = await started();
    expect(till.printer).toBe(false);
    backend.printerConfigured.mockResolvedValue(true);
    await till.refreshPrinter();
    expect(till.printer).toBe(true);
  });

  it('a receipt that printed by itself is no news; one that could not is a warning that stays out of the way', async () => {
    const till = await started();
    pushPrint({ saleId: 41, printed: true, message: 'Receipt of sale 41 printed.', said: { code: 'receipt_printed', params: { sale: '41' } } });
    expect(till.toasts.items).toEqual([]);
    const failed =
      'The receipt printer at 192.168.1.50:9100 refused the connection. Check that the printer is switched on. Sale 41 is paid and recorded; print its receipt again from Sales this shift.';
    const refused = { code: 'printer_refused', params: { target: '192.168.1.50:9100' } };
    pushPrint({ saleId: 41, printed: false, message: failed, said: { code: 'auto_print_failed', params: { problem: refused, sale: '41' } } });
    expect(till.toasts.items.map((t) => [t.text, t.tone])).toEqual([[failed, 'warn']]);
    // The cashier carries on: nothing else changed.
    expect(till.screen).toBe('till');
    expect(till.loadError).toBeNull();
  });

  it('a reprint says how it went without leaving the screen the cashier is on', async () => {
    const till = await started();
    till.open('recent');
    backend.printReceipt.mockResolvedValueOnce(undefined);
    await till.printReceipt(7);
    expect(backend.printReceipt).toHaveBeenCalledWith(7);
    backend.printReceipt.mockRejectedValueOnce({ kind: 'printer', message: 'The printer is off. Check it.' });
    await till.printReceipt(8);
    expect(till.toasts.items.map((t) => [t.text, t.tone])).toEqual([
      ['Receipt of sale 7 printed.', 'info'],
      ['The printer is off. Check it.', 'warn'],
    ]);
    expect(till.screen).toBe('recent');
  });
});
