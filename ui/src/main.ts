// First: asks Rust for the first draw's answers (lib/boot.ts).
import { firstAnswers } from './lib/boot';
import { mount } from 'svelte';
import App from './App.svelte';
import CustomerDisplay from './lib/customer/CustomerDisplay.svelte';
import './app.css';
import { chooseFonts } from './lib/shared/fonts';

// Before the first draw: the font lists decide how long its layout takes.
chooseFonts();

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');

// The customer-facing window loads the same page with #customer (see
// src-tauri/customer.rs); it gets the display, never the till.
const view = window.location.hash === '#customer' ? CustomerDisplay : App;

// Mounted once the first answers are in, so the first frame is the keypad
// (or the sign-in form) rather than "Starting…" and then the keypad; a till
// slow to answer (a keyring asking for its password, a long migration)
// shows "Starting…" after a moment instead of an empty window.
const STARTING_AFTER_MS = 200;
void Promise.race([firstAnswers, new Promise((resolve) => setTimeout(resolve, STARTING_AFTER_MS))]).then(
  () => mount(view, { target }),
);
