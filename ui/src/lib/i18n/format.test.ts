import { describe, expect, it } from 'vitest';
import { amount, coin, coinNumber, count, dateTime, day, dayOrder, fiat, parseDay, readableCoin, time } from './format';

// A fixed instant; the test machine's zone may differ, so times are checked by shape.
const AT = '2026-11-28T20:36:40Z';

describe('amounts in the shop locale', () => {
  it('writes fiat amounts with the locale separators, from the digits', () => {
    expect(fiat('1234.50', 'EUR', 'de-DE')).toBe('1.234,50 EUR');
    expect(fiat('1234.50', 'EUR', 'en-IE')).toBe('1,234.50 EUR');
    expect(fiat('9007199254740993.01', 'EUR', 'fr-FR')).toMatch(/^9\s007\s199\s254\s740\s993,01 EUR$/u);
    expect(amount('12.5', 'es-ES')).toBe('12,5');
  });

  it('counts whole numbers the locale way', () => {
    expect(count(12345, 'de-DE')).toBe('12.345');
  });
});

describe('readable coin amounts', () => {
  it('trims the trailing zeros of an 18-decimal amount', () => {
    expect(readableCoin('0.014758620000000000')).toBe('0.01475862');
    expect(coin('0.014758620000000000', 'ETH', 'en-IE')).toBe('0.01475862 ETH');
  });

  it('keeps every significant digit the customer must send, even past the 8th', () => {
    expect(readableCoin('0.014758620000000123')).toBe('0.014758620000000123');
  });

  it('keeps whole amounts whole and never groups coin digits', () => {
    expect(readableCoin('2.000000000000000000')).toBe('2');
    expect(coin('1234.50000000', 'BTC', 'de-DE')).toBe('1234,5 BTC');
    expect(coinNumber('0.00172414', 'en-IE')).toBe('0.00172414');
  });
});

describe('dates in the shop locale, not the system one', () => {
  it('writes days day-first in Ireland and Germany, month-first in the US', () => {
    expect(day('2026-11-28', 'en-IE')).toBe('28/11/2026');
    expect(day('2026-11-28', 'de-DE')).toBe('28.11.2026');
    expect(day('2026-11-28', 'en-US')).toBe('11/28/2026');
  });

  it('writes times of day in 24 hours in Ireland and with AM/PM in the US', () => {
    expect(dateTime(AT, 'en-IE')).toMatch(/^\d{2}\/11\/2026, \d{2}:\d{2}$/);
    expect(dateTime(AT, 'de-DE')).toMatch(/^\d{2}\.11\.2026, \d{2}:\d{2}$/);
    expect(time(AT, 'en-US')).toMatch(/^\d{1,2}:\d{2}\s?[AP]M$/u);
    expect(dateTime(null)).toBe('—');
  });

  it('reads a typed day in the locale order', () => {
    expect(dayOrder('de-DE')).toEqual(['day', 'month', 'year']);
    expect(parseDay('28.11.2026', 'de-DE')).toBe('2026-11-28');
    expect(parseDay('28/11/26', 'en-IE')).toBe('2026-11-28');
    expect(parseDay('11/28/2026', 'en-US')).toBe('2026-11-28');
    expect(parseDay('2026-11-28', 'de-DE')).toBe('2026-11-28');
  });

  it('keeps Gregorian days and Latin digits in a Persian shop, so a shown day reads back', () => {
    const shown = day('2026-11-28', 'fa-IR');
    expect(shown).toMatch(/2026/);
    expect(parseDay(shown, 'fa-IR')).toBe('2026-11-28');
    expect(count(1234, 'fa-IR')).toMatch(/^1\D?234$/u);
  });

  it('refuses a day that does not exist', () => {
    expect(parseDay('31.02.2026', 'de-DE')).toBeNull();
    expect(parseDay('11/28/2026', 'en-IE')).toBeNull();
    expect(parseDay('soon', 'en-IE')).toBeNull();
  });
});
