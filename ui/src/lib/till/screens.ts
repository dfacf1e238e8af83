// The till's screens other than the keypad: the payment screen, the
// shift's sales, a refund and a receipt. None is drawn at start, so they
// are a chunk of their own (Vite splits at the dynamic import in
// App.svelte), fetched and parsed once the keypad is on screen rather
// than before it (issue 11, BENCHMARKS.md "Round 25: the keypad's first
// draw"). The payment screen is ready long before the first Charge.
export { default as PaymentScreen } from './PaymentScreen.svelte';
export { default as ReceiptView } from './Receipt.svelte';
export { default as RecentSales } from './RecentSales.svelte';
export { default as RefundScreen } from './RefundScreen.svelte';
