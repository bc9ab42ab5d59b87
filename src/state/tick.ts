/** @module */
import type { CemState } from './model.js';
import { ignored, type TransitionResult } from './result.js';

/** Placeholder. @example x @throws never. */
export function onTick(state: CemState, _now: Date): TransitionResult {
  return ignored(state, 'invalidEvent', 'not implemented yet');
}
