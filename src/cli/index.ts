#!/usr/bin/env node
/**
 * cli/index — the `aui-messaging` executable: finds the command, prints `--help` (the command
 * list, or one command's help), and turns every failure into one readable line and an exit
 * code: 0 ok, 1 failed (an API error), 2 usage (or no key), 130 interrupted. Never prints a
 * stack. Runs as `npx tsx src/cli/index.ts …` and as the built dist/cli.js (no top-level await:
 * the same file is also built as CommonJS).
 * Imports: the SDK's public entry and the other files of src/cli/.
 */

import { VERSION } from '../index.node.ts';
import { type CliCommand, EXIT, Interrupted, KEY_ENV, UsageError } from './args.ts';
import { chat } from './commands/chat.ts';
import { login } from './commands/login.ts';
import { logout } from './commands/logout.ts';
import { mock } from './commands/mock.ts';
import { send } from './commands/send.ts';
import { tasks } from './commands/tasks.ts';
import { whoami } from './commands/whoami.ts';
import { formatError } from './render.ts';
import { createTerminal, type Terminal } from './terminal.ts';

const COMMANDS: readonly CliCommand[] = [chat, send, tasks, login, logout, whoami, mock];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = COMMANDS.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`);
  return `aui-messaging ${VERSION} — talk to an AUI agent from your terminal

Usage
  aui-messaging <command> [options]
  aui-messaging <command> --help       that command's options
  aui-messaging --help | --version

Commands
${list.join('\n')}

The key: ${KEY_ENV}, else the one \`aui-messaging login\` stored. --mock (chat, send)
needs none. NO_COLOR turns colours off.

Examples
  aui-messaging chat --mock
  aui-messaging login
  aui-messaging send --task 68e78d0dc5a4b19a030d03d6 "cheaper ones?"
`;
}

/** `--help`/`-h` before a `--` (after it, arguments are text). */
function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function findCommand(name: string): CliCommand {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  return command;
}

async function main(argv: string[], term: Terminal): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('No command given.');
    if (first === '--version' || first === '-v') {
      term.line(`aui-messaging ${VERSION}`);
      return EXIT.ok;
    }
    if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
      term.write(overview());
      return EXIT.ok;
    }
    if (first === 'help') {
      term.write(findCommand(rest[0] ?? '').help);
      return EXIT.ok;
    }
    if (first.startsWith('-')) throw new UsageError(`Options go after the command: ${first}`);
    const command = findCommand(first);
    if (asksForHelp(rest)) {
      term.write(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, term);
  } catch (error) {
    return reportFailure(term, error);
  }
}

function reportFailure(term: Terminal, error: unknown): number {
  if (error instanceof Interrupted) {
    term.note('■ interrupted');
    return EXIT.interrupted;
  }
  if (error instanceof UsageError) {
    term.error(`✗ ${error.message}`);
    if (error.hint !== false) term.note(error.hint ?? 'Run `aui-messaging --help` for usage.');
    return EXIT.usage;
  }
  term.error(`✗ ${formatError(error)}`);
  return EXIT.failed;
}

const term = createTerminal();
process.on('unhandledRejection', (error) => term.error(`✗ unexpected: ${formatError(error)}`));
process.on('uncaughtException', (error) => {
  term.error(`✗ unexpected: ${formatError(error)}`);
  process.exit(EXIT.failed);
});

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

// Exit as soon as the command is done: an idle keep-alive socket of fetch would otherwise hold
// the process open for seconds after the last line.
void main(process.argv.slice(2), term).then(async (code) => {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
});
