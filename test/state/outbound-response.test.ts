/**
 * A partner's Response to our Request (src/state/exchange/outbound-response.ts), driven through
 * `transition`: every refusal as its exact effect list (the `ignored` effect and, for messages
 * refused as untrusted, the `messageRefused` alert with its details), so a wrong reason, detail
 * or a junk extra effect is noticed.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent, CemState } from '../../src/state/index.js';
import { day, establishedState, makeCert } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

function setup() {
  const { state, pki } = establishedState();
  const next = makeCert({ label: 'us-sign-next' });
  const sent = sendDelivered(state, signingSelection(next));
  return { state: sent.state, pki, next, requestId: sent.ids.requestId };
}

function responseEvent(s: ReturnType<typeof setup>, overrides: { from?: unknown; to?: unknown; sender?: unknown; signer?: string | null; messageId?: string | null; response?: unknown; requestId?: string | null } = {}): CemEvent {
  const from = 'from' in overrides ? overrides.from : 'ACME';
  const response = 'response' in overrides ? overrides.response : {
    requestId: 'requestId' in overrides ? overrides.requestId : s.requestId,
    sender: { name: 'sender' in overrides ? overrides.sender : from, qualifier: 'AS2' },
    originated: { lexical: '2026-03-03T10:00:00+00:00', instant: day(1), offsetMinutes: 0 },
    trustResponses: [{ status: 'Accepted', reason: null, certificate: { issuer: s.next.issuer, serial: s.next.serial } }],
  };
  return {
    type: 'responseReceived', as2From: from, as2To: 'to' in overrides ? overrides.to : 'US',
    verifiedBy: 'signer' in overrides ? overrides.signer : s.pki.partnerSigning.sha256,
    messageId: 'messageId' in overrides ? overrides.messageId : 'm-1', response,
  } as CemEvent;
}

function expectIgnored(result: { state: CemState; effects: readonly unknown[] }, before: CemState, reason: string, detail: string): void {
  expect(result.effects).toEqual([{ type: 'ignored', reason, detail }]);
  expect(result.state).toBe(before);
}

function expectRefused(result: { state: CemState; effects: readonly unknown[] }, before: CemState, reason: string, detail: string, names: { from: string; to: string; messageId: string | null; dedupe: string }): void {
  expect(result.effects).toEqual([
    { type: 'ignored', reason, detail },
    {
      type: 'notify',
      alert: expect.objectContaining({
        kind: 'messageRefused', severity: 'warning', relationshipId: null, dedupeKey: `messageRefused:${names.from}:${names.to}:${names.dedupe}`,
        details: { reason, detail, as2From: names.from, as2To: names.to, messageId: names.messageId },
      }),
    },
  ]);
  expect(result.state).toBe(before);
}

describe('responseReceived: malformed events (invalidEvent, no alert)', () => {
  const detail = 'as2From, as2To and a response are required';
  it.each([
    ['no AS2-From', { from: undefined }],
    ['an empty AS2-To', { to: '' }],
    ['no response', { response: null }],
    ['a response without sender', { response: { requestId: null, trustResponses: [] } }],
    ['a response whose sender is not an object', { response: { requestId: null, sender: 'ACME', trustResponses: [] } }],
    ['a response without a TrustResponse list', { response: { requestId: null, sender: { name: 'ACME', qualifier: 'AS2' }, trustResponses: {} } }],
  ])('%s', (_name, overrides) => {
    const s = setup();
    expectIgnored(transition(s.state, responseEvent(s, overrides), day(1)), s.state, 'invalidEvent', detail);
  });
});

describe('responseReceived: untrusted messages are refused with a messageRefused alert', () => {
  it('an unknown partner (unknownRelationship)', () => {
    const s = setup();
    expectRefused(transition(s.state, responseEvent(s, { from: 'STRANGER' }), day(1)), s.state, 'unknownRelationship', 'no relationship US ← STRANGER', { from: 'STRANGER', to: 'US', messageId: 'm-1', dedupe: 'm-1' });
  });

  it('a signature by a certificate we do not accept (notAuthenticated); without Message-ID the alert is keyed by the time', () => {
    const s = setup();
    expectRefused(transition(s.state, responseEvent(s, { signer: makeCert().sha256, messageId: null }), day(1)), s.state, 'notAuthenticated', 'the Response is not signed with an accepted partner signing certificate', { from: 'ACME', to: 'US', messageId: null, dedupe: day(1).toISOString() });
  });

  it('a TradingPartnerInfo Name other than AS2-From (nameMismatch)', () => {
    const s = setup();
    expectRefused(transition(s.state, responseEvent(s, { sender: 'SOMEONE' }), day(1)), s.state, 'nameMismatch', 'TradingPartnerInfo Name SOMEONE is not the AS2-From ACME', { from: 'ACME', to: 'US', messageId: 'm-1', dedupe: 'm-1' });
  });
});

describe('responseReceived: Responses that match nothing are ignored (no alert)', () => {
  it('an unknown requestId (unknownExchange)', () => {
    const s = setup();
    expectIgnored(transition(s.state, responseEvent(s, { requestId: 'nope' }), day(1)), s.state, 'unknownExchange', 'no request nope to acme');
  });

  it('a Response naming none of the certificates of the Request (unknownCertificate)', () => {
    const s = setup();
    const other = makeCert();
    expectIgnored(answer(s.state, s.requestId, [{ cert: other, status: 'Accepted' }], s.pki.partnerSigning, day(1)), s.state, 'unknownCertificate', `no TrustResponse names a certificate of request ${s.requestId}`);
  });

  it('the same answers again (duplicate)', () => {
    const s = setup();
    const first = answer(s.state, s.requestId, [{ cert: s.next, status: 'Rejected', reason: 'no' }], s.pki.partnerSigning, day(1)).state;
    expectIgnored(answer(first, s.requestId, [{ cert: s.next, status: 'Rejected', reason: 'no' }], s.pki.partnerSigning, day(2)), first, 'duplicate', `request ${s.requestId} already has these answers`);
  });
});

describe('responseReceived: matching and recording the answers', () => {
  it('skips malformed TrustResponses and keeps a reason only for a rejection', () => {
    const s = setup();
    const event = responseEvent(s, { response: {
      requestId: s.requestId, sender: { name: 'ACME', qualifier: 'AS2' }, originated: { lexical: 'x', instant: day(1), offsetMinutes: 0 },
      trustResponses: [
        'junk',
        { status: 'Rejected', reason: 'no', certificate: 'not an object' },
        { status: 'Maybe', reason: 'no', certificate: { issuer: s.next.issuer, serial: s.next.serial } },
        { status: 'Accepted', reason: 'fine', certificate: { issuer: s.next.issuer, serial: s.next.serial } },
      ],
    } });
    const result = transition(s.state, event, day(1));
    expect(result.state.outbound[s.requestId]?.items[0]).toMatchObject({ status: 'accepted', reason: null, previousStatus: null, respondedAt: day(1).toISOString() });
    expect(result.state.outbound[s.requestId]?.status).toBe('accepted');
  });

  it('an accepted signing certificate becomes active at once: exactly the archive, the activation alert (cause cem) and the responseReceived alert', () => {
    const s = setup();
    const result = answer(s.state, s.requestId, [{ cert: s.next, status: 'Accepted' }], s.pki.partnerSigning, day(1));
    expect(result.effects.map((e) => (e.type === 'notify' ? `notify:${e.alert.kind}` : e.type))).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:responseReceived']);
    expect(result.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'signing', fingerprint: s.pki.localSigning.sha256 });
    const activated = result.effects[1];
    expect(activated?.type === 'notify' && activated.alert).toMatchObject({ relationshipId: 'acme', dedupeKey: `certificateActivated:acme:local:signing:${s.next.sha256}` });
    expect(activated?.type === 'notify' && activated.alert.details).toEqual({ side: 'local', usage: 'signing', cause: 'cem', certificate: expect.objectContaining({ fingerprint: s.next.sha256 }) });
    expect(result.state.relationships['acme']?.local.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[s.next.sha256, 'cem']]);
  });

  it('after a resend, a Response to the superseded Request is refused, and one without requestId goes to the resent Request', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const expired = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    const resent = transition(expired, { type: 'resend', requestId: sent.ids.requestId, ids: { requestId: 'resend-1', xmlContentId: 'x@us', contentIds: ['c1@us'] } }, day(6)).state;
    const toOld = answer(resent, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(7));
    expectIgnored(toOld, resent, 'invalidState', `request ${sent.ids.requestId} was superseded by a resend`);
    const withoutId = answer(resent, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(7));
    expect(withoutId.state.outbound['resend-1']?.status).toBe('accepted');
    expect(withoutId.state.outbound[sent.ids.requestId]?.status).toBe('superseded');
  });

  it('a Response without requestId goes to the newest open Request naming its certificate, not to a newer one that does not name it', () => {
    const { state, pki } = establishedState();
    const first = makeCert({ label: 'first' });
    const sentFirst = sendDelivered(state, signingSelection(first));
    const answered = answer(sentFirst.state, sentFirst.ids.requestId, [{ cert: first, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const second = makeCert({ label: 'second' });
    const sentSecond = sendDelivered(answered, signingSelection(second), day(2));
    const result = answer(sentSecond.state, null, [{ cert: second, status: 'Accepted' }], pki.partnerSigning, day(3));
    expect(result.state.outbound[sentSecond.ids.requestId]?.status).toBe('accepted');
    expect(result.state.outbound[sentFirst.ids.requestId]?.status).toBe('rejected');
    // A changed answer without requestId to the finished first Request still finds it (no open Request names it).
    const changed = answer(result.state, null, [{ cert: first, status: 'Accepted' }], pki.partnerSigning, day(4));
    expect(changed.state.outbound[sentFirst.ids.requestId]?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
  });

  it('a Response without requestId goes to the Request created last, whatever the order of the ids', () => {
    // The same certificate sent twice, each Request rejected, then accepted late without requestId.
    // '9' is newer than '10', but JavaScript lists the key '9' first: the answer still goes to '9'.
    const { state, pki } = establishedState();
    const next = makeCert({ label: 'twice' });
    const requestIds = (id: string) => ({ requestId: id, xmlContentId: `x-${id}@us`, contentIds: [`c-${id}@us`] });
    const sendRejected = (from: CemState, id: string, at: number): CemState => {
      const sent = transition(from, { type: 'sendCertificates', relationshipId: 'acme', selection: signingSelection(next), includeActive: false, ids: requestIds(id) }, day(at));
      const delivered = transition(sent.state, { type: 'requestDelivered', requestId: id }, day(at));
      return answer(delivered.state, id, [{ cert: next, status: 'Rejected', reason: `no ${id}` }], pki.partnerSigning, day(at + 0.5)).state;
    };
    const numeric = sendRejected(sendRejected(state, '10', 0), '9', 2);
    expect(Object.keys(numeric.outbound)).toEqual(['9', '10']);
    const late = answer(numeric, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(4));
    expect(late.state.outbound['9']?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(late.state.outbound['10']?.status).toBe('rejected');
    // Created at the same instant, the one listed last (here also created last) is taken.
    const sameInstant = sendRejected(sendRejected(state, 'b', 0), 'a', 0);
    expect(Object.keys(sameInstant.outbound)).toEqual(['b', 'a']);
    const tie = answer(sameInstant, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(4));
    expect(tie.state.outbound['a']?.status).toBe('accepted');
    expect(tie.state.outbound['b']?.status).toBe('rejected');
  });

  it('a Response without requestId never goes to a superseded Request, even one created at the same instant as its resend', () => {
    // A respond-by time under a millisecond: '10' expires at once and is resent as '9' in the same
    // millisecond, so both were created at T0, and '9' is listed first.
    const { state, pki } = establishedState({ maxResponseDays: 1e-9 });
    const next = makeCert({ label: 'resent' });
    const ids = (id: string) => ({ requestId: id, xmlContentId: `x-${id}@us`, contentIds: [`c-${id}@us`] });
    const sent = transition(state, { type: 'sendCertificates', relationshipId: 'acme', selection: signingSelection(next), includeActive: false, ids: ids('10') }, day(0)).state;
    const expired = transition(transition(sent, { type: 'requestDelivered', requestId: '10' }, day(0)).state, { type: 'tick' }, day(0)).state;
    const resent = transition(expired, { type: 'resend', requestId: '10', ids: ids('9') }, day(0)).state;
    const delivered = transition(resent, { type: 'requestDelivered', requestId: '9' }, day(0)).state;
    const rejected = answer(delivered, '9', [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    expect(Object.entries(rejected.outbound).map(([id, ex]) => [id, ex.status, ex.createdAt])).toEqual([['9', 'rejected', day(0).toISOString()], ['10', 'superseded', day(0).toISOString()]]);
    const late = answer(rejected, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(2));
    expect(late.state.outbound['9']?.items[0]).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(late.state.outbound['10']).toBe(rejected.outbound['10']);
  });

  it('a late acceptance of a certificate the slot no longer waits for leaves the newer one waiting', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const first = makeCert({ label: 'first-try' });
    const second = makeCert({ label: 'second-try' });
    const sentFirst = sendDelivered(state, signingSelection(first));
    const expired = transition(sentFirst.state, { type: 'tick' }, day(5.5)).state;
    const sentSecond = sendDelivered(expired, signingSelection(second), day(6));
    expect(sentSecond.state.relationships['acme']?.local.signing.successor?.cert.fingerprint).toBe(second.sha256);
    const late = answer(sentSecond.state, sentFirst.ids.requestId, [{ cert: first, status: 'Accepted' }], pki.partnerSigning, day(7)).state;
    const signing = late.relationships['acme']?.local.signing;
    expect(signing?.successor).toMatchObject({ status: 'pending' });
    expect(signing?.successor?.cert.fingerprint).toBe(second.sha256);
    expect(signing?.active.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256]);
  });
});
