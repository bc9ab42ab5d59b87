/**
 * JSON values: what a {@link CemStore} record, an alert's details and an audit event may hold.
 *
 * A value is JSON when `JSON.parse(JSON.stringify(v))` gives back an equal value: no `undefined`,
 * no `Date`, no `NaN`/`Infinity`, no functions, symbols, bigints, class instances or cycles.
 * Dates travel as ISO-8601 strings; bigints (serial numbers) as decimal strings.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';

/**
 * A JSON scalar. Numbers are finite.
 *
 * @example
 * ```ts
 * const p: JsonPrimitive = '2025-03-01T00:00:00+00:00'
 * ```
 */
export type JsonPrimitive = string | number | boolean | null;

/**
 * A JSON array.
 *
 * @example
 * ```ts
 * const a: JsonArray = ['tlsClient', 'digitalSignature']
 * ```
 */
export type JsonArray = readonly JsonValue[];

/**
 * A JSON object: string keys, JSON values, no `undefined` members.
 *
 * @example
 * ```ts
 * const o: JsonObject = { partnerId: 'acme', attempts: 2 }
 * ```
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * Any JSON value.
 *
 * @example
 * ```ts
 * const v: JsonValue = { partner: 'acme', due: '2025-03-01T00:00:00+00:00', tries: [1, 2] }
 * ```
 */
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

function fail(path: string, what: string): never {
  throw new CemArgumentError(`not a JSON value at ${path}: ${what}`);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, String(value));
      return;
    case 'object':
      break;
    default:
      fail(path, typeof value);
  }
  if (value === null) return;
  if (seen.has(value)) fail(path, 'cycle');
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) fail(`${path}[${i}]`, 'hole');
      check(value[i], `${path}[${i}]`, seen);
    }
  } else {
    if (!isPlainObject(value)) fail(path, `instance of ${value.constructor?.name ?? 'unknown'}`);
    if (Object.getOwnPropertySymbols(value).length > 0) fail(path, 'symbol key');
    for (const [k, v] of Object.entries(value)) check(v, `${path}.${k}`, seen);
  }
  seen.delete(value);
}

/**
 * Asserts that `value` is a {@link JsonValue} (see the module notes for what that excludes).
 *
 * @example
 * ```ts
 * assertJsonValue({ at: now.toISOString() }) // fine
 * assertJsonValue({ at: now })               // throws CEM_ARGUMENT
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` naming the first offending path.
 */
export function assertJsonValue(value: unknown, path = '$'): asserts value is JsonValue {
  check(value, path, new Set());
}

/**
 * A deep, deeply frozen copy of a JSON value. Stores hand these out so that no caller can change
 * a stored record by mutating what it read.
 *
 * @example
 * ```ts
 * const copy = cloneJson(record.value) // Object.isFrozen(copy) === true
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `value` is not JSON.
 */
export function cloneJson<T extends JsonValue>(value: T): T {
  assertJsonValue(value);
  return freezeDeep(JSON.parse(JSON.stringify(value)) as T);
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) freezeDeep(v);
    Object.freeze(value);
  }
  return value;
}
