// Tells the bare window its page has been painted: a requestAnimationFrame
// callback runs just before the frame is painted, a task queued from it
// just after (Cryptill's keypad reports the same way: ui/src/lib/shared/paint.ts).
requestAnimationFrame(() =>
  setTimeout(() => {
    window.__TAURI_INTERNALS__.invoke('painted', { pageMs: Math.round(performance.now()) });
  }, 0),
);
