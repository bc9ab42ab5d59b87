/**
 * The value every transition returns, and the helpers that build it.
 *
 * @module
 */
import { deepFreeze, freeze } from './freeze.js';
import type { Alert, CemEffect, IgnoredReason } from './effects.js';
import type { CemState } from './model.js';

/**
 * The outcome of one {@link transition}: the next state (the same object when nothing changed)
 * and the effects the engine must perform, in order.
 */
export interface TransitionResult {
  readonly state: CemState;
  readonly effects: readonly CemEffect[];
}

/**
 * A result with deep-frozen effects.
 *
 * @example
 * ```ts
 * return done(next, [notify(alert)])
 * ```
 * @throws never.
 */
export function done(state: CemState, effects: readonly CemEffect[] = []): TransitionResult {
  return freeze({ state, effects: deepFreeze([...effects]) });
}

/**
 * The refusal of an event: the unchanged state, an `ignored` effect with a named reason, and any
 * extra effects (a `messageRefused` alert).
 *
 * @example
 * ```ts
 * return ignored(state, 'unknownRelationship', `no relationship ${id}`)
 * ```
 * @throws never.
 */
export function ignored(state: CemState, reason: IgnoredReason, detail: string, extra: readonly CemEffect[] = []): TransitionResult {
  return done(state, [{ type: 'ignored', reason, detail }, ...extra]);
}

/**
 * The `notify` effect of an alert.
 *
 * @example
 * ```ts
 * effects.push(notify(sendFailedAlert('acme', 'r1', 'request', 'HTTP 503', 1)))
 * ```
 * @throws never.
 */
export function notify(alert: Alert): CemEffect {
  return { type: 'notify', alert };
}
