// Rust's error sentences in the shop's language. The list of sentences is
// written by the core's own test (src-tauri/core/src/said.rs) into
// bindings/sentences.json, so a sentence added in Rust fails here until each
// complete language says it, and English here cannot drift from Rust's.
import { IntlMessageFormat } from 'intl-messageformat';
import { afterEach, describe, expect, it } from 'vitest';
import sentences from '../bindings/sentences.json';
import type { AppError } from '../bindings/AppError';
import { errorText, inShopLanguage } from '../shared/format';
import { COMPLETE, setShopLocale } from './index.svelte';

type Sentence = { code: string; params: string[]; english: string };
const SENTENCES = sentences as Sentence[];

// Every complete catalogue as written (the window gets them compiled).
const FILES = import.meta.glob('./messages/*.json', { eager: true, import: 'default' });
const CATALOGUES = Object.fromEntries(COMPLETE.map((lang) => [lang, FILES[`./messages/${lang}.json`]]));
// Loaded as the window loads a shop's language (then setShopLocale switches at once).
await Promise.all(COMPLETE.map((lang) => setShopLocale(`${lang}-XX`)));
await setShopLocale('en-IE');

function said(lang: (typeof COMPLETE)[number], code: string): string | undefined {
  const error = (CATALOGUES[lang] as { error: { said?: Record<string, string> } }).error;
  return error.said?.[code];
}

/** Rust's English with the values put in, as `Said`'s Display does. */
function rustEnglish(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name]);
}

afterEach(() => setShopLocale('en-IE'));

describe("Rust's sentences in the catalogue", () => {
  it('lists the sentences the core can say', () => {
    expect(SENTENCES.length).toBeGreaterThan(100);
    expect(SENTENCES.map((s) => s.code)).toContain('owner_locked');
  });

  it.each(COMPLETE)('%s says every sentence, with only its values', (lang) => {
    const missing = SENTENCES.filter((s) => said(lang, s.code) === undefined).map((s) => s.code);
    expect(missing).toEqual([]);
    for (const s of SENTENCES) {
      const values = Object.fromEntries(s.params.map((p) => [p, `<${p}>`]));
      const text = new IntlMessageFormat(said(lang, s.code)!, lang, undefined, { ignoreTag: true }).format(values);
      for (const p of s.params) expect(text, `${lang} ${s.code}`).toContain(`<${p}>`);
    }
  });

  it("English says exactly Rust's sentence", () => {
    for (const s of SENTENCES) {
      const values = Object.fromEntries(s.params.map((p) => [p, `${p}-value`]));
      const text = new IntlMessageFormat(said('en', s.code)!, 'en').format(values);
      expect(text, s.code).toBe(rustEnglish(s.english, values));
    }
  });
});

describe('an error in the shop language', () => {
  const pinError: AppError = {
    kind: 'input',
    message: 'Wrong PIN. 2 more try(s) before owner mode locks for a while.',
    said: { code: 'owner_wrong_pin', params: { left: '2' } },
  };

  it("says Rust's sentence for an English shop", () => {
    expect(errorText(pinError).text).toBe(pinError.message);
  });

  it('says it in German, French and Spanish, with its values', () => {
    setShopLocale('de-DE');
    expect(errorText(pinError).text).toBe('Falsche PIN. Noch 2 Versuch(e), bevor der Inhabermodus eine Weile gesperrt wird.');
    setShopLocale('fr-FR');
    expect(errorText(pinError).text).toContain('Encore 2 essai(s)');
    setShopLocale('es-ES');
    expect(errorText(pinError).text).toContain('2 intento(s)');
  });

  it('says a line of a sale and the state of a sale in the same language', () => {
    setShopLocale('de-DE');
    const line: AppError = {
      kind: 'input',
      message: 'Line 2: The amount is zero. Type the price of the sale.',
      said: { code: 'on_line', params: { line: '2', problem: { code: 'amount_zero', params: {} } } },
    };
    expect(errorText(line).text).toBe('Zeile 2: Der Betrag ist null. Geben Sie den Preis des Verkaufs ein.');
    const receipt: AppError = {
      kind: 'notAllowed',
      message: 'Sale 7 is expired: a receipt prints once it is paid.',
      said: { code: 'receipt_not_paid', params: { id: '7', state: 'expired' } },
    };
    expect(errorText(receipt).text).not.toContain('expired');
    expect(errorText(receipt).text).toMatch(/^Verkauf 7 ist /);
  });

  it("says a refund's state (Rust's English label) in the same language", () => {
    const refund: AppError = {
      kind: 'notAllowed',
      message: 'Refund 3 is rejected by the owner; it cannot be approved now.',
      said: { code: 'refund_cannot_be_approved', params: { id: '3', refund_state: 'rejected by the owner' } },
    };
    expect(errorText(refund).text).toBe(refund.message);
    setShopLocale('de-DE');
    expect(errorText(refund).text).toBe('Erstattung 3 ist vom Inhaber abgelehnt; sie kann jetzt nicht freigegeben werden.');
    setShopLocale('es-ES');
    expect(errorText(refund).text).toBe('El reembolso 3 está rechazado por el propietario; ahora no se puede aprobar.');
  });

  it("says a gateway's name inside a sentence, and a print that failed by itself, in the shop's language", () => {
    setShopLocale('de-DE');
    const auth: AppError = {
      kind: 'auth',
      message: 'The demo gateway says the API key is not valid. Ask the owner to enter it again in Settings.',
      said: { code: 'gateway_auth', params: { gateway: 'The demo gateway' } },
    };
    expect(errorText(auth).text).toMatch(/^Das Demo-Gateway meldet/);
    const printed = inShopLanguage('Receipt of sale 4 printed.', {
      code: 'auto_print_failed',
      params: { problem: { code: 'printer_refused', params: { target: '10.0.0.9:9100' } }, sale: '4' },
    });
    expect(printed).toMatch(/^Der Bondrucker unter 10\.0\.0\.9:9100 hat die Verbindung abgelehnt\./);
    expect(printed).toContain('Verkauf 4 ist bezahlt und erfasst');
    setShopLocale('fa-IR');
    expect(errorText(auth).text).toMatch(/^درگاه نمایشی می‌گوید/);
  });

  it("says the window's own sentences (Tauri failing, a page outside the app) in the shop's language", async () => {
    const { toAppError } = await import('../backend');
    const failed = toAppError(new Error('command place_sale not found'));
    expect(errorText(failed).text).toBe('Something went wrong inside Cryptill: command place_sale not found');
    // The window's English is written in lib/backend.ts and in en.json: they must not drift.
    for (const error of [failed, toAppError(undefined), toAppError(new TypeError('no IPC'))]) {
      const english = new IntlMessageFormat(said('en', error.said!.code)!, 'en').format(error.said!.params as Record<string, string>);
      expect(english, error.said!.code).toBe(error.message);
    }
    setShopLocale('de-DE');
    expect(errorText(failed).text).toBe('In Cryptill ist etwas schiefgegangen: command place_sale not found');
    expect(errorText(toAppError(undefined)).text).toMatch(/^In Cryptill ist etwas schiefgegangen\. /);
    for (const lang of COMPLETE) {
      for (const code of ['window_outside_app', 'window_failed', 'window_failed_unknown']) {
        expect(said(lang, code), `${lang} ${code}`).toBeTruthy();
      }
    }
  });

  it("keeps Rust's English for a sentence the catalogue lacks, or an error without one", () => {
    setShopLocale('de-DE');
    const unknown: AppError = { kind: 'storage', message: 'Cannot write.', said: { code: 'no_such_code', params: {} } };
    expect(errorText(unknown).text).toBe('Cannot write.');
    expect(errorText({ kind: 'internal', message: 'Odd.' }).text).toBe('Odd.');
  });
});
