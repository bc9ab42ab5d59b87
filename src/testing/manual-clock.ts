/**
 * A {@link Clock} that moves only when told to: tests drive deadlines, reminders and expiry
 * without waiting and without patching globals.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { Clock } from '../ports/clock.js';

/**
 * A step to move a {@link ManualClock} forward (or back, with negative numbers).
 *
 * @example
 * ```ts
 * clock.advance({ days: 13, hours: 23, minutes: 59 })
 * ```
 */
export interface ClockStep {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly ms?: number;
}

/**
 * A {@link Clock} set by hand.
 *
 * @example
 * ```ts
 * const clock: ManualClock = createManualClock(new Date('2025-01-01T00:00:00Z'))
 * clock.set(new Date('2025-06-01T00:00:00Z'))
 * ```
 */
export interface ManualClock extends Clock {
  /** Jumps to `date` (forward or back). */
  set(date: Date): void;
  /** Moves by `step` (a day is 24 hours) and returns the new time. */
  advance(step: ClockStep): Date;
}

function checkedTime(date: Date): number {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new CemArgumentError('manual clock: invalid date');
  return t;
}

/**
 * Creates a clock that reads `start` until `set` or `advance` moves it.
 *
 * @example
 * ```ts
 * const clock = createManualClock(new Date('2025-01-01T00:00:00Z'))
 * clock.advance({ days: 14 })
 * clock.now().toISOString() // '2025-01-15T00:00:00.000Z'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid date or a non-finite step.
 */
export function createManualClock(start: Date): ManualClock {
  let time = checkedTime(start);
  return Object.freeze({
    now: (): Date => new Date(time),
    set(date: Date): void {
      time = checkedTime(date);
    },
    advance(step: ClockStep): Date {
      const { days = 0, hours = 0, minutes = 0, seconds = 0, ms = 0 } = step;
      const delta = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + ms;
      if (!Number.isFinite(delta)) throw new CemArgumentError('manual clock: invalid step');
      time = checkedTime(new Date(time + delta));
      return new Date(time);
    },
  });
}
