/**
 * Admin reads that page through many records: the whole state (`inspect`) and the outbox
 * (`outbox`). They are never on a per-message or per-tick path.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { CemState } from '../state/model.js';
import { composeState, type ListenerAggregate, type RelationshipAggregate } from './aggregates.js';
import { storeCall, type EngineContext } from './context.js';
import { PREFIX } from './keys.js';
import { dueEntries } from './outbox.js';
import { pages } from './pages.js';
import { ensureLayout, loadSettings } from './slice.js';
import type { OutboxPage, OutboxPageRequest } from './types.js';

/**
 * The whole lifecycle state: every relationship and listener aggregate, composed (frozen).
 *
 * @example
 * ```ts
 * const state = await inspectAll(ctx)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store fails.
 */
export async function inspectAll(ctx: EngineContext): Promise<CemState> {
  await ensureLayout(ctx);
  const { settings } = await loadSettings(ctx);
  const rels: RelationshipAggregate[] = [];
  const listeners: ListenerAggregate[] = [];
  for await (const page of pages(ctx.ports.store, PREFIX.relationship)) rels.push(...page.map((r) => r.value as unknown as RelationshipAggregate));
  for await (const page of pages(ctx.ports.store, PREFIX.listener)) listeners.push(...page.map((r) => r.value as unknown as ListenerAggregate));
  return composeState(settings, rels, listeners);
}

/**
 * One page of the outbox, in the order its entries can be taken.
 *
 * @example
 * ```ts
 * const { entries, next } = await outboxPage(ctx, { limit: 50 })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid limit or cursor; `CEM_PORT_FAILED` when the store fails.
 */
export async function outboxPage(ctx: EngineContext, request: OutboxPageRequest = {}): Promise<OutboxPage> {
  const limit = request.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new CemArgumentError('outbox: limit must be 1-1000');
  const cursor = request.cursor;
  if (cursor !== undefined && (typeof cursor !== 'string' || !cursor.startsWith(PREFIX.outboxDue))) throw new CemArgumentError('outbox: invalid cursor');
  const page = await storeCall(() => dueEntries(ctx.ports.store, null, limit, cursor));
  const entries = page.entries.map(({ entry }) => {
    const effect = entry.effect as { readonly type: string; readonly relationshipId?: unknown };
    return Object.freeze({
      id: entry.id,
      type: effect.type,
      relationshipId: typeof effect.relationshipId === 'string' ? effect.relationshipId : null,
      createdAt: entry.createdAt,
      nextAttemptAt: entry.dueKey.slice(PREFIX.outboxDue.length, PREFIX.outboxDue.length + 24),
      attempts: entry.attempts,
      lastError: entry.lastError,
      claimedBy: entry.claim?.by ?? null,
    });
  });
  return Object.freeze({ entries: Object.freeze(entries), next: page.full && page.last !== undefined ? page.last : null });
}
