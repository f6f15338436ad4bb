/**
 * schemas/check — runs a schema and turns its first issue into the SDK's typed error with the
 * field path: `InvalidRequestError` for what the caller passed, `ResponseValidationError` for
 * what the server sent. The only place valibot results are read.
 * Imports: valibot, errors (leaf).
 */
import * as v from 'valibot';
import { InvalidRequestError, ResponseValidationError } from '../errors/errors.ts';

type AnySchema = v.GenericSchema<unknown, unknown>;

/** Checks caller input; `where` names the call (`tasks.create`), `root` the argument. */
export function checkInput<T>(schema: AnySchema, value: unknown, where: string, root?: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return value as T;
  const { path, message } = describe(result.issues[0], root);
  throw new InvalidRequestError(`${where}: ${path.length ? `${path.join('.')} ` : ''}${message}`, path);
}

/** Checks a server reply; returns it as the declared type (unknown fields kept). */
export function checkResponse<T>(schema: AnySchema, value: unknown, where: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output as T;
  const { path, message } = describe(result.issues[0]);
  throw new ResponseValidationError(
    `${where}: the server's reply failed validation at ${path.length ? path.join('.') : '(root)'}: ${message}`,
    path,
  );
}

function describe(issue: v.BaseIssue<unknown> | undefined, root?: string): { path: Array<string | number>; message: string } {
  const path: Array<string | number> = root ? [root] : [];
  for (const item of issue?.path ?? []) {
    if (typeof item.key === 'string' || typeof item.key === 'number') path.push(item.key);
  }
  // valibot says "Invalid type: Expected string but received undefined"; keep the useful half.
  // Our own rules (check/custom) carry their message.
  const message = !issue ? 'is invalid' : issue.type === 'custom' || issue.kind !== 'schema' ? issue.message : `expected ${issue.expected}, received ${issue.received}`;
  return { path, message };
}
