// The text of the frames the mock's socket sends: streaming frames in either envelope (built
// once per turn, as a prefix and the text) and error frames with the server's usual wording.

import type { MockState } from './state.ts';
import { objectId } from './store.ts';
import type { TurnFault } from './types.ts';

const EVENT = 'thread-message-text-content-updated';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Content moderation triggered',
  401: 'Authentication failed',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

type ErrorSpec = NonNullable<TurnFault['error']>;

export function errorFrame(e: ErrorSpec): string {
  return JSON.stringify({
    status_code: e.status_code,
    description: e.description ?? ERROR_DESCRIPTIONS[e.status_code] ?? 'Error',
    message:
      e.message ??
      (e.status_code >= 500 ? 'An unexpected error occurred.' : 'The request could not be processed.'),
    extra_data: e.extra_data ?? {},
  });
}

export interface Frames {
  /** The streaming frame for one text (a delta or a snapshot, per the text mode). */
  frame(text: string, timestamp: string): string;
}

export function framesFor(state: MockState, channel: string, task_id: string, message_id: string): Frames {
  if (state.options.envelope === 'flat') {
    const prefix = `{"event":"${EVENT}","data":{"text":`;
    return { frame: (text) => `${prefix}${JSON.stringify(text)}}}` };
  }
  // Everything but the text and the timestamp is fixed for the turn: build it once.
  const prefix =
    `{"channel":{"type":"WEBSOCKET","channel_name":${JSON.stringify(channel)},"event_name":"${EVENT}"},` +
    `"scope":{"type":"LLM_ACTIVATION_EXECUTION","data":{"status":"SUCCESS"},"context":{` +
    `"message_id":${JSON.stringify(message_id)},"task_id":${JSON.stringify(task_id)},` +
    `"interaction_id":"${objectId()}","pillar":"WORKFLOW"}},"data":{"text":`;
  return { frame: (text, ts) => `${prefix}${JSON.stringify(text)}},"timestamp":"${ts}"}` };
}
