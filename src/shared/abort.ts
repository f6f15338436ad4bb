// shared/abort — following an AbortSignal. An already-aborted signal fires no 'abort' event,
// so every place that links a caller's signal to its own work needs both checks; they live
// here once. A leaf: imports nothing.

/**
 * Calls `onAbort` once when `signal` aborts — at once (synchronously) if it already has.
 * Returns a function that stops following (call it when the work ended first).
 */
export function followAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
