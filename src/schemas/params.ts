/**
 * schemas/params — what callers may pass, checked before any network call so bad input costs
 * nothing and names the field. Unknown keys in a body pass through to the server (the API grows
 * faster than SDKs); wrong types and missing required fields do not.
 * Leaf module: imports valibot only.
 */
import * as v from 'valibot';

const id = v.pipe(v.string(), v.nonEmpty('must be a non-empty string'));
const flag = v.optional(v.boolean());
const record = v.record(v.string(), v.unknown());

/** Task ids, message ids: opaque non-empty strings (encoded when they go into a path). */
export const IdSchema = id;

export const RequestOptionsSchema = v.optional(
  v.looseObject({
    signal: v.optional(v.custom<AbortSignal>((value) => typeof value === 'object' && value !== null && 'aborted' in value, 'must be an AbortSignal')),
    timeout: v.optional(v.pipe(v.number(), v.minValue(1))),
    maxRetries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    headers: v.optional(v.record(v.string(), v.string())),
  }),
);

export const CreateTaskSchema = v.looseObject({
  user_id: id,
  task_origin_type: v.optional(id),
  agent: v.optional(
    v.looseObject({
      agent_id: v.optional(v.string()),
      version_id: v.optional(v.string()),
      version_tag: v.optional(v.string()),
      bundle_mode: flag,
    }),
  ),
});

export const ListTasksSchema = v.looseObject({
  user_id: id,
  page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});

export const ContextSchema = v.nullish(
  v.looseObject({
    url: v.nullish(v.string()),
    lead_details: v.nullish(record),
  }),
);

export const SendMessageSchema = v.looseObject({
  task_id: id,
  text: v.optional(v.string()),
  context: v.optional(ContextSchema),
  agent_variables: v.optional(record),
  include_business_trace: flag,
  include_context_trace: flag,
});

export const StreamMessageSchema = v.looseObject({
  task_id: id,
  text: v.pipe(v.string(), v.nonEmpty('must be a non-empty string')),
  context: v.optional(ContextSchema),
});

export const RecordSchema = record;

export const TraceInfoQuerySchema = v.optional(
  v.looseObject({ include_business_logic: flag, include_context_logic: flag }),
);

export const TextConversationSchema = v.looseObject({
  phoneNumber: v.pipe(v.string(), v.regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as +14155550123')),
  channel: v.picklist(['whatsapp', 'sms']),
  message: v.optional(v.string()),
});

export const RenderWidgetSchema = v.looseObject({
  task_id: id,
  integration_code: id,
  card_template_code: id,
  variables: record,
});
