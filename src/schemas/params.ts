/**
 * schemas/params — what callers may pass, checked before any network call so bad input costs
 * nothing and names the field. Unknown keys in a body pass through to the server (the API grows
 * faster than SDKs); wrong types and missing required fields do not.
 * Imports: valibot, errors (isRecord), ./wire (str, typed, AnyObjectSchema).
 */
import * as v from 'valibot';
import { isRecord } from '../shared/values.ts';
import { AnyObjectSchema, str, typed } from './wire.ts';

/*
 * A small vocabulary on purpose: every valibot function used costs bytes in every app, so rules
 * beyond "an object with these fields" are `custom` closures rather than one more valibot function.
 * A rule's message names what it expected (schemas/check makes it "expected …, received …").
 */

/** A string that passes `test`. */
export const text = (test: (value: string) => boolean, message: string) =>
  v.custom<string>((value) => typeof value === 'string' && test(value), message);

export const nonEmpty = text(Boolean, 'a non-empty string');

/** A number ≥ min. */
export const atLeast = (min: number) =>
  v.custom<number>((n) => typeof n === 'number' && n >= min, `a number >= ${min}`);

/** An integer ≥ min (counts: retries, pages). */
export const integerFrom = (min: number) =>
  v.custom<number>((n) => Number.isInteger(n) && (n as number) >= min, `an integer >= ${min}`);

export const oneOf = <T extends string>(values: readonly T[]) =>
  v.custom<T>((value) => values.includes(value as T), `one of ${values.join(' | ')}`);

const object = AnyObjectSchema;

/** Extra HTTP headers: an object of strings. */
export const headers = v.optional(
  v.custom<Record<string, string>>(
    (value) => isRecord(value) && Object.values(value).every((item) => typeof item === 'string'),
    'an object of strings',
  ),
);

const id = nonEmpty;
const flag = v.optional(typed<boolean>('boolean'));

/** Task ids, message ids: opaque non-empty strings (encoded when they go into a path). */
export const IdSchema = id;

export const RequestOptionsSchema = v.optional(
  v.looseObject({
    signal: v.optional(
      v.custom<AbortSignal>((value) => isRecord(value) && 'aborted' in value, 'an AbortSignal'),
    ),
    timeout: v.optional(atLeast(1)),
    maxRetries: v.optional(integerFrom(0)),
    headers,
  }),
);

export const CreateTaskSchema = v.looseObject({
  user_id: id,
  task_origin_type: v.optional(id),
  agent: v.optional(
    v.looseObject({
      agent_id: v.optional(str),
      version_id: v.optional(str),
      version_tag: v.optional(str),
      bundle_mode: flag,
    }),
  ),
});

export const ListTasksSchema = v.looseObject({
  user_id: id,
  page: v.optional(integerFrom(1)),
  size: v.optional(integerFrom(1)),
});

export const ContextSchema = v.nullish(
  v.looseObject({
    url: v.nullish(str),
    lead_details: v.nullish(object),
  }),
);

export const SendMessageSchema = v.looseObject({
  task_id: id,
  text: v.optional(str),
  context: v.optional(ContextSchema),
  agent_variables: v.optional(object),
  include_business_trace: flag,
  include_context_trace: flag,
});

export const StreamMessageSchema = v.looseObject({
  task_id: id,
  text: nonEmpty,
  context: v.optional(ContextSchema),
});

export const RecordSchema = object;

export const TraceInfoQuerySchema = v.optional(
  v.looseObject({ include_business_logic: flag, include_context_logic: flag }),
);

export const TextConversationSchema = v.looseObject({
  phoneNumber: text((value) => /^\+[1-9]\d{1,14}$/.test(value), 'an E.164 number'),
  channel: oneOf(['whatsapp', 'sms']),
  message: v.optional(str),
});

export const RenderWidgetSchema = v.looseObject({
  task_id: id,
  integration_code: id,
  card_template_code: id,
  variables: object,
});
