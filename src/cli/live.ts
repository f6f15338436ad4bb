// cli/live — one streamed answer on the screen: the prefix, then deltas written as they
// arrive; `replace()` reprints the whole text when the stream corrects itself (a `snapshot`
// event). On a TTY it moves the cursor back over what it wrote and clears; in a pipe it starts
// a fresh line, since nothing written can be taken back.
// Imports: ./terminal.

import { type Terminal, visibleLength } from './terminal.ts';

export class LiveText {
  readonly #term: Terminal;
  readonly #prefix: string;
  #text = '';
  #open = false;

  constructor(term: Terminal, prefix: string) {
    this.#term = term;
    this.#prefix = prefix;
  }

  get text(): string {
    return this.#text;
  }

  start(): void {
    if (this.#open) return;
    this.#open = true;
    this.#term.write(this.#prefix);
  }

  append(delta: string): void {
    this.start();
    this.#text += delta;
    this.#term.write(delta);
  }

  replace(snapshot: string): void {
    this.start();
    if (snapshot === this.#text) return;
    if (this.#term.tty) {
      const up = this.#rows() - 1;
      this.#term.write(`${up > 0 ? `\x1b[${up}A` : ''}\r\x1b[0J${this.#prefix}${snapshot}`);
    } else {
      this.#term.write(`\n${this.#prefix}${snapshot}`);
    }
    this.#text = snapshot;
  }

  /** Ends the line (once). */
  end(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#term.endLine();
  }

  /** Screen rows the prefix and the text occupy now. */
  #rows(): number {
    const columns = this.#term.columns();
    const lines = (this.#prefix + this.#text).split('\n');
    return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / columns)), 0);
  }
}
