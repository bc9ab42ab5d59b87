/**
 * The due-index rule, checked on any state: a tick before the earliest due instant of every
 * relationship and listener changes nothing and raises nothing (pruning yesterday's alert-log
 * entries aside). Used by the property tests after every step of every random sequence.
 */
import { expect } from 'vitest';
import { alertOwner } from '../../src/state/indexes/alert-owner.js';
import { listenerDue, relationshipDue } from '../../src/state/indexes/due.js';
import type { CemState, ServerProtocol } from '../../src/state/model.js';
import { transition } from '../../src/state/transition.js';

/** The alert log entries each aggregate owns. */
function ownedLog(state: CemState, owner: string): Record<string, string> {
  const log: Record<string, string> = {};
  for (const [subject, day] of Object.entries(state.alertLog)) {
    const o = alertOwner(state, subject);
    const key = o === null ? null : o.kind === 'relationship' ? `rel:${o.id}` : `lis:${o.protocol}`;
    if (key === owner) log[subject] = day;
  }
  return log;
}

/** The earliest due instant (ms) of the whole state, `null` when nothing is due. */
export function earliestDue(state: CemState, now: Date): number | null {
  let at: number | null = null;
  const take = (ms: number | null): void => {
    if (ms !== null && (at === null || ms < at)) at = ms;
  };
  for (const id of Object.keys(state.relationships)) take(relationshipDue(state, id, ownedLog(state, `rel:${id}`), now));
  for (const protocol of Object.keys(state.servers) as ServerProtocol[]) take(listenerDue(state, protocol, ownedLog(state, `lis:${protocol}`), now));
  return at;
}

const visible = (s: CemState): string => JSON.stringify({ r: s.relationships, o: s.outbound, i: s.inbound, s: s.servers });

/** How many probes found the state with something due later (so the check really ran). */
export const dueProbes = { run: 0 };

/**
 * Ticks `state` just before its earliest due instant (and halfway there): nothing may happen.
 *
 * @example
 * ```ts
 * checkDue(state, now)
 * ```
 */
export function checkDue(state: CemState, now: Date, ticked = false): void {
  const due = earliestDue(state, now);
  // After a tick at `now` everything due was handled: the next due instant lies ahead, or the
  // tick would find the same aggregate due again and again.
  if (ticked) expect(due === null || due > now.getTime(), `after a tick at ${now.toISOString()} the due instant ${due === null ? '' : new Date(due).toISOString()} is not ahead`).toBe(true);
  const horizon = due ?? now.getTime() + 400 * 86_400_000;
  if (horizon <= now.getTime() + 1) return;
  for (const at of [horizon - 1, now.getTime() + Math.floor((horizon - now.getTime()) / 2)]) {
    const t = new Date(at);
    const result = transition(state, { type: 'tick' }, t);
    expect(result.effects, `a tick at ${t.toISOString()}, before the due instant ${due === null ? 'none' : new Date(due).toISOString()}, raised effects`).toEqual([]);
    expect(visible(result.state), `a tick at ${t.toISOString()} before the due instant changed the state`).toBe(visible(state));
  }
  dueProbes.run++;
}
