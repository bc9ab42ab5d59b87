/**
 * Exhaustiveness guard for `switch` statements over closed unions.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';

/**
 * Marks a branch the type checker proves unreachable. Reached only when untyped data carries a
 * value outside its union; {@link transition} turns that into an `ignored` effect.
 *
 * @example
 * ```ts
 * switch (event.type) { case 'tick': return onTick(); default: return assertNever(event) }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` always: the value is outside its union.
 */
export function assertNever(value: never): never {
  throw new CemArgumentError(`unexpected value ${JSON.stringify(value)}`);
}
