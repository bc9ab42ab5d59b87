/**
 * One state change, end to end: load the slice of aggregates the operation touches, apply events
 * with the pure transition, and commit every changed aggregate with its indexes, the new outbox
 * entries and the new certificate material in one version-checked commit. A conflict reloads the
 * slice and recomputes from fresh state.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../errors.js';
import type { JsonValue } from '../ports/json.js';
import type { StoreWrite } from '../ports/store.js';
import type { CemEffect } from '../state/effects.js';
import type { CemEvent } from '../state/events.js';
import type { CemState } from '../state/model.js';
import { transition } from '../state/transition.js';
import type { ResponseEntry, SeenEntry, Slice } from './aggregates.js';
import { audit } from './audit.js';
import { storeCall, type EngineContext } from './context.js';
import { digest } from './keys.js';
import type { MaterialSet } from './material.js';
import { doneWrite, newEntries, pendingEffects, type LoadedEntry } from './outbox.js';
import { clockNow, drawId } from './port-calls.js';
import { ensureLayout, loadSlice, type Scope } from './slice.js';
import { sliceWrites } from './slice-writes.js';

/** What to apply, decided on the freshly loaded state (it may draw ids). */
export interface Plan {
  readonly events: readonly CemEvent[];
  /** Certificate material to store when the state changes. */
  readonly material?: MaterialSet;
  /** Seen entries to add to a relationship's aggregate when its state changes (a processed message). */
  readonly remember?: { readonly relationshipId: string; readonly seen: Readonly<Record<string, SeenEntry>> };
  /** A tick: drop the aggregates' seen and Response entries whose retention passed. */
  readonly prune?: boolean;
  /** Re-file the loaded aggregates' due entries (a settings sweep). */
  readonly refile?: boolean;
  /** More writes to commit whatever the events did (a consumed due entry). */
  readonly extra?: readonly StoreWrite[];
  /**
   * A host operation under an idempotency key: its result, computed on the state after the
   * events, is kept in the relationship's aggregate when the operation changed it.
   */
  readonly operation?: { readonly relationshipId: string; readonly id: string; readonly result: (next: CemState, effects: readonly CemEffect[]) => JsonValue };
}

/** The result of {@link applyEvents}. */
export interface Applied {
  /** The state the events were applied to (the loaded slice). */
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
  /** The slice the events were applied to. */
  readonly slice: Slice;
}

function responseKey(exchangeKey: string, responseUrl: string | null): string {
  return digest(`${exchangeKey}\n${responseUrl ?? ''}`);
}

/** The XML Content-ID of each Response among `effects`: the one its aggregate holds, or a new one. */
function responseContentIds(ctx: EngineContext, slice: Slice, next: CemState, effects: readonly CemEffect[], now: Date): {
  lookup: (effect: Extract<CemEffect, { type: 'sendResponse' }>) => string;
  added: Map<string, Record<string, ResponseEntry>>;
} {
  const added = new Map<string, Record<string, ResponseEntry>>();
  const found = new Map<string, string>();
  for (const effect of effects) {
    if (effect.type !== 'sendResponse') continue;
    const key = responseKey(effect.exchangeKey, effect.responseUrl);
    if (found.has(key)) continue;
    const relationshipId = next.inbound[effect.exchangeKey]?.relationshipId ?? slice.state.inbound[effect.exchangeKey]?.relationshipId;
    const stored = relationshipId === undefined ? undefined : slice.relationships.get(relationshipId)?.value.responses[key];
    if (stored !== undefined) {
      found.set(key, stored.xmlContentId);
      continue;
    }
    const id = drawId(ctx.ports, 'contentId');
    found.set(key, id);
    if (relationshipId === undefined) continue;
    let map = added.get(relationshipId);
    if (map === undefined) added.set(relationshipId, (map = {}));
    map[key] = { exchangeKey: effect.exchangeKey, responseUrl: effect.responseUrl, xmlContentId: id, at: now.toISOString() };
  }
  return { lookup: (effect) => found.get(responseKey(effect.exchangeKey, effect.responseUrl)) ?? drawId(ctx.ports, 'contentId'), added };
}

async function attempt(ctx: EngineContext, slice: Slice, plan: Plan, now: Date, consume: LoadedEntry | undefined): Promise<Applied> {
  let state = slice.state;
  const results: CemEffect[][] = [];
  for (const event of plan.events) {
    const result = transition(state, event, now);
    state = result.state;
    results.push([...result.effects]);
  }
  const effects = results.flat();
  const responses = responseContentIds(ctx, slice, state, effects, now);
  const writes = sliceWrites(slice, state, now, {
    ...(plan.remember === undefined ? {} : { remember: plan.remember }),
    ...(responses.added.size === 0 ? {} : { responses: responses.added }),
    ...(plan.prune === true ? { prune: true } : {}),
    ...(plan.refile === true ? { refile: true } : {}),
    ...(plan.operation === undefined || state === slice.state
      ? {}
      : { operation: { relationshipId: plan.operation.relationshipId, id: plan.operation.id, entry: { at: now.toISOString(), result: plan.operation.result(state, results.at(-1) ?? []) } } }),
  });
  if (plan.extra !== undefined) writes.push(...plan.extra);
  if (writes.length > 0 && state !== slice.state && plan.material !== undefined) {
    const material = plan.material;
    writes.push(...(await storeCall(() => material.writes(ctx.ports.store))));
  }
  const existing = await storeCall(() => pendingEffects(ctx.ports.store, effects));
  const claim = { by: ctx.claimant, until: new Date(now.getTime() + ctx.leaseMs).toISOString() };
  const created = newEntries({ effects, opId: ctx.nextOpId(now), now, claim, existing, contentId: responses.lookup });
  writes.push(...created.writes);
  if (consume !== undefined) writes.push(...doneWrite(consume));
  if (writes.length > 0) await storeCall(() => ctx.ports.store.commit(writes));
  return { before: slice.state, state, results, committed: writes.length > 0, entries: created.entries, owned: true, slice };
}

async function stillOwned(ctx: EngineContext, entry: LoadedEntry): Promise<boolean> {
  const current = await storeCall(() => ctx.ports.store.get(entry.key));
  return current !== undefined && current.version === entry.version;
}

/**
 * Loads the slice of `scope`, plans, transitions and commits, retrying store conflicts from fresh
 * state. With `consume`, the commit also deletes that outbox entry (version-checked); when the
 * entry is gone or was taken over, nothing is applied and `owned` is false.
 *
 * @example
 * ```ts
 * const applied = await applyEvents(ctx, { kind: 'relationship', id: 'acme' }, () => ({ events: [{ type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'encryption' }] }))
 * ```
 * @throws CemEngineError `CEM_STORE_CONFLICT` after `maxConflictRetries` conflicts in a row;
 *   `CEM_STORE_LAYOUT` for a store of another layout; `CEM_PORT_FAILED` when the store, the clock
 *   or the id port fails; whatever `plan` throws.
 */
export async function applyEvents(
  ctx: EngineContext,
  scope: Scope,
  plan: (state: CemState, now: Date, slice: Slice) => Promise<Plan> | Plan,
  consume?: LoadedEntry,
): Promise<Applied> {
  await ensureLayout(ctx);
  for (let round = 0; round <= ctx.maxConflictRetries; round++) {
    const slice = await loadSlice(ctx, scope);
    if (consume !== undefined && !(await stillOwned(ctx, consume))) {
      return { before: slice.state, state: slice.state, results: [], committed: false, entries: [], owned: false, slice };
    }
    const now = clockNow(ctx.ports);
    const decided = await plan(slice.state, now, slice);
    try {
      const applied = await attempt(ctx, slice, decided, now, consume);
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
