// The window's language and formats, both chosen by the shop's locale
// setting (Settings.locale, e.g. `de-DE`), never by the system's or the
// webview's: a German shop on an English laptop still sells in German.
//
// Messages: svelte-i18n (ICU MessageFormat through FormatJS's
// intl-messageformat, so plurals follow each language's CLDR rules). One
// JSON file per language in ./messages, keys grouped by screen
// (`till.*`, `pay.*`, `owner.settings.*` ...). English is the reference;
// en, de, fr and es are complete (a Vitest test fails on any missing key);
// other languages may be partial and fall back to English key by key.
//
// Every text goes through `t()`, which reads the reactive `shop.locale`:
// templates and `$derived` values that call it follow a change of the
// setting at once, without a reload.
import { addMessages, init, locale as i18nLocale, _ } from 'svelte-i18n';
import { get } from 'svelte/store';
import en from './messages/en.json';
import de from './messages/de.json';
import fr from './messages/fr.json';
import es from './messages/es.json';
import fa from './messages/fa.json';

/** Languages with a catalogue; those in COMPLETE have every key. */
export const CATALOGUES = { en, de, fr, es, fa } as const;
export type Language = keyof typeof CATALOGUES;
export const COMPLETE: readonly Language[] = ['en', 'de', 'fr', 'es', 'fa'];

/** Languages written right to left (the document gets dir="rtl"). */
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi']);

export const DEFAULT_LOCALE = 'en-IE';

for (const [lang, messages] of Object.entries(CATALOGUES)) addMessages(lang, messages);
init({ fallbackLocale: 'en', initialLocale: DEFAULT_LOCALE });

/** The shop's locale as the window uses it (reactive). */
export const shop = $state({ locale: DEFAULT_LOCALE });

/** A locale Intl understands: a bad setting falls back to the default rather than breaking every screen. */
export function usableLocale(tag: string | null | undefined): string {
  const wanted = (tag ?? '').trim().replace(/_/g, '-');
  if (!wanted) return DEFAULT_LOCALE;
  try {
    return Intl.getCanonicalLocales(wanted)[0] ?? DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** The language part of a locale (`de-AT` -> `de`). */
export function languageOf(tag: string): string {
  return tag.split('-')[0].toLowerCase();
}

export function isRtl(tag: string): boolean {
  return RTL.has(languageOf(tag));
}

/**
 * Follows the shop's locale setting: messages, formats, and the document's
 * `lang` and `dir` (right-to-left languages mirror the layout).
 */
export function setShopLocale(tag: string | null | undefined) {
  const next = usableLocale(tag);
  i18nLocale.set(next);
  shop.locale = next;
  try {
    // The customer display is another window of the same origin: it reads the locale here.
    if (localStorage.getItem(STORAGE_KEY) !== next) localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // No storage (tests, a locked-down webview): the display stays in the default language.
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = next;
    document.documentElement.dir = isRtl(next) ? 'rtl' : 'ltr';
  }
}

const STORAGE_KEY = 'cryptill.locale';

/**
 * For the customer display: follows the locale the till window last set
 * (and any later change of it). Returns a function that stops following.
 */
export function followTillLocale(): () => void {
  try {
    setShopLocale(localStorage.getItem(STORAGE_KEY));
  } catch {
    return () => {};
  }
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) setShopLocale(event.newValue);
  };
  window.addEventListener('storage', onStorage);
  return () => window.removeEventListener('storage', onStorage);
}

/** Values put into a message's `{placeholders}`. */
export type Values = Record<string, string | number | boolean | Date | null | undefined>;

/** The message `key` in the shop's language (English where it has none). */
export function t(key: string, values?: Values): string {
  // Reading shop.locale makes the caller follow a change of language.
  void shop.locale;
  return get(_)(key, values ? { values } : undefined);
}

/** Whether the English catalogue (which every language falls back to) has the message `key`. */
export function hasMessage(key: string): boolean {
  let node: unknown = CATALOGUES.en;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, part)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}
