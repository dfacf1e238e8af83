import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOAST_MS, ToastQueue } from './toastQueue.svelte';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the toasts on screen', () => {
  it('shows each toast until its time is up', () => {
    const toasts = new ToastQueue();
    toasts.add(1, 'Sale 1 paid', 'good');
    vi.advanceTimersByTime(TOAST_MS / 2);
    toasts.add(2, 'Sale 2 paid', 'good');
    expect(toasts.items.map((t) => t.text)).toEqual(['Sale 1 paid', 'Sale 2 paid']);
    vi.advanceTimersByTime(TOAST_MS / 2);
    expect(toasts.items.map((t) => t.text)).toEqual(['Sale 2 paid']);
    vi.advanceTimersByTime(TOAST_MS / 2);
    expect(toasts.items).toEqual([]);
  });

  it("replaces a sale's older news, and keeps news about no sale", () => {
    const toasts = new ToastQueue();
    toasts.add(null, 'Cryptill is already open', 'info');
    toasts.add(null, 'Cryptill is already open', 'info');
    toasts.add(7, 'Sale 7: payment seen', 'info');
    toasts.add(7, 'Sale 7 paid', 'good');
    expect(toasts.items.map((t) => [t.saleId, t.text])).toEqual([
      [null, 'Cryptill is already open'],
      [null, 'Cryptill is already open'],
      [7, 'Sale 7 paid'],
    ]);
  });

  it('dismisses one toast by its id', () => {
    const toasts = new ToastQueue(1000);
    toasts.add(1, 'one', 'good');
    toasts.add(2, 'two', 'warn');
    toasts.dismiss(toasts.items[0].id);
    expect(toasts.items.map((t) => t.text)).toEqual(['two']);
    vi.advanceTimersByTime(1000);
    expect(toasts.items).toEqual([]);
  });
});
