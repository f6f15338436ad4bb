/**
 * browser/request — one call to the proxy: JSON in, JSON out, and any failure rebuilt as the
 * SDK's error class from the proxy's `{ "error": <envelope> }` (a body that is not one, such
 * as a load balancer's HTML page, still becomes the class for its status). Holds no key and
 * adds no header of its own beyond the JSON content type.
 * Imports: errors/map only. Never server, keys, mock or http (bundle budget: 4 KB).
 */
import { fromErrorEnvelope } from '../errors/map.ts';

export interface Transport {
  url: string;
  fetch?: typeof fetch | undefined;
  headers?: Record<string, string> | undefined;
}

/** Resolves with the `Response` when it is 2xx; otherwise throws the rebuilt error class. */
export async function send(
  t: Transport,
  path: string,
  body?: object,
  signal?: AbortSignal,
): Promise<Response> {
  let response: Response;
  try {
    // The global fetch is looked up per call, so a page or a test can swap it.
    response = await (t.fetch ?? fetch)(t.url.replace(/\/+$/, '') + path, {
      method: body ? 'POST' : 'GET',
      headers: body ? { ...t.headers, 'content-type': 'application/json' } : { ...t.headers },
      body: body ? JSON.stringify(body) : null,
      signal: signal ?? null,
    });
  } catch {
    throw fromErrorEnvelope(
      signal?.aborted
        ? { type: 'APIUserAbortError', message: 'Request was aborted.' }
        : { type: 'APIConnectionError', message: 'The server could not be reached.' },
    );
  }
  if (response.ok) return response;
  const payload = await response.json().catch(() => ({}));
  throw fromErrorEnvelope(
    payload.error ?? { status: response.status, message: `${response.status} ${response.statusText}` },
  );
}

export const call = <T>(t: Transport, path: string, body?: object): Promise<T> =>
  send(t, path, body).then((response) =>
    response.json().catch(() => {
      throw fromErrorEnvelope({
        type: 'ResponseValidationError',
        message: 'The server sent a reply that is not JSON.',
      });
    }),
  );
