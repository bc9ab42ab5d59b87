/**
 * The claim an engine holds on an outbox entry while it performs it, kept alive by renewal.
 *
 * A claim is a version-checked write of `{ by, until }` on the entry. Another engine takes the
 * entry over only once `until` has passed. So that a live engine is not overtaken:
 *
 * - before each port call that performs an effect (a send, a notice, an install), the claim is
 *   renewed to `now + leaseMs` unless it already runs that long (`ensure`);
 * - while the call runs, when the clock port offers `setTimer`, the claim is renewed every
 *   `leaseMs / 3` of clock time (`during`).
 *
 * A renewal that finds the entry changed (another engine took it over, or it is gone) marks the
 * claim lost: the result of the call is then not recorded, the taker records its own. Each
 * renewal advances the entry's version, and the lease keeps the version it wrote, so the commit
 * that records the result (version-checked) succeeds only while the claim is still ours.
 *
 * @module
 */
import { isCemError } from '../errors.js';
import { storeCall, type EngineContext } from './context.js';
import { claimWrite, type LoadedEntry } from './outbox.js';
import { clockNow } from './port-calls.js';

/** A held claim on one outbox entry. */
export interface Lease {
  /** The entry as this engine last wrote it (its version is what the result's commit checks). */
  current(): LoadedEntry;
  /** True once a renewal found the entry taken over or gone. */
  lost(): boolean;
  /**
   * Renews the claim unless it still runs for `leaseMs` from now. False when the claim was lost
   * (the caller must not perform the effect).
   */
  ensure(): Promise<boolean>;
  /** Runs one port call, renewing the claim every `leaseMs / 3` while it runs (clock timers). */
  during<T>(call: () => Promise<T>): Promise<T>;
}

/**
 * A lease on an entry this engine has just claimed (or created, claimed).
 *
 * @example
 * ```ts
 * const lease = holdLease(ctx, claimed)
 * if (await lease.ensure()) await lease.during(() => ports.transport.sendRequest(message))
 * ```
 * @throws never (its `ensure` throws `CEM_PORT_FAILED` when the store or the clock fails).
 */
export function holdLease(ctx: EngineContext, entry: LoadedEntry): Lease {
  let held = entry;
  let isLost = false;

  /** One renewal. Throws `CEM_PORT_FAILED` when the clock or the store fails (claim unchanged or unknown). */
  async function renew(): Promise<boolean> {
    if (isLost) return false;
    const now = clockNow(ctx.ports);
    const claim = { by: ctx.claimant, until: new Date(now.getTime() + ctx.leaseMs).toISOString() };
    const made = claimWrite(held, claim);
    try {
      await storeCall(() => ctx.ports.store.commit(made.writes));
    } catch (error) {
      if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error;
      isLost = true;
      return false;
    }
    held = made.claimed;
    return true;
  }

  return {
    current: () => held,
    lost: () => isLost,
    async ensure(): Promise<boolean> {
      if (isLost) return false;
      const claim = held.entry.claim;
      const now = clockNow(ctx.ports);
      if (claim !== null && claim.by === ctx.claimant && Date.parse(claim.until) >= now.getTime() + ctx.leaseMs) return true;
      return renew();
    },
    async during<T>(call: () => Promise<T>): Promise<T> {
      const setTimer = ctx.ports.clock.setTimer?.bind(ctx.ports.clock);
      if (setTimer === undefined) return call();
      let running = true;
      let cancel: (() => void) | null = null;
      let renewal: Promise<unknown> = Promise.resolve();
      const schedule = (): void => {
        try {
          cancel = setTimer(ctx.leaseMs / 3, () => {
            cancel = null;
            if (!running) return;
            // A failed renewal (store or clock down) is tried again at the next timer; the
            // claim still runs until its last `until`.
            renewal = renew().catch(() => true).then((kept) => {
              if (running && kept) schedule();
            });
          });
        } catch {
          cancel = null; // a clock whose timers fail renews only before each call
        }
      };
      schedule();
      try {
        return await call();
      } finally {
        running = false;
        (cancel as (() => void) | null)?.();
        await renewal;
      }
    },
  };
}
