// browser/request — one call to the proxy: JSON in, JSON out, and any failure rebuilt as the
// SDK's error class from the proxy's `{ "error": <envelope> }` (a body that is not one, such as
// a load balancer's HTML page, still becomes the class for its status). Holds no key and adds no
// header of its own beyond the JSON content type.
// Imports errors/, shared/, ./endpoint (type). Never server, keys, mock or http: a chat page
// pays only for the browser client.

import { APIConnectionError, APIUserAbortError, ResponseValidationError } from '../errors/errors.ts';
import { fromErrorEnvelope } from '../errors/map.ts';
import { isRecord } from '../shared/values.ts';
import { requestUrl, type ProxyEndpoint } from './endpoint.ts';

/** Resolves with the `Response` when it is 2xx; otherwise throws the rebuilt error class. */
export async function send(
  endpoint: ProxyEndpoint,
  path: string,
  body?: object,
  signal?: AbortSignal,
): Promise<Response> {
  const url = requestUrl(endpoint, path);
  let response: Response;
  try {
    // The global fetch is looked up per call, so a page or a test can swap it.
    response = await (endpoint.fetch ?? fetch)(url, {
      method: body ? 'POST' : 'GET',
      headers: body ? { ...endpoint.headers, 'content-type': 'application/json' } : { ...endpoint.headers },
      body: body ? JSON.stringify(body) : null,
      signal: signal ?? null,
    });
  } catch {
    if (signal?.aborted) throw new APIUserAbortError();
    throw new APIConnectionError('The server could not be reached.');
  }
  if (response.ok) return response;
  throw fromErrorEnvelope(await errorEnvelopeOf(response));
}

/** The proxy's `{ "error": <envelope> }`; for any other body, just the status. */
async function errorEnvelopeOf(response: Response): Promise<unknown> {
  const payload: unknown = await response.json().catch(() => undefined);
  if (isRecord(payload) && payload.error !== undefined) return payload.error;
  return { status: response.status, message: `${response.status} ${response.statusText}` };
}

/** A JSON call: resolves with the parsed 2xx body; throws the rebuilt error class otherwise. */
export async function call<T>(endpoint: ProxyEndpoint, path: string, body?: object): Promise<T> {
  const response = await send(endpoint, path, body);
  try {
    return (await response.json()) as T;
  } catch {
    throw new ResponseValidationError('The server sent a reply that is not JSON.');
  }
}
