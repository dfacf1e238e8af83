// The locale's decimal and grouping characters, and amounts written with
// them from their digits (never through a float).
//
// They come from ICU (`Intl.NumberFormat`), whose first use in a page
// loads its number data: 12 to 20 ms of the keypad's first draw, the
// largest single step in it (issue 11, BENCHMARKS.md "Round 25: the
// keypad's first draw"). So the characters each locale had are kept in
// the window's storage: a till that has started before draws its first
// frame from them, and `confirmSeparators` asks ICU after that paint. If
// ICU says otherwise (a system update changed the locale's data), the
// answer is stored and every amount on screen follows at once.

export interface Separators {
  decimal: string;
  group: string;
}

const STORAGE_KEY = 'cryptill.separators';

/** Per locale: from storage until ICU has been asked in this page, then ICU's. */
const known = new Map<string, Separators>();
/** Locales ICU has answered for in this page. */
const confirmed = new Set<string>();
/** Bumped when a stored answer turned out stale: what was drawn from it is drawn again. */
let version = $state(0);

function isSeparators(value: unknown): value is Separators {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Separators).decimal === 'string' &&
    typeof (value as Separators).group === 'string' &&
    (value as Separators).decimal !== ''
  );
}

/** What storage holds, per locale (nothing when there is no storage, or it is not ours). */
function stored(): Record<string, unknown> {
  try {
    const all: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    return typeof all === 'object' && all !== null && !Array.isArray(all) ? (all as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function remembered(locale: string): Separators | undefined {
  const found = stored()[locale];
  return isSeparators(found) ? { decimal: found.decimal, group: found.group } : undefined;
}

function remember(locale: string, found: Separators): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...stored(), [locale]: found }));
  } catch {
    // No storage (tests, a locked-down webview): ICU is asked next start.
  }
}

function fromIcu(locale: string): Separators {
  try {
    const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
    return {
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      group: parts.find((p) => p.type === 'group')?.value ?? '',
    };
  } catch {
    return { decimal: '.', group: ',' };
  }
}

/** Asks ICU for `locale`'s characters (once per page) and keeps the answer. */
function ask(locale: string, before: Separators | undefined): Separators {
  const fresh = fromIcu(locale);
  confirmed.add(locale);
  known.set(locale, fresh);
  if (!before || before.decimal !== fresh.decimal || before.group !== fresh.group) {
    remember(locale, fresh);
    // Only a stale answer that was drawn needs a new draw (never inside one:
    // a first answer is asked while a draw reads it).
    if (before) version++;
  }
  return fresh;
}

/** The locale's decimal and grouping characters, e.g. de-DE: "," and ".". */
export function separators(locale: string): Separators {
  // Read so that whatever was drawn from a stale answer is drawn again.
  void version;
  let found = known.get(locale);
  if (!found) {
    found = remembered(locale);
    if (found) known.set(locale, found);
  }
  return found ?? ask(locale, undefined);
}

/**
 * Asks ICU about `locale` if this page has not yet (call it after the
 * first paint): a stored answer ICU contradicts is replaced, and what was
 * drawn from it follows.
 */
export function confirmSeparators(locale: string): void {
  if (!confirmed.has(locale)) ask(locale, known.get(locale) ?? remembered(locale));
}

/**
 * A decimal string in the locale's way ("1234.50", de-DE -> "1.234,50"),
 * built from the string itself so nothing is rounded by a float.
 */
export function formatAmount(amount: string, locale: string, grouping = true): string {
  const { decimal, group } = separators(locale);
  const negative = amount.startsWith('-');
  const [whole, frac] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = grouping ? (whole || '0').replace(/\B(?=(\d{3})+(?!\d))/g, group) : whole || '0';
  return (negative ? '-' : '') + grouped + (frac !== undefined ? decimal + frac : '');
}
