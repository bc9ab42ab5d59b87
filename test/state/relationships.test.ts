import { describe, expect, it } from 'vitest';
import type { CemEvent } from '../../src/state/events.js';
import { DEFAULT_SETTINGS } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { day, effectsOf, establishedState, ignoredReason, makeCert, makePki, relationshipInit, requestEvent, T0 } from './fixtures.js';
import { sendDelivered, signingSelection } from './scenarios.js';

describe('createInitialState', () => {
  it('starts empty with the defaults overridden, deep-frozen', () => {
    const state = createInitialState({ autoAccept: true, maxResponseDays: 14 });
    expect(state.settings).toEqual({ ...DEFAULT_SETTINGS, autoAccept: true, maxResponseDays: 14 });
    expect(Object.isFrozen(state) && Object.isFrozen(state.settings) && Object.isFrozen(state.relationships)).toBe(true);
  });

  it.each([{ maxResponseDays: 0 }, { unsuitable: 'ask' }, { colour: 'blue' }, { alertDayOffsetMinutes: 1.5 }])('refuses invalid settings %j with CEM_ARGUMENT', (settings) => {
    expect(() => createInitialState(settings as never)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});

describe('relationships', () => {
  it('adds a relationship with its active certificates, the listener from the protocol', () => {
    const pki = makePki();
    const result = transition(createInitialState(), { type: 'relationshipAdded', relationship: relationshipInit('acme', pki, { protocol: 'SFTP' }) }, T0);
    const rel = result.state.relationships['acme'];
    expect(rel?.listener).toBe('SSH-FTP');
    expect(rel?.local.signing.active).toEqual([{ cert: expect.objectContaining({ fingerprint: pki.localSigning.sha256, keyRef: expect.any(String) }), since: T0.toISOString(), cause: 'initial' }]);
    expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
  });

  it.each([
    ['the same id', (id: string) => relationshipInit(id, makePki(), { partnerName: 'OTHER' })],
    ['the same pair of AS2 names', () => relationshipInit('acme-2', makePki(), { partnerName: 'ACME' })],
  ])('refuses a second relationship with %s (duplicate)', (_name, init) => {
    const { state } = establishedState();
    const result = transition(state, { type: 'relationshipAdded', relationship: init('acme') }, T0);
    expect(ignoredReason(result.effects)).toBe('duplicate');
    expect(result.state).toBe(state);
  });

  it('records CEM capability from EDIINT-Features only when it changes', () => {
    const { state } = establishedState({}, { cemOverride: 'auto' });
    const seen = transition(state, { type: 'featuresObserved', relationshipId: 'acme', features: ['multiple-attachments', 'CEM'] }, day(1));
    expect(seen.state.relationships['acme']?.cem).toEqual({ observed: true, observedAt: day(1).toISOString(), override: 'auto' });
    const again = transition(seen.state, { type: 'featuresObserved', relationshipId: 'acme', features: ['cem'] }, day(2));
    expect(again.state).toBe(seen.state);
    const gone = transition(seen.state, { type: 'featuresObserved', relationshipId: 'acme', features: [] }, day(3));
    expect(gone.state.relationships['acme']?.cem.observed).toBe(false);
  });

  it('updates settings of a relationship', () => {
    const { state } = establishedState();
    const result = transition(state, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { autoAccept: 'on', partnerEmail: null, cemOverride: 'incapable' } }, T0);
    expect(result.state.relationships['acme']).toMatchObject({ autoAccept: 'on', partnerEmail: null, cem: { override: 'incapable' } });
  });

  it('refuses to remove a relationship with an open exchange, and archives every certificate when removing it', () => {
    const { state } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const refused = transition(sent.state, { type: 'relationshipRemoved', relationshipId: 'acme' }, T0);
    expect(ignoredReason(refused.effects)).toBe('invalidState');
    const removed = transition(state, { type: 'relationshipRemoved', relationshipId: 'acme' }, T0);
    expect(removed.state.relationships).toEqual({});
    expect(effectsOf(removed.effects, 'archiveCertificate')).toHaveLength(7);
  });

  it('refuses removal while a received request awaits a decision', () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    expect(ignoredReason(transition(received, { type: 'relationshipRemoved', relationshipId: 'acme' }, T0).effects)).toBe('invalidState');
  });
});

describe('transition is total', () => {
  const malformed: readonly [string, unknown][] = [
    ['null', null],
    ['an unknown type', { type: 'explode' }],
    ['sendCertificates without a selection', { type: 'sendCertificates', relationshipId: 'acme', includeActive: false, ids: { requestId: 'x', xmlContentId: 'y', contentIds: ['z'] } }],
    ['sendCertificates with too few Content-IDs', { type: 'sendCertificates', relationshipId: 'acme', selection: { signing: { certificate: makeCert() } }, includeActive: false, ids: { requestId: 'x', xmlContentId: 'y', contentIds: [] } }],
    ['a relationship id on the prototype', { type: 'setActive', relationshipId: '__proto__', side: 'local', usage: 'signing' }],
    ['a constructor relationship id', { type: 'trafficObserved', relationshipId: 'constructor', verifiedWith: 'ab' }],
    ['a request without trust requests', { type: 'requestReceived', as2From: 'ACME', as2To: 'US', verifiedBy: null, messageId: null, request: { sender: {} }, certificates: [] }],
    ['a response with a garbage body', { type: 'responseReceived', as2From: 'ACME', as2To: 'US', verifiedBy: null, messageId: null, response: 42 }],
    ['decide with no decisions', { type: 'decide', exchangeKey: 'acme/x', decisions: 'all' }],
    ['schedule with an invalid date', { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: makeCert(), activateAt: new Date('nope') }],
    ['setActive with a wrong side', { type: 'setActive', relationshipId: 'acme', side: 'both', usage: 'signing' }],
    ['settings with a string', { type: 'settingsChanged', settings: { maxResponseDays: '30' } }],
  ];
  it.each(malformed)('answers %s with an ignored effect and the same state', (_name, event) => {
    const { state } = establishedState();
    const result = transition(state, event as CemEvent, T0);
    expect(result.state).toBe(state);
    expect(result.effects).toHaveLength(1);
    expect(result.effects[0]).toMatchObject({ type: 'ignored', detail: expect.not.stringMatching(/^internal error/) });
  });

  it('answers an invalid `now` with invalidEvent', () => {
    const { state } = establishedState();
    expect(ignoredReason(transition(state, { type: 'tick' }, new Date(Number.NaN)).effects)).toBe('invalidEvent');
  });
});
