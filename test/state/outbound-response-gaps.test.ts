/**
 * A partner's Response to our Request (src/state/exchange/outbound-response.ts): the behaviours
 * mutation testing found unasserted, driven through `transition` only. The matching of
 * TrustResponses to items, the choice of the Request for a Response without requestId, the
 * responseReceived alert as a whole, and the TLS server certificate branches.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import { transition } from '../../src/state/index.js';
import type { CemEvent, CemState } from '../../src/state/index.js';
import { day, effectsOf, establishedState, local, makeCert, run, T0, twoPartners, twoPartnersOnHttp } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';
import { shape } from './assertions.js';

/** A Response event with raw TrustResponses (malformed ones allowed). */
function rawResponse(requestId: string | null, trustResponses: readonly unknown[], signer: CertificateInfo, options: { from?: string; messageId?: string | null; originated?: unknown } = {}): CemEvent {
  const from = options.from ?? 'ACME';
  return {
    type: 'responseReceived', as2From: from, as2To: 'US', verifiedBy: signer.sha256,
    messageId: options.messageId === undefined ? 'm-raw' : options.messageId,
    response: { requestId, sender: { name: from, qualifier: 'AS2' }, originated: 'originated' in options ? options.originated : { lexical: '2026-03-03T10:00:00+00:00', instant: day(1), offsetMinutes: 0 }, trustResponses },
  } as CemEvent;
}

const tr = (cert: CertificateInfo, status: string, reason: unknown = null): Record<string, unknown> => ({ status, reason, certificate: { issuer: cert.issuer, serial: cert.serial } });

function signingSent() {
  const { state, pki } = establishedState();
  const next = makeCert({ label: 'us-sign-next' });
  const sent = sendDelivered(state, signingSelection(next));
  return { state: sent.state, pki, next, requestId: sent.ids.requestId };
}

describe('responseReceived: matching TrustResponses to the items of the Request', () => {
  it.each([['with requestId', true], ['without requestId', false]] as const)('skips a null TrustResponse and one whose certificate is null (%s)', (_name, withId) => {
    const s = signingSent();
    const event = rawResponse(withId ? s.requestId : null, [null, { status: 'Rejected', reason: 'no', certificate: null }, tr(s.next, 'Accepted')], s.pki.partnerSigning);
    const result = transition(s.state, event, day(1));
    expect(result.state.outbound[s.requestId]?.items[0]).toMatchObject({ status: 'accepted', reason: null, previousStatus: null });
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:responseReceived']);
  });

  it('a second TrustResponse naming the same certificate is not matched again: the first answer counts', () => {
    const s = signingSent();
    const result = transition(s.state, rawResponse(s.requestId, [tr(s.next, 'Accepted'), tr(s.next, 'Rejected', 'changed my mind')], s.pki.partnerSigning), day(1));
    expect(result.state.outbound[s.requestId]?.items[0]).toMatchObject({ status: 'accepted', reason: null, previousStatus: null });
    const alert = effectsOf(result.effects, 'notify').find((n) => n.alert.kind === 'responseReceived')?.alert;
    expect(alert?.details).toEqual({ requestId: s.requestId, answers: [{ fingerprint: s.next.sha256, status: 'accepted', reason: null, previousStatus: null }] });
  });

  it.each([
    ['no reason', undefined],
    ['a reason that is not text', 42],
  ])('a Rejected TrustResponse with %s records the reason as null', (_name, reason) => {
    const s = signingSent();
    const trustResponse = { status: 'Rejected', certificate: { issuer: s.next.issuer, serial: s.next.serial }, ...(reason === undefined ? {} : { reason }) };
    const result = transition(s.state, rawResponse(s.requestId, [trustResponse], s.pki.partnerSigning), day(1));
    expect(result.state.outbound[s.requestId]?.items[0]?.reason).toBeNull();
    expect(result.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'rejected', reason: null });
    expect(shape(result.effects)).toEqual(['notify:responseReceived']);
    const alert = effectsOf(result.effects, 'notify').find((n) => n.alert.kind === 'responseReceived')?.alert;
    expect(alert?.details).toEqual({ requestId: s.requestId, answers: [{ fingerprint: s.next.sha256, status: 'rejected', reason: null, previousStatus: null }] });
  });

  it('the responseReceived alert is keyed by the Message-ID, else by the Response originated time, else by now', () => {
    const s = signingSent();
    const key = (event: CemEvent): string | undefined => effectsOf(transition(s.state, event, day(1)).effects, 'notify').find((n) => n.alert.kind === 'responseReceived')?.alert.dedupeKey;
    expect(key(rawResponse(s.requestId, [tr(s.next, 'Accepted')], s.pki.partnerSigning, { messageId: 'm-7' }))).toBe(`responseReceived:${s.requestId}:m-7`);
    expect(key(rawResponse(s.requestId, [tr(s.next, 'Accepted')], s.pki.partnerSigning, { messageId: null }))).toBe(`responseReceived:${s.requestId}:2026-03-03T10:00:00+00:00`);
    expect(key(rawResponse(s.requestId, [tr(s.next, 'Accepted')], s.pki.partnerSigning, { messageId: null, originated: undefined }))).toBe(`responseReceived:${s.requestId}:${day(1).toISOString()}`);
  });
});

describe('responseReceived without requestId: which Request it answers', () => {
  it('only a Request of the relationship that sent the Response, even when another partner got the same certificate later', () => {
    const { state, a } = twoPartners();
    const shared = makeCert({ label: 'us-sign-shared' });
    const toA = sendDelivered(state, signingSelection(shared), T0, 'acme');
    const toB = sendDelivered(toA.state, signingSelection(shared), day(1), 'bolt');
    const result = answer(toB.state, null, [{ cert: shared, status: 'Accepted' }], a.partnerSigning, day(2));
    expect(result.state.outbound[toA.ids.requestId]?.status).toBe('accepted');
    expect(result.state.outbound[toB.ids.requestId]).toBe(toB.state.outbound[toB.ids.requestId]);
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:responseReceived']);
  });

  it('only a CEM Request, not a later email of the same certificate', () => {
    const { state, pki } = establishedState();
    const next = makeCert({ label: 'us-sign-next' });
    const sent = sendDelivered(state, signingSelection(next));
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const incapable = transition(rejected, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { cemOverride: 'incapable' } }, day(2)).state;
    const emailed = send(incapable, signingSelection(next), { at: day(2) });
    expect(emailed.state.outbound[emailed.ids.requestId]).toMatchObject({ channel: 'email', status: 'emailed' });
    const result = answer(emailed.state, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(3));
    expect(result.state.outbound[sent.ids.requestId]?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(result.state.outbound[emailed.ids.requestId]).toBe(emailed.state.outbound[emailed.ids.requestId]);
  });

  it('never a superseded Request, even one whose id sorts after its resend (integer-like request ids)', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const next = makeCert({ label: 'us-sign-next' });
    const sendEvent: CemEvent = { type: 'sendCertificates', relationshipId: 'acme', selection: signingSelection(next), includeActive: false, ids: { requestId: '2', xmlContentId: 'x2@us', contentIds: ['c2@us'] } };
    const sent = run(state, [[sendEvent, T0], [{ type: 'requestDelivered', requestId: '2' }, T0], [{ type: 'tick' }, day(5.5)]]).state;
    const resent = run(sent, [[{ type: 'resend', requestId: '2', ids: { requestId: '1', xmlContentId: 'x1@us', contentIds: ['c1@us'] } }, day(6)], [{ type: 'requestDelivered', requestId: '1' }, day(6)]]).state;
    expect(Object.keys(resent.outbound)).toEqual(['1', '2']);
    const rejected = answer(resent, '1', [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(7)).state;
    const result = answer(rejected, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(8));
    expect(result.state.outbound['1']?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(result.state.outbound['2']?.status).toBe('superseded');
  });

  /** An older Request for a TLS client certificate left in `status`, a newer answered one for a signing certificate. */
  function openAndAnswered(step: (state: CemState, requestId: string) => CemState, options: { maxResponseDays?: number } = {}) {
    const { state, pki } = establishedState(options);
    const tls = makeCert({ label: 'us-tls-next' });
    const older = send(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const stepped = step(older.state, older.ids.requestId);
    const sign = makeCert({ label: 'us-sign-next' });
    const newer = sendDelivered(stepped, signingSelection(sign), day(6));
    const answered = answer(newer.state, newer.ids.requestId, [{ cert: sign, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(6.5)).state;
    return { state: answered, pki, tls, sign, olderId: older.ids.requestId, newerId: newer.ids.requestId };
  }

  it.each([
    ['sending', (s: CemState) => s, {}],
    ['pending', (s: CemState, id: string) => transition(s, { type: 'requestDelivered', requestId: id }, T0).state, {}],
    ['sendFailed', (s: CemState, id: string) => transition(s, { type: 'requestFailed', requestId: id, error: 'HTTP 500' }, T0).state, {}],
    ['expired', (s: CemState, id: string) => transition(transition(s, { type: 'requestDelivered', requestId: id }, T0).state, { type: 'tick' }, day(5.5)).state, { maxResponseDays: 5 }],
  ] as const)('prefers an older %s Request naming one of its certificates to a newer answered one', (status, step, options) => {
    const s = openAndAnswered(step, options);
    expect(s.state.outbound[s.olderId]?.status).toBe(status);
    expect(s.state.outbound[s.newerId]?.status).toBe('rejected');
    const result = answer(s.state, null, [{ cert: s.tls, status: 'Accepted' }, { cert: s.sign, status: 'Accepted' }], s.pki.partnerSigning, day(7));
    expect(result.state.outbound[s.olderId]).toMatchObject({ status: 'accepted', items: [{ fingerprint: s.tls.sha256, status: 'accepted' }] });
    expect(result.state.outbound[s.newerId]).toBe(s.state.outbound[s.newerId]);
  });
});

/** acme and bolt on HTTP, with the default settings. */
const twoOnHttp = () => twoPartnersOnHttp({});

describe('responseReceived: our TLS server certificate', () => {
  it('a rejection records the reason in the readiness and alerts with the candidate, the listener and the reason', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const rejected = answer(toB.state, toA.ids.requestId, [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }], a.partnerSigning, day(1));
    expect(rejected.state.relationships['acme']?.serverReadiness).toEqual({ fingerprint: server.sha256, status: 'rejected', exchangeId: toA.ids.requestId, activateAt: null, reason: 'untrusted CA' });
    expect(shape(rejected.effects)).toEqual(['notify:serverCertificateRejected', 'notify:responseReceived']);
    const alert = effectsOf(rejected.effects, 'notify')[0]?.alert;
    expect(alert).toMatchObject({ kind: 'serverCertificateRejected', relationshipId: 'acme', dedupeKey: `serverCertificateRejected:HTTP:${server.sha256}:acme` });
    expect(alert?.details).toMatchObject({ protocol: 'HTTP', reason: 'untrusted CA', certificate: { fingerprint: server.sha256 } });
    // A later Accepted replaces it: ready, no reason, and now every partner accepted.
    const accepted = answer(rejected.state, toA.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(2));
    expect(accepted.state.relationships['acme']?.serverReadiness).toMatchObject({ status: 'accepted', reason: null });
    expect(shape(accepted.effects)).toEqual(['notify:responseReceived']);
  });

  it('a late answer for a withdrawn server certificate leaves the readiness for the new one alone', () => {
    const { state, a } = twoOnHttp();
    const first = makeCert({ label: 'server-first' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(first) }, T0, 'acme');
    const rejected = answer(toA.state, toA.ids.requestId, [{ cert: first, status: 'Rejected', reason: 'no' }], a.partnerSigning, day(1)).state;
    const withdrawn = transition(rejected, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(2)).state;
    const fresh = makeCert({ label: 'server-fresh' });
    const again = sendDelivered(withdrawn, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(fresh) }, day(2), 'acme');
    const readiness = again.state.relationships['acme']?.serverReadiness;
    expect(readiness).toMatchObject({ fingerprint: fresh.sha256, status: 'pending' });
    const late = answer(again.state, toA.ids.requestId, [{ cert: first, status: 'Accepted' }], a.partnerSigning, day(3));
    expect(late.state.relationships['acme']?.serverReadiness).toBe(readiness);
    expect(late.state.outbound[toA.ids.requestId]?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(shape(late.effects)).toEqual(['notify:responseReceived']);
    const lateRejection = answer(late.state, toA.ids.requestId, [{ cert: first, status: 'Rejected', reason: 'no again' }], a.partnerSigning, day(4));
    expect(lateRejection.state.relationships['acme']?.serverReadiness).toBe(readiness);
    expect(shape(lateRejection.effects)).toEqual(['notify:responseReceived']);
  });

  it('a Response about other certificates does not settle the listener: a due scheduled install waits for the tick', () => {
    const { state, a } = twoOnHttp();
    const sign = makeCert({ label: 'us-sign-next' });
    const sent = sendDelivered(state, signingSelection(sign), T0, 'acme');
    const server = makeCert({ label: 'server-new' });
    const scheduled = run(sent.state, [
      [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: day(2), emailPartner: false }, T0],
      [{ type: 'schedule', relationshipId: 'bolt', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: day(2), emailPartner: false }, T0],
    ]);
    expect(effectsOf(scheduled.effects, 'installServerCertificate')).toEqual([]);
    const result = answer(scheduled.state, sent.ids.requestId, [{ cert: sign, status: 'Accepted' }], a.partnerSigning, day(3));
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:responseReceived']);
    expect(result.state.servers).toBe(scheduled.state.servers);
    expect(effectsOf(transition(result.state, { type: 'tick' }, day(3)).effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
  });
});

describe('responseReceived: a Request of another relationship or channel, and partial answers', () => {
  it('ignores a requestId of another relationship\'s Request (unknownExchange)', () => {
    const { state, a } = twoPartners();
    const next = makeCert({ label: 'bolt-sign-next' });
    const toB = sendDelivered(state, signingSelection(next), T0, 'bolt');
    const result = answer(toB.state, toB.ids.requestId, [{ cert: next, status: 'Accepted' }], a.partnerSigning, day(1));
    expect(result.effects).toEqual([{ type: 'ignored', reason: 'unknownExchange', detail: `no request ${toB.ids.requestId} to acme` }]);
    expect(result.state).toBe(toB.state);
  });

  it('ignores a requestId of an email exchange (unknownExchange)', () => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const next = makeCert({ label: 'us-sign-next' });
    const emailed = send(state, signingSelection(next));
    expect(emailed.state.outbound[emailed.ids.requestId]?.channel).toBe('email');
    const result = answer(emailed.state, emailed.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1));
    expect(result.effects).toEqual([{ type: 'ignored', reason: 'unknownExchange', detail: `no request ${emailed.ids.requestId} to acme` }]);
    expect(result.state).toBe(emailed.state);
  });

  it('finds a Request without requestId by any one of its certificates', () => {
    const { state, pki } = establishedState();
    const sign = makeCert({ label: 'us-sign-next' });
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const result = answer(sent.state, null, [{ cert: sign, status: 'Accepted' }], pki.partnerSigning, day(1));
    expect(result.state.outbound[sent.ids.requestId]?.items.map((i) => [i.fingerprint, i.status])).toEqual([[sign.sha256, 'accepted'], [tls.sha256, 'pending']]);
  });

  it.each([
    ['sending', 'pending', (s: CemState) => s],
    ['pending', 'pending', (s: CemState, id: string) => transition(s, { type: 'requestDelivered', requestId: id }, T0).state],
    ['sendFailed', 'pending', (s: CemState, id: string) => transition(s, { type: 'requestFailed', requestId: id, error: 'HTTP 500' }, T0).state],
    ['expired', 'expired', (s: CemState, id: string) => transition(transition(s, { type: 'requestDelivered', requestId: id }, T0).state, { type: 'tick' }, day(5.5)).state],
  ] as const)('a partial answer to a %s Request leaves it %s', (status, after, step) => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const sign = makeCert({ label: 'us-sign-next' });
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = send(state, { signing: local(sign), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const stepped = step(sent.state, sent.ids.requestId);
    expect(stepped.outbound[sent.ids.requestId]?.status).toBe(status);
    const partial = answer(stepped, sent.ids.requestId, [{ cert: sign, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(6));
    expect(partial.state.outbound[sent.ids.requestId]?.status).toBe(after);
    const complete = answer(partial.state, sent.ids.requestId, [{ cert: tls, status: 'Accepted' }], pki.partnerSigning, day(6.1));
    expect(complete.state.outbound[sent.ids.requestId]?.status).toBe('rejected');
  });
});

describe('responseReceived: settling the listener after a Response about our server certificate', () => {
  it('installs when the last partner accepts it in a Request that also carries a signing certificate', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const sign = makeCert({ label: 'acme-sign-next' });
    const toA = sendDelivered(state, { signing: local(sign), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(1), 'BOLT');
    expect(toA.state.outbound[toA.ids.requestId]?.items.map((i) => i.usages)).toEqual([['digitalSignature'], ['tlsServer']]);
    const acceptedA = answer(acceptedB.state, toA.ids.requestId, [{ cert: sign, status: 'Accepted' }, { cert: server, status: 'Accepted' }], a.partnerSigning, day(2));
    expect(effectsOf(acceptedA.effects, 'installServerCertificate')).toEqual([{ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: server.sha256, keyRef: `key:${server.sha256.slice(0, 8)}` }]);
  });

  /** Our server certificate sent to acme with a new signing certificate and to bolt alone, installed because acme's respond-by time passed. */
  function installedAfterRespondBy() {
    const { state, a, b } = twoOnHttp();
    const settings = run(state, [[{ type: 'settingsChanged', settings: { maxResponseDays: 5, useAfterRespondBy: true } }, T0]]).state;
    const server = makeCert({ label: 'server-new' });
    const sign = makeCert({ label: 'acme-sign-next' });
    const toA = sendDelivered(settings, { signing: local(sign), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(1), 'BOLT');
    const expired = transition(acceptedB.state, { type: 'tick' }, day(5.5));
    expect(effectsOf(expired.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    const installed = transition(expired.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(5.6)).state;
    expect(installed.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: server.sha256 }, cause: 'respondByPassed' });
    return { state: installed, a, server, sign, requestId: toA.ids.requestId };
  }

  it('a late rejection of it, listed after our signing certificate, installs the previous one again with a warning naming the Request and the reason', () => {
    const s = installedAfterRespondBy();
    const old = s.state.servers.HTTP?.archive.find((x) => x.reason === 'replaced')?.cert;
    const rejected = answer(s.state, null, [{ cert: s.sign, status: 'Accepted' }, { cert: s.server, status: 'Rejected', reason: 'untrusted CA' }], s.a.partnerSigning, day(6));
    expect(rejected.state.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: old?.fingerprint }, cause: 'restored' });
    // Our signing certificate is already in use since the respond-by time: its acceptance changes nothing.
    expect(shape(rejected.effects)).toEqual(['notify:responseReceived', 'installServerCertificate', 'archiveCertificate', 'notify:certificateRestored']);
    const warning = effectsOf(rejected.effects, 'notify').find((n) => n.alert.kind === 'certificateRestored')?.alert;
    expect(warning).toMatchObject({ relationshipId: 'acme', dedupeKey: `certificateRestored:acme:local:HTTP server:${s.server.sha256}:${s.requestId}` });
    expect(warning?.details).toMatchObject({ requestId: s.requestId, reason: 'untrusted CA', certificate: { fingerprint: s.server.sha256 } });
  });

  it('a late acceptance of it changes nothing on the listener', () => {
    const s = installedAfterRespondBy();
    const accepted = answer(s.state, s.requestId, [{ cert: s.sign, status: 'Accepted' }, { cert: s.server, status: 'Accepted' }], s.a.partnerSigning, day(6));
    expect(accepted.state.servers).toBe(s.state.servers);
    expect(shape(accepted.effects)).toEqual(['notify:responseReceived']);
  });
});
