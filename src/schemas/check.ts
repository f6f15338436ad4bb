// schemas/check — runs a schema and turns its first issue into the SDK's typed error, naming the
// field and saying in words what was wrong with it: `InvalidRequestError` for what the caller
// passed, `ResponseValidationError` for what the server sent. The only place valibot's results
// are read.
// Imports: valibot, errors (a leaf).

import * as v from 'valibot';
import { InvalidRequestError, ResponseValidationError } from '../errors/errors.ts';

type AnySchema = v.GenericSchema<unknown, unknown>;
type Issue = v.BaseIssue<unknown>;

/**
 * Checks what a caller passed and returns it as given (a field the schema does not name is kept).
 * `where` names the call (`tasks.create`), `root` the argument (`params`, `options`, `task_id`).
 * @throws InvalidRequestError e.g. `tasks.create: params.user_id is required`.
 */
export function checkInput<T>(schema: AnySchema, value: unknown, where: string, root?: string): T {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const path = root === undefined ? fieldPath(issue) : [root, ...fieldPath(issue)];
    const field = path.join('.') || 'the input';
    throw new InvalidRequestError(`${where}: ${field} ${problem(issue, 'is required')}`, path);
  }
  return value as T;
}

/**
 * Checks a server reply and returns it as the declared type (fields the schema does not name kept).
 * @throws ResponseValidationError e.g. `tasks.list: unexpected reply from AUI: total must be a number, got "3"`.
 */
export function checkResponse<T>(schema: AnySchema, value: unknown, where: string): T {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const path = fieldPath(issue);
    const field = path.join('.') || 'the reply';
    throw new ResponseValidationError(
      `${where}: unexpected reply from AUI: ${field} ${problem(issue, 'is missing')}`,
      path,
    );
  }
  return result.output as T;
}

/** The keys from the checked value down to the field an issue is about. */
function fieldPath(issue: Issue): Array<string | number> {
  // The schemas nest only objects, records and arrays: every key is a name or an index.
  return (issue.path ?? []).map((item) => item.key as string | number);
}

/** What is wrong with the field, as the end of a sentence that starts with its name. */
function problem(issue: Issue, whenAbsent: string): string {
  // A field that may be absent is `optional`: an issue about `undefined` means a required one is missing.
  if (issue.input === undefined) return whenAbsent;
  if (issue.type === 'non_empty') return 'must not be empty';
  return `must be ${expectation(issue)}, got ${shown(issue.input)}`;
}

/** What the failed schema or rule wanted, by valibot's issue type. */
function expectation(issue: Issue): string {
  switch (issue.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'function':
      return 'a function';
    case 'array':
      return 'an array';
    case 'object':
    case 'loose_object':
    case 'record':
      return 'an object';
    case 'instance':
      return `an instance of ${issue.expected ?? 'its class'}`;
    case 'picklist':
      return alternatives(issue.expected ?? '');
    case 'integer':
      return 'a whole number';
    case 'min_value':
      return `at least ${String(issue.requirement)}`;
    case 'url':
      return 'a URL';
    default:
      // Rules whose meaning only their schema knows (`regex`) carry it as their message.
      return issue.message;
  }
}

/** valibot's `("sms" | "whatsapp")` as words: `"sms" or "whatsapp"`, `"a", "b" or "c"`. */
function alternatives(expected: string): string {
  const options = expected.replace(/^\((.*)\)$/, '$1').split(' | ');
  const last = options.pop();
  return options.length > 0 ? `${options.join(', ')} or ${last}` : String(last);
}

/** A value as a message shows it: strings quoted (long ones cut), objects by their kind. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value; // a symbol
}
