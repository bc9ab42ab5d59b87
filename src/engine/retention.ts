/**
 * Retention of the engine's own records. The lifecycle drops finished exchanges on `tick` (their
 * `out/` and `in/` records become deletes through the state diff); this module deletes, on the
 * same tick, the records that only served them:
 *
 * - `seen/<relationship>/<sha256>` (a processed Message-ID) once its `at` is
 *   `retainFinishedDays` old. A record without a readable `at` counts as old. Forgetting a
 *   Message-ID is safe: while the exchange is stored, the lifecycle itself recognises a repeated
 *   Request or Response; after that a repeated message is handled as a new one.
 * - `response/<sha256>` (the XML Content-ID of our Response) once its `at` is
 *   `retainFinishedDays` old (or missing: records written before `at` existed) **and** its
 *   exchange is no longer in the state: while the Request is stored, a repeat of it gets the
 *   identical Response, Content-ID included.
 *
 * The deletes are version-checked and committed with the `head` write, so a writer that read an
 * older snapshot conflicts instead of recreating (at version 1) what was deleted.
 *
 * @module
 */
import type { StoredRecord, StoreWrite } from '../ports/store.js';
import { instantMs } from '../policy/deadlines.js';
import { retentionDays, retentionPassed } from '../policy/retention.js';
import { getInbound } from '../state/lookup.js';
import type { CemState } from '../state/model.js';
import { isRecord } from '../state/validate.js';
import { storeCall, type EngineContext } from './context.js';
import { PREFIX } from './keys.js';

/** The record's `at` in ms (`NaN` when it has none: then it counts as old). */
function writtenAt(record: StoredRecord): number {
  const at = isRecord(record.value) ? record.value['at'] : undefined;
  return typeof at === 'string' ? instantMs(at) : Number.NaN;
}

function old(record: StoredRecord, now: Date, days: number): boolean {
  const at = writtenAt(record);
  return !Number.isFinite(at) || retentionPassed(at, now, days);
}

function exchangeOf(record: StoredRecord): string | null {
  const key = isRecord(record.value) ? record.value['exchangeKey'] : undefined;
  return typeof key === 'string' ? key : null;
}

/**
 * Lists the `seen/` and `response/` records and returns the deletes due at `now`, decided on the
 * state after the tick (its settings and its exchanges). Pass it as the tick's `cleanup`.
 *
 * @example
 * ```ts
 * const cleanup = await expiredRecords(ctx, now)
 * await applyEvents(ctx, () => ({ events: [{ type: 'tick' }], cleanup }))
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store cannot be listed.
 */
export async function expiredRecords(ctx: EngineContext, now: Date): Promise<(next: CemState) => StoreWrite[]> {
  const [seen, responses] = await Promise.all([
    storeCall(() => ctx.ports.store.list(PREFIX.seen)),
    storeCall(() => ctx.ports.store.list(PREFIX.response)),
  ]);
  return (next: CemState): StoreWrite[] => {
    const days = retentionDays(next.settings);
    const due = [
      ...seen.filter((r) => old(r, now, days)),
      ...responses.filter((r) => {
        const exchange = exchangeOf(r);
        return old(r, now, days) && (exchange === null || getInbound(next, exchange) === undefined);
      }),
    ];
    return due.map((r) => ({ key: r.key, expectedVersion: r.version, value: null }));
  };
}
