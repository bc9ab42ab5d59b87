/**
 * Contracts for {@link Clock} and {@link IdSource} adapters.
 *
 * @module
 */
import assert from 'node:assert/strict';
import type { Clock } from '../ports/clock.js';
import { isContentId, isRequestId } from '../ports/ids.js';
import type { IdSource } from '../ports/ids.js';
import type { ContractHarness } from './contract-harness.js';

/**
 * Registers the clock contract: `now()` returns valid, fresh `Date`s that do not go backwards;
 * `setTimer`, when the clock has it, returns a cancel function and never runs a cancelled timer.
 *
 * @example
 * ```ts
 * runClockContract({ describe, it }, () => systemClock)
 * ```
 */
export function runClockContract(harness: ContractHarness, factory: () => Clock, name = 'Clock contract'): void {
  harness.describe(name, () => {
    harness.it('returns a valid Date', async () => {
      const now = factory().now();
      assert.ok(now instanceof Date, 'now() must return a Date');
      assert.ok(Number.isFinite(now.getTime()), 'now() must return a valid Date');
    });

    harness.it('returns a fresh Date each call, so mutating one changes nothing', async () => {
      const clock = factory();
      const first = clock.now();
      const time = first.getTime();
      first.setTime(0);
      assert.ok(clock.now().getTime() >= time);
      assert.notEqual(clock.now(), clock.now());
    });

    harness.it('never goes backwards between calls', async () => {
      const clock = factory();
      let last = clock.now().getTime();
      for (let i = 0; i < 1000; i++) {
        const t = clock.now().getTime();
        assert.ok(t >= last, `reading ${i} went from ${last} back to ${t}`);
        last = t;
      }
    });

    harness.it('cancels a timer when it has setTimer (optional)', async () => {
      const clock = factory();
      if (clock.setTimer === undefined) return;
      let fired = false;
      const cancel = clock.setTimer(1, () => {
        fired = true;
      });
      assert.equal(typeof cancel, 'function', 'setTimer must return a cancel function');
      cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(fired, false, 'a cancelled timer must not fire');
      cancel();
    });
  });
}

/**
 * Registers the id contract: requestIds of 1–255 characters and bare `local@domain` Content-IDs,
 * none repeated.
 *
 * @example
 * ```ts
 * runIdSourceContract({ describe, it }, () => createRandomIds({ domain: 'as2.example.com' }))
 * ```
 */
export function runIdSourceContract(harness: ContractHarness, factory: () => IdSource, name = 'IdSource contract'): void {
  harness.describe(name, () => {
    harness.it('mints valid, unique requestIds', async () => {
      const ids = factory();
      const seen = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const id = ids.requestId();
        assert.ok(isRequestId(id), `invalid requestId ${JSON.stringify(id)}`);
        assert.ok(!seen.has(id), `requestId ${id} repeated`);
        seen.add(id);
      }
    });

    harness.it('mints unique Content-IDs in the bare local@domain form', async () => {
      const ids = factory();
      const seen = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const id = ids.contentId();
        assert.ok(isContentId(id), `invalid Content-ID ${JSON.stringify(id)}`);
        assert.ok(!seen.has(id), `Content-ID ${id} repeated`);
        seen.add(id);
      }
    });
  });
}
