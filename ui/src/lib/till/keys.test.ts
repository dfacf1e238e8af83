import { describe, expect, it } from 'vitest';
import {
  applyKey,
  backspace,
  displayAmount,
  isChargeable,
  keyFromKeyboard,
  MAX_INTEGER_DIGITS,
  pressDigit,
  pressSeparator,
  toDecimalString,
  type EntryKey,
} from './keys';

/** Types a string as a cashier would, "," and "." both being the separator. */
function type(keys: string, fiatDecimals = 2): string {
  let amount = '';
  for (const ch of keys) {
    const key: EntryKey =
      ch === '.' || ch === ','
        ? { type: 'separator' }
        : ch === '<'
          ? { type: 'backspace' }
          : { type: 'digit', digit: ch };
    amount = applyKey(amount, key, fiatDecimals);
  }
  return amount;
}

describe('typing an amount', () => {
  it('appends digits as typed', () => {
    expect(type('1250')).toBe('1250');
    expect(type('12.50')).toBe('12.50');
  });

  it('ignores decimals beyond the currency precision', () => {
    expect(type('12.505')).toBe('12.50');
    expect(type('1.999', 2)).toBe('1.99');
    expect(type('1.2345', 3)).toBe('1.234');
  });

  it('accepts only one separator', () => {
    expect(type('1.2.3')).toBe('1.23');
    expect(type('1..')).toBe('1.');
  });

  it('treats comma like dot', () => {
    expect(type('12,5')).toBe('12.5');
    expect(type('1,2.3')).toBe('1.23');
  });

  it('replaces a leading zero with the next digit', () => {
    expect(type('05')).toBe('5');
    expect(type('00')).toBe('0');
    expect(type('0007')).toBe('7');
  });

  it('keeps the zero before the separator', () => {
    expect(type('0.5')).toBe('0.5');
    expect(type('0.05')).toBe('0.05');
  });

  it('starts with "0." when the separator comes first', () => {
    expect(type('.')).toBe('0.');
    expect(type(',5')).toBe('0.5');
  });

  it(`allows at most ${MAX_INTEGER_DIGITS} integer digits`, () => {
    expect(type('123456789')).toBe('1234567');
    expect(type('1234567.89')).toBe('1234567.89');
    expect(type('12345678.9')).toBe('1234567.9');
  });

  it('ignores the separator for a currency without decimals', () => {
    expect(type('12.5', 0)).toBe('125');
    expect(pressSeparator('', 0)).toBe('');
  });

  it('ignores anything that is not a digit', () => {
    expect(pressDigit('1', 'a', 2)).toBe('1');
    expect(pressDigit('1', '12', 2)).toBe('1');
  });

  it('backspace removes the last character', () => {
    expect(type('12.5<')).toBe('12.');
    expect(type('12.5<<')).toBe('12');
    expect(type('.<')).toBe('0');
    expect(backspace('')).toBe('');
  });

  it('backspace frees room for another decimal', () => {
    expect(type('1.25<9')).toBe('1.29');
  });

  it('clear empties the amount', () => {
    expect(applyKey('12.50', { type: 'clear' }, 2)).toBe('');
  });

  it('the charge key does not change the amount', () => {
    expect(applyKey('12.50', { type: 'charge' }, 2)).toBe('12.50');
  });
});

describe('displayAmount', () => {
  it('shows 0 when nothing is typed', () => {
    expect(displayAmount('')).toBe('0');
  });

  it('shows exactly what was typed', () => {
    expect(displayAmount('12.')).toBe('12.');
    expect(displayAmount('12.50')).toBe('12.50');
    expect(displayAmount('0.0')).toBe('0.0');
  });
});

describe('isChargeable', () => {
  it('refuses an empty amount', () => {
    expect(isChargeable('')).toBe(false);
  });

  it('refuses zero in any spelling', () => {
    for (const zero of ['0', '0.', '0.0', '0.00']) expect(isChargeable(zero)).toBe(false);
  });

  it('accepts anything above zero', () => {
    for (const amount of ['0.01', '1', '12.', '12.50', '1000000']) {
      expect(isChargeable(amount)).toBe(true);
    }
  });
});

describe('toDecimalString', () => {
  it('drops a dangling separator', () => {
    expect(toDecimalString('12.')).toBe('12');
  });

  it('keeps trailing zeros, which carry the precision typed', () => {
    expect(toDecimalString('12.50')).toBe('12.50');
  });
});

describe('keyFromKeyboard', () => {
  it('maps digits', () => {
    for (const d of '0123456789') expect(keyFromKeyboard(d)).toEqual({ type: 'digit', digit: d });
  });

  it('maps both dot and comma to the separator', () => {
    expect(keyFromKeyboard('.')).toEqual({ type: 'separator' });
    expect(keyFromKeyboard(',')).toEqual({ type: 'separator' });
  });

  it('maps Backspace, Escape and Enter', () => {
    expect(keyFromKeyboard('Backspace')).toEqual({ type: 'backspace' });
    expect(keyFromKeyboard('Escape')).toEqual({ type: 'clear' });
    expect(keyFromKeyboard('Enter')).toEqual({ type: 'charge' });
  });

  it('ignores other keys', () => {
    for (const key of ['a', 'Tab', 'F5', ' ', '-', 'Shift']) expect(keyFromKeyboard(key)).toBeNull();
  });
});
