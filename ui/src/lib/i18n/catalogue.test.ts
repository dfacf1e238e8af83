// The message catalogue: every complete language has every English key,
// no language has a key English lacks, every message parses as ICU
// MessageFormat and uses only the placeholders English gives it, and every
// key the code asks for exists.
import { IntlMessageFormat } from 'intl-messageformat';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPLETE, LANGUAGES, setShopLocale, t, type Language } from './index.svelte';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

interface AstNode {
  type: number;
  value?: unknown;
  options?: Record<string, { value: AstNode[] }>;
}

/** The `{name}` arguments a message takes, read from its ICU syntax tree (plural branches too). */
function placeholders(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (nodes: AstNode[]) => {
    for (const node of nodes) {
      // 1 argument, 2 number, 3 date, 4 time, 5 select, 6 plural (formatjs's TYPE enum).
      if (node.type >= 1 && node.type <= 6 && typeof node.value === 'string') names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en').getAst() as unknown as AstNode[]);
  return names;
}

// Every catalogue as written (the window gets them compiled: messages.config.ts).
const FILES = import.meta.glob('./messages/*.json', { eager: true, import: 'default' }) as Record<string, Tree>;
const CATALOGUES = Object.fromEntries(LANGUAGES.map((lang) => [lang, FILES[`./messages/${lang}.json`]])) as Record<
  Language,
  Tree
>;

/** The plural arguments of a message (they take a number). */
function plurals(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (nodes: AstNode[]) => {
    for (const node of nodes) {
      if (node.type === 6 && typeof node.value === 'string') names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, 'en').getAst() as unknown as AstNode[]);
  return names;
}

const REGION: Record<Language, string> = { en: 'en-IE', de: 'de-DE', fr: 'fr-FR', es: 'es-ES', fa: 'fa-IR' };

afterEach(() => setShopLocale('en-IE'));
const english = flatten(CATALOGUES.en);
const languages = LANGUAGES;

describe('the message catalogue', () => {
  it('is every file in ./messages, each a language of the window', () => {
    expect(Object.keys(FILES).sort()).toEqual(LANGUAGES.map((lang) => `./messages/${lang}.json`).sort());
  });

  it.each(COMPLETE)('the window says every %s message as FormatJS formats what is written', async (lang) => {
    await setShopLocale(REGION[lang]);
    for (const [key, message] of flatten(CATALOGUES[lang])) {
      // Counts that reach each plural form of these languages, and grouping.
      for (const count of [0, 1, 2, 5, 21, 1000]) {
        const counted = plurals(message);
        const values = Object.fromEntries(
          [...placeholders(message)].map((name) => [name, counted.has(name) ? count : `<${name}>`]),
        );
        const written = new IntlMessageFormat(message, REGION[lang], undefined, { ignoreTag: true }).format(values);
        expect(t(key, values), `${lang} ${key}`).toBe(written);
      }
    }
  });

  it.each(COMPLETE.filter((l) => l !== 'en'))('%s has every English key', (lang) => {
    const keys = flatten(CATALOGUES[lang] as Tree);
    const missing = [...english.keys()].filter((k) => !keys.has(k));
    expect(missing).toEqual([]);
  });

  it.each(languages)('%s has no key English lacks', (lang) => {
    const extra = [...flatten(CATALOGUES[lang] as Tree).keys()].filter((k) => !english.has(k));
    expect(extra).toEqual([]);
  });

  it.each(languages)('every %s message parses and uses only English placeholders', (lang) => {
    for (const [key, message] of flatten(CATALOGUES[lang] as Tree)) {
      expect(() => new IntlMessageFormat(message, lang), `${lang} ${key}`).not.toThrow();
      const allowed = placeholders(english.get(key) ?? '');
      for (const name of placeholders(message)) expect(allowed, `${lang} ${key}: {${name}}`).toContain(name);
    }
  });

  it('has every key the code asks for with t("…")', () => {
    // Every source file of the window, as text (Vite reads them at test time).
    const sources = import.meta.glob(['../../**/*.svelte', '../../**/*.ts', '!../../**/*.test.ts'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    const asked = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) asked.add(m[1]);
    }
    expect(asked.size).toBeGreaterThan(200);
    expect([...asked].filter((k) => !english.has(k))).toEqual([]);
  });

  it('has a word for every sale state, error kind and owner tab the code names by pattern', () => {
    const states = ['creating', 'awaiting', 'confirming', 'paid', 'underpaid', 'overpaid', 'expired', 'invalid', 'canceled', 'refunded'];
    const kinds = ['input', 'gateway', 'auth', 'network', 'keyring', 'storage', 'notAllowed', 'notFound', 'printer', 'internal'];
    const tabs = ['balances', 'withdrawals', 'report', 'sales', 'cashiers', 'shifts', 'settings', 'printer'];
    const wanted = [
      ...states.map((s) => `status.${s}`),
      ...[...states, 'voided', 'late', 'exceptions', 'any'].map((s) => `state.${s}`),
      ...kinds.map((k) => `error.title.${k}`),
      ...tabs.map((t) => `owner.tabs.${t}`),
    ];
    expect(wanted.filter((k) => !english.has(k))).toEqual([]);
  });
});
