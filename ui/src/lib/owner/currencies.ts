// The shop currencies the owner can choose: ISO 4217 list one, read from the
// same table the Rust core embeds (src-tauri/core/src/iso4217.tsv), so the
// picker and the core's validation can never disagree. Codes without minor
// units (gold, SDR, test codes) are left out: no shop prices in them.
import table from '../../../../src-tauri/core/src/iso4217.tsv?raw';

export interface IsoCurrency {
  code: string;
  name: string;
  /** Decimal places of the currency (JPY 0, EUR 2, KWD 3). */
  minorUnits: number;
}

export function parseIso4217(text: string): IsoCurrency[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'))
    .filter((cols) => cols.length >= 4 && /^\d+$/.test(cols[2]))
    .map(([code, , minor, name]) => ({ code, name: name.trim(), minorUnits: Number(minor) }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

export const CURRENCIES: readonly IsoCurrency[] = parseIso4217(table);
