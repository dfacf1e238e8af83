// When a draw has reached the screen. A requestAnimationFrame callback runs
// just before the browser paints the frame; a task queued from it runs just
// after that paint. Start-up uses it twice (issue 11, BENCHMARKS.md "Round
// 23: from the page's load to the keypad"): to tell Rust the keypad is
// interactive only once it is on screen, and to keep what the keypad does
// not need (the coin list's draw, the printer, the resumed sales) out of
// the keypad's first frame.

/** Runs `then` once the next frame has been painted. */
export function afterNextPaint(then: () => void): void {
  requestAnimationFrame(() => setTimeout(then, 0));
}
