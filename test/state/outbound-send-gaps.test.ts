/**
 * Sending our certificates and resending Requests (src/state/exchange/outbound-send.ts): the
 * behaviours mutation testing found unasserted, driven through `transition` only. Refusals with
 * their exact details, the exchange recorded per channel, the listener's candidate and readiness
 * for our server certificate, and which certificates a resend still asks for.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, makePki, run, T0, twoPartnersOnHttp } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';
import { shape, expectIgnored } from './assertions.js';

const ids = (requestId: string, count = 1) => ({ requestId, xmlContentId: `x-${requestId}@us`, contentIds: Array.from({ length: count }, (_, i) => `c${i}-${requestId}@us`) });
const sendEvent = (selection: object, requestId: string, options: { relationshipId?: string; includeActive?: boolean; count?: number } = {}): CemEvent =>
  ({ type: 'sendCertificates', relationshipId: options.relationshipId ?? 'acme', selection, includeActive: options.includeActive ?? false, ids: ids(requestId, options.count) }) as CemEvent;
const resendEvent = (requestId: string, newId: string, count = 1): CemEvent => ({ type: 'resend', requestId, ids: ids(newId, count) });

describe('sendCertificates: refusals with their details', () => {
  it('an unknown relationship', () => {
    const { state } = establishedState();
    expectIgnored(transition(state, sendEvent(signingSelection(makeCert()), 'r1', { relationshipId: 'nope' }), T0), state, 'unknownRelationship', 'no relationship nope');
  });

  it('ids without enough Content-IDs', () => {
    const { state, pki } = establishedState();
    const event = sendEvent({ signing: local(makeCert()), encryption: local(pki.localEncryption), tlsClient: local(makeCert()) }, 'r1', { count: 1 });
    expectIgnored(transition(state, event, T0), state, 'invalidEvent', 'ids must hold a requestId, an XML Content-ID and 2 Content-IDs');
  });

  it('a requestId that exists', () => {
    const { state, pki } = establishedState();
    const first = transition(state, sendEvent({ signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(makeCert()) }, 'r1'), T0).state;
    expectIgnored(transition(first, sendEvent({ signing: local(makeCert()), encryption: local(pki.localEncryption) }, 'r1'), T0), first, 'duplicate', 'request r1 exists');
  });

  it('no ResponseURL for a CEM Request, no email address for an email', () => {
    const { state } = establishedState({}, { responseUrl: null });
    expectIgnored(transition(state, sendEvent(signingSelection(makeCert()), 'r1'), T0), state, 'noResponseUrl', 'acme has no ResponseURL configured');
    const { state: noEmail } = establishedState({}, { cemOverride: 'incapable', partnerEmail: null });
    expectIgnored(transition(noEmail, sendEvent(signingSelection(makeCert()), 'r1'), T0), noEmail, 'noPartnerEmail', 'acme cannot take CEM and has no email address');
  });
});

describe('sendCertificates: the exchange recorded per channel', () => {
  it('a CEM Request needs no email address and has a respond-by time and the ResponseURL', () => {
    const { state } = establishedState({ maxResponseDays: 5 }, { partnerEmail: null });
    const sent = transition(state, sendEvent(signingSelection(makeCert()), 'r1'), T0);
    expect(sent.state.outbound['r1']).toMatchObject({ channel: 'cem', status: 'sending', respondBy: day(5).toISOString(), responseUrl: 'https://us.example/as2/cem', emailTo: null });
    expect(shape(sent.effects)).toEqual(['sendRequest']);
    const { state: withEmail } = establishedState();
    expect(transition(withEmail, sendEvent(signingSelection(makeCert()), 'r1'), T0).state.outbound['r1']).toMatchObject({ channel: 'cem', emailTo: null });
  });

  it('an email needs no ResponseURL and has no respond-by time', () => {
    const { state } = establishedState({}, { cemOverride: 'incapable', responseUrl: null });
    const sent = transition(state, sendEvent(signingSelection(makeCert()), 'r1'), T0);
    expect(sent.state.outbound['r1']).toMatchObject({ channel: 'email', status: 'emailed', respondBy: null, responseUrl: null, emailTo: 'pki@acme.example' });
    expect(shape(sent.effects)).toEqual(['sendEmail']);
    const { state: withUrl } = establishedState({}, { cemOverride: 'incapable' });
    expect(transition(withUrl, sendEvent(signingSelection(makeCert()), 'r1'), T0).state.outbound['r1']).toMatchObject({ channel: 'email', responseUrl: null });
  });
});

describe('sendCertificates: our server certificate', () => {
  it('sending the installed one again (includeActive) creates no candidate and no readiness', () => {
    const { state, a, old } = twoPartnersOnHttp();
    const sent = transition(state, sendEvent({ signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(old) }, 'r1', { includeActive: true, count: 3 }), T0);
    expect(sent.state.outbound['r1']?.items.map((i) => i.fingerprint)).toEqual([a.localSigning.sha256, a.localEncryption.sha256, old.sha256]);
    expect(sent.state.servers.HTTP?.candidate).toBeNull();
    expect(sent.state.relationships['acme']?.serverReadiness).toBeNull();
  });

  it('the candidate keeps the time it was first sent when it goes to the next partner', () => {
    const { state, a, b } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = transition(state, sendEvent({ signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, 'r1'), T0).state;
    const toB = transition(toA, sendEvent({ signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, 'r2', { relationshipId: 'bolt' }), day(1)).state;
    expect(toB.servers.HTTP?.candidate).toBe(toA.servers.HTTP?.candidate);
    expect(toB.relationships['bolt']?.serverReadiness).toEqual({ fingerprint: server.sha256, status: 'pending', exchangeId: 'r2', activateAt: null, reason: null });
  });

  it('sending it again after the respond-by time passed closes the expired Request that carried it', () => {
    const { state, a } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const selection = { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) };
    const expired = run(state, [[sendEvent(selection, 'r1'), T0], [{ type: 'requestDelivered', requestId: 'r1' }, T0], [{ type: 'tick' }, day(5.5)]]).state;
    expect(expired.outbound['r1']?.status).toBe('expired');
    const again = transition(expired, sendEvent(selection, 'r2'), day(6)).state;
    expect(again.outbound['r1']?.status).toBe('closed');
    expect(again.relationships['acme']?.serverReadiness).toMatchObject({ status: 'pending', exchangeId: 'r2' });
  });
});

describe('resend', () => {
  it('refuses an unknown Request, one still pending, and one with nothing left to ask for', () => {
    const { state, pki } = establishedState();
    expectIgnored(transition(state, resendEvent('nope', 'r2'), T0), state, 'unknownExchange', 'no request nope');
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    expectIgnored(transition(sent.state, resendEvent(sent.ids.requestId, 'r2'), T0), sent.state, 'invalidState', `request ${sent.ids.requestId} is pending`);
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const overridden = transition(rejected, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(2)).state;
    expect(overridden.outbound[sent.ids.requestId]?.status).toBe('rejected');
    // The administrator set it active: it is in use, so a resend asks for it again.
    const resent = transition(overridden, resendEvent(sent.ids.requestId, 'r2'), day(3));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[next.sha256, ['digitalSignature', 'keyEncipherment']]]);
  });

  it('refuses a rejected Request whose certificate was replaced by a newer one since (nothingToSend)', () => {
    const { state, pki } = establishedState();
    const [tls1, tls2] = [makeCert({ label: 't1' }), makeCert({ label: 't2' })];
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(tls1) });
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: tls1, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const newer = transition(rejected, sendEvent({ signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(tls2) }, 'r2'), day(2)).state;
    expect(newer.outbound[sent.ids.requestId]?.status).toBe('rejected');
    expectIgnored(transition(newer, resendEvent(sent.ids.requestId, 'r3'), day(3)), newer, 'nothingToSend', `nothing of request ${sent.ids.requestId} is still waiting`);
  });

  it('resends the rejected certificates of a rejected Request, not the accepted ones', () => {
    const { state, pki } = establishedState();
    const sign = makeCert({ label: 'us-sign-next' });
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: sign, status: 'Accepted' }, { cert: tls, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    expect(answered.outbound[sent.ids.requestId]?.status).toBe('rejected');
    const resent = transition(answered, resendEvent(sent.ids.requestId, 'r2'), day(2));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[tls.sha256, ['tlsClient']]]);
    expect(resent.state.outbound[sent.ids.requestId]?.status).toBe('superseded');
    expect(resent.state.relationships['acme']?.local.tlsClient.successor).toMatchObject({ status: 'pending', exchangeId: 'r2' });
  });

  it('leaves out a certificate whose slot has a newer successor since (here rejected too)', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const [sign1, tls1, sign2] = [makeCert({ label: 's1' }), makeCert({ label: 't1' }), makeCert({ label: 's2' })];
    const expired = run(state, [
      [sendEvent({ signing: local(sign1), encryption: local(pki.localEncryption), tlsClient: local(tls1) }, 'r1', { count: 2 }), T0],
      [{ type: 'requestDelivered', requestId: 'r1' }, T0],
      [{ type: 'tick' }, day(5.5)],
      [sendEvent({ signing: local(sign2), encryption: local(pki.localEncryption) }, 'r2'), day(6)],
      [{ type: 'requestDelivered', requestId: 'r2' }, day(6)],
    ]).state;
    const newerRejected = answer(expired, 'r2', [{ cert: sign2, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(6.5)).state;
    expect(newerRejected.outbound['r1']?.status).toBe('expired');
    const resent = transition(newerRejected, resendEvent('r1', 'r3'), day(7));
    expect(resent.state.outbound['r3']?.items.map((i) => i.fingerprint)).toEqual([tls1.sha256]);
    expect(resent.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'rejected', exchangeId: 'r2', cert: { fingerprint: sign2.sha256 } });
  });

  it('does not ask again for a TLS client certificate displaced from a slot that has no active one', () => {
    const pki = makePki();
    const { state } = establishedState({ maxResponseDays: 5 }, { local: { signing: local(pki.localSigning), encryption: local(pki.localEncryption) } });
    const [sign1, tls1, tls2] = [makeCert({ label: 's1' }), makeCert({ label: 't1' }), makeCert({ label: 't2' })];
    const expired = run(state, [
      [sendEvent({ signing: local(sign1), encryption: local(pki.localEncryption), tlsClient: local(tls1) }, 'r1', { count: 2 }), T0],
      [{ type: 'requestDelivered', requestId: 'r1' }, T0],
      [{ type: 'tick' }, day(5.5)],
      [sendEvent({ signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(tls2) }, 'r2'), day(6)],
    ]).state;
    expect(expired.relationships['acme']?.local.tlsClient).toMatchObject({ active: [], successor: { cert: { fingerprint: tls2.sha256 } } });
    expect(expired.outbound['r1']?.status).toBe('expired');
    const resent = transition(expired, resendEvent('r1', 'r3'), day(7));
    expect(resent.state.outbound['r3']?.items.map((i) => i.fingerprint)).toEqual([sign1.sha256]);
  });

  it('refuses bad ids, an existing requestId and a missing ResponseURL with their details', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    expectIgnored(transition(rejected, { type: 'resend', requestId: sent.ids.requestId, ids: { requestId: 'r2', xmlContentId: 'x@us', contentIds: [] } }, day(2)), rejected, 'invalidEvent', 'ids must hold a requestId, an XML Content-ID and 1 Content-IDs');
    expectIgnored(transition(rejected, resendEvent(sent.ids.requestId, sent.ids.requestId), day(2)), rejected, 'duplicate', `request ${sent.ids.requestId} exists`);
    const noUrl = transition(rejected, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { responseUrl: null } }, day(2)).state;
    expectIgnored(transition(noUrl, resendEvent(sent.ids.requestId, 'r2'), day(2)), noUrl, 'noResponseUrl', 'acme has no ResponseURL configured');
  });

  it('does not ask again for a rejected certificate in a slot where the administrator has since scheduled it', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const scheduled = transition(rejected, { type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'signing', certificate: local(next), activateAt: day(10), emailPartner: false }, day(2)).state;
    expect(scheduled.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'scheduled' });
    const before = scheduled.outbound[sent.ids.requestId];
    expect(before?.status).toBe('rejected');
    // Still rejected for encryption, so asked for again there only.
    const resent = transition(scheduled, resendEvent(sent.ids.requestId, 'r2'), day(3));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[next.sha256, ['keyEncipherment']]]);
    expect(resent.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'scheduled' });
  });

  it('resends our server certificate whose respond-by time passed, with a new readiness for the new Request', () => {
    const { state, a } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const selection = { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) };
    const expired = run(state, [[sendEvent(selection, 'r1'), T0], [{ type: 'requestDelivered', requestId: 'r1' }, T0], [{ type: 'tick' }, day(5.5)]]).state;
    expect(expired.relationships['acme']?.serverReadiness).toMatchObject({ status: 'expired', exchangeId: 'r1' });
    const resent = transition(expired, resendEvent('r1', 'r2'), day(6));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[server.sha256, ['tlsServer']]]);
    expect(resent.state.relationships['acme']?.serverReadiness).toEqual({ fingerprint: server.sha256, status: 'pending', exchangeId: 'r2', activateAt: null, reason: null });
    expect(shape(resent.effects)).toEqual(['sendRequest']);
  });

  /** Our server certificate and a TLS client certificate sent to acme, both unanswered past the respond-by time. */
  function serverAndClientExpired() {
    const { state, a } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const tls = makeCert({ label: 'us-tls-next' });
    const selection = { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsClient: local(tls), tlsServer: local(server) };
    const expired = run(state, [[sendEvent(selection, 'r1', { count: 2 }), T0], [{ type: 'requestDelivered', requestId: 'r1' }, T0], [{ type: 'tick' }, day(5.5)]]).state;
    expect(expired.outbound['r1']?.status).toBe('expired');
    return { state: expired, server, tls, signing: a.localSigning, encryption: a.localEncryption };
  }

  it('after the server candidate was withdrawn, asks only for the other certificates', () => {
    const s = serverAndClientExpired();
    const withdrawn = transition(s.state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(6)).state;
    expect(withdrawn.outbound['r1']?.status).toBe('expired');
    const resent = transition(withdrawn, resendEvent('r1', 'r2'), day(7));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[s.tls.sha256, ['tlsClient']]]);
  });

  it('does not ask again for a server certificate that a newer Request already carries', () => {
    const s = serverAndClientExpired();
    const newer = transition(s.state, { type: 'sendCertificates', relationshipId: 'acme', selection: { signing: local(s.signing), encryption: local(s.encryption), tlsServer: local(s.server) }, includeActive: false, ids: ids('r2') } as CemEvent, day(6)).state;
    expect(newer.relationships['acme']?.serverReadiness).toMatchObject({ status: 'pending', exchangeId: 'r2' });
    expect(newer.outbound['r1']?.status).toBe('expired');
    const resent = transition(newer, resendEvent('r1', 'r3'), day(7));
    expect(resent.state.outbound['r3']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[s.tls.sha256, ['tlsClient']]]);
  });

  it('after the partner moved off the listener, asks only for the other certificates', () => {
    const s = serverAndClientExpired();
    const moved = transition(s.state, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { listener: null } }, day(6)).state;
    const resent = transition(moved, resendEvent('r1', 'r2'), day(7));
    expect(resent.state.outbound['r2']?.items.map((i) => [i.fingerprint, i.usages])).toEqual([[s.tls.sha256, ['tlsClient']]]);
  });
});
