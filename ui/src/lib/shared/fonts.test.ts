import { describe, expect, it } from 'vitest';
import { chooseFonts, usesFontconfig } from './fonts';

// The user agents of the webviews Cryptill runs in (Tauri 2).
const WEBKITGTK = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15';
const WEBVIEW2 =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0';
const WKWEBVIEW = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';

describe('font lists', () => {
  it('asks fontconfig for the generic families only in WebKitGTK on Linux', () => {
    expect(usesFontconfig(WEBKITGTK)).toBe(true);
    expect(usesFontconfig(WEBVIEW2)).toBe(false);
    expect(usesFontconfig(WKWEBVIEW)).toBe(false);
    expect(usesFontconfig(ANDROID)).toBe(false);
  });

  it('marks the document so app.css swaps the lists', () => {
    document.documentElement.classList.remove('fontconfig');
    chooseFonts(document, WEBVIEW2);
    expect(document.documentElement.classList.contains('fontconfig')).toBe(false);
    chooseFonts(document, WEBKITGTK);
    expect(document.documentElement.classList.contains('fontconfig')).toBe(true);
    document.documentElement.classList.remove('fontconfig');
  });
});
