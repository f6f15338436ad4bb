// cli/commands/tasks — `aui-messaging tasks list` (a user's tasks: the first page, or every page
// with --all) and `aui-messaging tasks messages <id>` (a task's history). Plain lines for people,
// --json for scripts.
// Imports: the SDK's public entry, ../args, ../backend, ../interrupts, ../render, ../terminal.

import type { AuiClient, Message, Task } from '../../index.node.ts';
import {
  type CliCommand,
  type Endpoint,
  ENDPOINT_HELP,
  ENDPOINT_OPTIONS,
  endpointOf,
  EXIT,
  KEY_ENV,
  noMoreArguments,
  optionValue,
  parseOptions,
  UsageError,
} from '../args.ts';
import { type Backend, defaultUser, openBackend } from '../backend.ts';
import { interruptible } from '../interrupts.ts';
import { agentPrefix, printProducts, youPrefix } from '../render.ts';
import type { Terminal } from '../terminal.ts';

/** Tasks per page without --all (the API's default page size). */
const PAGE_SIZE = 10;
const TRY_MOCK = 'aui-messaging send --mock "…"';

const OPTIONS = {
  ...ENDPOINT_OPTIONS,
  user: { type: 'string' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const tasks: CliCommand = {
  name: 'tasks',
  summary: 'list a user’s tasks, or show the messages of one',
  help: `Usage: aui-messaging tasks list [--user <id>] [--all] [--json] [options]
       aui-messaging tasks messages <task-id> [--json] [options]

list       the user's tasks, oldest first: the first ${PAGE_SIZE}, or all of them with --all
messages   the task's messages, oldest first

Options
  --user <id>         whose tasks (default: this machine's cli-… id, see whoami)
  --all               every page, not just the first
  --json              JSON for scripts: an array of tasks, or of messages
${ENDPOINT_HELP}

The key: ${KEY_ENV}, else the one \`aui-messaging login\` stored.

Examples
  aui-messaging tasks list --all
  aui-messaging tasks messages 68e78d0dc5a4b19a030d03d6 --json
`,
  async run(argv, term) {
    const { values, positionals } = parseOptions(argv, OPTIONS);
    const [action, ...rest] = positionals;
    const endpoint = endpointOf(values);
    const json = values.json ?? false;
    if (action === 'list') {
      noMoreArguments(rest);
      const user_id = optionValue('user', values.user) ?? defaultUser();
      const all = values.all ?? false;
      return withBackend(term, endpoint, (backend, signal) =>
        listTasks(term, backend.aui, { user_id, all, json }, signal),
      );
    }
    if (action === 'messages') {
      const [taskId, ...extra] = rest;
      if (taskId === undefined || taskId.trim() === '')
        throw new UsageError(
          'tasks messages needs a task id.',
          'Usage: aui-messaging tasks messages <task-id>',
        );
      noMoreArguments(extra);
      if (values.user !== undefined || values.all !== undefined)
        throw new UsageError('--user and --all are for `tasks list`.');
      return withBackend(term, endpoint, (backend, signal) =>
        showMessages(term, backend.aui, taskId.trim(), json, signal),
      );
    }
    if (action === undefined) throw new UsageError('tasks needs `list` or `messages`.');
    throw new UsageError(`Unknown tasks command "${action}": use \`list\` or \`messages\`.`);
  },
};

function withBackend(
  term: Terminal,
  endpoint: Endpoint,
  work: (backend: Backend, signal: AbortSignal) => Promise<number>,
): Promise<number> {
  return interruptible(async (signal) => {
    const backend = await openBackend(endpoint, term, TRY_MOCK);
    try {
      return await work(backend, signal);
    } finally {
      await backend.close();
    }
  });
}

async function listTasks(
  term: Terminal,
  aui: AuiClient,
  options: { user_id: string; all: boolean; json: boolean },
  signal: AbortSignal,
): Promise<number> {
  const { user_id, all, json } = options;
  const stop = term.spin(`listing the tasks of ${user_id}…`);
  let found: Task[];
  let total: number;
  try {
    if (all) {
      found = [];
      for await (const task of aui.tasks.iterate({ user_id, size: PAGE_SIZE }, { signal })) found.push(task);
      total = found.length;
    } else {
      const page = await aui.tasks.list({ user_id, size: PAGE_SIZE }, { signal });
      found = page.tasks;
      total = page.total;
    }
  } finally {
    stop();
  }

  if (json) {
    term.line(JSON.stringify(found, null, 2));
    return EXIT.ok;
  }
  if (found.length === 0) term.note(`no tasks for user ${user_id}`);
  for (const task of found) term.line(`${task.id}  ${task.title ?? term.out.dim('(no title)')}`);
  if (total > found.length) term.note(`${found.length} of ${total} tasks: --all lists every page`);
  return EXIT.ok;
}

async function showMessages(
  term: Terminal,
  aui: AuiClient,
  taskId: string,
  json: boolean,
  signal: AbortSignal,
): Promise<number> {
  const stop = term.spin(`reading task ${taskId}…`);
  let messages: Message[];
  try {
    messages = await aui.tasks.messages(taskId, { signal });
  } finally {
    stop();
  }
  if (json) {
    term.line(JSON.stringify(messages, null, 2));
    return EXIT.ok;
  }
  if (messages.length === 0) term.note(`task ${taskId} has no messages yet`);
  for (const message of messages) {
    term.line(senderPrefix(term, message) + message.text);
    printProducts(term, message);
  }
  return EXIT.ok;
}

function senderPrefix(term: Terminal, message: Message): string {
  const type = message.sender?.type;
  if (type === 'user') return youPrefix(term.out);
  if (type === 'agent') return agentPrefix(term.out);
  return term.out.bold(`${type ?? '?'} ›`) + ' ';
}
