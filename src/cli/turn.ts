// cli/turn — one agent turn, live: sends the text on the session, writes the answer token by
// token (reprinting on a `snapshot` correction), lets Ctrl-C abort it, and prints its error as
// one line. Resolves to the final Message, or undefined when the turn failed or was stopped.
// Imports: the SDK's public entry, ./interrupts, ./live, ./render, ./terminal.

import { APIUserAbortError, type Message, type Session } from '../index.node.ts';
import type { Interrupts } from './interrupts.ts';
import { LiveText } from './live.ts';
import { agentPrefix, formatError } from './render.ts';
import type { Terminal } from './terminal.ts';

export async function streamTurn(
  term: Terminal,
  session: Session,
  params: { task_id: string; text: string },
  interrupts: Interrupts,
  onUserAbort?: () => void,
): Promise<Message | undefined> {
  const live = new LiveText(term, agentPrefix(term.out));
  const stream = session.stream(params);
  const release = interrupts.track(() => {
    onUserAbort?.(); // before the abort: it closes the socket, and the session reconnects
    stream.abort();
  });
  stream.on('text', (delta) => live.append(delta));
  stream.on('snapshot', (snapshot) => live.replace(snapshot));
  live.start();
  try {
    const message = await stream.finalMessage();
    live.replace(message.text); // a no-op when the stream kept its invariant
    live.end();
    return message;
  } catch (error) {
    live.end();
    if (error instanceof APIUserAbortError) term.note('■ stopped');
    else term.error(`✗ ${formatError(error)}`);
    return undefined;
  } finally {
    release();
  }
}
