// What the mock agent says and how a message looks on the wire: the default reply,
// reply resolution, stream chunking, the two product shapes and trace_info.

import type { MockAgentReply, MockProduct, MockReply } from './types.ts';
import { AGENT_ID, WELCOME_SUGGESTIONS, uuid, type StoredMessage, type StoredTask } from './store.ts';

export type ProductShape = 'cards' | 'options';

const MICROWAVES: MockProduct[] = [
  { name: 'Panasonic NN-SN98JS', price: '$358.08', recommended: true },
  { name: 'Frigidaire Gallery Series GMBS3068BF', price: '$429.00' },
  { name: 'BLACK+DECKER EM044KB19', price: '$189.99' },
];

// The send-message example suggestions of AUI's API docs, verbatim.
const PRODUCT_SUGGESTIONS = [
  'What is the price range?',
  'Do any of these come in stainless steel?',
  'Which one has the best energy rating?',
];

// Answers to the product follow-ups above, so a demo conversation reads like one.
const FOLLOWUP_ANSWERS: Array<[RegExp, string]> = [
  [
    /price range/i,
    'They range from $189.99 (BLACK+DECKER EM044KB19) to $429.00 (Frigidaire Gallery GMBS3068BF). The Panasonic NN-SN98JS sits in between at $358.08 and is the best value for 20+ liters.',
  ],
  [
    /stainless/i,
    'Yes: the Panasonic NN-SN98JS and the Frigidaire Gallery both come in stainless steel. The BLACK+DECKER is black only.',
  ],
  [
    /energy/i,
    'The Panasonic NN-SN98JS: its inverter heats evenly and draws less power at partial settings than the other two.',
  ],
];
const AFTER_FOLLOWUP = [
  'Add the Panasonic to my cart',
  'Compare the Panasonic and the Frigidaire',
  'Show me smaller models',
];

/** Deterministic, so tests can assert on it; products only when a microwave is mentioned. */
export function defaultReply(text: string): MockAgentReply {
  if (/microwave/i.test(text)) {
    return {
      text: 'I found several built-in microwaves with 20+ liters capacity. The Panasonic NN-SN98JS is my top pick at $358.08.',
      products: MICROWAVES,
      followup_suggestions: PRODUCT_SUGGESTIONS,
    };
  }
  const followup = FOLLOWUP_ANSWERS.find(([question]) => question.test(text));
  if (followup) return { text: followup[1], followup_suggestions: [...AFTER_FOLLOWUP] };
  return {
    text: `You said: "${text}". Tell me what you are looking for, your budget and any must-have features, and I will find the right product.`,
    followup_suggestions: [...WELCOME_SUGGESTIONS],
  };
}

export function resolveReply(
  reply: MockReply | undefined,
  input: { task_id: string; text: string; turn: number },
): MockAgentReply {
  const value = typeof reply === 'function' ? reply(input) : reply;
  if (value === undefined) return defaultReply(input.text);
  return typeof value === 'string' ? { text: value } : value;
}

/** Word-ish pieces that keep their spaces, so `chunks.join('') === text`. */
export function splitChunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function productBody(
  products: readonly MockProduct[],
  shape: ProductShape,
  category: string,
): Record<string, unknown> {
  if (shape === 'options') {
    return {
      options: products.map((p) => ({
        is_recommended: p.recommended ?? false,
        widget_parameters: [
          { title: 'Product name', value: p.name, type: 'string' },
          ...(p.price === undefined ? [] : [{ title: 'Price', value: p.price, type: 'string' }]),
        ],
      })),
      variants_options: [],
    };
  }
  return {
    cards: products.map((p) => ({
      id: uuid(),
      name: p.name,
      category,
      query: {},
      parameters: [
        { param: 'product_name', title: 'Product name', value: p.name, type: 'string' },
        ...(p.price === undefined
          ? []
          : [{ param: 'price', title: 'Price', value: p.price, type: 'string' }]),
      ],
      is_recommended: p.recommended ?? false,
    })),
  };
}

function categoryOf(userText: string, products: readonly MockProduct[]): string {
  const haystack = [userText, ...products.map((p) => p.name)].join(' ');
  return /microwave/i.test(haystack) ? 'microwaves' : 'products';
}

export function agentMessage(
  task: StoredTask,
  reply: MockAgentReply,
  userText: string,
  shape: ProductShape,
): StoredMessage {
  const products = reply.products ?? [];
  return {
    id: uuid(),
    created_at: new Date().toISOString(),
    text: reply.text,
    sender: { id: AGENT_ID, type: 'agent', email: null },
    receiver: { id: task.user_id, type: 'user', email: null },
    ...productBody(products, shape, categoryOf(userText, products)),
    followup_suggestions: [...(reply.followup_suggestions ?? [])],
  };
}

export function userMessage(task: StoredTask, text: string, shape: ProductShape): StoredMessage {
  return {
    id: uuid(),
    created_at: new Date().toISOString(),
    text,
    sender: { id: task.user_id, type: 'user', email: null },
    receiver: { id: AGENT_ID, type: 'agent', email: null },
    ...productBody([], shape, 'products'),
    followup_suggestions: [],
  };
}

/** A small TraceInfo (spec Appendix A): input and response always, the rest per flag. */
export function traceInfo(
  input: string,
  response: string,
  flags: { business: boolean; context: boolean },
): Record<string, unknown> {
  return {
    input: { message: input },
    ...(flags.context ? { context: { entities: [], static_context: [] } } : {}),
    ...(flags.business
      ? {
          understanding: { guardrails: { passed: true }, intents: ['product_search'], extracted_params: {} },
          decisions: [{ type: 'no_tool', tool: 'none' }],
        }
      : {}),
    response: { type: 'answer', message: response },
  };
}
