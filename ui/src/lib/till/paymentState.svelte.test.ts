// The payment screen's states and actions without a screen: the class runs
// under its own effect root, the backend calls and the beep are mocks.
import { flushSync } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { payment } from '../../test/fixtures';
import type { Payment } from '../bindings/Payment';
import { PaymentState, type PaymentProps } from './paymentState.svelte';

// A runes file compiles `await`, which vi.hoisted cannot hold: the mocks come as a promise.
const mocked = vi.hoisted(() => import('../../test/fixtures').then((f) => f.paymentCalls()));
vi.mock('../backend', () => mocked);
const backend = await mocked;
const sound = vi.hoisted(() => ({ beepPaid: vi.fn() }));
vi.mock('../shared/sound', () => sound);

const stops: (() => void)[] = [];

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
  sound.beepPaid.mockReset();
});

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** The screen's state for `shown`, with props that a test may change. */
function setup(shown: Payment, extra: Partial<PaymentProps> = {}) {
  const props = $state<PaymentProps>({
    payment: shown,
    sound: true,
    onchanged: vi.fn(),
    onreplaced: vi.fn(),
    ...extra,
  });
  let pay!: PaymentState;
  stops.push($effect.root(() => void (pay = new PaymentState(() => props))));
  flushSync();
  return { pay, props };
}

/** Lets the mocked calls answer. */
const answered = () => new Promise((r) => setTimeout(r, 0));

const underpaid = payment({
  state: 'underpaid',
  paidAmount: '0.00010000',
  remainingAmount: '0.00011552',
  remainingQrPng: 'data:image/png;base64,REST',
});

describe('what the customer is shown', () => {
  it('an open sale: the whole amount and its QR, cancelable', () => {
    const { pay } = setup(payment());
    expect(pay.toPay.topUp).toBe(false);
    expect(pay.toPay.amount).toBe('0.00021552');
    expect(pay.toPay.qrPng).toBe(payment().qrPng);
    expect(pay.final).toBe(false);
    expect(pay.cancelable).toBe(true);
  });

  it('underpaid with an open order: the rest and the QR for the rest', () => {
    const { pay } = setup(underpaid);
    expect(pay.toPay.topUp).toBe(true);
    expect(pay.toPay.amount).toBe('0.00011552');
    expect(pay.toPay.qrPng).toBe('data:image/png;base64,REST');
    expect(pay.cancelable).toBe(false);
  });

  it('underpaid after the order ran out: back to the whole, no top-up', () => {
    const { pay } = setup({ ...underpaid, remainingQrPng: null });
    expect(pay.toPay.topUp).toBe(false);
    expect(pay.toPay.amount).toBe('0.00021552');
  });

  it('follows the sale as it changes', () => {
    const { pay, props } = setup(payment());
    props.payment = { ...payment(), state: 'overpaid' };
    flushSync();
    expect(pay.final).toBe(true);
    expect(pay.paid).toBe(true);
    expect(pay.cancelable).toBe(false);
  });
});

describe('the paid beep', () => {
  it('beeps once when the sale turns paid', () => {
    const { props } = setup(payment());
    props.payment = { ...payment(), state: 'confirming' };
    flushSync();
    expect(sound.beepPaid).not.toHaveBeenCalled();
    props.payment = { ...payment(), state: 'paid' };
    flushSync();
    props.payment = { ...payment(), state: 'paid', confirmations: 3 };
    flushSync();
    expect(sound.beepPaid).toHaveBeenCalledTimes(1);
  });

  it('is silent for a sale reopened already paid, and with sound off', () => {
    setup(payment({ state: 'paid' }));
    const { props } = setup(payment(), { sound: false });
    props.payment = { ...payment(), state: 'paid' };
    flushSync();
    expect(sound.beepPaid).not.toHaveBeenCalled();
  });
});

describe("the cashier's actions", () => {
  it('cancel hands the voided sale on', async () => {
    const voided = payment({ state: 'canceled', voidedAt: '2025-01-01T12:00:00Z' });
    backend.voidSale.mockResolvedValue(voided);
    const { pay, props } = setup(payment());
    pay.voidSale();
    expect(pay.busy).toBe(true);
    await answered();
    expect(backend.voidSale).toHaveBeenCalledWith(41);
    expect(props.onchanged).toHaveBeenCalledWith(voided);
    expect(pay.busy).toBe(false);
  });

  it('takes one action at a time', async () => {
    let answer!: (p: Payment) => void;
    backend.markForOwner.mockReturnValue(new Promise<Payment>((r) => (answer = r)));
    const { pay } = setup(underpaid);
    pay.markForOwner();
    pay.voidSale();
    pay.simulate('full');
    expect(backend.voidSale).not.toHaveBeenCalled();
    expect(backend.simulate).not.toHaveBeenCalled();
    answer({ ...underpaid, needsOwner: true });
    await answered();
    expect(pay.busy).toBe(false);
  });

  it('keeps a failed action’s error, and Retry repeats that action', async () => {
    backend.simulate.mockRejectedValueOnce({ kind: 'network', message: 'No sandbox.' });
    backend.simulate.mockResolvedValue(undefined);
    const { pay } = setup(payment());
    pay.simulate('part');
    await answered();
    expect(pay.actionError?.message).toBe('No sandbox.');
    pay.retry();
    await answered();
    expect(pay.actionError).toBeNull();
    expect(backend.simulate).toHaveBeenCalledTimes(2);
    expect(backend.simulate).toHaveBeenLastCalledWith(41, 'part');
  });

  it('Try again records one fresh sale and retries placing that same one', async () => {
    const placed = payment({ saleId: 42 });
    backend.tryAgain.mockResolvedValue({ ...placed, state: 'creating' });
    backend.placeSale
      .mockRejectedValueOnce({ kind: 'network', message: 'No connection.' })
      .mockResolvedValue(placed);
    const { pay, props } = setup(payment({ state: 'expired' }));
    pay.tryAgain();
    await answered();
    expect(pay.actionError?.message).toBe('No connection.');
    pay.retry();
    await answered();
    expect(props.onreplaced).toHaveBeenCalledWith(placed);
    expect(backend.tryAgain).toHaveBeenCalledTimes(1);
    expect(backend.placeSale).toHaveBeenNthCalledWith(2, 42);
  });

  it('Let it run keeps watching an underpaid sale', () => {
    const { pay } = setup(underpaid);
    expect(pay.letRun).toBe(false);
    pay.letItRun();
    expect(pay.letRun).toBe(true);
  });
});
