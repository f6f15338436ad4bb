// bench/soak/plan — what happens to each turn of a soak, drawn up front from the seed: the fault the
// mock applies when it receives the turn (see MockAui.chooseTurnFaults), whether the client aborts
// it, whether the mock refuses WebSocket handshakes for a stretch after it, and how turns are
// grouped (a long-lived session gets small batches, so turns queue behind each other).
// The same seed gives the same plan; what the network makes of it still varies with timing.

import type { TurnFault } from '../../src/mock/index.ts';

/** The mock's reply to a turn: unique per turn, about a dozen frames long. */
export const replyTo = (text: string): string =>
  `Answer to ${text}: one soak reply, streamed in about a dozen small frames.`;

/** A small, fast, seedable PRNG (mulberry32): `Math.random` cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The name a fault is counted under in the report, e.g. `drop, reply later`. */
export type FaultName = (typeof FAULTS)[number]['name'];

export interface TurnPlan {
  index: number;
  /** Unique per turn and run: doubled turns are counted by it in the mock's history. */
  text: string;
  fault: FaultName;
  /** What the mock does when it receives the turn (first receipt only: a resend goes through clean). */
  mockFault: TurnFault | undefined;
  /** The client aborts the turn at its first text ("stop generating"). */
  abortAtFirstText: boolean;
  /** The mock refuses WebSocket handshakes (HTTP 403) for this long once it receives the turn. */
  refuseHandshakesMs: number;
}

export interface PlanOptions {
  seed: number;
  turns: number;
  /** How long recovery reads history: late replies are drawn around it. */
  recoveryTimeout: number;
  /** Prefix of every turn's text (`session`, `one-shot`). */
  label: string;
}

interface Draw {
  rng: () => number;
  recoveryTimeout: number;
}

const between = (d: Draw, low: number, high: number) => Math.floor(low + d.rng() * (high - low + 1));
/** Mid-stream: the replies have about a dozen frames; at least one arrives before the fault. */
const midStream = (d: Draw) => between(d, 1, 8);
const pickOne = <T>(d: Draw, values: readonly T[]): T => values[Math.floor(d.rng() * values.length)]!;

/**
 * Every fault the soak draws, with its weight per 1,000 turns. `refuse` and `abort` are not mock
 * faults of one turn: they become a refused-handshake stretch and a client abort.
 */
const FAULTS = [
  { name: 'clean', weight: 622, make: () => undefined },
  {
    name: 'drop, reply stored now',
    weight: 40,
    make: (d: Draw): TurnFault => ({ kind: 'drop', afterFrames: midStream(d), recordReply: 'now' }),
  },
  {
    name: 'drop, reply later',
    weight: 40,
    make: (d: Draw): TurnFault => ({
      kind: 'drop',
      afterFrames: midStream(d),
      recordReply: 'later',
      laterMs: between(d, 20, Math.floor(d.recoveryTimeout / 2)),
    }),
  },
  {
    name: 'drop, reply after recovery gave up',
    weight: 15,
    make: (d: Draw): TurnFault => ({
      kind: 'drop',
      afterFrames: midStream(d),
      recordReply: 'later',
      laterMs: between(d, d.recoveryTimeout + 200, d.recoveryTimeout * 2),
    }),
  },
  {
    name: 'drop, reply never',
    weight: 15,
    make: (d: Draw): TurnFault => ({ kind: 'drop', afterFrames: midStream(d), recordReply: 'never' }),
  },
  {
    // Recovery must see no user entry on two reads 2 s apart before it may resend.
    name: 'drop before storing the message',
    weight: 8,
    make: (): TurnFault => ({ kind: 'drop', afterFrames: 0, recordUser: false, recordReply: 'never' }),
  },
  {
    name: 'close 1011',
    weight: 50,
    make: (d: Draw): TurnFault => {
      const recordReply = pickOne(d, ['now', 'later', 'never'] as const);
      const laterMs = between(d, 20, Math.floor(d.recoveryTimeout / 2));
      return { kind: 'close', code: 1011, afterFrames: midStream(d), recordReply, laterMs };
    },
  },
  {
    name: 'close 1000 after the answer',
    weight: 50,
    make: (): TurnFault => ({ kind: 'close-after-final', code: 1000 }),
  },
  { name: 'repeated final', weight: 30, make: (): TurnFault => ({ kind: 'repeat-final' }) },
  {
    name: 'error frame after the answer',
    weight: 30,
    make: (): TurnFault => ({ kind: 'error-after-final', error: { status_code: 500 } }),
  },
  {
    name: 'error frame 500 mid-stream',
    weight: 15,
    make: (d: Draw): TurnFault => ({
      kind: 'error-frame',
      afterFrames: between(d, 0, 8),
      error: { status_code: 500 },
    }),
  },
  {
    // A 4xx before any frame says AUI refused the message: it must not be in history.
    name: 'error frame 400 before any frame',
    weight: 10,
    make: (): TurnFault => ({
      kind: 'error-frame',
      afterFrames: 0,
      recordUser: false,
      error: { status_code: 400, message: 'The message was flagged by content moderation.' },
    }),
  },
  {
    name: 'slow frames',
    weight: 30,
    make: (d: Draw): TurnFault => ({ kind: 'slow', frameDelayMs: between(d, 2, 15) }),
  },
  {
    name: 'malformed frame',
    weight: 5,
    make: (d: Draw): TurnFault => ({ kind: 'malformed', afterFrames: midStream(d) }),
  },
  { name: 'unknown frame', weight: 10, make: (): TurnFault => ({ kind: 'unknown-frame' }) },
  {
    // The socket drops and the mock refuses handshakes for a stretch: the reconnects meet 403s.
    name: 'refused handshakes',
    weight: 15,
    make: (d: Draw): TurnFault => ({ kind: 'drop', afterFrames: midStream(d), recordReply: 'now' }),
  },
  { name: 'client abort', weight: 15, make: () => undefined },
] as const;

export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((fault) => fault.name);
const TOTAL_WEIGHT = FAULTS.reduce((sum, fault) => sum + fault.weight, 0);

/** The plan of every turn, from the seed. */
export function planTurns({ seed, turns, recoveryTimeout, label }: PlanOptions): TurnPlan[] {
  const draw: Draw = { rng: seededRandom(seed), recoveryTimeout };
  const plans: TurnPlan[] = [];
  for (let index = 0; index < turns; index++) {
    const fault = pickFault(draw.rng());
    plans.push({
      index,
      text: `${label}-${seed}-${index}`,
      fault: fault.name,
      mockFault: fault.make(draw),
      abortAtFirstText: fault.name === 'client abort',
      refuseHandshakesMs: fault.name === 'refused handshakes' ? between(draw, 50, 300) : 0,
    });
  }
  return plans;
}

function pickFault(roll: number): (typeof FAULTS)[number] {
  let left = roll * TOTAL_WEIGHT;
  for (const fault of FAULTS) {
    left -= fault.weight;
    if (left < 0) return fault;
  }
  return FAULTS[0];
}

/** Batch sizes for a long-lived session (1–3 turns queued together), from their own seed. */
export function batchSizes(seed: number, turns: number): number[] {
  const rng = seededRandom(seed ^ 0x5eed);
  const sizes: number[] = [];
  for (let left = turns; left > 0;) {
    const roll = rng();
    let size = 1;
    if (roll > 0.9) size = 3;
    else if (roll > 0.7) size = 2;
    size = Math.min(size, left);
    sizes.push(size);
    left -= size;
  }
  return sizes;
}
