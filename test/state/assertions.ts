/**
 * Small assertions the lifecycle tests share: effects by shape, and an event ignored with its
 * exact reason and detail.
 */
import { expect } from 'vitest';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemState } from '../../src/state/model.js';

/** Each effect as its type, or the alert kind for a notification. */
export const shape = (effects: readonly CemEffect[]): string[] => effects.map((e) => (e.type === 'notify' ? `notify:${e.alert.kind}` : e.type));

/** Expects the event ignored with exactly this reason and detail, the state returned as it was. */
export function expectIgnored(result: { state: CemState; effects: readonly CemEffect[] }, before: CemState, reason: string, detail: string): void {
  expect(result.effects).toEqual([{ type: 'ignored', reason, detail }]);
  expect(result.state).toBe(before);
}
