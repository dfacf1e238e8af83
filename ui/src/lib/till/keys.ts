// Rules for typing a fiat amount at the counter. The amount stays the string
// the cashier typed (money is exact: it is never turned into a float); Rust
// parses it into a decimal.

/** Seven integer digits (9 999 999.99) is far beyond a till sale; more is a slip of the finger. */
export const MAX_INTEGER_DIGITS = 7;

export type EntryKey =
  | { type: 'digit'; digit: string }
  | { type: 'separator' }
  | { type: 'backspace' }
  | { type: 'clear' }
  | { type: 'charge' };

/** Applies one typed digit; keys that would break a rule are ignored. */
export function pressDigit(amount: string, digit: string, fiatDecimals: number): string {
  if (!/^[0-9]$/.test(digit)) return amount;
  // No leading zeros: a lone "0" is replaced by the next digit ("0" then "5" is "5").
  if (amount === '0') return digit;
  const dot = amount.indexOf('.');
  if (dot >= 0) {
    const decimals = amount.length - dot - 1;
    return decimals < fiatDecimals ? amount + digit : amount;
  }
  return amount.length < MAX_INTEGER_DIGITS ? amount + digit : amount;
}

/** Adds the decimal separator, at most once, and only if the currency has decimals. */
export function pressSeparator(amount: string, fiatDecimals: number): string {
  if (fiatDecimals <= 0 || amount.includes('.')) return amount;
  return amount === '' ? '0.' : amount + '.';
}

export function backspace(amount: string): string {
  return amount.slice(0, -1);
}

export function applyKey(amount: string, key: EntryKey, fiatDecimals: number): string {
  switch (key.type) {
    case 'digit':
      return pressDigit(amount, key.digit, fiatDecimals);
    case 'separator':
      return pressSeparator(amount, fiatDecimals);
    case 'backspace':
      return backspace(amount);
    case 'clear':
      return '';
    case 'charge':
      return amount;
  }
}

/**
 * Maps a physical key (KeyboardEvent.key) to an entry key. Both "." and ","
 * are the separator because half of Europe's numpads type ",".
 */
export function keyFromKeyboard(key: string): EntryKey | null {
  if (/^[0-9]$/.test(key)) return { type: 'digit', digit: key };
  switch (key) {
    case '.':
    case ',':
    case 'Decimal':
      return { type: 'separator' };
    case 'Backspace':
      return { type: 'backspace' };
    case 'Escape':
    case 'Clear':
      return { type: 'clear' };
    case 'Enter':
      return { type: 'charge' };
    default:
      return null;
  }
}

/** What the amount display shows: exactly what was typed, or "0" before anything. */
export function displayAmount(amount: string): string {
  return amount === '' ? '0' : amount;
}

/** A sale can be charged when something was typed and it is more than zero. */
export function isChargeable(amount: string): boolean {
  return /[1-9]/.test(amount);
}

/**
 * The decimal string sent to Rust: what was typed, without a dangling
 * separator ("12." is sent as "12"), so any decimal parser accepts it.
 */
export function toDecimalString(amount: string): string {
  const trimmed = amount.endsWith('.') ? amount.slice(0, -1) : amount;
  return trimmed === '' ? '0' : trimmed;
}
