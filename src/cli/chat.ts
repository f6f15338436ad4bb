// cli/chat — the interactive `chat` loop: reads lines with node:readline, sends each one (or
// the suggestion whose number was typed) as a turn, and leaves on /exit, Ctrl-D or Ctrl-C at
// the prompt. On a terminal readline draws the `you ›` prompt; from a pipe the CLI echoes the
// line itself, so a transcript reads the same.
// Imports: ./conversation, ./interrupts, ./render, ./terminal.

import { createInterface } from 'node:readline';
import { type ChatOptions, openConversation } from './conversation.ts';
import { Interrupts } from './interrupts.ts';
import { printUserLine, youPrefix } from './render.ts';
import type { Terminal } from './terminal.ts';

export async function runChat(term: Terminal, options: ChatOptions): Promise<number> {
  const interrupts = new Interrupts();
  const uninstall = interrupts.install();
  try {
    const conversation = await openConversation(term, options, interrupts);
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const rl = createInterface({
      input: process.stdin,
      ...(interactive ? { output: process.stdout, prompt: youPrefix(term.out) } : {}),
      terminal: interactive,
    });
    rl.on('SIGINT', () => interrupts.interrupt()); // a terminal in raw mode: ^C arrives as a key
    interrupts.signal.addEventListener('abort', () => rl.close(), { once: true });
    const prompt = () => interactive && !interrupts.signal.aborted && rl.prompt();
    if (interactive) term.note('type a message · a number sends that suggestion · /exit or Ctrl-D quits');
    try {
      prompt();
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === '/exit' || line === '/quit') break;
        if (line === '') {
          prompt();
          continue;
        }
        const picked = /^\d+$/.test(line) ? conversation.suggestions[Number(line) - 1] : undefined;
        const text = picked ?? line;
        if (!interactive)
          printUserLine(term, text, picked !== undefined ? `(suggestion ${line})` : undefined);
        else if (picked !== undefined) term.line(term.out.dim(`  ↳ ${picked}`));
        const before = interrupts.count;
        const message = await conversation.send(text);
        if (interrupts.signal.aborted) break;
        if (!message && interrupts.count > before) term.note('Ctrl-C again to exit');
        prompt();
      }
    } finally {
      rl.close();
      await conversation.close();
    }
    return 0;
  } catch (error) {
    if (interrupts.signal.aborted) return 130; // Ctrl-C while connecting or creating the task
    throw error;
  } finally {
    uninstall();
  }
}
