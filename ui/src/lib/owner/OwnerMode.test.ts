import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import OwnerMode from './OwnerMode.svelte';
import { shiftReport } from '../../test/fixtures';
import { setShopLocale } from '../i18n/index.svelte';

const backend = vi.hoisted(() => ({
  sessionStatus: vi.fn(),
  setFirstPin: vi.fn(),
  unlockOwner: vi.fn(),
  lockOwner: vi.fn(),
  balances: vi.fn(),
  ownerGateway: vi.fn(),
  ownerCoinNetworks: vi.fn(),
  withdrawals: vi.fn(),
  withdrawalRequests: vi.fn(),
  withdraw: vi.fn(),
  demoWithdrawPermission: vi.fn(),
  ownerSettings: vi.fn(),
  saveOwnerSettings: vi.fn(),
  setGatewayKey: vi.fn(),
  deleteGatewayKey: vi.fn(),
  testGatewayKey: vi.fn(),
  chooseGateway: vi.fn(),
  changePin: vi.fn(),
  dayReport: vi.fn(),
  salesHistory: vi.fn(),
  exportCsv: vi.fn(),
  cashiers: vi.fn(),
  addCashier: vi.fn(),
  renameCashier: vi.fn(),
  setCashierEnabled: vi.fn(),
  shiftReports: vi.fn(),
  shiftReport: vi.fn(),
  tills: vi.fn(),
  onShopSaleChanged: vi.fn(),
  ownerRefunds: vi.fn(),
  approveRefund: vi.fn(),
  rejectRefund: vi.fn(),
  sendRefund: vi.fn(),
  demoConfirmRefund: vi.fn(),
  resolveRefund: vi.fn(),
}));
vi.mock('../backend', () => backend);

const locked = { pinSet: true, unlocked: false, idleLockMinutes: 5, lockOnBlur: false };
const unlocked = { ...locked, unlocked: true };
const LOCKED_ERROR = {
  kind: 'notAllowed',
  message: 'Owner mode is locked. Unlock it with the owner PIN (the Owner button).',
};
const counosChoice = {
  active: 'demo',
  saved: 'demo',
  canWithdraw: true,
  keys: [
    { gateway: 'demo', label: 'Sandbox', keySet: true, active: true },
    { gateway: 'counos', label: 'Counos', keySet: false, active: false },
  ],
};
const settings = {
  shopName: 'Corner Café', fiatCurrency: 'EUR', locale: 'en-IE', tipsEnabled: false,
  tipPresets: [5, 10], maxSaleAmount: '10000', sound: true, receiptFooter: 'Thanks',
  idleLockMinutes: 5, lockOnBlur: false, offeredCoins: [], coinNetworks: {},
};

// The owner screens are loaded when first unlocked (OwnerMode.svelte); the
// first load compiles them here, which can outlast findBy's wait on a busy
// machine, so they are loaded once before the tests.
beforeAll(async () => {
  await import('./OwnerPanel.svelte');
});

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
  backend.sessionStatus.mockResolvedValue(locked);
  backend.balances.mockResolvedValue({
    balances: [{ coin: 'BTC', title: 'Bitcoin', amount: '0.00172414' }],
    fetchedAt: '2026-11-21T13:00:00.000Z',
  });
  backend.ownerGateway.mockResolvedValue(counosChoice);
  backend.withdrawals.mockResolvedValue([]);
  backend.withdrawalRequests.mockResolvedValue([]);
  backend.ownerSettings.mockResolvedValue(settings);
  backend.ownerCoinNetworks.mockResolvedValue([
    { symbol: 'BTC', title: 'Bitcoin', network: 'Bitcoin', default: true, used: true },
    { symbol: 'ETH', title: 'Ethereum', network: 'Ethereum', default: true, used: true },
    { symbol: 'ETH', title: 'Ethereum', network: 'Binance Chain (BEP2)', default: false, used: false },
  ]);
  backend.lockOwner.mockResolvedValue(undefined);
  backend.tills.mockResolvedValue(['Till 1']);
  backend.onShopSaleChanged.mockResolvedValue(() => {});
});

async function openUnlocked(props: Record<string, unknown> = {}) {
  backend.sessionStatus.mockResolvedValue(unlocked);
  const onclose = vi.fn();
  render(OwnerMode, { open: true, demo: true, onclose, ...props });
  await screen.findByTestId('owner-panel');
  return onclose;
}

describe('first start', () => {
  it('asks for the owner PIN twice and sets it', async () => {
    backend.sessionStatus.mockResolvedValue({ ...locked, pinSet: false });
    backend.setFirstPin.mockResolvedValue(unlocked);
    render(OwnerMode, { open: false, demo: true, onclose: () => {} });
    await screen.findByTestId('pin-setup');
    await fireEvent.input(screen.getByTestId('pin-setup-pin'), { target: { value: '2580' } });
    await fireEvent.input(screen.getByTestId('pin-setup-again'), { target: { value: '2581' } });
    await fireEvent.click(screen.getByTestId('pin-setup-save'));
    expect((await screen.findByTestId('pin-setup-error')).textContent).toMatch(/differ/);
    expect(backend.setFirstPin).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByTestId('pin-setup-again'), { target: { value: '2580' } });
    await fireEvent.click(screen.getByTestId('pin-setup-save'));
    expect(backend.setFirstPin).toHaveBeenCalledWith('2580');
    await waitFor(() => expect(screen.queryByTestId('pin-setup')).toBeNull());
  });

  it('does not ask when a PIN is set', async () => {
    render(OwnerMode, { open: false, demo: true, onclose: () => {} });
    await waitFor(() => expect(backend.sessionStatus).toHaveBeenCalled());
    expect(screen.queryByTestId('pin-setup')).toBeNull();
    expect(screen.queryByTestId('unlock-dialog')).toBeNull();
  });
});

describe('unlocking', () => {
  it('shows the refusal of a wrong PIN, then the balances after the right one', async () => {
    backend.unlockOwner
      .mockRejectedValueOnce({ kind: 'input', message: 'Wrong PIN. 2 more try(s) before owner mode locks for a while.' })
      .mockResolvedValueOnce(unlocked);
    render(OwnerMode, { open: true, demo: true, onclose: () => {} });
    await fireEvent.input(await screen.findByTestId('unlock-pin'), { target: { value: '0000' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect((await screen.findByTestId('unlock-error')).textContent).toMatch(/Wrong PIN/);
    expect(screen.queryByTestId('owner-panel')).toBeNull();
    await fireEvent.input(screen.getByTestId('unlock-pin'), { target: { value: '2580' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect(backend.unlockOwner).toHaveBeenLastCalledWith('2580');
    expect((await screen.findByTestId('balance-BTC')).textContent).toBe('0.00172414');
    expect(screen.getByTestId('balances-updated').dataset.at).toBe('2026-11-21T13:00:00.000Z');
  });

  it('goes back to the unlock dialog when Rust says the session locked itself', async () => {
    backend.balances.mockRejectedValue(LOCKED_ERROR);
    await openUnlocked().catch(() => {});
    expect((await screen.findByTestId('unlock-notice')).textContent).toMatch(/locked itself/);
    expect(screen.queryByTestId('owner-panel')).toBeNull();
  });

  it('locks on the Lock button and returns to the till', async () => {
    const onclose = await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-lock'));
    expect(backend.lockOwner).toHaveBeenCalled();
    await waitFor(() => expect(onclose).toHaveBeenCalled());
  });
});

describe('withdrawals', () => {
  it('shows the not-permitted answer, then the registered one with its e-mail note', async () => {
    backend.withdraw
      .mockRejectedValueOnce({
        kind: 'gateway',
        message: 'The demo gateway refused: Withdraw is not permitted by API. Please contact the terminal owner. Tick "allow withdraw" in the Counos dashboard.',
      })
      .mockResolvedValueOnce({
        receipt: { withdrawal: null, message: 'Registered. An e-mail with a confirmation link has been sent.' },
        request: { id: 2, gateway: 'demo', coin: 'BTC', amount: '0.00100000', address: 'tb1qx', requestedAt: '2026-11-21T13:00:00.000Z', outcome: 'registered', message: null, gatewayWithdrawalId: '1', answeredAt: null },
      });
    backend.demoWithdrawPermission.mockResolvedValue(undefined);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-withdrawals'));
    await waitFor(() => expect((screen.getByTestId('withdraw-coin') as HTMLSelectElement).value).toBe('BTC'));
    await fireEvent.input(screen.getByTestId('withdraw-amount'), { target: { value: '0.001' } });
    await fireEvent.input(screen.getByTestId('withdraw-address'), { target: { value: 'tb1qx' } });
    await fireEvent.click(screen.getByTestId('withdraw-submit'));
    expect((await screen.findByTestId('withdraw-error')).textContent).toMatch(/not permitted by API/);
    expect(backend.withdraw).toHaveBeenCalledWith({ coin: 'BTC', amount: '0.001', address: 'tb1qx' });

    await fireEvent.click(screen.getByTestId('demo-permit'));
    expect(backend.demoWithdrawPermission).toHaveBeenCalledWith(true);
    await fireEvent.input(screen.getByTestId('withdraw-amount'), { target: { value: '0.001' } });
    await fireEvent.click(screen.getByTestId('withdraw-submit'));
    expect((await screen.findByTestId('withdraw-success')).textContent).toMatch(/e-mail/);
    expect(screen.queryByTestId('withdraw-error')).toBeNull();
  });

  it("says each request's answer in a German shop's words, and an answer from before codes as it is", async () => {
    const request = (id: number, outcome: string, message: string, said: unknown) => ({
      id, gateway: 'demo', coin: 'BTC', amount: '0.00100000', address: 'tb1qx', requestedAt: '2026-11-21T13:00:00.000Z',
      outcome, message, said, gatewayWithdrawalId: null, answeredAt: '2026-11-21T13:00:01.000Z',
    });
    backend.withdrawalRequests.mockResolvedValue([
      request(3, 'registered', 'Sandbox registered the withdrawal of 0.001 BTC to tb1qx. …', {
        code: 'withdrawal_registered', params: { gateway: 'Sandbox', amount: '0.001 BTC', address: 'tb1qx' },
      }),
      request(2, 'refused', 'The demo gateway refused: minimum is 0.001', {
        code: 'gateway_refused', params: { gateway: 'The demo gateway', message: 'minimum is 0.001' },
      }),
      // Answered before answers had codes: shown as it is.
      request(1, 'failed', 'Counos refused: old words.', null),
    ]);
    await setShopLocale('de-DE');
    try {
      await openUnlocked();
      await fireEvent.click(screen.getByTestId('owner-tab-withdrawals'));
      await fireEvent.click(await screen.findByTestId('withdrawals-show-requests'));
      expect((await screen.findByTestId('withdrawal-request-message-3')).textContent).toMatch(
        /^Sandbox hat die Auszahlung von 0.001 BTC an tb1qx registriert/,
      );
      expect(screen.getByTestId('withdrawal-request-message-2').textContent).toBe('Das Demo-Gateway hat abgelehnt: minimum is 0.001');
      expect(screen.getByTestId('withdrawal-request-message-1').textContent).toBe('Counos refused: old words.');
    } finally {
      setShopLocale('en-IE');
    }
  });

  it('shows only the history where the gateway cannot request payouts', async () => {
    backend.ownerGateway.mockResolvedValue({ ...counosChoice, active: 'coingate', canWithdraw: false });
    await openUnlocked({ demo: false });
    await fireEvent.click(screen.getByTestId('owner-tab-withdrawals'));
    expect((await screen.findByTestId('withdraw-unavailable')).textContent).toMatch(/dashboard/);
    expect(screen.queryByTestId('withdraw-submit')).toBeNull();
    expect(screen.getByTestId('withdrawals-empty')).toBeTruthy();
  });
});

describe('settings and keys', () => {
  it('sends a new key once, empties the field, and shows only that a key is set', async () => {
    backend.setGatewayKey.mockResolvedValue({
      ...counosChoice,
      keys: counosChoice.keys.map((k) => (k.gateway === 'counos' ? { ...k, keySet: true } : k)),
    });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-settings'));
    await fireEvent.click(await screen.findByTestId('settings-section-gateway'));
    const input = (await screen.findByTestId('key-input-counos')) as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(screen.getByTestId('key-status-counos').textContent).toBe('not set');
    await fireEvent.input(input, { target: { value: 'sk-live-1' } });
    await fireEvent.click(screen.getByTestId('key-save-counos'));
    expect(backend.setGatewayKey).toHaveBeenCalledWith('counos', 'sk-live-1');
    await waitFor(() => expect(screen.getByTestId('key-status-counos').textContent).toBe('set'));
    expect(input.value).toBe('');
  });

  it('saves the settings and shows a refusal by its message', async () => {
    backend.saveOwnerSettings.mockRejectedValueOnce({
      kind: 'input',
      message: 'Owner mode must lock after 1 to 240 idle minutes.',
    });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-settings'));
    await fireEvent.click(await screen.findByTestId('settings-section-counter'));
    await fireEvent.input(await screen.findByTestId('settings-tip-presets'), { target: { value: '5, 12' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-error')).textContent).toMatch(/240 idle minutes/);
    expect(backend.saveOwnerSettings).toHaveBeenCalledWith(expect.objectContaining({ tipPresets: [5, 12] }));
  });
});

describe('networks', () => {
  it('offers a network picker for a coin on several networks and saves the choice', async () => {
    backend.saveOwnerSettings.mockImplementation(async (s) => s);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-settings'));
    await fireEvent.click(await screen.findByTestId('settings-section-counter'));
    const picker = (await screen.findByTestId('settings-network-ETH')) as HTMLSelectElement;
    expect(screen.queryByTestId('settings-network-BTC')).toBeNull();
    expect(picker.value).toBe('Ethereum');
    expect([...picker.options].map((o) => o.textContent)).toEqual([
      'Ethereum (its own chain)',
      'Binance Chain (BEP2)',
    ]);
    await fireEvent.change(picker, { target: { value: 'Binance Chain (BEP2)' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() =>
      expect(backend.saveOwnerSettings).toHaveBeenCalledWith(
        expect.objectContaining({ coinNetworks: { ETH: 'Binance Chain (BEP2)' } }),
      ),
    );
  });
});

describe('refunds', () => {
  const refund = (id: number, state: string, extra: Record<string, unknown> = {}) => ({
    id, saleId: 4, kind: 'overpaid', reason: 'Customer paid more than asked', fiatAmount: '100.00', fiatCurrency: 'EUR',
    cryptoAmount: '0.00172414', coin: 'BTC', coinDecimals: 8, network: 'Bitcoin', address: 'tb1qcustomer', email: null,
    gateway: 'demo', state, requestedBy: 'cashier Ana', approvedBy: null, gatewayRefundId: null, gatewayStatus: null,
    message: null, requestedAt: '2026-11-21T12:00:00.000Z', approvedAt: null, sentAt: null, finishedAt: null,
    updatedAt: '2026-11-21T12:00:00.000Z', ...extra,
  });

  it('says how refunds start when there are none', async () => {
    backend.ownerRefunds.mockResolvedValue([]);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-refunds'));
    expect((await screen.findByTestId('refunds-empty')).textContent).toMatch(/Sales this shift/);
  });

  it('approves a waiting refund, rejects another with a reason, and says a stuck send plainly', async () => {
    backend.ownerRefunds.mockResolvedValue([
      refund(3, 'requested'),
      refund(2, 'requested'),
      refund(1, 'sending', { approvedBy: 'owner' }),
    ]);
    backend.approveRefund.mockResolvedValue(refund(3, 'sent'));
    backend.rejectRefund.mockResolvedValue(refund(2, 'rejected'));
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-refunds'));
    expect((await screen.findByTestId('refunds-waiting')).textContent).toBe('2 wait for your approval');
    expect(screen.getByTestId('refund-stuck-1').textContent).toMatch(/not known whether Demo gateway \(sandbox\) took this refund/);
    expect(screen.queryByTestId('refund-send-1')).toBeNull();
    expect(screen.getByTestId('refund-row-1').textContent).toContain('Approved by owner');

    await fireEvent.click(screen.getByTestId('refund-approve-3'));
    expect(backend.approveRefund).toHaveBeenCalledWith(3);
    await fireEvent.click(await screen.findByTestId('refund-reject-2'));
    await fireEvent.input(screen.getByTestId('refund-reject-why-2'), { target: { value: 'Goods not brought back' } });
    await fireEvent.click(screen.getByTestId('refund-reject-go-2'));
    expect(backend.rejectRefund).toHaveBeenCalledWith(2, 'Goods not brought back');
    await waitFor(() => expect(backend.ownerRefunds).toHaveBeenCalledTimes(3));
  });

  it("settles a send whose answer was lost as the owner saw it on the gateway's dashboard", async () => {
    backend.ownerRefunds.mockResolvedValue([refund(1, 'sending', { approvedBy: 'owner' })]);
    backend.resolveRefund.mockResolvedValue(refund(1, 'sent'));
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-refunds'));
    await fireEvent.input(await screen.findByTestId('refund-resolve-id-1'), { target: { value: ' R-9 ' } });
    await fireEvent.click(screen.getByTestId('refund-mark-sent-1'));
    expect(backend.resolveRefund).toHaveBeenLastCalledWith(1, true, 'R-9');
    await fireEvent.click(await screen.findByTestId('refund-mark-failed-1'));
    expect(backend.resolveRefund).toHaveBeenLastCalledWith(1, false);
    expect(screen.queryByTestId('refund-approve-1')).toBeNull();
  });

  it("says each refund's note and people in a German shop's words, and an owner's own words as typed", async () => {
    const refused = {
      code: 'refund_send_refused',
      params: { problem: { code: 'gateway_refused', params: { gateway: 'Sandbox', message: 'withdraw is not permitted' } } },
    };
    backend.ownerRefunds.mockResolvedValue([
      refund(4, 'failed', {
        approvedBy: 'owner',
        message: 'Sandbox refused: withdraw is not permitted Nothing was sent; the refund can be asked again.',
        said: refused,
      }),
      refund(3, 'rejected', {
        requestedBy: 'cashier at the counter',
        message: 'The owner did not approve this refund.',
        said: { code: 'refund_owner_did_not_approve', params: {} },
      }),
      refund(2, 'rejected', { message: 'Ware nicht zurückgebracht', said: null }),
      // Written before notes had codes: shown as it is.
      refund(1, 'failed', { message: 'Counos refused: old words. Nothing was sent; the refund can be asked again.' }),
    ]);
    await setShopLocale('de-DE');
    try {
      await openUnlocked();
      await fireEvent.click(screen.getByTestId('owner-tab-refunds'));
      expect((await screen.findByTestId('refund-message-4')).textContent).toBe(
        'Sandbox hat abgelehnt: withdraw is not permitted Es wurde nichts gesendet; die Erstattung kann erneut beantragt werden.',
      );
      expect(screen.getByTestId('refund-message-3').textContent).toBe('Der Inhaber hat diese Erstattung nicht freigegeben.');
      expect(screen.getByTestId('refund-message-2').textContent).toBe('Ware nicht zurückgebracht');
      expect(screen.getByTestId('refund-message-1').textContent).toMatch(/^Counos refused: old words/);
      expect(screen.getByTestId('refund-row-4').textContent).toContain('Freigegeben von Inhaber');
      expect(screen.getByTestId('refund-row-4').textContent).toContain('Angefragt von Kassierer/in Ana');
      expect(screen.getByTestId('refund-row-3').textContent).toContain('Angefragt von Kasse');
    } finally {
      setShopLocale('en-IE');
    }
  });
});

describe('reports', () => {
  it("shows today's Z-report and exports the filtered sales to a path", async () => {
    backend.dayReport.mockResolvedValue({
      from: '2026-11-21', to: '2026-11-21', generatedAt: '2026-11-21T13:00:00.000Z', currency: 'EUR',
      salesCount: 2, gross: '32.50', tips: '2.00', net: '30.50',
      coins: [{ coin: 'BTC', sales: 2, cryptoAmount: '0.00056035', paidAmount: '0.00056035', fiatAmount: '32.50' }],
      voids: 0, voidedAmount: '0.00', expired: 1, open: 0,
      exceptions: [{ saleId: 3, kind: 'underpaid', coin: 'BTC', cryptoAmount: '0.001', paidAmount: '0.0005', fiatAmount: '58.00 EUR', createdAt: '2026-11-21T12:00:00.000Z' }],
      otherCurrencySales: 0, firstSaleAt: '2026-11-21T09:00:00.000Z', lastSaleAt: '2026-11-21T12:00:00.000Z',
      tills: [], refunds: [{ coin: 'BTC', refunds: 1, cryptoAmount: '0.00172414', fiatAmount: '10.00' }], refunded: '10.00',
    });
    backend.salesHistory.mockResolvedValue({ rows: [], next: null });
    backend.exportCsv.mockResolvedValue(2);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-report'));
    expect((await screen.findByTestId('report-gross')).textContent).toBe('32.50 EUR');
    expect(screen.getByTestId('report-tips').textContent).toBe('2.00 EUR');
    expect(screen.getByTestId('report-exception').dataset.kind).toBe('underpaid');
    // The sale's price says its currency once.
    expect(screen.getByTestId('report-exception').textContent).toContain('58.00 EUR, asked');
    // Money given back that day, per coin and in all.
    expect(screen.getByTestId('report-refund-BTC').textContent).toBe('BTC10.00172414 BTC10.00 EUR');
    expect(screen.getByTestId('report-refunded').textContent).toBe('Given back: 10.00 EUR');

    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    await fireEvent.change(await screen.findByTestId('sales-status'), { target: { value: 'paid' } });
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: '/tmp/s.csv' } });
    await fireEvent.click(screen.getByTestId('export-submit'));
    expect(backend.exportCsv).toHaveBeenCalledWith({ status: 'paid' }, '/tmp/s.csv');
    expect((await screen.findByTestId('export-result')).textContent).toBe('Wrote 2 sales to /tmp/s.csv.');
  });
});

describe('cashiers and shifts', () => {
  const ana = { id: 1, name: 'Ana', enabled: true, lockedSeconds: null, createdAt: '2026-11-29T08:00:00.000Z' };

  it('adds a cashier only with the PIN typed twice the same, then disables and renames', async () => {
    backend.cashiers.mockResolvedValue([]);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-cashiers'));
    await screen.findByText(/^No cashiers: the till sells without sign-in\./);
    await fireEvent.input(screen.getByTestId('cashier-name'), { target: { value: 'Ana' } });
    await fireEvent.input(screen.getByTestId('cashier-pin'), { target: { value: '1111' } });
    await fireEvent.input(screen.getByTestId('cashier-pin-again'), { target: { value: '1112' } });
    await fireEvent.click(screen.getByTestId('cashier-add-submit'));
    expect((await screen.findByTestId('cashier-error')).textContent).toContain('differ');
    expect(backend.addCashier).not.toHaveBeenCalled();

    backend.addCashier.mockResolvedValue(ana);
    backend.cashiers.mockResolvedValue([ana]);
    await fireEvent.input(screen.getByTestId('cashier-pin'), { target: { value: '1111' } });
    await fireEvent.input(screen.getByTestId('cashier-pin-again'), { target: { value: '1111' } });
    await fireEvent.click(screen.getByTestId('cashier-add-submit'));
    expect(backend.addCashier).toHaveBeenCalledWith('Ana', '1111');
    expect((await screen.findByTestId('cashier-done')).textContent).toContain('Added Ana');
    expect((await screen.findByTestId('cashier-row')).dataset.name).toBe('Ana');

    backend.setCashierEnabled.mockResolvedValue({ ...ana, enabled: false });
    await fireEvent.click(screen.getByTestId('cashier-toggle'));
    expect(backend.setCashierEnabled).toHaveBeenCalledWith('Ana', false);

    backend.renameCashier.mockResolvedValue({ ...ana, name: 'Anna' });
    await fireEvent.click(screen.getByTestId('cashier-rename'));
    await fireEvent.input(screen.getByTestId('cashier-new-name'), { target: { value: 'Anna' } });
    await fireEvent.click(screen.getByTestId('cashier-rename-save'));
    expect(backend.renameCashier).toHaveBeenCalledWith('Ana', 'Anna');
  });

  it('filters the sales history by cashier and shows who sold each sale', async () => {
    const row = {
      id: 7, merchantOrderId: '1', state: 'paid', fiatAmount: '5.00', fiatCurrency: 'EUR', tipAmount: null,
      coin: 'BTC', cryptoAmount: '0.0001', paidAmount: '0.0001', rate: '50000', gateway: 'demo',
      gatewayOrderId: '9', address: null, transactionId: null, createdAt: '2026-11-29T09:00:00.000Z',
      paidAt: null, voidedAt: null, latePaymentAt: null, needsOwner: false, cashier: 'Ana', shift: 1,
      refunds: [], refunded: null,
    };
    backend.salesHistory.mockResolvedValue({ rows: [row], next: null });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    expect((await screen.findByTestId('sale-cashier')).textContent).toBe('Ana');
    await fireEvent.input(screen.getByTestId('sales-cashier'), { target: { value: 'Ana' } });
    await fireEvent.click(screen.getByTestId('sales-filter'));
    expect(backend.salesHistory).toHaveBeenLastCalledWith({ cashier: 'Ana' });
  });

  it('lists the closed shifts and reads any Z report back', async () => {
    const z1 = shiftReport({ number: 1, closedAt: '2026-11-29T12:00:00.000Z', closedBy: 'Ana' });
    const z2 = shiftReport({ number: 2, shiftId: 2, gross: '6.00', closedAt: '2026-11-29T18:00:00.000Z' });
    backend.shiftReports.mockResolvedValue([z2, z1]);
    backend.shiftReport.mockResolvedValue({
      ...z1,
      cashiers: [{ cashier: 'Ana', sales: 2, gross: '14.50', tips: '1.50', net: '13.00', voids: 0 }],
    });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-shifts'));
    const rows = await screen.findAllByTestId('shift-history-row');
    expect(rows.map((r) => r.dataset.number)).toEqual(['2', '1']);
    await fireEvent.click(screen.getAllByTestId('shift-history-open')[1]);
    expect(backend.shiftReport).toHaveBeenCalledWith(1);
    expect((await screen.findByTestId('shift-report-title')).textContent).toContain('Z report 1');
    expect(screen.getByTestId('shift-report-cashier').dataset.cashier).toBe('Ana');
    expect(screen.getByTestId('shift-report-gross').textContent).toBe('14.50 EUR');
    expect(screen.getByTestId('shift-report-refunded').textContent).toBe('Refunded: 0.00 EUR');
  });

  it("shows a shift report's refunds, in all and per coin", async () => {
    const z1 = shiftReport({
      number: 1,
      closedAt: '2026-11-29T12:00:00.000Z',
      refunded: '40.00',
      refunds: [{ coin: 'BTC', refunds: 1, cryptoAmount: '0.00068966', fiatAmount: '40.00' }],
    });
    backend.shiftReports.mockResolvedValue([z1]);
    backend.shiftReport.mockResolvedValue(z1);
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-shifts'));
    await fireEvent.click(await screen.findByTestId('shift-history-open'));
    expect((await screen.findByTestId('shift-report-refunded')).textContent).toBe('Refunded: 40.00 EUR');
    const coins = screen.getByTestId('shift-report-refunded-coins').textContent ?? '';
    expect(coins).toContain('BTC');
    expect(coins).toContain('40.00 EUR');
  });
});

describe('sales history', () => {
  const row = (id: number) => ({
    id, merchantOrderId: `m${id}`, state: 'paid', fiatAmount: '1.00', fiatCurrency: 'EUR', tipAmount: null,
    coin: 'BTC', cryptoAmount: '0.00001', paidAmount: '0.00001', rate: '58000', gateway: 'demo',
    gatewayOrderId: `g${id}`, address: null, transactionId: null, createdAt: '2026-11-21T12:00:00.000Z',
    paidAt: null, voidedAt: null, latePaymentAt: null, needsOwner: false, refunds: [], refunded: null,
  });

  it('shows the newest page and reads older pages with the same filter on request', async () => {
    const cursor = { createdAt: '2026-11-21T12:00:00.000Z', id: 9 };
    backend.salesHistory
      .mockResolvedValueOnce({ rows: [row(10), row(9)], next: cursor })
      .mockResolvedValueOnce({ rows: [row(8)], next: null });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    await waitFor(() => expect(screen.getAllByTestId('sale-row')).toHaveLength(2));
    await fireEvent.click(screen.getByTestId('sales-older'));
    await waitFor(() => expect(screen.getAllByTestId('sale-row')).toHaveLength(3));
    expect(backend.salesHistory).toHaveBeenLastCalledWith({}, { after: cursor });
    expect(screen.getAllByTestId('sale-row').map((r) => r.dataset.sale)).toEqual(['10', '9', '8']);
    // The last page: no more to read.
    expect(screen.queryByTestId('sales-older')).toBeNull();
  });

  it("shows each sale's refunds under it and what went back beside it", async () => {
    const refund = (id: number, state: string, finishedAt: string | null) => ({
      id, saleId: 10, kind: 'return', reason: 'Returned', fiatAmount: '0.40', fiatCurrency: 'EUR',
      cryptoAmount: '0.00000690', coin: 'BTC', coinDecimals: 8, network: 'Bitcoin', address: 'tb1q',
      email: null, gateway: 'demo', state, requestedBy: 'owner', approvedBy: 'owner', gatewayRefundId: null,
      gatewayStatus: null, message: null, requestedAt: '2026-11-21T13:00:00.000Z', approvedAt: null,
      sentAt: null, finishedAt, updatedAt: '2026-11-21T13:00:00.000Z',
    });
    backend.salesHistory.mockResolvedValue({
      rows: [
        { ...row(10), refunds: [refund(1, 'done', '2026-11-21T14:00:00.000Z'), refund(2, 'failed', null)], refunded: '0.40' },
        row(9),
      ],
      next: null,
    });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    await waitFor(() => expect(screen.getAllByTestId('sale-row')).toHaveLength(2));
    const refunded = screen.getAllByTestId('sale-refunded').map((c) => c.textContent);
    expect(refunded).toEqual(['0.40 EUR', '']);
    expect(screen.getAllByTestId('sale-refunds').map((r) => r.dataset.sale)).toEqual(['10']);
    const lines = screen.getAllByTestId('sale-refund');
    expect(lines.map((l) => l.dataset.state)).toEqual(['done', 'failed']);
    expect(lines[0].textContent).toContain('Refund 1: 0.40 EUR');
    expect(lines[0].textContent).toContain('BTC');
    expect(lines[0].textContent).toContain('refunded');
    expect(lines[1].textContent).toContain('failed');
  });
});

describe('several tills on a shared ledger', () => {
  const row = (id: number, till: string) => ({
    id, merchantOrderId: `m${id}`, state: 'paid', fiatAmount: '1.00', fiatCurrency: 'EUR', tipAmount: null,
    coin: 'BTC', cryptoAmount: '0.00001', paidAmount: '0.00001', rate: '58000', gateway: 'demo',
    gatewayOrderId: `g${id}`, address: null, transactionId: null, createdAt: '2026-11-21T12:00:00.000Z',
    paidAt: null, voidedAt: null, latePaymentAt: null, needsOwner: false, cashier: null, shift: null, till, refunds: [], refunded: null,
  });

  it('shows a till column and filter only when the ledger has several tills', async () => {
    backend.salesHistory.mockResolvedValue({ rows: [row(1, 'Till 1')], next: null });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    await waitFor(() => expect(screen.getAllByTestId('sale-row')).toHaveLength(1));
    expect(screen.queryByTestId('sales-till')).toBeNull();
    expect(screen.queryByTestId('sale-till')).toBeNull();
  });

  it('filters the history by till and reads it again when another till sells', async () => {
    backend.tills.mockResolvedValue(['Front', 'Terrace']);
    let announce = () => {};
    backend.onShopSaleChanged.mockImplementation(async (handler: () => void) => {
      announce = handler;
      return () => {};
    });
    backend.salesHistory.mockResolvedValue({ rows: [row(2, 'Terrace'), row(1, 'Front')], next: null });
    await openUnlocked();
    await fireEvent.click(screen.getByTestId('owner-tab-sales'));
    await waitFor(() => expect(screen.getAllByTestId('sale-till').map((c) => c.textContent)).toEqual(['Terrace', 'Front']));
    await fireEvent.change(await screen.findByTestId('sales-till'), { target: { value: 'Terrace' } });
    await fireEvent.click(screen.getByTestId('sales-filter'));
    expect(backend.salesHistory).toHaveBeenLastCalledWith({ till: 'Terrace' });

    // Terrace sells again: the list is read again with the same filter.
    backend.salesHistory.mockResolvedValue({ rows: [row(3, 'Terrace'), row(2, 'Terrace')], next: null });
    const calls = backend.salesHistory.mock.calls.length;
    announce();
    await waitFor(() => expect(screen.getAllByTestId('sale-row')).toHaveLength(2));
    expect(backend.salesHistory.mock.calls.length).toBe(calls + 1);
    expect(backend.salesHistory).toHaveBeenLastCalledWith({ till: 'Terrace' });
    expect(screen.getAllByTestId('sale-row').map((r) => r.dataset.sale)).toEqual(['3', '2']);
  });
});
