/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { compiledMessages } from './messages.config';

export default defineConfig(({ command }) => ({
  plugins: [svelte(), svelteTesting(), compiledMessages()],
  resolve: {
    // The catalogues are parsed when the UI is built (messages.config.ts):
    // the window's script takes intl-messageformat without FormatJS's
    // message parser (its documented `no-parser` entry, as an ES module so
    // what is unused is left out). Vitest keeps the parser: the catalogue
    // tests parse the JSON files themselves.
    alias:
      command === 'build'
        ? [{ find: /^@formatjs\/icu-messageformat-parser$/, replacement: '@formatjs/icu-messageformat-parser/lib/no-parser.js' }]
        : [],
  },
  // Tauri prints its own output in the same terminal; keep Vite from wiping it.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here; a silently chosen other port would
    // leave the app window blank.
    port: 1420,
    strictPort: true,
    watch: { ignored: ['**/src-tauri/**', '**/target/**'] },
    // The currency picker reads the core's ISO 4217 table itself (one source).
    // (A folder: Vite checks `…/iso4217.tsv?raw` against it.)
    fs: { allow: ['.', '../src-tauri/core/src'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
}));
