// server/body — reading a browser's POST body safely: JSON content type required (415; a form
// or `text/plain` POST is how CSRF arrives without a preflight), a size cap counted while the
// bytes arrive (413; `content-length` can lie or be absent), and a JSON object or nothing.
// Imports: shared/, ./errors. Never keys, mock or browser.

import { isRecord } from '../shared/values.ts';
import { badInput, Refusal } from './errors.ts';

/** 415 unless the media type is exactly `application/json` (parameters such as charset allowed). */
export function requireJson(request: Request): void {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new Refusal(415, 'Send the body as application/json.');
}

const tooLarge = (max: number) => new Refusal(413, `The request body is larger than ${max} bytes.`);

/** The body as a JSON object (`{}` when empty); 413 past `maxBytes`, 400 when not an object. */
export async function readJson(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  // A declared length over the cap is refused without reading; an honest or missing one is
  // still counted below.
  const declared = Number(request.headers.get('content-length'));
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readCapped(request, maxBytes);
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw badInput('The body is not valid JSON.', 'body');
  }
  if (!isRecord(value)) throw badInput('The body must be a JSON object.', 'body');
  return value;
}

async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop reading now: the rest of an oversized body is never buffered.
        void reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Refusal) throw error;
    throw new Refusal(400, 'The request body could not be read.');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
