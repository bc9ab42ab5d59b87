/**
 * The clock port: the only way the engine learns the time. Pure layers receive `now` as an
 * argument instead (house rule: no ambient time).
 *
 * @module
 */

/**
 * Tells the current instant.
 *
 * `now()` returns a fresh `Date` each call (callers may mutate it) and never goes backwards
 * between two calls by more than the host's clock adjustments.
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => new Date() }
 * const transition = decide(state, event, clock.now())
 * ```
 */
export interface Clock {
  /** The current instant, as a new `Date`. */
  now(): Date;
}

/**
 * The host's wall clock. Production engines use it; tests use `createManualClock` from
 * `ediint-cem/testing`.
 *
 * @example
 * ```ts
 * const engine = createCemEngine({ ...ports, clock: systemClock })
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): Date => new Date(),
});
