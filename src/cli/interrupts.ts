// cli/interrupts — what Ctrl-C means. With a turn in flight it aborts that turn; otherwise
// it asks the CLI to exit (the `signal` aborts: readline closes, REST calls stop); once an
// exit is under way, another Ctrl-C exits at once. SIGTERM asks for a clean exit too.
// Imports: ./args.

import { Interrupted } from './args.ts';

export class Interrupts {
  readonly #exit = new AbortController();
  #turn: (() => void) | undefined;
  #count = 0;

  /** Aborted when the user asked to leave. */
  get signal(): AbortSignal {
    return this.#exit.signal;
  }

  /** How many Ctrl-Cs so far. */
  get count(): number {
    return this.#count;
  }

  /** Registers the turn in flight; returns the function that unregisters it. */
  track(abort: () => void): () => void {
    this.#turn = abort;
    return () => {
      if (this.#turn === abort) this.#turn = undefined;
    };
  }

  /** One Ctrl-C. */
  interrupt(): void {
    this.#count++;
    if (this.#exit.signal.aborted) process.exit(130); // second Ctrl-C while shutting down
    const turn = this.#turn;
    if (turn) {
      this.#turn = undefined;
      turn();
      return;
    }
    this.#exit.abort();
  }

  /** Ask for a clean exit (SIGTERM, /exit). */
  exit(): void {
    this.#turn?.();
    this.#turn = undefined;
    this.#exit.abort();
  }

  /** Listens to SIGINT/SIGTERM on the process; returns the function that stops listening. */
  install(): () => void {
    const onInt = () => this.interrupt();
    const onTerm = () => this.exit();
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  }
}

/**
 * Runs `work` with Ctrl-C and SIGTERM wired to `signal`; when it fails because the user
 * interrupted it, throws `Interrupted` (exit code 130) instead of the abort error.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupts = new Interrupts();
  const uninstall = interrupts.install();
  try {
    return await work(interrupts.signal);
  } catch (error) {
    if (interrupts.signal.aborted) throw new Interrupted();
    throw error;
  } finally {
    uninstall();
  }
}
