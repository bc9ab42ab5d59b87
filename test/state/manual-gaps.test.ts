/**
 * The administrator's "set as active" (src/state/relationship/manual.ts): the behaviours mutation
 * testing found unasserted, driven through `transition` only. Refusals with their details, the
 * exact effects, our server certificate, and a partner certificate still pending in a received
 * Request (accepted first, its Response sent when the Request is fully decided).
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, makePki, relationshipInit, requestEvent, run, T0 } from './fixtures.js';
import { sendDelivered } from './scenarios.js';
import { createInitialState } from '../../src/state/transition.js';
import { shape, expectIgnored } from './assertions.js';

const setActive = (side: string, usage: string, relationshipId = 'acme'): CemEvent => ({ type: 'setActive', relationshipId, side, usage }) as CemEvent;

describe('setActive: refusals with their details', () => {
  it('an unknown relationship, a bad address, a slot without successor, our server certificate without listener', () => {
    const { state } = establishedState();
    expectIgnored(transition(state, setActive('local', 'signing', 'nope'), T0), state, 'unknownRelationship', 'no relationship nope');
    expectIgnored(transition(state, setActive('nobody', 'signing'), T0), state, 'invalidEvent', 'side and usage do not fit together');
    expectIgnored(transition(state, setActive('local', 'signing'), T0), state, 'invalidState', 'the local signing slot of acme has no successor');
    const { state: none } = establishedState({}, { listener: null });
    expectIgnored(transition(none, setActive('local', 'tlsServer'), T0), none, 'noListener', 'acme has no listener');
  });
});

describe('setActive: what it does', () => {
  it('makes our successor the only active certificate: the old one archived as manual, an activation alert with cause manual', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const result = transition(sent.state, setActive('local', 'signing'), day(1));
    const slot = result.state.relationships['acme']!.local.signing;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[next.sha256, 'manual']]);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[pki.localSigning.sha256, 'manual']]);
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
    const alert = result.effects[1];
    expect(alert?.type === 'notify' && alert.alert).toMatchObject({ relationshipId: 'acme', dedupeKey: `certificateActivated:acme:local:signing:${next.sha256}`, details: { side: 'local', usage: 'signing', cause: 'manual' } });
    expect(result.state.outbound[sent.ids.requestId]?.status).toBe('closed');
  });

  it('for our server certificate, installs the listener\'s candidate', () => {
    const a = makePki();
    const state = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(makeCert({ label: 'server-old' })) }, T0],
    ]).state;
    const server = makeCert({ label: 'server-new' });
    const sent = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const result = transition(sent.state, setActive('local', 'tlsServer'), day(1));
    expect(result.effects.filter((e) => e.type === 'installServerCertificate')).toEqual([{ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: server.sha256, keyRef: `key:${server.sha256.slice(0, 8)}` }]);
  });
});

describe('setActive: a partner certificate pending in a received Request', () => {
  it('accepts it there first: the Request is answered when that was its last pending certificate', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const next = makeCert({ label: 'partner-sign-next' });
    const received = transition(state, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const result = transition(received, setActive('partner', 'signing'), day(1));
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'responding', items: [{ decision: 'accepted', reason: null }] });
    expect(shape(result.effects)).toEqual(['sendResponse', 'archiveCertificate', 'notify:certificateActivated']);
    expect(result.state.relationships['acme']!.partner.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[next.sha256, 'manual']]);
  });

  it('accepts only that certificate: the Request waits for the others', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [sign, enc] = [makeCert({ label: 'partner-sign-next' }), makeCert({ label: 'partner-enc-next' })];
    const received = transition(state, requestEvent('r1', [{ cert: sign, usages: ['digitalSignature'] }, { cert: enc, usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const result = transition(received, setActive('partner', 'signing'), day(1));
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'accepted' }, { decision: 'pending' }] });
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
  });

  it('an encryption certificate accepted there replaces the old one at once, then becomes the manual one', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const enc = makeCert({ label: 'partner-enc-next' });
    const received = transition(state, requestEvent('r1', [{ cert: enc, usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const result = transition(received, setActive('partner', 'encryption'), day(1));
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'sendResponse', 'notify:certificateActivated']);
  });

  it('leaves received Requests alone for a scheduled or rejected partner certificate, and for our own certificates', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const scheduledCert = makeCert();
    const scheduled = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'tlsClient', certificate: scheduledCert, activateAt: day(5) }, T0).state;
    const withRequest = transition(scheduled, requestEvent('r1', [{ cert: scheduledCert, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    expect(withRequest.inbound['acme/r1']?.items[0]?.decision).toBe('pending');
    const manual = transition(withRequest, setActive('partner', 'tlsClient'), day(1));
    expect(manual.state.inbound['acme/r1']).toBe(withRequest.inbound['acme/r1']);
    expect(shape(manual.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
    const other = makeCert();
    const received = transition(state, requestEvent('r2', [{ cert: other, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const rejected = transition(received, { type: 'decide', exchangeKey: 'acme/r2', decisions: [{ fingerprint: other.sha256, accept: false, reason: 'no' }] }, T0).state;
    const overridden = transition(rejected, setActive('partner', 'signing'), day(1));
    expect(overridden.state.inbound['acme/r2']).toBe(rejected.inbound['acme/r2']);
    expect(shape(overridden.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
  });
});

describe('setActive: a partner certificate whose item a newer Request superseded', () => {
  /** r1 asks for `next` (signing) and, optionally, an encryption certificate; r2 asks again for the active signing certificate, accepted on receipt. */
  function superseded(withEncryption: boolean) {
    const { state, pki } = establishedState({ autoAccept: false });
    const next = makeCert({ label: 'partner-sign-next' });
    const certs = withEncryption ? [{ cert: next, usages: ['digitalSignature'] as const }, { cert: makeCert(), usages: ['keyEncipherment'] as const }] : [{ cert: next, usages: ['digitalSignature'] as const }];
    const received = run(state, [
      [requestEvent('r1', certs, pki.partnerSigning), T0],
      [requestEvent('r2', [{ cert: pki.partnerSigning, usages: ['digitalSignature'] }], pki.partnerSigning), T0],
    ]).state;
    expect(received.relationships['acme']!.partner.signing.successor).toMatchObject({ status: 'pending', exchangeId: 'acme/r1', cert: { fingerprint: next.sha256 } });
    return { state: received, next };
  }

  it('activates it without touching the superseded Request', () => {
    const s = superseded(false);
    expect(s.state.inbound['acme/r1']?.status).toBe('superseded');
    const result = transition(s.state, setActive('partner', 'signing'), day(1));
    expect(result.state.inbound['acme/r1']).toBe(s.state.inbound['acme/r1']);
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
    expect(result.state.relationships['acme']!.partner.signing.active.map((a) => a.cert.fingerprint)).toEqual([s.next.sha256]);
  });

  it('leaves the superseded item superseded in a Request still waiting for others', () => {
    const s = superseded(true);
    expect(s.state.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'superseded' }, { decision: 'pending' }] });
    const result = transition(s.state, setActive('partner', 'signing'), day(1));
    expect(result.state.inbound['acme/r1']?.items.map((i) => i.decision)).toEqual(['superseded', 'pending']);
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
  });
});

describe('setActive leaves a received Request it does not decide as it is (the same record)', () => {
  it('for a rejected partner certificate of a Request still waiting for others', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [client, sign] = [makeCert({ label: 'partner-tls-next' }), makeCert({ label: 'partner-sign-next' })];
    const received = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }, { cert: sign, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const rejected = transition(received, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: client.sha256, accept: false, reason: 'no' }] }, T0).state;
    expect(rejected.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', items: [{ decision: 'rejected' }, { decision: 'pending' }] });
    const result = transition(rejected, setActive('partner', 'tlsClient'), day(1));
    expect(result.state.inbound['acme/r1']).toBe(rejected.inbound['acme/r1']);
    expect(result.state.relationships['acme']!.partner.tlsClient.active.map((a) => a.cert.fingerprint)).toEqual([client.sha256]);
  });

  it('for our own certificate, even when our requestId looks like the key of a received Request', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const next = makeCert({ label: 'us-sign-next' });
    const sent = transition(received, { type: 'sendCertificates', relationshipId: 'acme', selection: { signing: local(next), encryption: local(pki.localEncryption) }, includeActive: false, ids: { requestId: 'acme/r1', xmlContentId: 'x@us', contentIds: ['c@us'] } }, T0).state;
    expect(sent.relationships['acme']!.local.signing.successor).toMatchObject({ status: 'pending', exchangeId: 'acme/r1' });
    const result = transition(sent, setActive('local', 'signing'), day(1));
    expect(result.state.inbound['acme/r1']).toBe(sent.inbound['acme/r1']);
  });
});
