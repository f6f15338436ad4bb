// cli/render — how the conversation looks: banner, `you ›`/`agent ›` prefixes, product cards
// (name + price-ish values via productsOf), numbered follow-up suggestions, and errors as one
// line with the class name (never a stack). Pure formatting onto a Terminal.
// Imports: the SDK's public entry, ./terminal.

import { AuiError, productsOf, type Message, type Product } from '../index.node.ts';
import type { Palette, Terminal } from './terminal.ts';

export const youPrefix = (c: Palette): string => c.bold(c.green('you ›')) + ' ';
export const agentPrefix = (c: Palette): string => c.bold(c.cyan('agent ›')) + ' ';

export function printBanner(term: Terminal, version: string, where: string, mode: string): void {
  const c = term.out;
  term.line(`${c.bold(c.magenta('◆ aui-messaging'))} ${c.dim(`${version} · ${mode} · ${where}`)}`);
}

export function printAgentLine(term: Terminal, text: string): void {
  term.line(agentPrefix(term.out) + text);
}

export function printUserLine(term: Terminal, text: string, note?: string): void {
  const c = term.out;
  term.line(youPrefix(c) + text + (note ? ` ${c.dim(note)}` : ''));
}

/** Titles that read like a price: "Price", "Sale price", "cost", "Discount". */
const PRICE_ISH = /price|cost|sale|discount|amount|\$|€|£/i;
const NAME_ISH = /^(product )?name$/i;

function productLine(product: Product): { name: string; details: string[] } {
  const name =
    product.name ??
    stringOf(Object.entries(product.values).find(([title]) => NAME_ISH.test(title))?.[1]) ??
    'unnamed product';
  const details: string[] = [];
  for (const [title, value] of Object.entries(product.values)) {
    const text = stringOf(value);
    if (text === undefined || NAME_ISH.test(title)) continue;
    if (PRICE_ISH.test(title) || PRICE_ISH.test(text)) details.push(text);
  }
  return { name, details };
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Product cards of a message, one line each; nothing when there are none. */
export function printProducts(term: Terminal, message: Message): void {
  const products = productsOf(message);
  if (products.length === 0) return;
  const c = term.out;
  term.line(c.dim(`  ${products.length} product${products.length === 1 ? '' : 's'}`));
  for (const product of products) {
    const { name, details } = productLine(product);
    const mark = product.recommended ? c.yellow('★') : c.dim('•');
    const price = details.length ? `  ${c.green(details.join(' · '))}` : '';
    const pick = product.recommended ? `  ${c.dim('recommended')}` : '';
    term.line(`  ${mark} ${c.bold(name)}${price}${pick}`);
  }
}

/** Numbered follow-up suggestions (the number sends it); nothing when there are none. */
export function printSuggestions(term: Terminal, suggestions: readonly string[]): void {
  if (suggestions.length === 0) return;
  const c = term.out;
  term.line(c.dim('  try:'));
  suggestions.forEach((s, i) => term.line(`  ${c.cyan(`[${i + 1}]`)} ${s}`));
}

/** `ClassName: message (delivered: …)` on one line. No stack, no cause. */
export function formatError(error: unknown): string {
  if (!(error instanceof Error)) return `Error: ${oneLine(String(error))}`;
  const name = error.name || error.constructor.name || 'Error';
  let line = `${name}: ${oneLine(error.message)}`;
  const delivered = error instanceof AuiError ? error.delivered : undefined;
  if (delivered !== undefined && !/delivered/i.test(error.message))
    line += ` (delivered: ${String(delivered)})`;
  return line;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
