// cli/commands/send — `aui-messaging send`: one message, the agent's answer streamed to stdout
// token by token (then its product cards and suggestions), or with --json the final message as
// JSON once it is complete. Without --task it starts a new task and says its id, so the next
// send can continue it. Ctrl-C stops the answer (exit 130).
// Imports: the SDK's public entry, ../args, ../backend, ../interrupts, ../live, ../prompt,
// ../render, ../terminal (types).

import { APIUserAbortError, type AuiClient, type Message } from '../../index.node.ts';
import {
  type CliCommand,
  ENDPOINT_HELP,
  ENDPOINT_OPTIONS,
  endpointOf,
  EXIT,
  KEY_ENV,
  MOCK_OPTION,
  optionValue,
  parseOptions,
  UsageError,
} from '../args.ts';
import { defaultUser, openBackend } from '../backend.ts';
import { Interrupts } from '../interrupts.ts';
import { LiveText } from '../live.ts';
import { readStdin } from '../prompt.ts';
import { formatError, printProducts, printSuggestions } from '../render.ts';
import type { Terminal } from '../terminal.ts';

const OPTIONS = {
  ...MOCK_OPTION,
  ...ENDPOINT_OPTIONS,
  task: { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const send: CliCommand = {
  name: 'send',
  summary: 'send one message and stream the answer to stdout',
  help: `Usage: aui-messaging send [--task <id>] [options] <text…>

Sends <text> (or stdin, when no text is given and stdin is piped) and streams the agent's
answer to stdout as it is written, then its product cards and follow-up suggestions.
Without --task, a new task is created and its id printed on stderr.

Options
  --task <id>         the task to send to (see \`aui-messaging tasks list\`)
  --user <id>         user_id for a new task (default: this machine's cli-… id, see whoami)
  --json              print the final message as JSON instead of streaming the text
  --mock              talk to an embedded mock AUI server (no key needed)
${ENDPOINT_HELP}

The key: ${KEY_ENV}, else the one \`aui-messaging login\` stored.
Exit code 0 when the answer is complete, 1 on an API error, 130 after Ctrl-C.

Examples
  aui-messaging send --mock "I need a built-in microwave"
  aui-messaging send --task 68e78d0dc5a4b19a030d03d6 "cheaper ones?"
  echo "what is on sale?" | aui-messaging send --task 68e78d0dc5a4b19a030d03d6 --json
`,
  async run(argv, term) {
    const { values, positionals } = parseOptions(argv, OPTIONS);
    const endpoint = endpointOf(values);
    const task = optionValue('task', values.task);
    const user = optionValue('user', values.user);
    if (task !== undefined && user !== undefined)
      throw new UsageError('--user is for a new task: drop it, or drop --task.');
    const text = await messageText(positionals);

    const interrupts = new Interrupts();
    const uninstall = interrupts.install();
    const backend = await openBackend(endpoint, term, 'aui-messaging send --mock "…"');
    try {
      const task_id = task ?? (await newTask(term, backend.aui, user ?? defaultUser(), interrupts.signal));
      const message = await answer(term, backend.aui, { task_id, text }, interrupts, values.json ?? false);
      if (message) return EXIT.ok;
      return interrupts.count > 0 ? EXIT.interrupted : EXIT.failed;
    } catch (error) {
      if (interrupts.signal.aborted) return EXIT.interrupted; // Ctrl-C while creating the task
      throw error;
    } finally {
      await backend.close();
      uninstall();
    }
  },
};

async function messageText(positionals: string[]): Promise<string> {
  let text = positionals.join(' ');
  if (text.trim() === '' && !process.stdin.isTTY) text = await readStdin();
  if (text.trim() === '')
    throw new UsageError('No message given.', 'Usage: aui-messaging send [--task <id>] "your message"');
  return text.trim();
}

async function newTask(
  term: Terminal,
  aui: AuiClient,
  user_id: string,
  signal: AbortSignal,
): Promise<string> {
  const task = await aui.tasks.create({ user_id }, { signal });
  term.note(`new task ${task.id} (continue it with --task ${task.id})`);
  return task.id;
}

/** Streams one turn; the final Message, or undefined when it failed (printed) or was stopped. */
async function answer(
  term: Terminal,
  aui: AuiClient,
  params: { task_id: string; text: string },
  interrupts: Interrupts,
  json: boolean,
): Promise<Message | undefined> {
  // The exit signal too: a Ctrl-C that came before the turn was tracked still stops it.
  const stream = aui.messages.stream(params, { signal: interrupts.signal });
  const release = interrupts.track(() => stream.abort());
  const live = new LiveText(term, '');
  const stopSpinner = term.spin('waiting for the agent…');
  if (!json) {
    stream.on('text', (delta) => {
      stopSpinner();
      live.append(delta);
    });
    stream.on('snapshot', (snapshot) => {
      stopSpinner();
      live.replace(snapshot);
    });
  }
  try {
    const message = await stream.finalMessage();
    stopSpinner();
    if (json) {
      term.line(JSON.stringify(message, null, 2));
      return message;
    }
    live.replace(message.text); // a no-op when the stream kept its invariant
    live.end();
    printProducts(term, message);
    printSuggestions(term, message.followup_suggestions ?? []);
    return message;
  } catch (error) {
    stopSpinner();
    live.end();
    if (error instanceof APIUserAbortError) term.note('■ stopped');
    else term.error(`✗ ${formatError(error)}`);
    return undefined;
  } finally {
    release();
  }
}
