import { describe, expect, it } from 'vitest';
import { fromMinor, percentOf, toMinor } from './money';

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
});
