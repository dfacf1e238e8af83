// The window's language and formats, both chosen by the shop's locale
// setting (Settings.locale, e.g. `de-DE`), never by the system's or the
// webview's: a German shop on an English laptop still sells in German.
//
// Messages: ICU MessageFormat (plurals follow each language's CLDR rules
// through FormatJS's intl-messageformat). One JSON file per language in
// ./messages, keys grouped by screen (`till.*`, `pay.*`,
// `owner.settings.*` ...). English is the reference; en, de, fr, es and fa
// are complete (a Vitest test fails on any missing key); other languages
// may be partial and fall back to English key by key. The build compiles
// each file into a flat table of parsed messages (ui/messages.config.ts),
// so the window neither parses nor merges catalogues as it starts (issue
// 11, BENCHMARKS.md "Round 26": svelte-i18n and FormatJS's parser did).
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
import { formatToParts, type Formatters } from 'intl-messageformat';
import en from 'virtual:cryptill-messages/en';

/** A language's messages by key (`entry.charge`), as the build compiled them. */
export type Catalogue = typeof en;
type Message = Catalogue[string];

/** Each language's catalogue, loaded on demand (English is always there). */
const LOADERS = {
  en: async () => en,
  de: () => import('virtual:cryptill-messages/de').then((m) => m.default),
  fr: () => import('virtual:cryptill-messages/fr').then((m) => m.default),
  es: () => import('virtual:cryptill-messages/es').then((m) => m.default),
  fa: () => import('virtual:cryptill-messages/fa').then((m) => m.default),
} as const satisfies Record<string, () => Promise<Catalogue>>;

/** Languages with a catalogue; those in COMPLETE have every key. */
export type Language = keyof typeof LOADERS;
export const LANGUAGES = Object.keys(LOADERS) as Language[];
export const COMPLETE: readonly Language[] = ['en', 'de', 'fr', 'es', 'fa'];

/** Languages written right to left (the document gets dir="rtl"). */
const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi']);

export const DEFAULT_LOCALE = 'en-IE';

function isLanguage(lang: string): lang is Language {
  return Object.prototype.hasOwnProperty.call(LOADERS, lang);
}

const loading = new Map<Language, Promise<Catalogue>>([['en', Promise.resolve(en)]]);
/** The catalogues loaded, by language. */
const loaded = new Map<string, Catalogue>([['en', en]]);
/** The catalogue of the shop's language (English until that one is in). */
let current: Catalogue = en;

/** Whether the catalogue of `lang` is loaded (switching to it is immediate). */
export function languageLoaded(lang: string): boolean {
  return loaded.has(lang);
}

/**
 * Adds a language's messages (a language being started, with plain words
 * only, until its catalogue is in ./messages): keys it lacks stay English.
 */
export function addWords(lang: string, words: Record<string, string>) {
  loaded.set(lang, { ...loaded.get(lang), ...words });
  if (languageOf(shop.locale) === lang) current = loaded.get(lang) ?? en;
}

/**
 * The catalogue of `lang`, loaded (once). A language without a catalogue
 * is English's (the fallback). A chunk that fails to load is asked for
 * again next time.
 */
export function loadLanguage(lang: string): Promise<Catalogue> {
  if (!isLanguage(lang)) return Promise.resolve(en);
  let pending = loading.get(lang);
  if (!pending) {
    pending = LOADERS[lang]().then(
      (messages) => {
        loaded.set(lang, messages);
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
  current = loaded.get(languageOf(next)) ?? en;
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

/** The message `key` in the shop's language (English where it has none); the key itself if no language has it. */
export function t(key: string, values?: Values): string {
  // Reading shop.locale makes the caller follow a change of language.
  const locale = shop.locale;
  const message = Object.prototype.hasOwnProperty.call(current, key)
    ? current[key]
    : Object.prototype.hasOwnProperty.call(en, key)
      ? en[key]
      : undefined;
  if (message === undefined) return key;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return fillIn(message, values);
  return formatIcu(key, message, locale, values);
}

/**
 * Words and placeholders taking turns (messages.config.ts): each
 * placeholder as intl-messageformat puts a plain argument in (`String()` of
 * a number or text; nothing for null, undefined or false). A value not
 * given shows as `{name}`, so a missing one is seen rather than hidden.
 */
function fillIn(turns: string[], values: Values | undefined): string {
  let text = turns[0];
  for (let i = 1; i < turns.length; i += 2) {
    const name = turns[i];
    const value = values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : `{${name}}`;
    text += (value === null || value === undefined || value === false ? '' : String(value)) + turns[i + 1];
  }
  return text;
}

/**
 * A plural message: FormatJS's own `formatToParts` over the syntax tree the
 * build parsed (what `IntlMessageFormat#format` runs, without the class:
 * its locale resolution and memoizing were most of intl-messageformat's
 * share of the start script). Intl's plural rules and number formats are
 * made on first use, once per locale: the first use asks ICU.
 */
function formatIcu(key: string, message: Exclude<Message, string | string[]>, locale: string, values?: Values): string {
  try {
    const parts = formatToParts(message.icu, locale, INTL, FORMATS, values as Record<string, string | number>);
    return parts.map((part) => String(part.value)).join('');
  } catch (error) {
    // A value the message needs was not given: a defect the catalogue tests look for.
    console.warn(`the message ${key} could not be formatted:`, error);
    return key;
  }
}

/** No named number or date styles: the catalogues use plurals only (messages.config.ts). */
const FORMATS = { number: {}, date: {}, time: {} };

const intlMade = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();
function made<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(kind: string, args: unknown[], make: () => T): T {
  const id = `${kind}\u0000${JSON.stringify(args)}`;
  let found = intlMade.get(id) as T | undefined;
  if (!found) {
    found = make();
    intlMade.set(id, found);
  }
  return found;
}

/** The Intl objects formatToParts asks for, made once per locale and options. */
const INTL: Formatters = {
  // FormatJS types its options a little wider than TypeScript's lib (useGrouping "auto").
  getNumberFormat: (locales, options) =>
    made('number', [locales, options], () => new Intl.NumberFormat(locales, options as Intl.NumberFormatOptions)),
  getDateTimeFormat: (...args) => made('date', args, () => new Intl.DateTimeFormat(...args)),
  getPluralRules: (...args) => made('plural', args, () => new Intl.PluralRules(...args)),
};

/** Whether the English catalogue (which every language falls back to) has the message `key`. */
export function hasMessage(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/**
 * The English words under `group` by their last key (`error.refundState`
 * -> `{ pending: "pending", ... }`): to read back a word Rust said in
 * English.
 */
export function englishWords(group: string): Record<string, string> {
  let words = groups.get(group);
  if (!words) {
    const prefix = `${group}.`;
    words = {};
    for (const [key, message] of Object.entries(en)) {
      if (key.startsWith(prefix) && typeof message === 'string' && !key.includes('.', prefix.length)) {
        words[key.slice(prefix.length)] = message;
      }
    }
    groups.set(group, words);
  }
  return words;
}
const groups = new Map<string, Record<string, string>>();
