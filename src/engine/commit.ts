/**
 * One state change, end to end: load the records, apply events with the pure transition, and
 * commit every changed record, the new outbox entries and the new certificate material in one
 * version-checked commit. A conflict reloads and recomputes from fresh state.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../errors.js';
import type { StoreWrite } from '../ports/store.js';
import type { CemEffect } from '../state/effects.js';
import type { CemEvent } from '../state/events.js';
import type { CemState } from '../state/model.js';
import { transition } from '../state/transition.js';
import { audit } from './audit.js';
import { storeCall, type EngineContext } from './context.js';
import type { MaterialSet } from './material.js';
import { doneWrite, listOutbox, newEntries, responseContentIds, type LoadedEntry } from './outbox.js';
import { clockNow, drawId } from './port-calls.js';
import { diffState, headWrite, loadSnapshot, type Snapshot } from './snapshot.js';

/** What to apply, decided on the freshly loaded state (it may draw ids). */
export interface Plan {
  readonly events: readonly CemEvent[];
  /** Certificate material to store when the state changes. */
  readonly material?: MaterialSet;
  /** More writes to commit when the state changes (e.g. the `seen/` record of a message). */
  readonly extra?: readonly StoreWrite[];
  /**
   * Writes to commit whether or not the events changed the state, decided on the state after
   * them (a tick deleting `seen/` and `response/` records past their retention). They carry the
   * `head` write like every state change, so a writer of an older snapshot cannot recreate them.
   */
  readonly cleanup?: (next: CemState) => readonly StoreWrite[];
}

/** The result of {@link applyEvents}. */
export interface Applied {
  /** The state the events were applied to. */
  readonly before: CemState;
  /** The state after them (the committed one when `committed`). */
  readonly state: CemState;
  /** The effects of each event, in order. */
  readonly results: readonly (readonly CemEffect[])[];
  /** True when something was written. */
  readonly committed: boolean;
  /** The outbox entries this commit created, claimed by this engine. */
  readonly entries: readonly LoadedEntry[];
  /** False when `consume` was given and the entry was no longer ours: nothing was applied. */
  readonly owned: boolean;
}

async function attempt(ctx: EngineContext, snap: Snapshot, plan: Plan, now: Date, consume: LoadedEntry | undefined): Promise<Applied> {
  let state = snap.state;
  const results: CemEffect[][] = [];
  for (const event of plan.events) {
    const result = transition(state, event, now);
    state = result.state;
    results.push([...result.effects]);
  }
  const writes = diffState(snap, state);
  const existing = await storeCall(() => listOutbox(ctx.ports.store));
  const claim = { by: ctx.claimant, until: new Date(now.getTime() + ctx.leaseMs).toISOString() };
  const effects = results.flat();
  const responses = await storeCall(() => responseContentIds(ctx.ports.store, effects, () => drawId(ctx.ports, 'contentId'), now));
  const created = newEntries({ effects, opId: ctx.nextOpId(now), now, claim, existing, contentId: responses.lookup });
  if (writes.length > 0) {
    writes.push(...(await storeCall(async () => (plan.material === undefined ? [] : plan.material.writes(ctx.ports.store)))));
    writes.push(...(plan.extra ?? []));
  }
  if (created.writes.length > 0) writes.push(...responses.writes);
  writes.push(...created.writes);
  if (consume !== undefined) writes.push(doneWrite(consume));
  const written = new Set(writes.map((w) => w.key));
  writes.push(...(plan.cleanup?.(state) ?? []).filter((w) => !written.has(w.key)));
  const stateChanged = writes.some((w) => !w.key.startsWith('outbox/'));
  if (stateChanged) writes.push(headWrite(snap));
  if (writes.length > 0) await storeCall(() => ctx.ports.store.commit(writes));
  return { before: snap.state, state, results, committed: writes.length > 0, entries: created.entries, owned: true };
}

async function stillOwned(ctx: EngineContext, entry: LoadedEntry): Promise<boolean> {
  const current = await storeCall(() => ctx.ports.store.get(entry.key));
  return current !== undefined && current.version === entry.version;
}

/**
 * Loads, plans, transitions and commits, retrying store conflicts from fresh state. With
 * `consume`, the commit also deletes that outbox entry (version-checked); when the entry is gone
 * or was taken over, nothing is applied and `owned` is false.
 *
 * @example
 * ```ts
 * const applied = await applyEvents(ctx, async () => ({ events: [{ type: 'tick' }] }))
 * ```
 * @throws CemEngineError `CEM_STORE_CONFLICT` after `maxConflictRetries` conflicts in a row;
 *   `CEM_PORT_FAILED` when the store, the clock or the id port fails; whatever `plan` throws.
 */
export async function applyEvents(
  ctx: EngineContext,
  plan: (state: CemState, now: Date) => Promise<Plan> | Plan,
  consume?: LoadedEntry,
): Promise<Applied> {
  for (let round = 0; round <= ctx.maxConflictRetries; round++) {
    const snap = await storeCall(() => loadSnapshot(ctx.ports.store, ctx.settings));
    if (consume !== undefined && !(await stillOwned(ctx, consume))) {
      return { before: snap.state, state: snap.state, results: [], committed: false, entries: [], owned: false };
    }
    const now = clockNow(ctx.ports);
    const decided = await plan(snap.state, now);
    try {
      const applied = await attempt(ctx, snap, decided, now, consume);
      if (applied.committed) await auditApplied(ctx, decided.events, applied);
      return applied;
    } catch (error) {
      if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error;
    }
  }
  throw new CemEngineError('CEM_STORE_CONFLICT', `the store kept changing under ${ctx.maxConflictRetries + 1} attempts`);
}

async function auditApplied(ctx: EngineContext, events: readonly CemEvent[], applied: Applied): Promise<void> {
  for (let i = 0; i < events.length; i++) {
    await audit(ctx.ports, `event:${events[i]?.type ?? 'unknown'}`, { event: events[i], effects: applied.results[i] ?? [] });
  }
}
