import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import SignInForm from '../till/SignInForm.svelte';

describe('the PIN pad', () => {
  it('takes a PIN tapped on the screen, with delete, and sends it once', async () => {
    const onsubmit = vi.fn().mockResolvedValue(true);
    render(SignInForm, { cashiers: ['Ann'], switching: false, error: null, busy: false, onsubmit });
    for (const key of ['1', '2', '3', '4', 'back', '5']) {
      await fireEvent.click(screen.getByTestId(`shift-pin-key-${key}`));
    }
    const field = screen.getByTestId('shift-pin') as HTMLInputElement;
    expect(field.value).toBe('1235');
    expect(field.type).toBe('password');
    await fireEvent.click(screen.getByTestId('shift-sign-in-submit'));
    expect(onsubmit).toHaveBeenCalledWith('Ann', '1235');
    expect(field.value).toBe('');
  });

  it('stops at the longest PIN and clears with C', async () => {
    render(SignInForm, { cashiers: ['Ann'], switching: false, error: null, busy: false, onsubmit: vi.fn() });
    for (let i = 0; i < 10; i++) await fireEvent.click(screen.getByTestId('shift-pin-key-7'));
    const field = screen.getByTestId('shift-pin') as HTMLInputElement;
    expect(field.value).toBe('77777777');
    await fireEvent.click(screen.getByTestId('shift-pin-key-clear'));
    expect(field.value).toBe('');
  });
});
