/**
 * Freezing helpers. Transitions create frozen objects and share untouched parts of their input,
 * so a state that was deep-frozen once stays deep-frozen through every transition.
 *
 * @module
 */
import type { CemState } from './model.js';

/**
 * Freezes one object (shallow) and returns it typed as readonly.
 *
 * @example
 * ```ts
 * const slot = freeze({ active: [], successor: null, archive: [] })
 * ```
 * @throws never.
 */
export function freeze<T>(value: T): T {
  return Object.freeze(value);
}

/**
 * Deep-freezes a value in place and returns it. Use it once on a state loaded from storage
 * (e.g. `JSON.parse`) before handing it to {@link transition}; objects already frozen are assumed
 * deep-frozen and are not walked again.
 *
 * @example
 * ```ts
 * const state = freezeState(JSON.parse(stored) as CemState)
 * ```
 * @throws never.
 */
export function freezeState(state: CemState): CemState {
  return deepFreeze(state);
}

/**
 * Deep-freezes any JSON-like value in place (typed arrays such as DER bytes are skipped).
 *
 * @example
 * ```ts
 * const effects = deepFreeze([{ type: 'tick' }])
 * ```
 * @throws never.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // Typed arrays with elements cannot be frozen (TypeError); they are left as they are.
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
