#!/usr/bin/env node
/**
 * cli/index — the `aui-messaging` executable: parses the command line, dispatches to
 * `chat` (interactive or --demo), `--help` or `--version`, and turns every failure into one
 * readable line and an exit code (0 ok, 1 failed, 2 usage or no key, 130 interrupted).
 * Never prints a stack. Runs as `npx tsx src/cli/index.ts …` and as the built dist/cli.js
 * (no top-level await: the same file is also built as CommonJS).
 * Imports: the SDK's public entry and the other files of src/cli/.
 */
import { VERSION } from '../index.node.ts';
import { helpText, parseCommand, UsageError } from './args.ts';
import { runChat } from './chat.ts';
import { runDemo } from './demo.ts';
import { formatError } from './render.ts';
import { createTerminal, type Terminal } from './terminal.ts';

/** After main() settles, how long lingering handles may keep the process alive. */
const EXIT_GRACE_MS = 1_500;

async function main(argv: string[], term: Terminal): Promise<number> {
  try {
    const command = parseCommand(argv);
    switch (command.kind) {
      case 'help':
        term.write(helpText(VERSION));
        return 0;
      case 'version':
        term.line(`aui-messaging ${VERSION}`);
        return 0;
      case 'chat':
        return await (command.options.demo ? runDemo : runChat)(term, command.options);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      term.error(`✗ ${error.message}`);
      term.note(error.hint ?? 'Run `aui-messaging --help` for usage.');
      return 2;
    }
    term.error(`✗ ${formatError(error)}`);
    return 1;
  }
}

const term = createTerminal();
process.on('unhandledRejection', (error) => term.error(`✗ unexpected: ${formatError(error)}`));
process.on('uncaughtException', (error) => {
  term.error(`✗ unexpected: ${formatError(error)}`);
  process.exit(1);
});

void main(process.argv.slice(2), term).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
