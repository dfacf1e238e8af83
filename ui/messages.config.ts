/// <reference types="node" />
// The message catalogues, compiled when the UI is built (issue 11): each
// language's `src/lib/i18n/messages/<lang>.json` becomes the module
// `virtual:cryptill-messages/<lang>`, a flat `key -> message` table whose
// ICU MessageFormat is already parsed by FormatJS's own parser. The window
// then carries no message parser and no catalogue to flatten or merge as it
// starts: svelte-i18n, its store and FormatJS's parser were about 45 kB of
// the start script and 10 ms of its evaluation (BENCHMARKS.md "Round 26").
//
// A message is compiled to the cheapest form that says it (see
// src/lib/i18n/index.svelte.ts, `t()`):
// - a string: no placeholder, said as it is;
// - an array of strings: words and `{name}` placeholders taking turns
//   (`["Item ", "n", ""]`), filled in without Intl;
// - `{ icu }`: FormatJS's syntax tree (plurals, selects), formatted by
//   intl-messageformat's `formatToParts` with the language's plural rules.
// A message that does not parse fails the build, naming its key.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { Plugin } from 'vite';

const PREFIX = 'virtual:cryptill-messages/';
const RESOLVED = '\0cryptill-messages:';
const DIR = fileURLToPath(new URL('./src/lib/i18n/messages/', import.meta.url));

/** A compiled message: see the file's comment. */
export type CompiledMessage = string | string[] | { icu: MessageFormatElement[] };

type Tree = { [key: string]: string | Tree };

/** Parses one message as the window formats it (`<b>` is text, not a tag, as in svelte-i18n). */
export function compileMessage(message: string): CompiledMessage {
  const ast = parse(message, { ignoreTag: true });
  refuseFormats(ast);
  const simple = ast.every((el) => el.type === TYPE.literal || el.type === TYPE.argument);
  if (!simple) return { icu: ast };
  // Words and placeholders taking turns, starting and ending with words.
  const turns: string[] = [''];
  for (const el of ast) {
    if (el.type === TYPE.literal) turns[turns.length - 1] += el.value;
    else turns.push(el.value, '');
  }
  return turns.length === 1 ? turns[0] : turns;
}

/**
 * Numbers, dates and times are formatted by the code (src/lib/i18n/format.ts,
 * with the shop's currency and precision) and put into a plain placeholder;
 * a message formatting them itself would get ICU's defaults.
 */
function refuseFormats(ast: MessageFormatElement[]) {
  for (const el of ast) {
    if (el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) {
      throw new Error(`{${el.value}, ${TYPE[el.type]}}: put the value in formatted (i18n/format.ts) as {${el.value}}`);
    }
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      for (const option of Object.values(el.options)) refuseFormats(option.value);
    }
  }
}

/** A catalogue's nested keys (`{ till: { charge } }`) as one flat table (`till.charge`), compiled. */
export function compileCatalogue(tree: Tree, where: string, prefix = '', out: Record<string, CompiledMessage> = {}) {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix + key;
    if (typeof value !== 'string') {
      compileCatalogue(value, where, `${path}.`, out);
      continue;
    }
    try {
      out[path] = compileMessage(value);
    } catch (error) {
      throw new Error(`${where}: the message "${path}" is not valid ICU MessageFormat: ${String(error)}`);
    }
  }
  return out;
}

/** Vite plugin: `import en from 'virtual:cryptill-messages/en'`. */
export function compiledMessages(): Plugin {
  return {
    name: 'cryptill-compiled-messages',
    resolveId(id) {
      if (!id.startsWith(PREFIX)) return null;
      const lang = id.slice(PREFIX.length);
      if (!/^[a-z]{2,3}$/.test(lang)) throw new Error(`no message catalogue is called "${lang}"`);
      return RESOLVED + lang;
    },
    load(id) {
      if (!id.startsWith(RESOLVED)) return null;
      const file = `${DIR}${id.slice(RESOLVED.length)}.json`;
      this.addWatchFile(file);
      const table = compileCatalogue(JSON.parse(readFileSync(file, 'utf8')) as Tree, file);
      // JSON.parse of one string: JavaScript engines read that faster than
      // the same table written as an object literal. In single quotes, so
      // the JSON's many double quotes need no backslash.
      const json = JSON.stringify(table).replace(/[\\']/g, (c) => `\\${c}`);
      return `export default JSON.parse('${json}');`;
    },
  };
}
