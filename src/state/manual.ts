/** @module */
import type { CemEvent } from './events.js';
import type { CemState } from './model.js';
import { ignored, type TransitionResult } from './result.js';

/** Placeholder. @example x @throws never. */
export function onManualEvent(state: CemState, _event: Extract<CemEvent, { type: 'setActive' }>, _now: Date): TransitionResult {
  return ignored(state, 'invalidEvent', 'not implemented yet');
}
