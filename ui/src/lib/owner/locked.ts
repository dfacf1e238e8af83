import type { AppError } from '../bindings/AppError';

/**
 * Whether a refusal means the owner session has ended (idle time, window
 * blur, Lock): Rust says its `owner_locked` sentence ("Owner mode is locked")
 * on every owner command then. Other `notAllowed` answers (e.g. CoinGate
 * payouts) are shown as they are.
 */
export function isLocked(error: AppError): boolean {
  if (error.kind !== 'notAllowed') return false;
  return error.said ? error.said.code === 'owner_locked' : error.message.startsWith('Owner mode is locked');
}

/** Calls `run`; a locked session goes to `onlocked`, other errors to the caller. */
export async function guarded<T>(
  run: () => Promise<T>,
  onlocked: () => void,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isLocked(error as AppError)) onlocked();
    throw error;
  }
}

/** An RFC 3339 time in the till's local time, written the shop locale's way. */
export { dateTime as localTime } from '../i18n/format';
