/**
 * Retention of finished exchanges: every transition stamps `finishedAt` on the exchanges it
 * finished or changed while finished, and a tick drops finished exchanges whose retention
 * (`settings.retainFinishedDays`) has passed, so the state stays as small as the traffic of the
 * retention window. Certificates are never dropped here: archives stay (draft §1.3).
 *
 * @module
 */
import { isFinishedInbound, isFinishedOutbound, lastActivity, retentionDays, retentionPassed } from '../policy/retention.js';
import { freeze } from './freeze.js';
import { own } from './lookup.js';
import type { CemState, InboundExchange, OutboundExchange } from './model.js';
import { ALL_SLOTS, slotAt } from './relationship/relationship-slots.js';

type Exchange = OutboundExchange | InboundExchange;

/** The exchange with `finishedAt` set to `at` (finished) or removed (open); the same object when it already is. */
function stamped<T extends Exchange>(exchange: T, finished: boolean, at: string): T {
  if (finished) return exchange.finishedAt === at ? exchange : freeze({ ...exchange, finishedAt: at });
  if (!Object.hasOwn(exchange, 'finishedAt')) return exchange;
  const { finishedAt: _dropped, ...open } = exchange;
  return freeze(open as T);
}

function stampAll<T extends Exchange>(before: Readonly<Record<string, T>>, after: Readonly<Record<string, T>>, finished: (ex: T) => boolean, at: string): Readonly<Record<string, T>> {
  if (before === after) return after;
  let changed: Record<string, T> | null = null;
  for (const [id, ex] of Object.entries(after)) {
    if (own(before, id) === ex) continue;
    const next = stamped(ex, finished(ex), at);
    if (next === ex) continue;
    changed ??= { ...after };
    changed[id] = next;
  }
  return changed === null ? after : freeze(changed);
}

/**
 * `after` with `finishedAt = now` on every exchange a transition changed (or created) that is
 * finished (outbound `accepted`, `rejected`, `closed`, `superseded`; inbound `answered`,
 * `superseded`), and without `finishedAt` on every changed exchange that is open again (an
 * answered Request whose Response is sent again and fails). Unchanged exchanges keep their
 * stamp, so `finishedAt` is the last activity of a finished exchange. Returns `after` itself when
 * nothing needs stamping.
 *
 * @example
 * ```ts
 * const next = stampFinished(state, dispatch(state, event, now).state, now)
 * ```
 * @throws never.
 */
export function stampFinished(before: CemState, after: CemState, now: Date): CemState {
  if (before.outbound === after.outbound && before.inbound === after.inbound) return after;
  const at = now.toISOString();
  const outbound = stampAll(before.outbound, after.outbound, (ex) => isFinishedOutbound(ex.status), at);
  const inbound = stampAll(before.inbound, after.inbound, (ex) => isFinishedInbound(ex.status), at);
  if (outbound === after.outbound && inbound === after.inbound) return after;
  return freeze({ ...after, outbound, inbound });
}

/**
 * Every exchange id (outbound requestId or inbound key) that the relationships still refer to:
 * the `exchangeId` of every local and partner successor, whatever its status, and of every
 * server readiness.
 *
 * @example
 * ```ts
 * referencedExchanges(state).has('req-1') // a successor still belongs to req-1
 * ```
 * @throws never.
 */
export function referencedExchanges(state: CemState): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const rel of Object.values(state.relationships)) {
    for (const address of ALL_SLOTS) {
      const id = slotAt(rel, address).successor?.exchangeId;
      if (typeof id === 'string') ids.add(id);
    }
    const readiness = rel.serverReadiness?.exchangeId;
    if (typeof readiness === 'string') ids.add(readiness);
  }
  return ids;
}

/**
 * True when an exchange may be dropped at `now`: finished, referred to by no successor or server
 * readiness, holding no item still waiting for our decision, and last active at least
 * `retainFinishedDays` days ago (see `lastActivity` for records without `finishedAt`).
 *
 * @example
 * ```ts
 * isDroppable(state.outbound['req-1'], referencedExchanges(state), now, 400)
 * ```
 * @throws never.
 */
export function isDroppable(exchange: Exchange, referenced: ReadonlySet<string>, now: Date, days: number): boolean {
  if ('key' in exchange) {
    if (!isFinishedInbound(exchange.status) || referenced.has(exchange.key)) return false;
    if (exchange.items.some((item) => item.decision === 'pending')) return false;
  } else if (!isFinishedOutbound(exchange.status) || referenced.has(exchange.id)) {
    return false;
  }
  return retentionPassed(lastActivity(exchange), now, days);
}

function keep<T extends Exchange>(records: Readonly<Record<string, T>>, droppable: (ex: T) => boolean): Readonly<Record<string, T>> {
  const kept = Object.entries(records).filter(([, ex]) => !droppable(ex));
  return kept.length === Object.keys(records).length ? records : freeze(Object.fromEntries(kept));
}

/**
 * The state without the exchanges that {@link isDroppable} allows to drop at `now` (run by every
 * tick). Relationships, slots (archives included), server slots and open exchanges are untouched;
 * the engine deletes the dropped exchanges' records. Afterwards a late Response naming a dropped
 * Request is an unknown requestId (`ignored` / `unknownExchange`), and a dropped Request received
 * again is decided as a new one. Returns `state` itself when nothing is dropped.
 *
 * @example
 * ```ts
 * const pruned = dropFinishedExchanges(state, now)
 * ```
 * @throws never.
 */
export function dropFinishedExchanges(state: CemState, now: Date): CemState {
  const days = retentionDays(state.settings);
  const referenced = referencedExchanges(state);
  const outbound = keep(state.outbound, (ex) => isDroppable(ex, referenced, now, days));
  const inbound = keep(state.inbound, (ex) => isDroppable(ex, referenced, now, days));
  if (outbound === state.outbound && inbound === state.inbound) return state;
  return freeze({ ...state, outbound, inbound });
}
