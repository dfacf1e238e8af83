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
//
// Only English (the fallback of every language, and the key checks'
// reference) is in the start script; each other language is a chunk of its
// own, loaded when the shop's locale asks for it (issue 11: the other
// catalogues were a fifth of the script WebKit parsed and kept before the
// keypad). `setShopLocale` switches once the catalogue is in, so a screen
// never shows half a language. The till remembers its locale (below), so
// its catalogue is fetched as this module starts, beside the first IPC
// calls, and is in by the time the settings arrive.
import { addMessages, init, locale as i18nLocale, _ } from 'svelte-i18n';
import { get } from 'svelte/store';
import en from './messages/en.json';

type Catalogue = typeof en;
type Messages = Parameters<typeof addMessages>[1];

/** Each language's catalogue, loaded on demand (English is always there). */
const LOADERS = {
  en: async () => en,
  de: () => import('./messages/de.json').then((m) => m.default),
  fr: () => import('./messages/fr.json').then((m) => m.default),
  es: () => import('./messages/es.json').then((m) => m.default),
  fa: () => import('./messages/fa.json').then((m) => m.default),
} as const satisfies Record<string, () => Promise<Messages>>;

/** Languages with a catalogue; those in COMPLETE have every key. */
export type Language = keyof typeof LOADERS;
export const LANGUAGES = Object.keys(LOADERS) as Language[];
export const COMPLETE: readonly Language[] = ['en', 'de', 'fr', 'es', 'fa'];
/** The English catalogue, the reference every language falls back to. */
export const ENGLISH: Catalogue = en;

/** Languages written right to left (the document gets dir="rtl"). */
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi']);

export const DEFAULT_LOCALE = 'en-IE';

addMessages('en', en);
init({ fallbackLocale: 'en', initialLocale: DEFAULT_LOCALE });

function isLanguage(lang: string): lang is Language {
  return Object.prototype.hasOwnProperty.call(LOADERS, lang);
}

const loading = new Map<Language, Promise<unknown>>([['en', Promise.resolve(en)]]);
const loaded = new Set<string>(['en']);

/** Whether the catalogue of `lang` is loaded (switching to it is immediate). */
export function languageLoaded(lang: string): boolean {
  return loaded.has(lang);
}

/**
 * The catalogue of `lang`, loaded (once) and given to svelte-i18n. A
 * language without a catalogue is English's (the fallback). A chunk that
 * fails to load is asked for again next time.
 */
export function loadLanguage(lang: string): Promise<unknown> {
  if (!isLanguage(lang)) return Promise.resolve(en);
  let pending = loading.get(lang);
  if (!pending) {
    pending = LOADERS[lang]().then(
      (messages) => {
        addMessages(lang, messages);
        loaded.add(lang);
        return messages;
      },
      (error: unknown) => {
        loading.delete(lang);
        throw error;
      },
    );
    loading.set(lang, pending);
  }
  return pending;
}

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
export function setShopLocale(tag: string | null | undefined): Promise<void> {
  const next = usableLocale(tag);
  wanted = next;
  const lang = languageOf(next);
  if (!isLanguage(lang) || loaded.has(lang)) {
    applyLocale(next);
    return Promise.resolve();
  }
  return loadLanguage(lang).then(
    () => {
      // A later setting won meanwhile: it is the one to show.
      if (wanted === next) applyLocale(next);
    },
    () => {
      // The catalogue could not be loaded (it is in the app, so only a
      // broken build): the formats still follow, the words stay English.
      if (wanted === next) applyLocale(next);
    },
  );
}

/** The locale most recently asked for (a slower catalogue must not undo a later choice). */
let wanted = DEFAULT_LOCALE;

function applyLocale(next: string) {
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

// The language the till last used, fetched now: the settings that name the
// locale come after an IPC round trip, the catalogue is in by then.
try {
  const remembered = localStorage.getItem(STORAGE_KEY);
  if (remembered) void loadLanguage(languageOf(usableLocale(remembered))).catch(() => {});
} catch {
  // No storage: the catalogue is loaded when the settings name it.
}

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

// svelte-i18n's formatter, kept current by one subscription for the page's
// life: `get(_)` in every call subscribed to the store and left it again
// each time (3 to 5 ms over the keypad's first draw, issue 11).
let format = get(_);
_.subscribe((current) => (format = current));

/** The message `key` in the shop's language (English where it has none). */
export function t(key: string, values?: Values): string {
  // Reading shop.locale makes the caller follow a change of language.
  void shop.locale;
  return format(key, values ? { values } : undefined);
}

/** Whether the English catalogue (which every language falls back to) has the message `key`. */
export function hasMessage(key: string): boolean {
  let node: unknown = en;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, part)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}
