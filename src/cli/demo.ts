// cli/demo — `chat --demo`, the non-interactive scripted conversation behind `npm run demo`:
// the welcome and its suggestions, one product question streamed with its cards, then the
// first follow-up suggestion "picked" and streamed too; then everything is closed. On a
// terminal it types the user's lines and pauses a little between steps; in a pipe it does not.
// Imports: ./conversation, ./interrupts, ./render, ./terminal.

import { setTimeout as sleep } from 'node:timers/promises';
import { type ChatOptions, openConversation } from './conversation.ts';
import { Interrupts } from './interrupts.ts';
import { youPrefix } from './render.ts';
import type { Terminal } from './terminal.ts';

export const DEMO_QUESTION = "I'm looking for a built-in microwave, at least 20 liters";

export async function runDemo(term: Terminal, options: ChatOptions): Promise<number> {
  const interrupts = new Interrupts();
  const uninstall = interrupts.install();
  const pace = async (ms: number) => {
    if (term.tty) await sleep(ms, undefined, { signal: interrupts.signal }).catch(() => undefined);
  };
  const say = async (text: string, note?: string) => {
    term.write(youPrefix(term.out));
    if (term.tty) {
      for (const char of text) {
        term.write(char);
        await pace(18);
      }
    } else {
      term.write(text);
    }
    term.line(note ? ` ${term.out.dim(note)}` : '');
  };
  // A turn that ended without a message: Ctrl-C (130) or an error, already printed (1).
  const failed = () => (interrupts.count > 0 || interrupts.signal.aborted ? 130 : 1);

  try {
    const conversation = await openConversation(term, options, interrupts);
    try {
      await pace(600);
      if (interrupts.signal.aborted) return 130;
      await say(DEMO_QUESTION);
      if (!(await conversation.send(DEMO_QUESTION))) return failed();

      const pick = conversation.suggestions[0];
      if (pick === undefined) return 0;
      await pace(900);
      if (interrupts.signal.aborted) return 130;
      await say(pick, '(picked suggestion 1)');
      if (!(await conversation.send(pick))) return failed();
      return 0;
    } finally {
      await conversation.close();
      term.line(
        term.out.dim('— end of demo: session closed' + (options.mock ? ', mock server stopped' : '')),
      );
    }
  } catch (error) {
    if (interrupts.signal.aborted) return 130;
    throw error;
  } finally {
    uninstall();
  }
}
