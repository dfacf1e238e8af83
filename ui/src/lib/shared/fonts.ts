// Which font lists the window asks for (app.css's --font and --mono).
//
// Elsewhere the lists name the platform's UI fonts (system-ui, Segoe UI,
// SF Mono...). On Linux the webview is WebKitGTK, which asks fontconfig for
// each family of a list in turn until one is installed, and each family
// that is not installed cost the page's first style and layout about 40 ms
// on this project's machines: the till's first layout took 135 to 360 ms
// with the full lists and 6 to 50 ms with the generic families alone
// (issue 11, BENCHMARKS.md "Round 24: the page's first layout is font
// look-ups"). On Linux the generic families are already the desktop's own
// choice (fontconfig resolves `sans-serif` to the distribution's sans), so
// the till asks for them alone there.

/** Whether this webview resolves fonts through fontconfig (WebKitGTK on Linux). */
export function usesFontconfig(userAgent: string): boolean {
  return /\bLinux\b/.test(userAgent) && !/\bAndroid\b/.test(userAgent);
}

/** Marks the document so app.css asks fontconfig for the generic families only. */
export function chooseFonts(doc: Document = document, userAgent = navigator.userAgent): void {
  if (usesFontconfig(userAgent)) doc.documentElement.classList.add('fontconfig');
}
