// cli/commands/chat — `aui-messaging chat`: its options and help; the conversation itself lives
// in ../chat.ts (interactive) and ../demo.ts (--demo).
// Imports: ../args, ../chat, ../demo, ../conversation (types), ../terminal (types).

import {
  type CliCommand,
  ENDPOINT_HELP,
  ENDPOINT_OPTIONS,
  endpointOf,
  KEY_ENV,
  MOCK_OPTION,
  noMoreArguments,
  optionValue,
  parseOptions,
} from '../args.ts';
import { runChat } from '../chat.ts';
import type { ChatOptions } from '../conversation.ts';
import { runDemo } from '../demo.ts';

const OPTIONS = {
  ...MOCK_OPTION,
  ...ENDPOINT_OPTIONS,
  demo: { type: 'boolean' },
  user: { type: 'string' },
  task: { type: 'string' },
} as const;

export const chat: CliCommand = {
  name: 'chat',
  summary: 'stream a conversation live in the terminal',
  help: `Usage: aui-messaging chat [options]

Streams a conversation with the agent: type a message, or the number of a suggestion to send
it. /exit or Ctrl-D quits. Ctrl-C stops the answer in flight; a second Ctrl-C exits.

Options
  --mock              talk to an embedded mock AUI server (no key needed)
  --demo              play a short scripted conversation, then exit
  --user <id>         user_id for the new task (default: this machine's cli-… id, see whoami)
  --task <id>         continue an existing task instead of creating one
${ENDPOINT_HELP}

The key: ${KEY_ENV}, else the one \`aui-messaging login\` stored.

Examples
  aui-messaging chat --mock
  aui-messaging chat --mock --demo
  aui-messaging chat --region azure --task 68e78d0dc5a4b19a030d03d6
`,
  run(argv, term) {
    const { values, positionals } = parseOptions(argv, OPTIONS);
    noMoreArguments(positionals);
    const options: ChatOptions = { ...endpointOf(values), demo: values.demo ?? false };
    const user = optionValue('user', values.user);
    const task = optionValue('task', values.task);
    if (user !== undefined) options.user = user;
    if (task !== undefined) options.task = task;
    return (options.demo ? runDemo : runChat)(term, options);
  },
};
