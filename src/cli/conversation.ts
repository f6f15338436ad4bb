// cli/conversation — one conversation, shared by the interactive chat and the demo: opens the
// backend, creates (or continues) the task and prints the welcome, then opens one long-lived
// `aui.session()` (only once REST has answered), shows its reconnecting state on stderr, streams
// each turn and prints its cards and numbered suggestions, and closes everything in order.
// Imports: the SDK's public entry, ./args, ./backend, ./interrupts, ./render, ./terminal, ./turn.

import { type Message, type Session, type StateChange, type Task, VERSION } from '../index.node.ts';
import type { Endpoint } from './args.ts';
import { type Backend, defaultUser, openBackend } from './backend.ts';
import type { Interrupts } from './interrupts.ts';
import { printAgentLine, printBanner, printProducts, printSuggestions } from './render.ts';
import type { Terminal } from './terminal.ts';
import { streamTurn } from './turn.ts';

export interface ChatOptions extends Endpoint {
  /** Play the scripted conversation instead of reading lines. */
  demo: boolean;
  user?: string;
  task?: string;
}

/** How long closing may wait for the session and the mock before the CLI moves on. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface Conversation {
  readonly task: Task;
  /** The suggestions on screen now; `[n - 1]` is what typing `n` sends. */
  readonly suggestions: readonly string[];
  /** Streams one turn and prints its products and suggestions; undefined if it failed or was stopped. */
  send(text: string): Promise<Message | undefined>;
  close(): Promise<void>;
}

export async function openConversation(
  term: Terminal,
  options: ChatOptions,
  interrupts: Interrupts,
): Promise<Conversation> {
  const backend = await openBackend(options, term, 'aui-messaging chat --mock');
  printBanner(term, VERSION, backend.where, options.demo ? 'demo' : 'chat');
  let task: Task;
  try {
    const signal = interrupts.signal;
    if (options.task) {
      task = await backend.aui.tasks.get(options.task, { signal });
      term.note(`continuing task ${task.id}`);
    } else {
      task = await backend.aui.tasks.create({ user_id: options.user ?? defaultUser() }, { signal });
      term.note(`task ${task.id}`);
      if (task.welcome_message) printAgentLine(term, task.welcome_message);
    }
  } catch (error) {
    // AUI could not be reached or refused: one line says why (REST names the host and the
    // cause), with no socket opened to print reconnect notes first.
    await withTimeout(backend.close());
    throw error;
  }
  const session = backend.aui.session();
  const states = new StateNotes(term);
  session.on('state', (change) => states.show(change));
  const close = once(() => shutdown(session, backend));

  let suggestions: readonly string[] = options.task ? [] : (task.followup_suggestions ?? []);
  printSuggestions(term, suggestions);

  return {
    task,
    get suggestions() {
      return suggestions;
    },
    async send(text) {
      const message = await streamTurn(term, session, { task_id: task.id, text }, interrupts, () =>
        states.expectReconnect(),
      );
      if (message) {
        printProducts(term, message);
        suggestions = message.followup_suggestions ?? [];
        printSuggestions(term, suggestions);
      }
      return message;
    },
    close,
  };
}

/**
 * Reconnecting and recovered states, dim on stderr. Quiet on the first connect, and on the one
 * reconnect that follows the user's own Ctrl-C (aborting a turn closes its socket on purpose);
 * a second attempt in a row is real trouble and shows.
 */
class StateNotes {
  readonly #term: Terminal;
  #expected = false;
  #shown = false;

  constructor(term: Terminal) {
    this.#term = term;
  }

  expectReconnect(): void {
    this.#expected = true;
  }

  show({ current, retryIn, reason }: StateChange): void {
    const why = reason ? ` (${reason})` : '';
    if (current === 'reconnecting') {
      if (this.#expected) {
        this.#expected = false;
        return;
      }
      this.#shown = true;
      this.#term.note(
        `↻ reconnecting${retryIn !== undefined ? ` in ${(retryIn / 1000).toFixed(1)} s` : ''}${why}`,
      );
    } else if (current === 'open') {
      this.#expected = false;
      if (this.#shown) this.#term.note('✓ reconnected');
      this.#shown = false;
    } else if (current === 'closed' && this.#shown) {
      this.#term.note(`connection closed${why}`);
    }
  }
}

async function shutdown(session: Session, backend: Backend): Promise<void> {
  await withTimeout(session.close());
  await withTimeout(backend.close());
}

function withTimeout(work: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
