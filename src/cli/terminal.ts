/**
 * cli/terminal — the CLI's only way to print. Owns stdout (the conversation) and stderr
 * (notes, state changes, errors), the colour decision (a TTY and NO_COLOR unset, per stream),
 * whether stdout is mid-line (so a note never lands inside a streamed answer on a shared
 * screen), and a last-line scrub of secrets (the key) from everything written.
 * Imports: node builtins only.
 */
import { stripVTControlCharacters } from 'node:util';

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  magenta(s: string): string;
}

export interface Terminal {
  /** stdout is an interactive terminal (cursor control, pacing). */
  readonly tty: boolean;
  /** Colours for stdout and for stderr (each decided for its own stream). */
  readonly out: Palette;
  readonly err: Palette;
  /** Raw text to stdout (streamed deltas). */
  write(text: string): void;
  /** One line to stdout. */
  line(text?: string): void;
  /** Ends stdout's current line, if something is written on it. */
  endLine(): void;
  /** One dim line to stderr (notes, state changes). */
  note(text: string): void;
  /** One red line to stderr. */
  error(text: string): void;
  /** Visible width of the terminal, or 80. */
  columns(): number;
  /** Never print this value (replaced with ***). */
  secret(value: string): void;
}

type Stream = NodeJS.WriteStream;

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

export function palette(enabled: boolean): Palette {
  const sgr = (open: number, close: number) => (s: string) =>
    enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    cyan: sgr(36, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    red: sgr(31, 39),
    magenta: sgr(35, 39),
  };
}

/** Visible length of a string (ANSI escapes removed, code points counted). */
export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

export function createTerminal(
  stdout: Stream = process.stdout,
  stderr: Stream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Terminal {
  const secrets: string[] = [];
  const scrub = (text: string): string => secrets.reduce((s, secret) => s.split(secret).join('***'), text);
  const out = palette(colorEnabled(stdout, env));
  const err = palette(colorEnabled(stderr, env));
  // `| head` closing the pipe is not an error worth a stack.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let midLine = false;
  const write = (text: string): void => {
    if (text === '') return;
    midLine = !text.endsWith('\n');
    stdout.write(scrub(text));
  };
  const endLine = (): void => {
    if (midLine) write('\n');
  };
  const toStderr = (text: string): void => {
    if (stdout.isTTY && stderr.isTTY) endLine(); // same screen: start the note on its own line
    stderr.write(`${text}\n`);
  };
  return {
    tty: Boolean(stdout.isTTY),
    out,
    err,
    write,
    line: (text = '') => write(`${text}\n`),
    endLine,
    note: (text) => toStderr(err.dim(scrub(text))),
    error: (text) => toStderr(err.red(scrub(text))),
    columns: () => (stdout.isTTY && stdout.columns > 0 ? stdout.columns : 80),
    secret(value) {
      if (value.length >= 4 && !secrets.includes(value)) secrets.push(value);
    },
  };
}
