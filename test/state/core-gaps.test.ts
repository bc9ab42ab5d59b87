/**
 * The lifecycle's core helpers exactly: `transition`'s refusals and dispatch of every event type,
 * its internal-error guard and retention stamp (`transition.ts`), the result builders
 * (`result.ts`), freezing (`freeze.ts`) and the exhaustiveness guard (`assert-never.ts`); the
 * lookups are in `lookup-gaps.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { CemArgumentError } from '../../src/errors.js';
import type { Alert, CemEffect } from '../../src/state/effects.js';
import type { CemEvent } from '../../src/state/events.js';
import { assertNever } from '../../src/state/assert-never.js';
import { deepFreeze, freeze, freezeState } from '../../src/state/freeze.js';
import { DEFAULT_SETTINGS, type CemState, type OutboundExchange, type Relationship } from '../../src/state/model.js';
import { done, ignored, notify } from '../../src/state/result.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { expectIgnored } from './assertions.js';
import { day, establishedState, makeCert, requestEvent, run, T0 } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

describe('transition: refusals before dispatch', () => {
  it('refuses an invalid now', () => {
    const before = createInitialState();
    for (const now of [new Date('x'), 0, '2026-03-02T10:00:00Z', undefined, null]) {
      expectIgnored(transition(before, { type: 'tick' }, now as Date), before, 'invalidEvent', 'now must be a valid Date');
    }
  });

  it('refuses an event that is no object or has no known type', () => {
    const before = createInitialState();
    for (const event of [null, undefined, 'tick', ['tick'], {}, { type: 1 }, { type: 'Tick' }, { type: 'nope' }, { type: 'constructor' }, { type: '' }]) {
      expectIgnored(transition(before, event as CemEvent, T0), before, 'invalidEvent', 'unknown event type');
    }
  });
});

describe('transition: every event type reaches its handler', () => {
  /** The refusal each handler gives an event with nothing but its type, on an empty state. */
  const refusals: readonly (readonly [CemEvent['type'], string, string])[] = [
    ['settingsChanged', 'invalidEvent', 'settings must be an object'],
    ['relationshipAdded', 'invalidEvent', 'relationship missing'],
    ['relationshipUpdated', 'unknownRelationship', 'no relationship undefined'],
    ['relationshipRemoved', 'unknownRelationship', 'no relationship undefined'],
    ['featuresObserved', 'unknownRelationship', 'no relationship undefined'],
    ['sendCertificates', 'unknownRelationship', 'no relationship undefined'],
    ['resend', 'unknownExchange', 'no request undefined'],
    ['requestDelivered', 'invalidEvent', 'exchange id missing'],
    ['requestFailed', 'invalidEvent', 'exchange id missing'],
    ['emailDelivered', 'invalidEvent', 'exchange id missing'],
    ['emailFailed', 'invalidEvent', 'exchange id missing'],
    ['retry', 'unknownExchange', 'no exchange undefined'],
    ['responseReceived', 'invalidEvent', 'as2From, as2To and a response are required'],
    ['requestReceived', 'invalidEvent', 'as2From, as2To, a request and its certificates are required'],
    ['decide', 'unknownExchange', 'no received request undefined'],
    ['responseDelivered', 'unknownExchange', 'no received request undefined'],
    ['responseFailed', 'unknownExchange', 'no received request undefined'],
    ['trafficObserved', 'unknownRelationship', 'no relationship undefined'],
    ['schedule', 'unknownRelationship', 'no relationship undefined'],
    ['cancelSchedule', 'unknownRelationship', 'no relationship undefined'],
    ['setActive', 'unknownRelationship', 'no relationship undefined'],
    ['setServerActive', 'invalidEvent', 'unknown listener protocol'],
    ['withdrawServerCandidate', 'invalidEvent', 'unknown listener protocol'],
    ['serverCertificateConfigured', 'invalidEvent', 'unknown listener protocol'],
    ['serverCertificateInstalled', 'invalidEvent', 'unknown listener protocol'],
  ];

  it.each(refusals)('transition: a bare %s is refused by its own handler', (type, reason, detail) => {
    const before = createInitialState();
    expectIgnored(transition(before, { type } as CemEvent, T0), before, reason, detail);
  });

  it('a tick on an empty state changes nothing and has no effect', () => {
    const before = createInitialState();
    const result = transition(before, { type: 'tick' }, T0);
    expect(result.effects).toEqual([]);
    expect(result.state).toBe(before);
  });

  it('retry finds an outbound exchange first, then a received Request', () => {
    const { state, pki } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    const retried = transition(failed, { type: 'retry', exchangeId: sent.ids.requestId }, day(1));
    expect(retried.effects.map((e) => e.type)).toEqual(['sendRequest']);
    expect(retried.state.outbound[sent.ids.requestId]?.status).toBe('sending');
    const received = run(failed, [
      [requestEvent('r9', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0],
    ]).state;
    const key = 'acme/r9';
    const fp = received.inbound[key]?.items[0]?.cert.fingerprint ?? '';
    const failing = run(received, [
      [{ type: 'decide', exchangeKey: key, decisions: [{ fingerprint: fp, accept: true }] }, T0],
      [{ type: 'responseFailed', exchangeKey: key, error: 'HTTP 502' }, T0],
    ]).state;
    const again = transition(failing, { type: 'retry', exchangeId: key }, day(1));
    expect(again.effects.map((e) => e.type)).toEqual(['sendResponse']);
    expect(again.state.inbound[key]?.status).toBe('responding');
    expectIgnored(transition(failing, { type: 'retry', exchangeId: 'nothing' }, T0), failing, 'unknownExchange', 'no exchange nothing');
    expectIgnored(transition(failing, { type: 'retry', exchangeId: 7 as unknown as string }, T0), failing, 'unknownExchange', 'no exchange 7');
  });
});

describe('transition: internal errors and the retention stamp', () => {
  it('turns a thrown Error into invalidEvent with its message, the state unchanged', () => {
    const broken = { ...createInitialState(), relationships: null } as unknown as CemState;
    expectIgnored(transition(broken, { type: 'relationshipRemoved', relationshipId: 'acme' }, T0), broken, 'invalidEvent', 'internal error: Cannot convert undefined or null to object');
  });

  it('turns anything else thrown into invalidEvent with its text', () => {
    const before = createInitialState();
    const event = { type: 'retry', get exchangeId(): string { throw 'boom'; } } as unknown as CemEvent;
    expectIgnored(transition(before, event, T0), before, 'invalidEvent', 'internal error: boom');
  });

  it('stamps finishedAt on the exchange a transition finishes, and only then', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    expect(sent.state.outbound[sent.ids.requestId]?.finishedAt).toBeUndefined();
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1));
    const ex = answered.state.outbound[sent.ids.requestId] as OutboundExchange;
    expect([ex.status, ex.finishedAt]).toEqual(['accepted', day(1).toISOString()]);
    expect(Object.isFrozen(answered)).toBe(true);
    expect(Object.isFrozen(answered.state.outbound)).toBe(true);
    expect(answered.effects.length).toBeGreaterThan(0);
    expect(Object.isFrozen(answered.effects)).toBe(true);
  });
});

describe('createInitialState', () => {
  it('is empty, deep-frozen, with the default settings overridden', () => {
    const state = createInitialState({ autoAccept: true });
    expect(state).toEqual({ settings: { ...createInitialState().settings, autoAccept: true }, relationships: {}, servers: {}, outbound: {}, inbound: {}, alertLog: {} });
    for (const part of [state, state.settings, state.relationships, state.servers, state.outbound, state.inbound, state.alertLog]) expect(Object.isFrozen(part)).toBe(true);
    expect(createInitialState().settings.autoAccept).toBe(false);
  });
});

describe('result builders', () => {
  const state: CemState = { settings: DEFAULT_SETTINGS, relationships: {}, servers: {}, outbound: {}, inbound: {}, alertLog: {} };
  const alert: Alert = { kind: 'sendFailed', dedupeKey: 'k', severity: 'warning', relationshipId: 'acme', message: 'm', details: { n: 1 } };

  it('done returns the state and a deep-frozen copy of the effects', () => {
    const effects: CemEffect[] = [notify(alert)];
    const result = done(state, effects);
    expect(result).toEqual({ state, effects: [{ type: 'notify', alert }] });
    expect(result.state).toBe(state);
    expect(result.effects).not.toBe(effects);
    effects.push({ type: 'ignored', reason: 'duplicate', detail: 'later' });
    expect(result.effects).toHaveLength(1);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.effects)).toBe(true);
    expect(Object.isFrozen(result.effects[0])).toBe(true);
    expect(Object.isFrozen(alert.details)).toBe(true);
    expect(done(state)).toEqual({ state, effects: [] });
  });

  it('ignored puts the refusal first, then the extra effects', () => {
    expect(ignored(state, 'duplicate', 'seen')).toEqual({ state, effects: [{ type: 'ignored', reason: 'duplicate', detail: 'seen' }] });
    expect(ignored(state, 'notAuthenticated', 'who', [notify(alert)]).effects).toEqual([{ type: 'ignored', reason: 'notAuthenticated', detail: 'who' }, { type: 'notify', alert }]);
  });
});

describe('freezing', () => {
  it('freeze is shallow and returns the same object', () => {
    const inner = { b: 1 };
    const outer = { a: inner };
    expect(freeze(outer)).toBe(outer);
    expect([Object.isFrozen(outer), Object.isFrozen(inner)]).toEqual([true, false]);
  });

  it('deepFreeze freezes nested objects and arrays, skips typed arrays, and leaves primitives', () => {
    const value = JSON.parse('{"a":{"b":[{"c":1}]},"n":null,"s":"x"}') as { a: { b: { c: number }[] }; der?: Uint8Array };
    value.der = new Uint8Array([1, 2, 3]);
    expect(deepFreeze(value)).toBe(value);
    expect([Object.isFrozen(value), Object.isFrozen(value.a), Object.isFrozen(value.a.b), Object.isFrozen(value.a.b[0])]).toEqual([true, true, true, true]);
    expect(Object.isFrozen(value.der)).toBe(false);
    value.der[0] = 9;
    expect(value.der[0]).toBe(9);
    expect(deepFreeze(null)).toBeNull();
    expect(deepFreeze(5)).toBe(5);
    const fn = (): number => 1;
    expect(deepFreeze({ fn }).fn).toBe(fn);
    expect(Object.isFrozen(fn)).toBe(false);
  });

  it('deepFreeze does not walk into an object already frozen', () => {
    const inner = { c: 1 };
    const outer = Object.freeze({ inner });
    deepFreeze({ outer });
    expect(Object.isFrozen(inner)).toBe(false);
  });

  it('freezeState deep-freezes a state read from JSON, so a transition can use it', () => {
    const { state } = establishedState();
    const loaded = JSON.parse(JSON.stringify(state)) as CemState;
    const rel = loaded.relationships['acme'] as Relationship;
    expect(freezeState(loaded)).toBe(loaded);
    expect([Object.isFrozen(loaded), Object.isFrozen(rel), Object.isFrozen(rel.local.signing.active[0]?.cert)]).toEqual([true, true, true]);
  });
});

describe('assertNever', () => {
  it('throws CEM_ARGUMENT naming the value', () => {
    expect(() => assertNever('odd' as never)).toThrow(CemArgumentError);
    expect(() => assertNever({ type: 'odd' } as never)).toThrow('unexpected value {"type":"odd"}');
  });
});
