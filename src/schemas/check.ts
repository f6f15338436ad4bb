/**
 * schemas/check — runs a schema and turns its first issue into the SDK's typed error with the
 * field path: `InvalidRequestError` for what the caller passed, `ResponseValidationError` for
 * what the server sent. The only place valibot results are read.
 * Imports: valibot (types only), errors (leaf).
 */
import type * as v from 'valibot';
import { InvalidRequestError, ResponseValidationError } from '../errors/errors.ts';

type AnySchema = v.GenericSchema<unknown, unknown>;

/** Checks caller input; `where` names the call (`tasks.create`), `root` the argument. */
export function checkInput<T>(schema: AnySchema, value: unknown, where: string, root?: string): T {
  check(schema, value, InvalidRequestError, `${where}:`, root);
  return value as T;
}

/** Checks a server reply; returns it as the declared type (unknown fields kept). */
export function checkResponse<T>(schema: AnySchema, value: unknown, where: string): T {
  return check(schema, value, ResponseValidationError, `${where}: the reply failed validation at`) as T;
}

/** Runs `schema`; its first issue is thrown as `Failure` with the field path and a short message. */
function check(
  schema: AnySchema,
  value: unknown,
  Failure: new (message: string, path: Array<string | number>) => Error,
  prefix: string,
  root?: string,
): unknown {
  // Every valibot schema carries the Standard Schema entry point: calling it keeps safeParse out
  // of the bundle. Our schemas are sync, and its issues are valibot's own (type, expected, received).
  const result = schema['~standard'].validate(value) as { value: unknown; issues?: [v.BaseIssue<unknown>] };
  if (!result.issues) return result.value;
  const issue = result.issues[0];
  // Our schemas only nest objects and arrays, so every key on the path is a name or an index.
  const path = (issue.path ?? []).map((item) => item.key as string | number);
  if (root) path.unshift(root);
  // valibot says "Invalid type: Expected string but received undefined"; keep the useful half.
  // Our own rules (`custom`) expect "unknown": their message says what they expected instead.
  throw new Failure(
    `${prefix} ${path.join('.') || '(root)'}: expected ${issue.type === 'custom' ? issue.message : issue.expected}, received ${issue.received}`,
    path,
  );
}
