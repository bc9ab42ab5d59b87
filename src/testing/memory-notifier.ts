/**
 * An in-memory {@link Notifier} that records notices and fails on demand.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { cloneJson } from '../ports/json.js';
import type { CemAlertNotice, Notifier } from '../ports/notifier.js';

/**
 * A recording notifier.
 *
 * @example
 * ```ts
 * const notifier: MemoryNotifier = createMemoryNotifier()
 * expect(notifier.ofKind('responseOverdue')).toHaveLength(1)
 * ```
 */
export interface MemoryNotifier extends Notifier {
  /** Notices delivered, in order (frozen copies). */
  readonly notices: readonly CemAlertNotice[];
  /** Delivered notices of one `kind`. */
  ofKind(kind: string): readonly CemAlertNotice[];
  /** The next `count` notices reject with `error` (a plain `Error` by default). */
  failNext(count: number, error?: unknown): void;
  /** Forgets recorded notices and the failure switch. */
  reset(): void;
}

/**
 * Creates a notifier that records every notice.
 *
 * @example
 * ```ts
 * const notifier = createMemoryNotifier()
 * await notifier.notify({ kind: 'requestReceived', dedupeKey: 'k', severity: 'info', message: 'm', details: {} })
 * notifier.ofKind('requestReceived').length // 1
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when a notice's details are not JSON.
 */
export function createMemoryNotifier(): MemoryNotifier {
  const notices: CemAlertNotice[] = [];
  let failCount = 0;
  let failError: unknown;
  return Object.freeze({
    notices,
    async notify(alert: CemAlertNotice): Promise<void> {
      const details = cloneJson(alert.details);
      if (failCount > 0) {
        failCount--;
        throw failError ?? new Error(`memory notifier: simulated failure of ${alert.kind}`);
      }
      notices.push(Object.freeze({ ...alert, details }));
    },
    ofKind: (kind: string): readonly CemAlertNotice[] => Object.freeze(notices.filter((n) => n.kind === kind)),
    failNext(count: number, error?: unknown): void {
      if (!Number.isSafeInteger(count) || count < 0) throw new CemArgumentError('failNext: count must be a whole number');
      failCount = count;
      failError = error;
    },
    reset(): void {
      notices.length = 0;
      failCount = 0;
      failError = undefined;
    },
  });
}
