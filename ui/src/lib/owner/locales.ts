// Locales offered in the settings, each named in its own language. The
// shop's current locale is always offered too, whatever it is.
export const LOCALES = [
  'en-IE', 'en-GB', 'en-US', 'en-AU', 'en-CA',
  'de-DE', 'de-AT', 'de-CH',
  'fr-FR', 'fr-BE', 'fr-CH', 'fr-CA',
  'es-ES', 'es-MX', 'es-AR',
  'it-IT', 'nl-NL', 'pt-PT', 'pt-BR', 'pl-PL',
  'fa-IR', 'ar-AE',
] as const;

/** "Deutsch (Deutschland)" for de-DE: a locale named the way its speakers name it. */
export function localeName(tag: string): string {
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    return name ? `${name} · ${tag}` : tag;
  } catch {
    return tag;
  }
}

export function localeChoices(current: string): string[] {
  return LOCALES.includes(current as (typeof LOCALES)[number]) || !current ? [...LOCALES] : [current, ...LOCALES];
}
