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

export default mount(view, { target });
