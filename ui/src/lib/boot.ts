// The page's first module (main.ts imports it before anything else): the
// till window asks Rust for its first draw's answers here, as the script
// begins to run, so they are on their way while the rest of the script is
// evaluated (issue 11, BENCHMARKS.md "Round 24: the page's start").
import { askFirstAnswers } from './backend';

/** The customer display (#customer) draws from its own answers, not the till's. */
const tillWindow = window.location.hash !== '#customer';

/** Settles when the till window's first answers are in (or failed); at once elsewhere. */
export const firstAnswers: Promise<unknown> = tillWindow ? askFirstAnswers() : Promise.resolve();
