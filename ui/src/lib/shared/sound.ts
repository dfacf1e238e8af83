// The "paid" beep, made with WebAudio so there is no sound file to ship.

let context: AudioContext | null = null;

/** Two short rising tones. Silent (never an error) where audio is unavailable. */
export function beepPaid(): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    [880, 1320].forEach((frequency, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = frequency;
      const start = ctx.currentTime + i * 0.15;
      gain.gain.setValueAtTime(0.2, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.15);
    });
  } catch {
    // No audio device: the green screen is the signal.
  }
}
