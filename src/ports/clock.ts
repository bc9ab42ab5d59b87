/**
 * The clock port: the only way the engine learns the time. Pure layers receive `now` as an
 * argument instead (house rule: no ambient time).
 *
 * @module
 */

/**
 * Tells the current instant, and optionally runs a callback later.
 *
 * `now()` returns a fresh `Date` each call (callers may mutate it) and never goes backwards
 * between two calls by more than the host's clock adjustments.
 *
 * `setTimer(delayMs, callback)` (optional) calls `callback` once, `delayMs` of this clock's time
 * from now, unless the returned function cancelled it first. The engine uses it only to renew its
 * claim on an outbox entry while a port call (a send, an install) is still running; without it a
 * claim is renewed only before each port call, so a call slower than `leaseMs` can be performed
 * by a second node too (see `CemEngineConfig.leaseMs`). `systemClock` and the manual clock of
 * `ediint-cem/testing` offer it.
 *
 * @example
 * ```ts
 * const clock: Clock = {
 *   now: () => new Date(),
 *   setTimer: (ms, callback) => { const t = setTimeout(callback, ms); return () => clearTimeout(t) },
 * }
 * const transition = decide(state, event, clock.now())
 * ```
 */
export interface Clock {
  /** The current instant, as a new `Date`. */
  now(): Date;
  /**
   * Calls `callback` once after `delayMs` milliseconds of this clock's time; returns a function
   * that cancels it (calling it after the callback ran does nothing). Optional.
   */
  setTimer?(delayMs: number, callback: () => void): () => void;
}

/**
 * The host's wall clock, with timers on Node's `setTimeout` (unreferenced: a pending timer never
 * keeps the process alive). Production engines use it; tests use `createManualClock` from
 * `ediint-cem/testing`.
 *
 * @example
 * ```ts
 * const engine = createCemEngine({ ...ports, clock: systemClock })
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): Date => new Date(),
  setTimer(delayMs: number, callback: () => void): () => void {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    (timer as { unref?: () => void }).unref?.();
    return () => clearTimeout(timer);
  },
});
