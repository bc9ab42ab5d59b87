/**
 * Closing an outbound exchange once nothing of it waits any more.
 *
 * @module
 */
import { freeze } from '../freeze.js';
import { getOutbound, getRelationship, putOutbound } from '../lookup.js';
import type { CemState, OutboundStatus, SuccessorStatus } from '../model.js';
import { LOCAL_USAGES } from './usages.js';

/** Every open outbound status: the exchange still waits for delivery, the partner or the administrator. */
const WAITING: readonly OutboundStatus[] = ['sending', 'sendFailed', 'pending', 'expired', 'emailed'];
/** Successor (and server readiness) statuses that keep their exchange open. */
const HELD: readonly string[] = ['pending', 'expired', 'emailed', 'sendFailed', 'scheduled'] satisfies readonly SuccessorStatus[];

/**
 * Marks an outbound exchange `closed` when it is open (sending, failed, pending, expired or
 * emailed) and no slot or server readiness of its relationship still waits on it (or is scheduled
 * by it): the administrator set its certificates active, first usage or a schedule activated
 * them. This is what stops the daily `requestOverdue` alert after "set as active", also when the
 * Request was still `sending` (its later `requestDelivered` or `requestFailed` is then ignored,
 * so it never becomes `pending` or `expired`). A Response that arrives later is still recorded.
 *
 * @example
 * ```ts
 * state = closeIfSettled(state, successor.exchangeId)
 * ```
 * @throws never.
 */
export function closeIfSettled(state: CemState, exchangeId: string | null): CemState {
  if (exchangeId === null) return state;
  const ex = getOutbound(state, exchangeId);
  if (ex === undefined || !WAITING.includes(ex.status)) return state;
  const rel = getRelationship(state, ex.relationshipId);
  if (rel !== undefined) {
    const waits = (s: { exchangeId: string | null; status: string } | null): boolean => s !== null && s.exchangeId === exchangeId && HELD.includes(s.status);
    if (LOCAL_USAGES.some((u) => waits(rel.local[u].successor)) || waits(rel.serverReadiness)) return state;
  }
  return putOutbound(state, freeze({ ...ex, status: 'closed' as const }));
}
