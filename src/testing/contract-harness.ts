/**
 * What the contract suites need from a test framework: `describe` and `it`, as vitest, jest and
 * `node:test` all export them. Assertions use `node:assert/strict`, so any runner reports them.
 *
 * @module
 */
import assert from 'node:assert/strict';
import type { CemErrorCode } from '../errors.js';

/**
 * The two functions a contract suite registers its tests with.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest'      // or 'node:test', or jest's globals
 * runStoreContract({ describe, it }, () => createMyStore())
 * ```
 */
export interface ContractHarness {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
}

/** Asserts that `promise` rejects with an error whose `code` is `code`. */
export async function rejectsWithCode(promise: Promise<unknown>, code: CemErrorCode, what: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown } | null)?.code, code, `${what}: expected ${code}, got ${String(error)}`);
    return true;
  });
}

/** Asserts that calling `fn` does not throw synchronously and returns a promise. */
export function assertReturnsPromise<T>(fn: () => Promise<T>, what: string): Promise<T> {
  let result: unknown;
  assert.doesNotThrow(() => {
    result = fn();
  }, `${what} must report failures by rejecting, not by throwing`);
  assert.equal(typeof (result as { then?: unknown } | null)?.then, 'function', `${what} must return a promise`);
  return result as Promise<T>;
}
