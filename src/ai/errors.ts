// ai/errors — what a chat UI may read of a failed turn when the app passed no `onError`: the
// plain meaning of the error's class, never its message (an upstream error's message may quote
// AUI's own words, a host or a path), except the two cases whose words are meant for the user:
// a 400 moderation message and a 422's validation text. The proxy's `protocol: 'ai-sdk'` route
// passes its own wording (the same the proxy gives every browser) instead.
// Imports: errors/.

import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  RateLimitError,
  ResponseValidationError,
  TurnInterruptedError,
  UnprocessableEntityError,
} from '../errors/errors.ts';

/** The default `onError` of `toUIMessageStream`: a message safe to show in a browser. */
export function safeErrorText(error: unknown): string {
  if (error instanceof BadRequestError || error instanceof UnprocessableEntityError) return error.message;
  if (error instanceof RateLimitError) return 'AUI is rate limiting requests; try again later.';
  if (error instanceof APITimeoutError) return 'AUI did not answer in time.';
  if (error instanceof APIConnectionError) return 'AUI could not be reached.';
  if (error instanceof ResponseValidationError) return 'AUI sent a reply that could not be read.';
  if (error instanceof TurnInterruptedError) return 'The answer was interrupted.';
  if (error instanceof APIUserAbortError) return 'The request was aborted.';
  return 'The agent could not answer.';
}
