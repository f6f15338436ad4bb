// schemas/helpers — small pure helpers over wire values that every app ends up writing:
// `parseCreatedAt` for the three timestamp formats the API has used, `productsOf` for its two
// product shapes. A leaf: imports only ./wire's types.

import type { Card, Message, ParameterType, ProductOption } from './wire.ts';

/**
 * Reads a message's `created_at` as a `Date`. The API has sent three formats:
 * `2026-03-09T14:22:01.000Z`, `2025-11-12T14:03:46.984000` (no zone) and
 * `2025-10-09 12:26:07.576000` (a space, no zone); zone-less values are UTC (the server's clock).
 * Returns `undefined` for anything else, never throws.
 *
 * @example
 * parseCreatedAt(message.created_at)?.toLocaleTimeString();
 */
export function parseCreatedAt(value: string | null | undefined): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value.trim(),
  );
  if (!match) return undefined;
  const [, day, time, fraction = '', zone = 'Z'] = match;
  const millis = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  const date = new Date(`${day}T${time}${millis}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** One recommended product, whichever shape the server sent it in (see `productsOf`). */
export interface Product {
  /** The card's `name`, or an option's parameter titled "Name" / "Product name". */
  name?: string;
  /** The agent's pick among the products. */
  recommended: boolean;
  /** Parameters by title, e.g. `{ Price: '$358.08' }`. */
  values: Record<string, unknown>;
  /** Every parameter, in the server's order. */
  parameters: Array<{
    /** The label, e.g. `'Price'`: the key in `values`. */
    title: string;
    /** The value, as `type` says to read it. */
    value: unknown;
    /** How to read `value`, when the server said. */
    type?: ParameterType;
    /** The parameter's code in the catalogue (cards only). */
    param?: string;
  }>;
  /** `'card'` for `cards`, `'option'`/`'variant'` for `options`/`variants_options`. */
  source: 'card' | 'option' | 'variant';
  /** The product as the server sent it. */
  raw: Card | ProductOption;
}

/**
 * A message's recommended products as one list, whichever shape the server used: `cards` (with
 * `parameters`) or `options`/`variants_options` (with `widget_parameters`). Empty when there are none.
 *
 * @example
 * for (const product of productsOf(message)) console.log(product.name, product.values.Price);
 */
export function productsOf(
  message: Pick<Message, 'cards' | 'options' | 'variants_options'> | null | undefined,
): Product[] {
  const out: Product[] = [];
  for (const card of message?.cards ?? []) {
    const parameters = (card.parameters ?? []).map((p) => ({ ...p, value: p.value }));
    out.push(product(card.name, card.is_recommended ?? false, parameters, 'card', card));
  }
  for (const [source, list] of [
    ['option', message?.options],
    ['variant', message?.variants_options],
  ] as const) {
    for (const option of list ?? []) {
      const parameters = option.widget_parameters ?? [];
      const named = parameters.find((p) => /^(product )?name$/i.test(p.title));
      out.push(
        product(
          typeof named?.value === 'string' ? named.value : undefined,
          option.is_recommended ?? false,
          parameters,
          source,
          option,
        ),
      );
    }
  }
  return out;
}

function product(
  name: string | undefined,
  recommended: boolean,
  parameters: Product['parameters'],
  source: Product['source'],
  raw: Product['raw'],
): Product {
  const values: Record<string, unknown> = {};
  for (const p of parameters) values[p.title] = p.value;
  const result: Product = { recommended, values, parameters, source, raw };
  if (name !== undefined) result.name = name;
  return result;
}
