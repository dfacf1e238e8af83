import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { confirmSeparators, formatAmount, separators } from './separators.svelte';

const STORED = 'cryptill.separators';

describe("the locale's separators", () => {
  beforeEach(() => localStorage.clear());

  it('formats per locale from the string itself', () => {
    expect(separators('de-DE')).toEqual({ decimal: ',', group: '.' });
    expect(formatAmount('1234567.50', 'de-DE')).toBe('1.234.567,50');
    expect(formatAmount('1234.50', 'en-IE')).toBe('1,234.50');
    // More digits than a float holds stay exact.
    expect(formatAmount('9007199254740993.01', 'en-IE')).toBe('9,007,199,254,740,993.01');
  });

  it("keeps ICU's answer for the next start", () => {
    separators('es-ES');
    expect(JSON.parse(localStorage.getItem(STORED)!)['es-ES']).toEqual(separators('es-ES'));
  });

  it('draws a till that started before from the stored characters, without asking ICU', () => {
    localStorage.setItem(STORED, JSON.stringify({ 'fr-CH': { decimal: ',', group: '\u202f' } }));
    const icu = vi.spyOn(Intl, 'NumberFormat');
    try {
      expect(separators('fr-CH')).toEqual({ decimal: ',', group: '\u202f' });
      expect(icu).not.toHaveBeenCalled();
    } finally {
      icu.mockRestore();
    }
  });

  it('replaces a stored answer ICU contradicts, and what was drawn from it follows', () => {
    localStorage.setItem(STORED, JSON.stringify({ 'de-AT': { decimal: '.', group: ',' } }));
    let shown = '';
    const stop = $effect.root(() => {
      $effect(() => {
        shown = formatAmount('1234.50', 'de-AT');
      });
    });
    try {
      flushSync();
      expect(shown).toBe('1,234.50');
      confirmSeparators('de-AT');
      flushSync();
      expect(shown).toBe('1\u00a0234,50');
      expect(JSON.parse(localStorage.getItem(STORED)!)['de-AT']).toEqual(separators('de-AT'));
    } finally {
      stop();
    }
  });

  it('asks ICU when storage holds something not its own', () => {
    localStorage.setItem(STORED, JSON.stringify({ 'it-IT': { decimal: '' }, 'nl-NL': 3 }));
    expect(separators('it-IT')).toEqual({ decimal: ',', group: '.' });
    expect(separators('nl-NL')).toEqual({ decimal: ',', group: '.' });
    localStorage.setItem(STORED, 'not json');
    expect(separators('en-US')).toEqual({ decimal: '.', group: ',' });
  });
});
