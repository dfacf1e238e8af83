// First: asks Rust for the first draw's answers (lib/boot.ts).
import { firstAnswers } from './lib/boot';
import { mount, type Component } from 'svelte';
import App from './App.svelte';
import './app.css';
import { chooseFonts } from './lib/shared/fonts';

// Before the first draw: the font lists decide how long its layout takes.
chooseFonts();

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');

// The customer-facing window loads the same page with #customer (see
// src-tauri/customer.rs); it gets the display, never the till. The display
// is a chunk of its own: the till's start script does not carry it.
const customer = window.location.hash === '#customer';
const view: Promise<Component> = customer
  ? import('./lib/customer/CustomerDisplay.svelte').then((m) => m.default)
  : Promise.resolve(App);

// Mounted once the first answers are in, so the first frame is the keypad
// (or the sign-in form) rather than "Starting…" and then the keypad; a till
// slow to answer (a keyring asking for its password, a long migration)
// shows "Starting…" after a moment instead of an empty window.
const STARTING_AFTER_MS = 200;
void Promise.race([firstAnswers, new Promise((resolve) => setTimeout(resolve, STARTING_AFTER_MS))])
  .then(() => view)
  .then((component) => mount(component, { target }));
