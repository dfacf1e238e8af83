import { describe, expect, it } from 'vitest';
import { formatAmount, fromMinor, percentOf, separators, toMinor } from './money';

describe('exact money on the entry screen', () => {
  it('converts between decimal strings and minor units without floats', () => {
    expect(toMinor('12.5', 2)).toBe(1250n);
    expect(toMinor('0.1', 2)! + toMinor('0.2', 2)!).toBe(30n);
    expect(fromMinor(30n, 2)).toBe('0.30');
    expect(fromMinor(5n, 0)).toBe('5');
    expect(toMinor('1.234', 2)).toBeNull();
    expect(toMinor('abc', 2)).toBeNull();
  });

  it('rounds a percentage tip half up to the cent', () => {
    expect(fromMinor(percentOf(1250n, 10), 2)).toBe('1.25');
    expect(fromMinor(percentOf(1255n, 10), 2)).toBe('1.26');
    expect(fromMinor(percentOf(333n, 15), 2)).toBe('0.50');
  });

  it('formats per locale from the string itself', () => {
    expect(separators('de-DE')).toEqual({ decimal: ',', group: '.' });
    expect(formatAmount('1234567.50', 'de-DE')).toBe('1.234.567,50');
    expect(formatAmount('1234.50', 'en-IE')).toBe('1,234.50');
    // More digits than a float holds stay exact.
    expect(formatAmount('9007199254740993.01', 'en-IE')).toBe('9,007,199,254,740,993.01');
  });
});
