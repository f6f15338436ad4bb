// Queued fault injection: which queued REST fault or turn fault applies to the next
// request/turn, and the default error bodies a fault answers with.

import type { MockReplyInput, RestFault, TurnFault, TurnFaultChooser } from './types.ts';

export const API_PREFIX = '/api/ia-controller/api/v1/external';

interface Queued<F> {
  fault: F;
  left: number;
}

function timesOf(times: number | undefined): number {
  return times === undefined ? 1 : Math.max(0, Math.floor(times));
}

/** `*` in a pattern segment matches any one segment. */
function segmentsMatch(pattern: string[], path: string[], prefix: boolean): boolean {
  if (prefix ? path.length < pattern.length : path.length !== pattern.length) return false;
  return pattern.every((seg, i) => seg === '*' || seg === path[i]);
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}

function restFaultMatches(match: string | undefined, method: string, fullPath: string): boolean {
  if (match === undefined || match.trim() === '') return true;
  const parts = match.trim().split(/\s+/);
  let wantMethod: string | undefined;
  let pattern: string | undefined;
  if (parts.length >= 2) [wantMethod, pattern] = parts;
  else if (parts[0]?.startsWith('/')) pattern = parts[0];
  else wantMethod = parts[0];
  if (wantMethod !== undefined && wantMethod.toUpperCase() !== method) return false;
  if (pattern === undefined) return true;
  // Patterns may be written relative to the API prefix or as full paths.
  const rel = fullPath.startsWith(API_PREFIX) ? fullPath.slice(API_PREFIX.length) : fullPath;
  const target = pattern.startsWith(API_PREFIX) ? fullPath : rel;
  // With a method the pattern names one endpoint; a bare path is a prefix.
  return segmentsMatch(splitPath(pattern), splitPath(target), wantMethod === undefined);
}

export class FaultQueues {
  private rest: Queued<RestFault>[] = [];
  private turns: Queued<TurnFault>[] = [];
  /** Asked for a turn the queue has no fault for. */
  chooser: TurnFaultChooser | undefined;

  addRest(fault: RestFault): void {
    const left = timesOf(fault.times);
    if (left > 0) this.rest.push({ fault, left });
  }

  addTurn(fault: TurnFault): void {
    const left = timesOf(fault.times);
    if (left > 0) this.turns.push({ fault, left });
  }

  /** The first queued fault matching this request, consumed once. */
  takeRest(method: string, fullPath: string): RestFault | undefined {
    const i = this.rest.findIndex((q) => restFaultMatches(q.fault.match, method, fullPath));
    return i < 0 ? undefined : consume(this.rest, i);
  }

  /** The next queued turn fault, consumed once; else what the chooser picks for this turn. */
  takeTurn(turn: MockReplyInput): TurnFault | undefined {
    if (this.turns.length > 0) return consume(this.turns, 0);
    return this.chooser?.(turn);
  }

  clear(): void {
    this.rest = [];
    this.turns = [];
    this.chooser = undefined;
  }
}

function consume<F>(queue: Queued<F>[], i: number): F | undefined {
  const q = queue[i];
  if (!q) return undefined;
  q.left -= 1;
  if (q.left <= 0) queue.splice(i, 1);
  return q.fault;
}

const FIVE_XX_DESCRIPTIONS: Record<number, string> = {
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function validationBody(
  loc: (string | number)[],
  msg = 'field required',
  type = 'value_error.missing',
): unknown {
  return { detail: [{ loc, msg, type }] };
}

/** The body the real server would plausibly send for a bare status. */
export function defaultFaultBody(status: number): unknown {
  if (status >= 500) {
    return {
      status_code: status,
      description: FIVE_XX_DESCRIPTIONS[status] ?? 'Internal server error',
      message: 'An unexpected error occurred.',
      extra_data: {},
    };
  }
  switch (status) {
    case 400:
      // The moderation example of AUI's API docs.
      return {
        status_code: 400,
        description: 'Content moderation triggered',
        message: 'The message was flagged by content moderation.',
        extra_data: { moderation_category: 'harmful_content', flagged_text: '...' },
      };
    case 401:
      return { detail: 'Not authenticated' };
    case 403:
      return { detail: 'Forbidden' };
    case 404:
      return { detail: 'Not Found' };
    case 408:
      return { detail: 'Request Timeout' };
    case 409:
      return { detail: 'Conflict' };
    case 422:
      return validationBody(['body', 'task_id']);
    case 429:
      return { detail: 'Too Many Requests' };
    default:
      return status >= 400 ? { detail: `Error ${status}` } : {};
  }
}
