// Exact money arithmetic for the entry screen: amounts are decimal strings,
// added and multiplied as whole minor units (BigInt), never as floats.
// Rust checks the same sums again; this is only what the cashier sees.

/** "12.5" with 2 decimals -> 1250n. Anything not a plain decimal is null. */
export function toMinor(amount: string, decimals: number): bigint | null {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(amount.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
  const frac = m[2] ?? '';
  if (frac.length > decimals) return null;
  return BigInt((m[1] || '0') + frac.padEnd(decimals, '0'));
}

/** 1250n with 2 decimals -> "12.50". */
export function fromMinor(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return (negative ? '-' : '') + (decimals > 0 ? `${whole}.${frac}` : whole);
}

/** `percent` % of `minor`, rounded half up to a whole minor unit. */
export function percentOf(minor: bigint, percent: number): bigint {
  return (minor * BigInt(Math.round(percent)) * 2n + 100n) / 200n;
}
