/**
 * One operation: apply its events, perform the effects it stored, and summarise.
 *
 * @module
 */
import type { CemEffect } from '../state/effects.js';
import type { CemState } from '../state/model.js';
import type { Slice } from './aggregates.js';
import { applyEvents, type Applied, type Plan } from './commit.js';
import type { EngineContext } from './context.js';
import { performClaimed } from './perform.js';
import type { Scope } from './slice.js';
import type { CemOperationResult } from './types.js';

/**
 * The result of the last (main) event of an operation.
 *
 * @example
 * ```ts
 * summarize(applied).refusal?.reason // 'alreadyPending'
 * ```
 * @throws never.
 */
export function summarize(applied: Applied): CemOperationResult {
  const effects: readonly CemEffect[] = applied.results.at(-1) ?? [];
  const ignored = effects.find((e): e is Extract<CemEffect, { type: 'ignored' }> => e.type === 'ignored');
  return Object.freeze({
    applied: applied.state !== applied.before,
    refusal: ignored === undefined ? null : Object.freeze({ reason: ignored.reason, detail: ignored.detail }),
    effects: Object.freeze(effects.filter((e) => e.type !== 'ignored')),
  });
}

/**
 * Applies the planned events in one commit, then performs the new outbox entries.
 *
 * @example
 * ```ts
 * const { applied, result } = await runOperation(ctx, { kind: 'listener', protocol: 'HTTP' }, () => ({ events: [{ type: 'setServerActive', protocol: 'HTTP' }] }))
 * ```
 * @throws CemEngineError `CEM_STORE_CONFLICT`, `CEM_PORT_FAILED` (store, clock or ids), whatever `plan` throws.
 */
export async function runOperation(
  ctx: EngineContext,
  scope: Scope,
  plan: (state: CemState, now: Date, slice: Slice) => Promise<Plan> | Plan,
): Promise<{ applied: Applied; result: CemOperationResult }> {
  const applied = await applyEvents(ctx, scope, plan);
  await performClaimed(ctx, applied.entries);
  return { applied, result: summarize(applied) };
}
