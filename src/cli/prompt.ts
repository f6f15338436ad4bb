// cli/prompt — reading a secret: from a hidden prompt on a terminal (raw mode, nothing echoed,
// Backspace edits, Enter ends, Ctrl-C interrupts), or from stdin when it is a pipe. Raw mode is
// switched on before the prompt is shown, so no keystroke can be echoed by the terminal first.
// Imports: ./args, ./terminal.

import { Interrupted } from './args.ts';
import type { Terminal } from './terminal.ts';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACES = new Set(['\u007f', '\b']);
// Escape sequences a terminal sends for arrows, Home, bracketed-paste markers and the like.
// (node:util's stripVTControlCharacters would also remove DEL, which is Backspace here.)
// eslint-disable-next-line no-control-regex -- matching the ESC character is the point
const ESCAPE_SEQUENCES = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.)/g;

/**
 * Asks `question` on stderr and reads one line from the terminal without echoing it.
 * @throws Interrupted on Ctrl-C.
 */
export function readHidden(
  term: Terminal,
  question: string,
  input: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      term.prompt('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk.replace(ESCAPE_SEQUENCES, '')) {
        if (char === CTRL_C) {
          finish(new Interrupted());
          return;
        }
        if (char === '\r' || char === '\n' || char === CTRL_D) {
          finish();
          return;
        }
        if (BACKSPACES.has(char)) typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char; // other control characters are dropped
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
    term.prompt(question);
  });
}

/** All of stdin (a pipe or a file), as text. */
export async function readStdin(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  input.setEncoding('utf8');
  let text = '';
  for await (const chunk of input) text += chunk as string;
  return text;
}
