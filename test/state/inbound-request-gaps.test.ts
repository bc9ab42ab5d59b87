/**
 * A partner's CEM Request (src/state/exchange/inbound-request.ts): the behaviours mutation
 * testing found unasserted, driven through `transition` only. Malformed Requests and their exact
 * `ignored` details, Content-ID matching, usages, the exchange key without requestId, the
 * earliest respond-by time, and which older Requests a new one supersedes.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { cemDate, day, effectsOf, establishedState, makeCert, requestEvent, run, T0, twoPartners } from './fixtures.js';
import { shape, expectIgnored } from './assertions.js';

type RequestEvent = Extract<CemEvent, { type: 'requestReceived' }>;

/** `requestEvent` with its Request or certificates changed (malformed values allowed). */
function edited(event: CemEvent, edit: (e: RequestEvent) => unknown): CemEvent {
  return edit(event as RequestEvent) as CemEvent;
}

describe('requestReceived: malformed Requests are ignored with their exact detail', () => {
  const setup = () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    return { state, pki, cert, event: requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning) };
  };

  it('a Request without TrustRequests (invalidEvent)', () => {
    const s = setup();
    const event = edited(s.event, (e) => ({ ...e, request: { ...e.request, trustRequests: [] } }));
    expectIgnored(transition(s.state, event, T0), s.state, 'invalidEvent', 'as2From, as2To, a request and its certificates are required');
  });

  it('certificates that are not a list (invalidEvent)', () => {
    const s = setup();
    const event = edited(s.event, (e) => ({ ...e, certificates: {} }));
    expectIgnored(transition(s.state, event, T0), s.state, 'invalidEvent', 'as2From, as2To, a request and its certificates are required');
  });

  it.each([
    ['a null TrustRequest', (tr: Record<string, unknown>) => null],
    ['a TrustRequest whose certificate is not an object', (tr: Record<string, unknown>) => ({ ...tr, certificate: 'x' })],
    ['a TrustRequest whose certificate is null', (tr: Record<string, unknown>) => ({ ...tr, certificate: null })],
    ['a TrustRequest without Content-ID', (tr: Record<string, unknown>) => ({ ...tr, contentId: 7 })],
    ['a TrustRequest whose usages are not a list', (tr: Record<string, unknown>) => ({ ...tr, usages: 'digitalSignature' })],
  ])('%s: a TrustRequest is malformed', (_name, change) => {
    const s = setup();
    const event = edited(s.event, (e) => ({ ...e, request: { ...e.request, trustRequests: [change(e.request.trustRequests[0] as unknown as Record<string, unknown>)] } }));
    expectIgnored(transition(s.state, event, T0), s.state, 'invalidEvent', 'a TrustRequest is malformed');
  });

  it.each([
    ['no certificate with its Content-ID', (e: RequestEvent) => ({ ...e, certificates: [{ ...e.certificates[0], contentId: '<other@acme.example>' }] })],
    ['a certificate entry that is null', (e: RequestEvent) => ({ ...e, certificates: [null] })],
    ['a certificate entry whose Content-ID is not text', (e: RequestEvent) => ({ ...e, certificates: [{ ...e.certificates[0], contentId: 1 }] })],
    ['an entry whose end-entity certificate is malformed', (e: RequestEvent) => ({ ...e, certificates: [{ ...e.certificates[0], endEntity: { subject: 'x' } }] })],
  ])('%s: no certificate for the Content-ID', (_name, change) => {
    const s = setup();
    expectIgnored(transition(s.state, edited(s.event, change), T0), s.state, 'invalidEvent', 'no certificate for Content-ID c0@acme.example');
  });

  it('a TrustRequest without a known usage: no usage', () => {
    const s = setup();
    const event = edited(s.event, (e) => ({ ...e, request: { ...e.request, trustRequests: [{ ...e.request.trustRequests[0], usages: ['nonsense', 3] }] } }));
    expectIgnored(transition(s.state, event, T0), s.state, 'invalidEvent', 'a TrustRequest has no usage');
  });

  it('one malformed TrustRequest after a good one refuses the whole Request', () => {
    const s = setup();
    const event = edited(s.event, (e) => ({ ...e, request: { ...e.request, trustRequests: [e.request.trustRequests[0], null] } }));
    expectIgnored(transition(s.state, event, T0), s.state, 'invalidEvent', 'a TrustRequest is malformed');
  });
});

describe('requestReceived: reading the TrustRequests', () => {
  it.each([
    ['cid: and angle brackets, other case', 'CID:<C0@ACME.Example>', '<c0@acme.example>'],
    ['spaces around', '  c0@acme.example ', ' <c0@acme.example>  '],
    ['a bare Content-ID on both sides', 'c0@acme.example', 'c0@acme.example'],
    ['spaces inside the angle brackets', 'c0@acme.example', '< c0@acme.example >'],
  ])('matches a certificate by Content-ID written with %s', (_name, wire, part) => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const base = requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning) as RequestEvent;
    const event = { ...base, request: { ...base.request, trustRequests: [{ ...base.request.trustRequests[0]!, contentId: wire }] }, certificates: [{ ...base.certificates[0]!, contentId: part }] } as CemEvent;
    const result = transition(state, event, T0);
    expect(result.state.inbound['acme/r1']?.items.map((i) => [i.cert.fingerprint, i.contentId])).toEqual([[cert.sha256, wire]]);
  });

  it('keeps each known usage once, in order, and drops unknown ones', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const base = requestEvent('r1', [{ cert, usages: ['keyEncipherment'] }], pki.partnerSigning) as RequestEvent;
    const event = { ...base, request: { ...base.request, trustRequests: [{ ...base.request.trustRequests[0]!, usages: ['keyEncipherment', 'bogus', 'digitalSignature', 'keyEncipherment', 5] }] } } as CemEvent;
    const result = transition(state, event, T0);
    expect(result.state.inbound['acme/r1']?.items[0]?.usages).toEqual(['keyEncipherment', 'digitalSignature']);
  });

  it('records the wire identifiers as text and an absent ResponseURL as empty', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const base = requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning) as RequestEvent;
    const tr = base.request.trustRequests[0]!;
    const event = { ...base, request: { ...base.request, trustRequests: [{ ...tr, responseUrl: undefined, certificate: { issuer: tr.certificate.issuer, serial: BigInt(cert.serial) } }] } } as unknown as CemEvent;
    const item = transition(state, event, T0).state.inbound['acme/r1']?.items[0];
    expect(item).toMatchObject({ wireIssuer: cert.issuer, wireSerial: cert.serial, responseUrl: '', decision: 'pending', problems: [] });
  });

  it('takes the earliest respond-by time of its TrustRequests, ignoring a missing one', () => {
    const { state, pki } = establishedState();
    const [a, b, c] = [makeCert(), makeCert(), makeCert()];
    const event = requestEvent('r1', [
      { cert: a, usages: ['digitalSignature'], respondBy: day(9) },
      { cert: b, usages: ['keyEncipherment'], respondBy: null },
      { cert: c, usages: ['tlsClient'], respondBy: day(4) },
    ], pki.partnerSigning);
    const result = transition(state, event, T0);
    expect(result.state.inbound['acme/r1']?.respondBy).toBe(day(4).toISOString());
    const alert = effectsOf(result.effects, 'notify').find((n) => n.alert.kind === 'requestReceived')?.alert;
    expect(alert?.details).toMatchObject({ respondBy: day(4).toISOString() });
  });

  it('has no respond-by time when no TrustRequest gives a readable one', () => {
    const { state, pki } = establishedState();
    const base = requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'], respondBy: null }, { cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning) as RequestEvent;
    const [first, second] = base.request.trustRequests;
    const event = { ...base, request: { ...base.request, trustRequests: [first, { ...second!, respondBy: { lexical: 'x', instant: 'tomorrow', offsetMinutes: 0 } }] } } as unknown as CemEvent;
    expect(transition(state, event, T0).state.inbound['acme/r1']?.respondBy).toBeNull();
  });
});

describe('requestReceived: the exchange key without requestId', () => {
  it('is keyed by Message-ID, and without one by MessageOriginated', () => {
    const { state, pki } = establishedState();
    const byMessage = transition(state, requestEvent(null, [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning, { messageId: 'm-9' }), T0);
    expect(Object.keys(byMessage.state.inbound)).toEqual(['acme/message:m-9']);
    expect(byMessage.state.inbound['acme/message:m-9']).toMatchObject({ requestId: null, messageId: 'm-9' });
    const byTime = transition(state, requestEvent(null, [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning, { messageId: null, originated: day(1) }), T0);
    const key = `acme/originated:${cemDate(day(1)).lexical}`;
    expect(Object.keys(byTime.state.inbound)).toEqual([key]);
    expect(byTime.state.inbound[key]).toMatchObject({ requestId: null, messageId: null });
    const alert = effectsOf(byTime.effects, 'notify').find((n) => n.alert.kind === 'requestReceived')?.alert;
    expect(alert?.details).toMatchObject({ exchangeKey: key, requestId: key });
  });
});

describe('requestReceived: superseding older unanswered Requests', () => {
  it('supersedes only the overlapping pending items of the same relationship\'s Requests awaiting a decision', () => {
    const { state, a, b } = twoPartners({ autoAccept: false });
    const [sign1, enc1, boltSign, sign2] = [makeCert(), makeCert(), makeCert(), makeCert()];
    const { state: before } = run(state, [
      [requestEvent('r1', [{ cert: sign1, usages: ['digitalSignature'] }, { cert: enc1, usages: ['keyEncipherment'] }], a.partnerSigning), T0],
      [requestEvent('r1', [{ cert: boltSign, usages: ['digitalSignature'] }], b.partnerSigning, { from: 'BOLT' }), T0],
    ]);
    const result = transition(before, requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], a.partnerSigning), day(1));
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'superseded' }, { decision: 'pending' }] });
    expect(result.state.inbound['bolt/r1']).toBe(before.inbound['bolt/r1']);
    expect(shape(result.effects)).toEqual(['notify:requestReceived']);
  });

  it('keeps an item of an older Request that the administrator already decided', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [sign1, enc1, sign2] = [makeCert(), makeCert(), makeCert()];
    const { state: before } = run(state, [
      [requestEvent('r1', [{ cert: sign1, usages: ['digitalSignature'] }, { cert: enc1, usages: ['keyEncipherment'] }], pki.partnerSigning), T0],
      [{ type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: sign1.sha256, accept: false, reason: 'unknown CA' }] }, T0],
    ]);
    expect(before.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'rejected' }, { decision: 'pending' }] });
    const result = transition(before, requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], pki.partnerSigning), day(1));
    expect(result.state.inbound['acme/r1']).toBe(before.inbound['acme/r1']);
  });

  it('leaves an older Request that is already answered alone', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const [sign1, sign2] = [makeCert(), makeCert()];
    const first = transition(state, requestEvent('r1', [{ cert: sign1, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    expect(first.inbound['acme/r1']?.status).toBe('responding');
    const result = transition(first, requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], pki.partnerSigning), day(1));
    expect(result.state.inbound['acme/r1']).toBe(first.inbound['acme/r1']);
  });

  it('a Request whose every pending item is superseded is closed as superseded, with no Response', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [sign1, sign2] = [makeCert(), makeCert()];
    const first = transition(state, requestEvent('r1', [{ cert: sign1, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const result = transition(first, requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], pki.partnerSigning), day(1));
    expect(result.state.inbound['acme/r1']?.status).toBe('superseded');
    expect(shape(result.effects)).toEqual(['notify:requestReceived']);
  });
});
