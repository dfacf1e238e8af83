import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LANGUAGES, addWords, isRtl, languageLoaded, loadLanguage, setShopLocale, shop, t, usableLocale } from './index.svelte';

afterEach(() => setShopLocale('en-IE'));

// Runs first, while only English is loaded (each test file has its own modules).
describe("loading a language's catalogue", () => {
  it('starts with English only, and fetches the language the till last used as it starts', async () => {
    expect(LANGUAGES.filter(languageLoaded)).toEqual(['en']);
    localStorage.setItem('cryptill.locale', 'es-ES');
    try {
      vi.resetModules();
      const fresh = await import('./index.svelte');
      await vi.waitFor(() => expect(fresh.languageLoaded('es')).toBe(true));
      expect(fresh.languageLoaded('de')).toBe(false);
    } finally {
      localStorage.removeItem('cryptill.locale');
    }
  });

  it('switches only once the catalogue is in, never to half a language', async () => {
    const switching = setShopLocale('de-DE');
    expect(shop.locale).toBe('en-IE');
    expect(t('entry.charge')).toBe('Charge');
    await switching;
    expect(shop.locale).toBe('de-DE');
    expect(t('entry.charge')).toBe('Kassieren');
  });

  it('keeps the later choice when an earlier language loads after it', async () => {
    const french = setShopLocale('fr-FR');
    await setShopLocale('en-IE');
    await french;
    expect(shop.locale).toBe('en-IE');
    expect(t('entry.charge')).toBe('Charge');
  });

  it('switches at once to a language already loaded, and loads the rest', async () => {
    await Promise.all(['es-ES', 'fa-IR'].map(setShopLocale));
    setShopLocale('de-AT');
    expect(t('entry.charge')).toBe('Kassieren');
  });
});

describe('the shop language', () => {
  beforeAll(() => Promise.all(LANGUAGES.map(loadLanguage)));

  it('follows the locale setting: German, French and Spanish words, English by default', () => {
    expect(t('entry.charge')).toBe('Charge');
    setShopLocale('de-DE');
    expect(t('entry.charge')).toBe('Kassieren');
    setShopLocale('fr-BE');
    expect(t('entry.charge')).toBe('Encaisser');
    setShopLocale('es-MX');
    expect(t('entry.charge')).toBe('Cobrar');
  });

  it("uses each language's plural rules", () => {
    setShopLocale('de-DE');
    expect(t('report.otherCurrencies', { count: 1 })).toBe('1 Verkauf in anderen Währungen ist nicht in den Summen.');
    expect(t('report.otherCurrencies', { count: 3 })).toBe('3 Verkäufe in anderen Währungen sind nicht in den Summen.');
    setShopLocale('fr-FR');
    // French counts 0 and 1 as singular.
    expect(t('owner.sales.exported', { count: 0, path: 'x.csv' })).toBe('0 vente écrite dans x.csv.');
  });

  it('says every screen in Persian, owner screens included', () => {
    setShopLocale('fa-IR');
    expect(t('entry.charge')).toBe('دریافت وجه');
    expect(t('owner.printer.title')).toBe('چاپگر رسید');
    expect(t('refund.owner.title')).toBe('بازپرداخت‌ها، تازه‌ترین در بالا');
    // Counts keep Latin digits, as every number of the window does.
    expect(t('refund.owner.waiting', { count: 12 })).toBe('12 مورد در انتظار تأیید شما');
  });

  it('falls back to English key by key in a partial language', () => {
    // A language being started: one word so far (Arabic, not a catalogue of the window).
    addWords('ar', { 'entry.charge': 'تحصيل' });
    setShopLocale('ar-AE');
    expect(t('entry.charge')).toBe('تحصيل');
    expect(t('owner.printer.title')).toBe('Receipt printer');
  });

  it('sets the document language and writes right-to-left languages right to left', () => {
    setShopLocale('fa-IR');
    expect(document.documentElement.dir).toBe('rtl');
    expect(document.documentElement.lang).toBe('fa-IR');
    setShopLocale('de-AT');
    expect(document.documentElement.dir).toBe('ltr');
    expect(isRtl('ar-AE')).toBe(true);
  });

  it('keeps working with a locale setting Intl cannot read', () => {
    expect(usableLocale('not a locale!')).toBe('en-IE');
    setShopLocale('de_DE');
    expect(shop.locale).toBe('de-DE');
  });
});
