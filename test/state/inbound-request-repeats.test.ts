/**
 * A partner's CEM Request (src/state/exchange/inbound-request.ts), second part of what mutation
 * testing found unasserted (see inbound-request-gaps.test.ts): refusals with their exact alert,
 * Message-IDs per relationship, certificates the partner already has for the usages, and more
 * Content-ID, key and superseding cases.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEffect, CemEvent, CemState } from '../../src/state/index.js';
import { day, effectsOf, establishedState, makeCert, makePki, relationshipInit, requestEvent, run, T0, twoPartners } from './fixtures.js';
import { createInitialState } from '../../src/state/transition.js';
import { shape, expectIgnored } from './assertions.js';

type RequestEvent = Extract<CemEvent, { type: 'requestReceived' }>;

describe('requestReceived: refusals and malformed events, exact effects', () => {
  const setup = () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const cert = makeCert();
    return { state, pki, cert, event: requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning) as RequestEvent };
  };
  const invalid = 'as2From, as2To, a request and its certificates are required';

  it.each([
    ['no AS2-From', (e: RequestEvent) => ({ ...e, as2From: undefined })],
    ['an empty AS2-To', (e: RequestEvent) => ({ ...e, as2To: '' })],
    ['a sender that is not an object', (e: RequestEvent) => ({ ...e, request: { ...e.request, sender: 'ACME' } })],
  ])('%s is an invalidEvent without alert', (_name, change) => {
    const s = setup();
    expectIgnored(transition(s.state, change(s.event) as CemEvent, T0), s.state, 'invalidEvent', invalid);
  });

  function expectRefused(result: { state: CemState; effects: readonly CemEffect[] }, before: CemState, reason: string, detail: string, as2From: string): void {
    expect(result.effects).toEqual([
      { type: 'ignored', reason, detail },
      { type: 'notify', alert: expect.objectContaining({ kind: 'messageRefused', dedupeKey: `messageRefused:${as2From}:US:msg-r1`, details: { reason, detail, as2From, as2To: 'US', messageId: 'msg-r1' } }) },
    ]);
    expect(result.state).toBe(before);
  }

  it('an unknown partner', () => {
    const s = setup();
    expectRefused(transition(s.state, { ...s.event, as2From: 'STRANGER' }, T0), s.state, 'unknownRelationship', 'no relationship US ← STRANGER', 'STRANGER');
  });

  it('a signature by a certificate we do not accept', () => {
    const s = setup();
    expectRefused(transition(s.state, { ...s.event, verifiedBy: makeCert().sha256 }, T0), s.state, 'notAuthenticated', 'the Request is not signed with an accepted partner signing certificate', 'ACME');
  });

  it('a TradingPartnerInfo Name other than AS2-From', () => {
    const s = setup();
    const event = { ...s.event, request: { ...s.event.request, sender: { name: 'OTHER', qualifier: 'AS2' } } };
    expectRefused(transition(s.state, event, T0), s.state, 'nameMismatch', 'TradingPartnerInfo Name OTHER is not the AS2-From ACME', 'ACME');
  });

  it('the same requestId again is a duplicate with its detail', () => {
    const s = setup();
    const first = transition(s.state, s.event, T0).state;
    expectIgnored(transition(first, { ...s.event, messageId: 'msg-r1' }, day(1)), first, 'duplicate', 'request acme/r1 was already received');
  });

  it('a new requestId under a Message-ID of this relationship is a duplicate with its detail', () => {
    const s = setup();
    const first = transition(s.state, s.event, T0).state;
    const again = requestEvent('r2', [{ cert: makeCert(), usages: ['keyEncipherment'] }], s.pki.partnerSigning, { messageId: 'msg-r1' });
    expectIgnored(transition(first, again, day(1)), first, 'duplicate', 'message msg-r1 was already received');
  });
});

describe('requestReceived: Message-IDs are per relationship', () => {
  it('a Message-ID another partner used does not make a new Request a duplicate', () => {
    const { state, a, b } = twoPartners();
    const fromBolt = transition(state, requestEvent('b1', [{ cert: makeCert(), usages: ['digitalSignature'] }], b.partnerSigning, { from: 'BOLT', messageId: 'shared' }), T0).state;
    const result = transition(fromBolt, requestEvent('a1', [{ cert: makeCert(), usages: ['digitalSignature'] }], a.partnerSigning, { messageId: 'shared' }), T0);
    expect(Object.keys(result.state.inbound)).toEqual(['bolt/b1', 'acme/a1']);
  });

  it('Requests without Message-ID are not duplicates of each other', () => {
    const { state, a } = twoPartners();
    const { state: result } = run(state, [
      [requestEvent('a1', [{ cert: makeCert(), usages: ['digitalSignature'] }], a.partnerSigning, { messageId: null }), T0],
      [requestEvent('a2', [{ cert: makeCert(), usages: ['keyEncipherment'] }], a.partnerSigning, { messageId: null }), T0],
    ]);
    expect(Object.keys(result.inbound)).toEqual(['acme/a1', 'acme/a2']);
  });

  it('an answered Request again under a Message-ID another partner used is answered again', () => {
    const { state, a, b } = twoPartners({ autoAccept: true });
    const cert = makeCert();
    const { state: answered, effects } = run(state, [
      [requestEvent('b1', [{ cert: makeCert(), usages: ['digitalSignature'] }], b.partnerSigning, { from: 'BOLT', messageId: 'shared' }), T0],
      [requestEvent('a1', [{ cert, usages: ['keyEncipherment'] }], a.partnerSigning, { messageId: 'first' }), T0],
      [{ type: 'responseDelivered', exchangeKey: 'acme/a1' }, T0],
    ]);
    const again = transition(answered, requestEvent('a1', [{ cert, usages: ['keyEncipherment'] }], a.partnerSigning, { messageId: 'shared' }), day(1));
    expect(again.effects).toEqual(effectsOf(effects, 'sendResponse').filter((r) => r.relationshipId === 'acme'));
    expect(again.state.inbound['acme/a1']?.attempts).toBe(2);
  });

  it('an answered Request again under a Message-ID of another of its Requests is a duplicate', () => {
    const { state, a } = twoPartners({ autoAccept: true });
    const cert = makeCert();
    const { state: answered } = run(state, [
      [requestEvent('a1', [{ cert, usages: ['keyEncipherment'] }], a.partnerSigning, { messageId: 'first' }), T0],
      [{ type: 'responseDelivered', exchangeKey: 'acme/a1' }, T0],
      [requestEvent('a2', [{ cert: makeCert(), usages: ['digitalSignature'] }], a.partnerSigning, { messageId: 'second' }), T0],
    ]);
    expectIgnored(transition(answered, requestEvent('a1', [{ cert, usages: ['keyEncipherment'] }], a.partnerSigning, { messageId: 'first' }), day(1)), answered, 'duplicate', 'request acme/a1 was already received');
  });
});

describe('requestReceived: a certificate the partner already has for the usages', () => {
  it('is accepted on receipt only when it is active or accepted for every requested usage', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const result = transition(state, requestEvent('r1', [{ cert: pki.partnerSigning, usages: ['digitalSignature', 'keyEncipherment'] }], pki.partnerSigning), T0);
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'pending' }] });
    const rel = result.state.relationships['acme']!;
    // Pending for encryption only: the signing slot keeps it active and gets no successor.
    expect(rel.partner.signing.successor).toBeNull();
    expect(rel.partner.encryption.successor).toMatchObject({ status: 'pending', cert: { fingerprint: pki.partnerSigning.sha256 } });
  });

  it('an accepted successor counts as accepted for its usage, another accepted successor does not', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const client = makeCert({ label: 'partner-tls-client-next' });
    const first = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    const manual = transition(first, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { autoAccept: 'off' } }, T0).state;
    const same = transition(manual, requestEvent('r2', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), day(1));
    expect(same.state.inbound['acme/r2']).toMatchObject({ status: 'responding', items: [{ decision: 'accepted' }] });
    expect(shape(same.effects)).toEqual(['sendResponse', 'notify:requestAutoAccepted']);
    const other = transition(manual, requestEvent('r2', [{ cert: makeCert(), usages: ['tlsClient'] }], pki.partnerSigning), day(1));
    expect(other.state.inbound['acme/r2']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'pending' }] });
  });

  it('an accepted certificate that joined the active ones (displaced by a newer one) counts as accepted', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const client = makeCert({ label: 'partner-tls-client-next' });
    const first = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    const manual = transition(first, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { autoAccept: 'off' } }, T0).state;
    const displaced = transition(manual, requestEvent('r2', [{ cert: makeCert(), usages: ['tlsClient'] }], pki.partnerSigning), day(1)).state;
    expect(displaced.relationships['acme']?.partner.tlsClient.active.map((x) => x.cert.fingerprint)).toEqual([client.sha256, pki.partnerTlsClient.sha256]);
    const again = transition(displaced, requestEvent('r3', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), day(2));
    expect(again.state.inbound['acme/r3']).toMatchObject({ status: 'responding', items: [{ decision: 'accepted' }] });
  });

  it('a pending certificate for a usage without any active certificate becomes its pending successor', () => {
    const pki = makePki();
    const init = relationshipInit('acme', pki, { partner: { signing: pki.partnerSigning, encryption: pki.partnerEncryption } });
    const state = run(createInitialState({ autoAccept: false }), [[{ type: 'relationshipAdded', relationship: init }, T0]]).state;
    expect(state.relationships['acme']?.partner.tlsClient.active).toEqual([]);
    const client = makeCert();
    const result = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0);
    expect(result.state.relationships['acme']?.partner.tlsClient.successor).toMatchObject({ status: 'pending', cert: { fingerprint: client.sha256 }, exchangeId: 'acme/r1' });
  });
});

describe('requestReceived: more about Content-IDs, keys and superseding', () => {
  it.each([
    ['a cid: inside the id', 'c0cid:1@acme.example', '<c01@acme.example>'],
    ['a < inside the id', 'c0<1@acme.example', '<c01@acme.example>'],
    ['a > inside the id', 'c0>1@acme.example', '<c01@acme.example>'],
    ['letters that only match when upper-cased', 'c0-straße@acme.example', '<c0-STRASSE@acme.example>'],
  ])('does not match a Content-ID with %s to another one', (_name, wire, part) => {
    const { state, pki } = establishedState();
    const base = requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning) as RequestEvent;
    const event = { ...base, request: { ...base.request, trustRequests: [{ ...base.request.trustRequests[0]!, contentId: wire }] }, certificates: [{ ...base.certificates[0]!, contentId: part }] } as CemEvent;
    expectIgnored(transition(state, event, T0), state, 'invalidEvent', `no certificate for Content-ID ${wire}`);
  });

  it('without requestId, Message-ID and MessageOriginated, the key says the time is unknown', () => {
    const { state, pki } = establishedState();
    const base = requestEvent(null, [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning, { messageId: null }) as RequestEvent;
    const event = { ...base, request: { ...base.request, originated: undefined } } as unknown as CemEvent;
    expect(Object.keys(transition(state, event, T0).state.inbound)).toEqual(['acme/originated:undefined']);
  });

  it('supersedes an older item that shares only one of its usages with the new Request', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [both, sign2] = [makeCert(), makeCert()];
    const first = transition(state, requestEvent('r1', [{ cert: both, usages: ['digitalSignature', 'keyEncipherment'] }], pki.partnerSigning), T0).state;
    const result = transition(first, requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], pki.partnerSigning), day(1));
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'superseded', items: [{ decision: 'superseded' }] });
  });
});
