// The chunk of the till's screens and dialogs besides the keypad
// (screens.ts), asked for once and shared by all that draw from it: the
// till window after the keypad's first paint, the shift bar's dialogs,
// owner mode's unlock dialog. A chunk that failed to load (only a broken
// install) is asked for again the next time.
let asked: Promise<typeof import('./screens')> | null = null;

export function screens(): Promise<typeof import('./screens')> {
  asked ??= import('./screens').catch((error: unknown) => {
    asked = null;
    throw error;
  });
  return asked;
}
