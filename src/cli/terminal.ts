// cli/terminal — the CLI's only way to print. Owns stdout (the conversation) and stderr
// (notes, state changes, errors, prompts, the spinner), the colour decision (a TTY and NO_COLOR
// unset, per stream), whether stdout is mid-line (so a note never lands inside a streamed answer
// on a shared screen), and a last-line scrub of secrets from everything written: the exact keys
// handed to `secret()`, plus whatever the SDK's redactor spots (`API_KEY_…`, `network_api_key=…`).
// Imports: node builtins, errors/redact (leaf).

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
  /** Text to stderr with no newline: a question the user answers on stdin. */
  prompt(text: string): void;
  /**
   * A spinner with `text` on stderr while something is pending; returns the function that
   * removes it. Only when stderr is an interactive terminal; elsewhere it draws nothing.
   */
  spin(text: string): () => void;
  /** Visible width of the terminal, or 80. */
  columns(): number;
  /** Never print this value (replaced with [redacted]). */
  secret(value: string): void;
}

type Stream = NodeJS.WriteStream;

const REDACTED = '[redacted]';
// Keys as AUI issues them, wherever they appear (the rule of src/errors/redact.ts).
const AUI_KEYS = /\bAPI_KEY_[\w-]+/g;

function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

function palette(enabled: boolean): Palette {
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
  const scrub = (text: string): string =>
    secrets.reduce((s, secret) => s.replaceAll(secret, REDACTED), text).replace(AUI_KEYS, REDACTED);
  const out = palette(colorEnabled(stdout, env));
  const err = palette(colorEnabled(stderr, env));
  // `| head` closing the pipe is not an error worth a stack.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const sameScreen = Boolean(stdout.isTTY && stderr.isTTY);
  let midLine = false;
  // On a shared screen a spinner frame would overwrite a half-written answer line.
  const spinner = new Spinner(stderr, err, env, () => !(sameScreen && midLine));
  const write = (text: string): void => {
    if (text === '') return;
    if (sameScreen) spinner.clear();
    midLine = !text.endsWith('\n');
    stdout.write(scrub(text));
  };
  const endLine = (): void => {
    if (midLine) write('\n');
  };
  const toStderr = (text: string, newline = true): void => {
    spinner.clear();
    if (sameScreen) endLine(); // start the note on its own line
    stderr.write(newline ? `${text}\n` : text);
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
    prompt: (text) => toStderr(scrub(text), false),
    spin: (text) => spinner.start(scrub(text)),
    columns: () => (stdout.isTTY && stdout.columns > 0 ? stdout.columns : 80),
    secret(value) {
      if (value.length >= 4 && !secrets.includes(value)) secrets.push(value);
    },
  };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

/** One spinner line at a time on stderr; cleared before anything else is written there. */
class Spinner {
  readonly #stream: Stream;
  readonly #palette: Palette;
  readonly #enabled: boolean;
  readonly #mayDraw: () => boolean;
  #text = '';
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawn = false;

  constructor(stream: Stream, colors: Palette, env: NodeJS.ProcessEnv, mayDraw: () => boolean) {
    this.#stream = stream;
    this.#palette = colors;
    this.#enabled = Boolean(stream.isTTY) && env.TERM !== 'dumb';
    this.#mayDraw = mayDraw;
  }

  start(text: string): () => void {
    if (!this.#enabled) return () => {};
    this.#text = text;
    this.#draw();
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#draw(), FRAME_MS);
    this.#timer.unref();
    const timer = this.#timer;
    return () => {
      if (this.#timer !== timer) return; // a newer spinner replaced this one
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.clear();
    };
  }

  /** Removes the spinner's line, if drawn; the next frame draws it again. */
  clear(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#stream.write('\r\x1b[2K');
  }

  #draw(): void {
    if (!this.#mayDraw()) return;
    const frame = FRAMES[this.#frame++ % FRAMES.length] ?? '';
    this.#stream.write(`\r\x1b[2K${this.#palette.cyan(frame)} ${this.#palette.dim(this.#text)}`);
    this.#drawn = true;
  }
}
