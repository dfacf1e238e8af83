// Dates, times, numbers and amounts in the shop's locale (Intl with the
// locale setting, never the system's). Amounts are decimal strings and are
// formatted from their digits, never through a float.
import { formatAmount } from '../shared/separators.svelte';
import { shop } from './index.svelte';

/** A time to show: RFC 3339 text, or null. Unreadable text is shown as it is. */
function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? null : t;
}

const NONE = '—';

// Days are the ledger's (Gregorian) days and digits the Latin ones wallets
// and gateways use, in every locale: a Persian shop reads its own order and
// separators, not a second calendar that the day filters could not parse.
const CALENDAR = { calendar: 'gregory', numberingSystem: 'latn' } as const;

/** Date and time, e.g. en-IE "29/11/2026, 14:05", de-DE "29.11.2026, 14:05", en-US "11/29/2026, 02:05 PM". */
export function dateTime(iso: string | null | undefined, locale = shop.locale): string {
  const t = parse(iso);
  if (!t) return iso || NONE;
  // Spelled out rather than dateStyle 'short', which gives some locales a
  // two-digit year (de-DE "29.11.26"): a report's days need all four.
  return new Intl.DateTimeFormat(locale, {
    ...CALENDAR,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(t);
}

/** Time of day, e.g. "14:05" (en-US "2:05 PM"). */
export function time(iso: string | null | undefined, locale = shop.locale): string {
  const t = parse(iso);
  if (!t) return iso || NONE;
  return new Intl.DateTimeFormat(locale, { ...CALENDAR, timeStyle: 'short' }).format(t);
}

/** A calendar day `YYYY-MM-DD` (a local day, no time zone) in the locale's numeric order. */
export function day(ymd: string | null | undefined, locale = shop.locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
  if (!m) return ymd || NONE;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(locale, {
    ...CALENDAR,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: 'UTC',
  }).format(d);
}

/** A whole number in the locale's digits (e.g. 1.234 in de-DE). */
export function count(n: number, locale = shop.locale): string {
  return new Intl.NumberFormat(locale, { numberingSystem: 'latn' }).format(n);
}

/** A decimal string with the locale's separators ("1234.50", de-DE -> "1.234,50"). */
export function amount(value: string, locale = shop.locale, group = true): string {
  return formatAmount(value, locale, group);
}

/** An amount in the shop's currency: "12.50 EUR", de-DE "12,50 EUR". */
export function fiat(value: string | null | undefined, currency: string, locale = shop.locale): string {
  if (value === null || value === undefined || value === '') return NONE;
  return `${amount(value, locale)} ${currency}`;
}

/**
 * A coin amount as a person reads it: trailing zeros trimmed, so an
 * 18-decimal ETH amount the gateway priced to 8 places reads
 * "0.01475862", not "0.014758620000000000". Never rounded: when the
 * gateway asks for more significant digits (an amount made unique in
 * wei), the customer must send exactly those, so all of them show. The
 * ledger, the QR and the copy button keep the full text.
 */
export function readableCoin(value: string): string {
  const m = /^(-?\d+)\.(\d+)$/.exec(value.trim());
  if (!m) return value.trim();
  const frac = m[2].replace(/0+$/, '');
  return frac === '' ? m[1] : `${m[1]}.${frac}`;
}

/** A coin amount with its symbol, readable and in the locale's digits: "0,01475862 ETH". */
export function coin(value: string | null | undefined, symbol: string, locale = shop.locale): string {
  if (value === null || value === undefined || value === '') return `${NONE} ${symbol}`;
  return `${amount(readableCoin(value), locale, false)} ${symbol}`;
}

/** A coin amount without its symbol (a table column names the coin): readable, in the locale's digits. */
export function coinNumber(value: string | null | undefined, locale = shop.locale): string {
  if (value === null || value === undefined || value === '') return NONE;
  return amount(readableCoin(value), locale, false);
}

/** The order of day, month and year in the locale's numeric dates, e.g. en-US ['month','day','year']. */
export function dayOrder(locale = shop.locale): ('day' | 'month' | 'year')[] {
  const parts = new Intl.DateTimeFormat(locale, {
    ...CALENDAR,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone: 'UTC',
  }).formatToParts(new Date(Date.UTC(2026, 10, 29)));
  return parts
    .map((p) => p.type)
    .filter((type): type is 'day' | 'month' | 'year' => type === 'day' || type === 'month' || type === 'year');
}

/**
 * A day typed the locale's way ("29.11.2026" in de-DE, "11/29/2026" in
 * en-US; any separator, a two-digit year is this century) as `YYYY-MM-DD`;
 * an ISO date is taken as it is. Null when it is not a real day.
 */
export function parseDay(text: string, locale = shop.locale): string | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  let y: number, m: number, d: number;
  if (iso) {
    [y, m, d] = [+iso[1], +iso[2], +iso[3]];
  } else {
    const numbers = trimmed.split(/\D+/).filter(Boolean).map(Number);
    if (numbers.length !== 3) return null;
    const got: Record<string, number> = {};
    dayOrder(locale).forEach((part, i) => (got[part] = numbers[i]));
    [y, m, d] = [got.year, got.month, got.day];
    if (y < 100) y += 2000;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
