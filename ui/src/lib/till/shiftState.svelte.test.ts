// Who sells at the counter, without a screen: sign-in, switch, X report,
// close after the confirmation; the backend is a mock.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { shiftReport as report } from '../../test/fixtures';
import { ShiftState } from './shiftState.svelte';

const mocked = vi.hoisted(() =>
  import('../../test/fixtures').then((f) =>
    f.mockCalls('shiftStatus', 'openShift', 'switchCashier', 'xReport', 'closeShift'),
  ),
);
vi.mock('../backend', () => mocked);
const backend = await mocked;

const noShift = { cashiersSetUp: true, shift: null, cashiers: ['Ana', 'Ben'] };
const anaSells = {
  ...noShift,
  shift: { id: 1, openedAt: '2026-11-29T08:00:00.000Z', openedBy: 'Ana', cashier: 'Ana' },
};

beforeEach(() => {
  for (const fn of Object.values(backend)) fn.mockReset();
});

describe('ShiftState', () => {
  it('sells as before on a till without cashiers', async () => {
    backend.shiftStatus.mockResolvedValue({ cashiersSetUp: false, shift: null, cashiers: [] });
    const s = new ShiftState();
    await s.load();
    expect(s.needsSignIn).toBe(false);
    expect(s.cashier).toBeNull();
  });

  it('asks for a sign-in, opens the shift with the PIN and names the cashier', async () => {
    backend.shiftStatus.mockResolvedValue(noShift);
    const s = new ShiftState();
    await s.load();
    expect(s.needsSignIn).toBe(true);
    backend.openShift.mockRejectedValueOnce({ kind: 'input', message: 'Wrong PIN. 2 more try(s) before Ana\'s sign-in locks for a while.' });
    expect(await s.signIn('Ana', '0000')).toBe(false);
    expect(s.error?.message).toContain('Wrong PIN');
    backend.openShift.mockResolvedValueOnce(anaSells);
    expect(await s.signIn('Ana', '1111')).toBe(true);
    expect(backend.openShift).toHaveBeenLastCalledWith('Ana', '1111');
    expect(s.needsSignIn).toBe(false);
    expect(s.cashier).toBe('Ana');
    expect(s.error).toBeNull();
  });

  it('switches cashier within an open shift instead of opening another', async () => {
    backend.shiftStatus.mockResolvedValue(anaSells);
    const s = new ShiftState();
    await s.load();
    s.open('switch');
    backend.switchCashier.mockResolvedValue({ ...anaSells, shift: { ...anaSells.shift, cashier: 'Ben' } });
    await s.signIn('Ben', '2222');
    expect(backend.openShift).not.toHaveBeenCalled();
    expect(s.cashier).toBe('Ben');
    expect(s.dialog).toBe('none');
  });

  it('closes only when asked, then shows the Z report and needs a new sign-in', async () => {
    backend.shiftStatus.mockResolvedValue(anaSells);
    const s = new ShiftState();
    await s.load();
    s.open('confirm-close');
    expect(backend.closeShift).not.toHaveBeenCalled();
    backend.closeShift.mockResolvedValue(report({ number: 1, closedAt: '2026-11-29T12:00:00.000Z' }));
    backend.shiftStatus.mockResolvedValue(noShift);
    await s.close();
    expect(s.dialog).toBe('report');
    expect(s.report?.number).toBe(1);
    expect(s.needsSignIn).toBe(true);
  });

  it('shows the X report, and a refusal as a sentence', async () => {
    backend.shiftStatus.mockResolvedValue(anaSells);
    const s = new ShiftState();
    await s.load();
    backend.xReport.mockResolvedValueOnce(report());
    await s.showX();
    expect(s.report?.number).toBeNull();
    s.dismiss();
    backend.xReport.mockRejectedValueOnce({ kind: 'notAllowed', message: 'No shift is open.' });
    await s.showX();
    expect(s.dialog).toBe('none');
    expect(s.error?.message).toBe('No shift is open.');
  });
});
