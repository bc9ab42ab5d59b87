/**
 * The slice rule, checked on any step: an event applied to the slice the engine loads for it (its
 * relationship with that relationship's exchanges and alert entries, its listener unless the event
 * never concerns the server certificate, and the listener's other partners only as a tally in
 * `listenerOthers`) decides exactly what it decides on the whole state: the same relationship,
 * exchanges, listener slot, owned alert entries and effects. Used by the property tests after
 * every step of every random sequence.
 */
import { expect } from 'vitest';
import { alertOwner } from '../../src/state/indexes/alert-owner.js';
import { tallyOf } from '../../src/state/indexes/listener-tally.js';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemEvent } from '../../src/state/events.js';
import type { CemState, ServerProtocol } from '../../src/state/model.js';
import { transition } from '../../src/state/transition.js';

/** Events whose engine slice leaves the listener out (they never read or change the server certificate). */
const WITHOUT_LISTENER = new Set(['featuresObserved', 'trafficObserved', 'decide', 'responseDelivered', 'responseFailed', 'requestReceived']);

/** The relationship an event concerns, as the engine's indexes find it; `null` for events the engine loads otherwise. */
function relationshipOf(state: CemState, event: Record<string, unknown>): string | null {
  if (typeof event['relationshipId'] === 'string' && event['type'] !== 'relationshipAdded') return event['relationshipId'];
  if (event['type'] === 'requestReceived' || event['type'] === 'responseReceived') {
    const rel = Object.values(state.relationships).find((r) => r.partnerName === event['as2From'] && r.localName === event['as2To']);
    return rel?.id ?? null;
  }
  for (const field of ['requestId', 'exchangeId', 'exchangeKey']) {
    const id = event[field];
    if (typeof id !== 'string' || event['type'] === 'responseReceived') continue;
    const ex = Object.hasOwn(state.outbound, id) ? state.outbound[id] : Object.hasOwn(state.inbound, id) ? state.inbound[id] : undefined;
    if (ex !== undefined) return ex.relationshipId;
  }
  return null;
}

function owner(state: CemState, subject: string): string | null {
  const o = alertOwner(state, subject);
  return o === null ? null : o.kind === 'relationship' ? `rel:${o.id}` : `lis:${o.protocol}`;
}

/** The slice of `state` for relationship `id` with `listeners`, the rest of each listener counted. */
function sliceOf(state: CemState, id: string, listeners: readonly ServerProtocol[]): CemState {
  const rel = state.relationships[id];
  const rest: CemState = { ...state, relationships: Object.fromEntries(Object.entries(state.relationships).filter(([k]) => k !== id)) };
  const others: Partial<Record<ServerProtocol, Record<string, number>>> = {};
  for (const p of listeners) {
    const tally = tallyOf(rest, p);
    if (Object.keys(tally).length > 0) others[p] = { ...tally };
  }
  const owners = new Set([`rel:${id}`, ...listeners.map((p) => `lis:${p}`)]);
  return {
    settings: state.settings,
    relationships: rel === undefined ? {} : { [id]: rel },
    outbound: Object.fromEntries(Object.entries(state.outbound).filter(([, ex]) => ex.relationshipId === id)),
    inbound: Object.fromEntries(Object.entries(state.inbound).filter(([, ex]) => ex.relationshipId === id)),
    servers: Object.fromEntries(Object.entries(state.servers).filter(([p]) => listeners.includes(p as ServerProtocol))),
    alertLog: Object.fromEntries(Object.entries(state.alertLog).filter(([s]) => owners.has(owner(state, s) ?? ''))),
    ...(Object.keys(others).length > 0 ? { listenerOthers: others } : {}),
  };
}

/** What a slice decided about what it holds. */
function view(state: CemState, id: string, listeners: readonly ServerProtocol[], owners: ReadonlySet<string>): unknown {
  return {
    relationship: state.relationships[id] ?? null,
    outbound: Object.entries(state.outbound).filter(([, ex]) => ex.relationshipId === id).sort(([a], [b]) => a.localeCompare(b)),
    inbound: Object.entries(state.inbound).filter(([, ex]) => ex.relationshipId === id).sort(([a], [b]) => a.localeCompare(b)),
    servers: listeners.map((p) => state.servers[p] ?? null),
    alertLog: Object.entries(state.alertLog).filter(([s]) => owners.has(owner(state, s) ?? '')).sort(([a], [b]) => a.localeCompare(b)),
  };
}

/** How many steps the slice rule was checked on, with a listener's partners counted (so the check really ran). */
export const sliceProbes = { run: 0, counted: 0 };

/**
 * Applies `event` to the engine's slice of `before` and expects what the whole state decided
 * (`after`, `effects`) for everything the slice holds.
 */
export function checkSlice(before: CemState, event: unknown, after: CemState, effects: readonly CemEffect[], now: Date): void {
  if (event === null || typeof event !== 'object') return;
  const e = event as Record<string, unknown>;
  const type = String(e['type']);
  const id = relationshipOf(before, e);
  if (id === null || before.relationships[id] === undefined) return;
  const rel = before.relationships[id];
  const changes = e['changes'] as Record<string, unknown> | undefined;
  const target = type === 'relationshipUpdated' && typeof changes?.['listener'] === 'string' ? [changes['listener'] as ServerProtocol] : [];
  const listeners = WITHOUT_LISTENER.has(type) ? [] : [...new Set([...(rel?.listener == null ? [] : [rel.listener]), ...target])];
  const slice = sliceOf(before, id, listeners);
  const result = transition(slice, event as CemEvent, now);
  const owners = new Set([`rel:${id}`, ...listeners.map((p) => `lis:${p}`)]);
  expect(view(result.state, id, listeners, owners), `${type} on the slice of ${id}`).toEqual(view(after, id, listeners, owners));
  expect(result.effects, `effects of ${type} on the slice of ${id}`).toEqual(effects);
  sliceProbes.run += 1;
  if (slice.listenerOthers !== undefined) sliceProbes.counted += 1;
}
