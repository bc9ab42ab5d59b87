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
 * A {@link Clock} set by hand. Its timers (`setTimer`) fire only when `set` or `advance` moves the
 * time to or past their due time: in due order, each with the clock reading its due time, then
 * the clock reads the target time.
 *
 * @example
 * ```ts
 * const clock: ManualClock = createManualClock(new Date('2025-01-01T00:00:00Z'))
 * clock.setTimer(60_000, () => console.log('a minute later', clock.now()))
 * clock.set(new Date('2025-06-01T00:00:00Z')) // the timer fires, reading 00:01
 * ```
 */
export interface ManualClock extends Clock {
  /** Jumps to `date` (forward or back), firing the timers due by then. */
  set(date: Date): void;
  /** Moves by `step` (a day is 24 hours), fires the timers due by then, and returns the new time. */
  advance(step: ClockStep): Date;
  /** Calls `callback` once the clock is moved `delayMs` or further from now; returns its cancel function. */
  setTimer(delayMs: number, callback: () => void): () => void;
  /** How many timers wait to fire. */
  pendingTimers(): number;
}

function checkedTime(date: Date): number {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new CemArgumentError('manual clock: invalid date');
  return t;
}

interface Timer {
  readonly due: number;
  readonly order: number;
  readonly callback: () => void;
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
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid date or a non-finite step (or timer
 *   delay); whatever a due timer's callback throws, from `set` and `advance`.
 */
export function createManualClock(start: Date): ManualClock {
  let time = checkedTime(start);
  let timers: Timer[] = [];
  let order = 0;

  function moveTo(target: number): void {
    for (;;) {
      const next = timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.order - b.order)[0];
      if (next === undefined) break;
      timers = timers.filter((t) => t !== next);
      if (next.due > time) time = next.due;
      next.callback();
    }
    time = target;
  }

  return Object.freeze({
    now: (): Date => new Date(time),
    set(date: Date): void {
      moveTo(checkedTime(date));
    },
    advance(step: ClockStep): Date {
      const { days = 0, hours = 0, minutes = 0, seconds = 0, ms = 0 } = step;
      const delta = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + ms;
      if (!Number.isFinite(delta)) throw new CemArgumentError('manual clock: invalid step');
      moveTo(checkedTime(new Date(time + delta)));
      return new Date(time);
    },
    setTimer(delayMs: number, callback: () => void): () => void {
      if (!Number.isFinite(delayMs)) throw new CemArgumentError('manual clock: invalid timer delay');
      const timer: Timer = { due: time + Math.max(0, delayMs), order: order++, callback };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    pendingTimers: (): number => timers.length,
  });
}
