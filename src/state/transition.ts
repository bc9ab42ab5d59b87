/**
 * The lifecycle transition: `(state, event, now) → { state, effects }`. Pure, synchronous and
 * total: it never reads the clock, never performs I/O, never throws and never mutates its inputs.
 * Refused or malformed events give an `ignored` effect with a named reason and the unchanged
 * state object. Unchanged parts of the state are shared; new objects are frozen. Every exchange a
 * transition finishes (or changes while finished) is stamped `finishedAt = now`, the start of its
 * retention (see `retention.ts`).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { assertNever } from './assert-never.js';
import type { CemEvent, CemEventType } from './events.js';
import { deepFreeze } from './freeze.js';
import { onInboundEvent, retryInbound } from './exchange/inbound-decide.js';
import { onRequestReceived } from './exchange/inbound-request.js';
import { getInbound, getOutbound } from './lookup.js';
import { onManualEvent } from './relationship/manual.js';
import { DEFAULT_SETTINGS, type CemSettings, type CemState } from './model.js';
import { onDeliveryEvent, retryOutbound } from './exchange/outbound-delivery.js';
import { onResponseReceived } from './exchange/outbound-response.js';
import { onSendEvent } from './exchange/outbound-send.js';
import { onRelationshipEvent } from './relationship/relationships.js';
import { stampFinished } from './retention.js';
import { done, ignored, type TransitionResult } from './result.js';
import { onScheduleEvent } from './relationship/schedule.js';
import { onServerEvent } from './listener/servers.js';
import { mergeSettings, settingsProblem } from './settings.js';
import { onTick } from './tick.js';
import { onTrafficObserved } from './relationship/traffic.js';
import { isRecord, isValidDate } from './validate.js';

const EVENT_TYPES: ReadonlySet<string> = new Set<CemEventType>([
  'settingsChanged', 'relationshipAdded', 'relationshipUpdated', 'relationshipRemoved', 'featuresObserved',
  'sendCertificates', 'requestDelivered', 'requestFailed', 'emailDelivered', 'emailFailed', 'retry', 'resend',
  'responseReceived', 'requestReceived', 'decide', 'responseDelivered', 'responseFailed', 'trafficObserved',
  'schedule', 'cancelSchedule', 'setActive', 'setServerActive', 'withdrawServerCandidate', 'serverCertificateConfigured', 'serverCertificateInstalled', 'tick',
]);

/**
 * A new, empty state with the default settings overridden by `settings`. Deep-frozen.
 *
 * @example
 * ```ts
 * const state = createInitialState({ autoAccept: true, maxResponseDays: 14 })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when a setting is unknown or out of range.
 */
export function createInitialState(settings: Partial<CemSettings> = {}): CemState {
  const problem = settingsProblem(settings);
  if (problem !== null) throw new CemArgumentError(problem);
  return deepFreeze({
    settings: mergeSettings(DEFAULT_SETTINGS, settings),
    relationships: {},
    servers: {},
    outbound: {},
    inbound: {},
    alertLog: {},
  });
}

function retry(state: CemState, exchangeId: unknown, now: Date): TransitionResult {
  const outbound = getOutbound(state, exchangeId);
  if (outbound !== undefined) return retryOutbound(state, outbound, now);
  const inbound = getInbound(state, exchangeId);
  if (inbound !== undefined) return retryInbound(state, inbound);
  return ignored(state, 'unknownExchange', `no exchange ${String(exchangeId)}`);
}

function dispatch(state: CemState, event: CemEvent, now: Date): TransitionResult {
  switch (event.type) {
    case 'settingsChanged':
    case 'relationshipAdded':
    case 'relationshipUpdated':
    case 'relationshipRemoved':
    case 'featuresObserved':
      return onRelationshipEvent(state, event, now);
    case 'sendCertificates':
    case 'resend':
      return onSendEvent(state, event, now);
    case 'requestDelivered':
    case 'requestFailed':
    case 'emailDelivered':
    case 'emailFailed':
      return onDeliveryEvent(state, event, now);
    case 'retry':
      return retry(state, event.exchangeId, now);
    case 'responseReceived':
      return onResponseReceived(state, event, now);
    case 'requestReceived':
      return onRequestReceived(state, event, now);
    case 'decide':
    case 'responseDelivered':
    case 'responseFailed':
      return onInboundEvent(state, event, now);
    case 'trafficObserved':
      return onTrafficObserved(state, event, now);
    case 'schedule':
    case 'cancelSchedule':
      return onScheduleEvent(state, event, now);
    case 'setActive':
      return onManualEvent(state, event, now);
    case 'setServerActive':
    case 'withdrawServerCandidate':
    case 'serverCertificateConfigured':
    case 'serverCertificateInstalled':
      return onServerEvent(state, event, now);
    case 'tick':
      return onTick(state, now);
    default:
      return assertNever(event);
  }
}

/**
 * Applies one event to the state at `now`.
 *
 * @example
 * ```ts
 * const { state: next, effects } = transition(state, { type: 'tick' }, now)
 * for (const effect of effects) await perform(effect)
 * ```
 * @throws never: malformed events (unknown type, missing fields, invalid `now`) give
 * `ignored` / `invalidEvent`; an unexpected internal failure gives `ignored` / `invalidEvent`
 * with a detail starting `internal error:` and the unchanged state.
 * @see docs/lifecycle.md for every decision the transitions implement.
 */
export function transition(state: CemState, event: CemEvent, now: Date): TransitionResult {
  if (!isValidDate(now)) return ignored(state, 'invalidEvent', 'now must be a valid Date');
  if (!isRecord(event) || typeof event['type'] !== 'string' || !EVENT_TYPES.has(event['type'])) {
    return ignored(state, 'invalidEvent', 'unknown event type');
  }
  try {
    const result = dispatch(state, event, now);
    const next = stampFinished(state, result.state, now);
    return next === result.state ? result : done(next, result.effects);
  } catch (error) {
    return ignored(state, 'invalidEvent', `internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
