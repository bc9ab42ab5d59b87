/**
 * `tick`: a range read of the due index up to now, then only the aggregates found there, each
 * ticked in its own commit (its slice: the relationship with its listener, the other partners of
 * the listener counted by its tally; or the listener with its members), then the outbox entries
 * that are due. An idle tick costs one empty range read of
 * each index. A tick that runs late handles everything due up to now, in due order, once: pages
 * continue after the last key read, so an aggregate re-filed at or before now waits for the next
 * tick instead of looping.
 *
 * @module
 */
import type { CemEffect } from '../state/effects.js';
import type { StoreWrite } from '../ports/store.js';
import type { Slice } from './aggregates.js';
import { applyEvents, type Plan } from './commit.js';
import { storeCall, type EngineContext } from './context.js';
import { PREFIX } from './keys.js';
import { clockNow } from './port-calls.js';
import { pages } from './pages.js';
import { performClaimed } from './perform.js';
import { summarize } from './run.js';
import { ensureLayout } from './slice.js';
import type { CemOperationResult } from './types.js';

const PAGE = 100;
/** Length of the instant part of a due key (`toISOString()`, years 0–9999). */
const INSTANT = 24;

/** The key of the aggregate a loaded slice holds, for an aggregate key, and its current due. */
function currentDue(slice: Slice, aggregateKey: string): string | null | undefined {
  if (aggregateKey.startsWith(PREFIX.listener)) {
    for (const l of slice.listeners.values()) if (l?.key === aggregateKey) return l.value.due;
    return undefined;
  }
  for (const r of slice.relationships.values()) if (r.key === aggregateKey) return r.value.due;
  return undefined;
}

/** The plan for one due entry: tick the aggregate when the entry is still its due entry. */
function tickPlan(dueKey: string, aggregateKey: string): (state: unknown, now: Date, slice: Slice) => Plan {
  return (_state, _now, slice) => {
    const due = currentDue(slice, aggregateKey);
    const drop: StoreWrite[] = [{ key: dueKey, expectedVersion: 1, value: null }];
    if (due === undefined) return { events: [], extra: drop }; // the aggregate is gone: an orphan entry
    if (due !== dueKey) return { events: [] }; // already ticked and re-filed by another node
    return { events: [{ type: 'tick' }], prune: true, refile: true };
  };
}

/** Re-files every aggregate after a settings change, page by page. */
async function sweep(ctx: EngineContext, dueKey: string): Promise<void> {
  for (const prefix of [PREFIX.relationship, PREFIX.listener]) {
    for await (const page of pages(ctx.ports.store, prefix, PAGE)) {
      for (const record of page) await applyEvents(ctx, { kind: 'aggregate', key: record.key }, () => ({ events: [], refile: true }));
    }
  }
  await storeCall(() => ctx.ports.store.commit([{ key: dueKey, expectedVersion: 1, value: null }])).catch(() => undefined);
}

/**
 * Ticks every aggregate due at the clock's now, then performs the due outbox entries (see
 * `drainDue`). Returns the summary of the ticks: `applied` when any aggregate changed, every
 * effect in due order.
 *
 * @example
 * ```ts
 * const { result, effects } = await tickDue(ctx)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store or the clock fails; `CEM_STORE_CONFLICT`
 *   when an aggregate kept changing under every retry.
 */
export async function tickDue(ctx: EngineContext): Promise<CemOperationResult> {
  await ensureLayout(ctx);
  const end = `${PREFIX.due}${clockNow(ctx.ports).toISOString()}~`;
  const effects: CemEffect[] = [];
  let applied = false;
  let after: string | undefined;
  for (;;) {
    const page = await storeCall(() => ctx.ports.store.list(PREFIX.due, after === undefined ? { end, limit: PAGE } : { end, after, limit: PAGE }));
    for (const record of page) {
      const aggregateKey = record.key.slice(PREFIX.due.length + INSTANT + 1);
      if (aggregateKey.startsWith('sweep/')) {
        await sweep(ctx, record.key);
        continue;
      }
      const done = await applyEvents(ctx, { kind: 'aggregate', key: aggregateKey }, tickPlan(record.key, aggregateKey));
      await performClaimed(ctx, done.entries);
      const summary = summarize(done);
      applied ||= summary.applied;
      effects.push(...summary.effects);
    }
    if (page.length < PAGE) break;
    after = page.at(-1)?.key;
  }
  return Object.freeze({ applied, refusal: null, effects: Object.freeze(effects) });
}
