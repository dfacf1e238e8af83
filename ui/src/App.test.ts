import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { Payment } from './lib/bindings/Payment';
import type { SaleUpdate } from './lib/bindings/SaleUpdate';
import { answerCheckout, coins, demoInfo, payment, settings } from './test/fixtures';

const backend = await vi.hoisted(async () => ({
  ...(await import('./test/fixtures')).checkoutCalls(),
  appInfo: vi.fn(),
  listCoins: vi.fn(),
  watchSale: vi.fn(),
  simulate: vi.fn(),
  counterSettings: vi.fn(),
  resumedSales: vi.fn(),
  showOnCustomerDisplay: vi.fn(),
  // Owner mode asks at start whether a PIN is set.
  sessionStatus: vi.fn(),
  onSaleUpdated: vi.fn(),
  onSecondLaunch: vi.fn(),
  salePayment: vi.fn(),
  // Who sells: a till without cashiers unless a test says otherwise.
  shiftStatus: vi.fn(),
  openShift: vi.fn(),
  printerConfigured: vi.fn(),
  printReceipt: vi.fn(),
  onReceiptPrint: vi.fn(),
}));
vi.mock('./lib/backend', () => backend);

let pushUpdate: (p: Payment) => void = () => {};
let pushSaleUpdate: (u: SaleUpdate) => void = () => {};
const created = payment();

beforeEach(() => {
  backend.appInfo.mockReset().mockResolvedValue(demoInfo);
  backend.listCoins.mockReset().mockResolvedValue(coins);
  answerCheckout(backend, created);
  backend.simulate.mockReset().mockResolvedValue(undefined);
  backend.counterSettings.mockReset().mockResolvedValue(settings);
  backend.resumedSales.mockReset().mockResolvedValue([]);
  backend.showOnCustomerDisplay.mockReset().mockResolvedValue(undefined);
  backend.sessionStatus
    .mockReset()
    .mockResolvedValue({ pinSet: true, unlocked: false, idleLockMinutes: 5, lockOnBlur: false });
  backend.onSaleUpdated.mockReset().mockImplementation(async (handler: (u: SaleUpdate) => void) => {
    pushSaleUpdate = handler;
    return () => {};
  });
  backend.onSecondLaunch.mockReset().mockResolvedValue(() => {});
  backend.shiftStatus.mockReset().mockResolvedValue({ cashiersSetUp: false, shift: null, cashiers: [] });
  backend.openShift.mockReset();
  backend.printerConfigured.mockReset().mockResolvedValue(false);
  backend.printReceipt.mockReset().mockResolvedValue(undefined);
  backend.onReceiptPrint.mockReset().mockResolvedValue(() => {});
  backend.watchSale.mockReset().mockImplementation(async (_id: number, onUpdate: (p: Payment) => void) => {
    pushUpdate = onUpdate;
  });
});

async function chargeTwelveFifty() {
  await screen.findByTestId('coin-BTC');
  await fireEvent.click(screen.getByTestId('coin-BTC'));
  for (const id of ['key-1', 'key-2', 'key-dot', 'key-5', 'key-0']) {
    await fireEvent.click(screen.getByTestId(id));
  }
  await fireEvent.click(screen.getByTestId('charge'));
  await screen.findByTestId('qr');
}

describe('the till', () => {
  it('shows the demo banner, shop and gateway', async () => {
    render(App);
    expect((await screen.findByTestId('demo-banner')).textContent).toMatch(/no real money moves/);
    expect(screen.getByTestId('shop-name').textContent).toBe('Corner Café');
    expect(screen.getByTestId('gateway-label').textContent).toBe('Sandbox');
  });

  it('tells the release and the ledger schema in its About line', async () => {
    render(App);
    expect((await screen.findByTestId('about')).textContent?.trim()).toBe('Cryptill 0.1.0 · ledger schema 9');
  });

  it('has no banner and no simulate button outside demo mode', async () => {
    backend.appInfo.mockResolvedValue({ ...demoInfo, demo: false, gatewayLabel: 'CoinGate' });
    render(App);
    await chargeTwelveFifty();
    expect(screen.queryByTestId('demo-banner')).toBeNull();
    expect(screen.queryByTestId('simulate-payment')).toBeNull();
  });

  it('says what went wrong at start and retries', async () => {
    backend.appInfo.mockRejectedValueOnce({
      kind: 'keyring',
      message: 'The API key could not be read. Ask the owner to enter it again in Settings.',
    });
    render(App);
    expect((await screen.findByTestId('error')).textContent).toMatch(/Ask the owner/);
    await fireEvent.click(screen.getByTestId('retry'));
    await screen.findByTestId('amount');
  });
});

describe('owner mode', () => {
  it('opens the unlock dialog from the Owner button in the header', async () => {
    render(App);
    await fireEvent.click(await screen.findByTestId('owner-button'));
    expect(await screen.findByTestId('unlock-dialog')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('unlock-cancel'));
    await waitFor(() => expect(screen.queryByTestId('unlock-dialog')).toBeNull());
    // The cashier's screen is still there underneath.
    expect(screen.getByTestId('amount')).toBeTruthy();
  });
});

describe('a sale from charge to paid', () => {
  it('shows what the customer must pay', async () => {
    render(App);
    await chargeTwelveFifty();
    expect(backend.chargeSale).toHaveBeenCalledWith({
      lines: [{ label: '', amount: '12.50' }],
      tip: undefined,
      coin: 'BTC',
    });
    expect(screen.getByTestId('qr').getAttribute('src')).toBe(created.qrPng);
    expect(screen.getByTestId('pay-amount').textContent).toBe('0.00021552 BTC');
    expect(screen.getByTestId('pay-fiat').textContent).toBe('12.50 EUR');
    expect(screen.getByTestId('pay-network').textContent).toBe('Bitcoin');
    expect(screen.getByTestId('pay-address').textContent).toBe(created.address);
    expect(screen.getByTestId('countdown').textContent).toMatch(/^1[45]:\d\d$/);
    const status = screen.getByTestId('status');
    expect(status.dataset.state).toBe('awaiting');
    expect(status.textContent).toBe('Waiting for payment');
    expect(backend.watchSale).toHaveBeenCalledWith(41, expect.any(Function));
  });

  it('follows the updates until paid, then starts a new sale', async () => {
    render(App);
    await chargeTwelveFifty();
    await fireEvent.click(screen.getByTestId('simulate-payment'));
    expect(backend.simulate).toHaveBeenCalledWith(41, 'full');

    pushUpdate({ ...created, state: 'confirming', confirmations: 1, requiredConfirmations: 2 });
    await waitFor(() =>
      expect(screen.getByTestId('status').textContent).toMatch(
        'Payment seen, waiting for confirmations (1 of 2)',
      ),
    );

    pushUpdate({ ...created, state: 'paid', paidAmount: created.cryptoAmount });
    await waitFor(() => expect(screen.getByTestId('status').dataset.state).toBe('paid'));
    expect(screen.getByTestId('status').textContent).toBe('Paid');
    expect((screen.getByTestId('simulate-payment') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('new-sale'));
    expect(screen.getByTestId('amount').textContent).toBe('0');
    expect(screen.queryByTestId('qr')).toBeNull();
  });

  it('without a receipt printer, a paid sale offers only the system print dialog', async () => {
    render(App);
    await chargeTwelveFifty();
    pushUpdate({ ...created, state: 'paid', paidAmount: created.cryptoAmount });
    await waitFor(() => expect(screen.getByTestId('show-receipt')).toBeTruthy());
    expect(screen.queryByTestId('print-receipt')).toBeNull();
  });

  it('prints the receipt on the receipt printer when there is one, and says so in a toast', async () => {
    backend.printerConfigured.mockResolvedValue(true);
    render(App);
    await chargeTwelveFifty();
    pushUpdate({ ...created, state: 'paid', paidAmount: created.cryptoAmount });
    await fireEvent.click(await screen.findByTestId('print-receipt'));
    expect(backend.printReceipt).toHaveBeenCalledWith(41);
    await waitFor(() => expect(screen.getByText('Receipt of sale 41 printed.')).toBeTruthy());
    // Still on the paid screen: printing is never in the way.
    expect(screen.getByTestId('status').dataset.state).toBe('paid');
  });

  it('ignores updates of a sale the cashier has left', async () => {
    render(App);
    await chargeTwelveFifty();
    const fromOldSale = pushUpdate;
    await fireEvent.click(screen.getByTestId('new-sale'));
    backend.chargeSale.mockResolvedValue({ ...created, saleId: 42 });
    await chargeTwelveFifty();
    fromOldSale({ ...created, state: 'expired' });
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('status').dataset.state).toBe('awaiting');
  });

  it('tells the cashier when a sale left behind is paid, without leaving the sale on screen', async () => {
    render(App);
    await chargeTwelveFifty();
    await fireEvent.click(screen.getByTestId('new-sale'));
    backend.chargeSale.mockResolvedValue({ ...created, saleId: 42 });
    await chargeTwelveFifty();
    pushSaleUpdate({ payment: { ...created, state: 'paid' }, previous: 'awaiting', latePayment: false });
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toMatch(`Sale ${created.saleId} paid`);
    expect(screen.getByTestId('status').dataset.state).toBe('awaiting');
    // An update of the sale on screen changes the screen, with no toast.
    pushSaleUpdate({ payment: { ...created, saleId: 42, state: 'underpaid' }, previous: 'awaiting', latePayment: false });
    await waitFor(() => expect(screen.getByTestId('status').dataset.state).toBe('underpaid'));
    expect(screen.getAllByTestId('toast')).toHaveLength(1);
  });

  it('copies the address for the customer', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(App);
    await chargeTwelveFifty();
    await fireEvent.click(screen.getByTestId('copy-address'));
    expect(writeText).toHaveBeenCalledWith(created.address);
    await waitFor(() => expect(screen.getByTestId('copy-address').textContent).toBe('Copied'));
    await fireEvent.click(screen.getByTestId('copy-amount'));
    expect(writeText).toHaveBeenLastCalledWith('0.00021552');
  });

  it('offers to reconnect when the updates stop', async () => {
    backend.watchSale.mockRejectedValueOnce({ kind: 'network', message: 'Lost the gateway.' });
    render(App);
    await chargeTwelveFifty();
    expect((await screen.findByTestId('watch-error')).textContent).toBe('Lost the gateway.');
    await fireEvent.click(screen.getByTestId('watch-retry'));
    expect(backend.watchSale).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByTestId('watch-error')).toBeNull());
  });

  it("shows the gateway's notice about the order, and nothing when there is none", async () => {
    render(App);
    await chargeTwelveFifty();
    expect(screen.queryByTestId('pay-notice')).toBeNull();
    const notice = 'The QR opens CoinGate\'s payment page; the customer pays there.';
    pushUpdate(payment({ notice }));
    expect((await screen.findByTestId('pay-notice')).textContent).toBe(notice);
  });
});

describe('cashiers and shifts', () => {
  it('a one-person till shows no sign-in and no shift controls', async () => {
    render(App);
    await screen.findByTestId('amount');
    expect(screen.queryByTestId('shift-sign-in')).toBeNull();
    expect(screen.queryByTestId('shift-cashier-name')).toBeNull();
  });

  it('with cashiers and no shift, asks for a sign-in before the keypad, then names the cashier', async () => {
    backend.shiftStatus.mockResolvedValue({ cashiersSetUp: true, shift: null, cashiers: ['Ana', 'Ben'] });
    backend.keypadReady.mockClear();
    render(App);
    await screen.findByTestId('shift-sign-in');
    expect(screen.queryByTestId('amount')).toBeNull();
    // The first draw waited for who sells: no keypad was drawn before the form.
    expect(backend.keypadReady).not.toHaveBeenCalled();
    backend.openShift.mockResolvedValue({
      cashiersSetUp: true,
      cashiers: ['Ana', 'Ben'],
      shift: { id: 1, openedAt: '2026-11-29T08:00:00.000Z', openedBy: 'Ben', cashier: 'Ben' },
    });
    await fireEvent.change(screen.getByTestId('shift-cashier'), { target: { value: 'Ben' } });
    await fireEvent.input(screen.getByTestId('shift-pin'), { target: { value: '2222' } });
    await fireEvent.click(screen.getByTestId('shift-sign-in-submit'));
    expect(backend.openShift).toHaveBeenCalledWith('Ben', '2222');
    await screen.findByTestId('amount');
    expect(screen.getByTestId('shift-cashier-name').textContent).toBe('Cashier: Ben');
    // Closing asks first.
    await fireEvent.click(screen.getByTestId('shift-close'));
    expect(await screen.findByTestId('shift-confirm-close')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('shift-close-cancel'));
    await waitFor(() => expect(screen.queryByTestId('shift-confirm-close')).toBeNull());
  });
});
