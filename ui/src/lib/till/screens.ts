// The till's screens and dialogs other than the keypad: the payment
// screen, the shift's sales, a refund, a receipt, the shift bar's dialogs
// (switch cashier, close shift, the X and Z reports) and owner mode's
// unlock dialog. None is drawn at start, so they are a chunk of their own
// (Vite splits at the dynamic import in loadScreens.ts, which they are all
// asked through), fetched and parsed once the keypad is on screen rather
// than before it (issue 11, BENCHMARKS.md "Round 25: the keypad's
// first draw" and "Round 27"). The payment screen is ready long before
// the first Charge.
export { default as PaymentScreen } from './PaymentScreen.svelte';
export { default as ReceiptView } from './Receipt.svelte';
export { default as RecentSales } from './RecentSales.svelte';
export { default as RefundScreen } from './RefundScreen.svelte';
export { default as ShiftDialog } from './ShiftDialog.svelte';
export { default as UnlockDialog } from '../owner/UnlockDialog.svelte';
