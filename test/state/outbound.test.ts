import { describe, expect, it } from 'vitest';
import type { RelationshipInit } from '../../src/state/events.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { resolveCertificates } from '../../src/policy/resolution.js';
import { alertKinds, day, effectsOf, establishedState, ignoredReason, local, makeCert, requestEvent, T0 } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';

describe('Outbound 1: CEM preconditions, otherwise by email', () => {
  const cases: readonly [string, Partial<RelationshipInit>, readonly string[], 'cem' | 'email'][] = [
    ['AS2, CEM-capable by override', { cemOverride: 'capable' }, [], 'cem'],
    ['AS2, CEM observed in EDIINT-Features', { cemOverride: 'auto' }, ['multiple-attachments', 'cem'], 'cem'],
    ['AS2, CEM never observed', { cemOverride: 'auto' }, ['multiple-attachments'], 'email'],
    ['AS2, overridden as incapable although observed', { cemOverride: 'incapable' }, ['CEM'], 'email'],
    ['AS3, capable', { protocol: 'AS3', cemOverride: 'capable' }, [], 'email'],
    ['AS2, not established (no partner certificates)', { partner: {} }, [], 'email'],
  ];
  it.each(cases)('%s → %s', (_name, overrides, features, channel) => {
    const { state } = establishedState({}, overrides);
    const observed = transition(state, { type: 'featuresObserved', relationshipId: 'acme', features }, T0).state;
    const next = makeCert({ label: 'us-next' });
    const sent = send(observed, signingSelection(next));
    const exchange = sent.state.outbound[sent.ids.requestId];
    expect(exchange?.channel).toBe(channel);
    if (channel === 'cem') {
      expect(effectsOf(sent.effects, 'sendRequest')).toHaveLength(1);
      expect(exchange?.status).toBe('sending');
      expect(sent.state.relationships['acme']?.local.signing.successor?.status).toBe('pending');
    } else {
      const [email] = effectsOf(sent.effects, 'sendEmail');
      expect(email?.to).toBe('pki@acme.example');
      expect(email?.fingerprints).toEqual([next.sha256]);
      expect(exchange?.status).toBe('emailed');
      expect(sent.state.relationships['acme']?.local.signing.successor?.status).toBe('emailed');
      expect(relationshipStatus(sent.state, 'acme')?.status).toBe('Emailed');
    }
  });

  it('refuses the email fallback without an email address (noPartnerEmail)', () => {
    const { state } = establishedState({}, { cemOverride: 'incapable', partnerEmail: null });
    const sent = send(state, signingSelection(makeCert()));
    expect(ignoredReason(sent.effects)).toBe('noPartnerEmail');
    expect(sent.state).toBe(state);
  });

  it('refuses a CEM Request without a configured ResponseURL (noResponseUrl)', () => {
    const { state } = establishedState({}, { responseUrl: null });
    const sent = send(state, signingSelection(makeCert()));
    expect(ignoredReason(sent.effects)).toBe('noResponseUrl');
    expect(sent.state).toBe(state);
  });

  it('makes emailed certificates active only by an explicit set as active', () => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const next = makeCert();
    const sent = send(state, signingSelection(next));
    let current = transition(sent.state, { type: 'tick' }, day(400)).state;
    current = transition(current, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: next.sha256 }, day(401)).state;
    expect(current.relationships['acme']?.local.signing.successor?.status).toBe('emailed');
    expect(resolveCertificates(current, 'acme', day(401))?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    const activated = transition(current, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(402));
    expect(activated.state.relationships['acme']?.local.signing.active.map((a) => a.cert.fingerprint)).toEqual([next.sha256]);
    expect(activated.state.outbound[sent.ids.requestId]?.status).toBe('emailed');
    const both = transition(activated.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'encryption' }, day(402));
    expect(both.state.outbound[sent.ids.requestId]?.status).toBe('closed');
  });
});

describe('Outbound 2: selection', () => {
  it('sends the signing certificate for encryption too when no separate one is given (one item, two usages)', () => {
    const { state } = establishedState();
    const next = makeCert();
    const [request] = effectsOf(send(state, signingSelection(next)).effects, 'sendRequest');
    expect(request?.items).toEqual([{ fingerprint: next.sha256, usages: ['digitalSignature', 'keyEncipherment'], contentId: expect.any(String) }]);
  });

  it('sends one item per distinct certificate with all its usages, Content-IDs in the order given', () => {
    const { state } = establishedState();
    const sign = makeCert();
    const enc = makeCert();
    const sent = send(state, { signing: local(sign), encryption: local(enc), tlsClient: local(sign) });
    const [request] = effectsOf(sent.effects, 'sendRequest');
    expect(request?.items).toEqual([
      { fingerprint: sign.sha256, usages: ['digitalSignature', 'tlsClient'], contentId: sent.ids.contentIds[0] },
      { fingerprint: enc.sha256, usages: ['keyEncipherment'], contentId: sent.ids.contentIds[1] },
    ]);
    expect(request?.xmlContentId).toBe(sent.ids.xmlContentId);
  });

  it.each([
    [false, ['keyEncipherment']],
    [true, ['digitalSignature', 'keyEncipherment']],
  ] as const)('with includeActive %s the active signing certificate is %s', (includeActive, usages) => {
    const { state, pki } = establishedState();
    const enc = makeCert();
    const sent = send(state, { signing: local(pki.localSigning), encryption: local(enc) }, { includeActive });
    const [request] = effectsOf(sent.effects, 'sendRequest');
    expect(request?.items.flatMap((i) => i.usages)).toEqual(usages);
    expect(sent.state.relationships['acme']?.local.signing.successor).toBeNull();
  });

  it('refuses a selection with nothing new (nothingToSend)', () => {
    const { state, pki } = establishedState();
    const sent = send(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption) });
    expect(ignoredReason(sent.effects)).toBe('nothingToSend');
    expect(sent.state).toBe(state);
  });

  it.each(['pending', 'sendFailed', 'accepted', 'emailed'] as const)('refuses a usage whose successor is %s (alreadyPending)', (status) => {
    const { state, pki } = establishedState({}, status === 'emailed' ? { cemOverride: 'incapable' } : {});
    const first = makeCert();
    let current = send(state, signingSelection(first));
    const requestId = current.ids.requestId;
    if (status === 'sendFailed') current = { ...transition(current.state, { type: 'requestFailed', requestId, error: 'HTTP 503' }, T0), ids: current.ids };
    if (status === 'accepted') current = { ...answer(current.state, requestId, [{ cert: first, status: 'Accepted' }], pki.partnerSigning, day(1)), ids: current.ids };
    expect(current.state.relationships['acme']?.local.encryption.successor?.status).toBe(status);
    const again = send(current.state, { signing: local(pki.localSigning), encryption: local(makeCert()) });
    expect(ignoredReason(again.effects)).toBe('alreadyPending');
    expect(again.state).toBe(current.state);
  });

  it('refuses a TLS server certificate for a relationship without a listener (noListener)', () => {
    const { state } = establishedState({}, { listener: null });
    const sent = send(state, { signing: local(makeCert()), tlsServer: local(makeCert()) });
    expect(ignoredReason(sent.effects)).toBe('noListener');
  });
});

describe('Outbound 3: sent → Pending with a respond-by time; failure and retry', () => {
  it('records the exchange as sending, successors pending, respond-by = now + maxResponseDays', () => {
    const { state } = establishedState({ maxResponseDays: 10 });
    const sent = send(state, signingSelection(makeCert()));
    const exchange = sent.state.outbound[sent.ids.requestId];
    expect(exchange?.respondBy).toBe(day(10).toISOString());
    expect(effectsOf(sent.effects, 'sendRequest')[0]?.respondBy).toBe(day(10).toISOString());
    const delivered = transition(sent.state, { type: 'requestDelivered', requestId: sent.ids.requestId }, T0);
    expect(delivered.state.outbound[sent.ids.requestId]?.status).toBe('pending');
    expect(relationshipStatus(delivered.state, 'acme')?.status).toBe('Pending');
  });

  it('turns a transport failure into sendFailed with an alert, and retry sends the identical request', () => {
    const { state } = establishedState();
    const sent = send(state, signingSelection(makeCert()));
    const [original] = effectsOf(sent.effects, 'sendRequest');
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, day(0.1));
    expect(failed.state.outbound[sent.ids.requestId]?.status).toBe('sendFailed');
    expect(failed.state.relationships['acme']?.local.signing.successor?.status).toBe('sendFailed');
    expect(alertKinds(failed.effects)).toEqual(['sendFailed']);
    expect(relationshipStatus(failed.state, 'acme')?.status).toBe('SendFailed');
    const retried = transition(failed.state, { type: 'retry', exchangeId: sent.ids.requestId }, day(2));
    expect(effectsOf(retried.effects, 'sendRequest')).toEqual([original]);
    expect(retried.state.outbound[sent.ids.requestId]?.status).toBe('sending');
    expect(retried.state.outbound[sent.ids.requestId]?.attempts).toBe(2);
    expect(retried.state.relationships['acme']?.local.signing.successor?.status).toBe('pending');
  });

  it.each([
    ['retry of a pending request', (id: string) => ({ type: 'retry' as const, exchangeId: id }), 'invalidState'],
    ['delivery of an unknown request', () => ({ type: 'requestDelivered' as const, requestId: 'nope' }), 'unknownExchange'],
    ['a second delivery', (id: string) => ({ type: 'requestDelivered' as const, requestId: id }), 'duplicate'],
  ])('ignores %s', (_name, event, reason) => {
    const { state } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const result = transition(sent.state, event(sent.ids.requestId), day(1));
    expect(ignoredReason(result.effects)).toBe(reason);
    expect(result.state).toBe(sent.state);
  });
});

describe('Outbound 4: the partner answers', () => {
  it('makes everything active when every certificate is accepted, and notifies', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(2));
    const rel = answered.state.relationships['acme'];
    expect(rel?.local.signing.active.map((a) => a.cert.fingerprint)).toEqual([next.sha256]);
    expect(rel?.local.signing.archive.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256]);
    expect(answered.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
    expect(alertKinds(answered.effects)).toContain('responseReceived');
    expect(effectsOf(answered.effects, 'archiveCertificate').map((e) => e.fingerprint)).toEqual([pki.localSigning.sha256]);
    // The same certificate for encryption waits for the partner's first usage: Accepted until then.
    expect(relationshipStatus(answered.state, 'acme')?.status).toBe('Accepted');
    const used = transition(answered.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: next.sha256 }, day(3));
    expect(relationshipStatus(used.state, 'acme')?.status).toBe('Active');
  });

  it('marks rejected certificates Rejected with the reason and accepts the rest; per-certificate status is queryable', () => {
    const { state, pki } = establishedState();
    const sign = makeCert();
    const enc = makeCert();
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(enc) });
    const answered = answer(sent.state, sent.ids.requestId, [
      { cert: sign, status: 'Accepted' },
      { cert: enc, status: 'Rejected', reason: 'KeyUsage value was incorrect' },
    ], pki.partnerSigning, day(1));
    expect(answered.state.outbound[sent.ids.requestId]?.status).toBe('rejected');
    const statuses = certificateStatuses(answered.state, 'acme') ?? [];
    expect(statuses.find((c) => c.fingerprint === enc.sha256)).toMatchObject({ status: 'Rejected', reason: 'KeyUsage value was incorrect', usage: 'encryption' });
    expect(statuses.find((c) => c.fingerprint === sign.sha256)).toMatchObject({ status: 'Active', usage: 'signing' });
    expect(relationshipStatus(answered.state, 'acme')?.status).toBe('Rejected');
    expect(resolveCertificates(answered.state, 'acme', day(1))?.decryptInbound.map((c) => c.fingerprint)).toEqual([pki.localEncryption.sha256]);
  });

  it('keeps signing with the old certificate when the partner rejects our new signing certificate in time, and marks it Rejected with the reason', () => {
    const { state, pki } = establishedState();
    const sign = makeCert({ label: 'us-sign-next' });
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(pki.localEncryption) });
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: sign, status: 'Rejected', reason: 'unknown issuing CA' }], pki.partnerSigning, day(1));
    const resolved = resolveCertificates(rejected.state, 'acme', day(1));
    expect(resolved?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolved?.signMdn?.fingerprint).toBe(pki.localSigning.sha256);
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localSigning.sha256, 'initial']]);
    expect(signing.successor).toMatchObject({ cert: { fingerprint: sign.sha256 }, status: 'rejected', reason: 'unknown issuing CA', exchangeId: sent.ids.requestId });
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([]);
    expect(certificateStatuses(rejected.state, 'acme')?.find((c) => c.fingerprint === sign.sha256)).toMatchObject({ side: 'local', usage: 'signing', status: 'Rejected', reason: 'unknown issuing CA' });
    expect(rejected.state.outbound[sent.ids.requestId]?.items[0]).toMatchObject({ status: 'rejected', reason: 'unknown issuing CA' });
    expect(relationshipStatus(rejected.state, 'acme')?.status).toBe('Rejected');
    // Time passing (also past the respond-by time, with useAfterRespondBy) never puts it to use.
    const later = transition(transition(rejected.state, { type: 'settingsChanged', settings: { useAfterRespondBy: true } }, day(2)).state, { type: 'tick' }, day(40));
    expect(resolveCertificates(later.state, 'acme', day(40))?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
  });

  it('matches the issuer by meaning and the serial by value', () => {
    const { state, pki } = establishedState();
    const next = makeCert({ issuer: 'CN=Test Issuing CA,O=Test PKI,C=US' });
    const sent = sendDelivered(state, signingSelection(next));
    const response = { requestId: sent.ids.requestId, sender: { name: 'ACME', qualifier: 'AS2' }, originated: { lexical: 'x', instant: day(1), offsetMinutes: 0 },
      trustResponses: [{ status: 'Accepted' as const, reason: null, certificate: { issuer: 'c=US, o=test pki, cn=TEST ISSUING CA', serial: `000${next.serial}` } }] };
    const answered = transition(sent.state, { type: 'responseReceived', as2From: 'ACME', as2To: 'US', verifiedBy: pki.partnerSigning.sha256, messageId: 'm1', response }, day(1));
    expect(answered.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
  });

  it('ignores a repeated identical response (duplicate) and adopts a later conflicting one', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'not yet' }], pki.partnerSigning, day(1));
    const again = answer(rejected.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'not yet' }], pki.partnerSigning, day(2));
    expect(ignoredReason(again.effects)).toBe('duplicate');
    expect(again.state).toBe(rejected.state);
    const changed = answer(rejected.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(3));
    const item = changed.state.outbound[sent.ids.requestId]?.items[0];
    expect(item).toMatchObject({ status: 'accepted', previousStatus: 'rejected' });
    expect(changed.state.relationships['acme']?.local.signing.active[0]?.cert.fingerprint).toBe(next.sha256);
  });

  it.each([
    ['an unknown partner', { from: 'STRANGER' }, 'unknownRelationship'],
    ['a signature by an unaccepted certificate', { signer: 'other' }, 'notAuthenticated'],
    ['an unsigned response', { signer: 'none' }, 'notAuthenticated'],
    ['a sender Name other than AS2-From', { sender: 'SOMEONE' }, 'nameMismatch'],
  ] as const)('refuses a response from %s with messageRefused and changes nothing', (_name, variant, reason) => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const from = 'from' in variant ? variant.from : 'ACME';
    const signer = 'signer' in variant ? (variant.signer === 'other' ? makeCert().sha256 : null) : pki.partnerSigning.sha256;
    const response = { requestId: sent.ids.requestId, sender: { name: 'sender' in variant ? variant.sender : from, qualifier: 'AS2' }, originated: { lexical: 'x', instant: day(1), offsetMinutes: 0 },
      trustResponses: [{ status: 'Accepted' as const, reason: null, certificate: { issuer: next.issuer, serial: next.serial } }] };
    const result = transition(sent.state, { type: 'responseReceived', as2From: from, as2To: 'US', verifiedBy: signer, messageId: 'm', response }, day(1));
    expect(ignoredReason(result.effects)).toBe(reason);
    expect(alertKinds(result.effects)).toEqual(['messageRefused']);
    expect(result.state).toBe(sent.state);
  });

  it('ignores a response to an unknown requestId', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const result = answer(sent.state, 'unknown-request', [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1));
    expect(ignoredReason(result.effects)).toBe('unknownExchange');
    expect(result.state).toBe(sent.state);
  });
});

describe('Outbound 5: no response by the respond-by time', () => {
  it('expires the request, alerts at once and then daily until someone acts', () => {
    const { state } = establishedState({ maxResponseDays: 5 });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const before = transition(sent.state, { type: 'tick' }, day(4.9));
    expect(alertKinds(before.effects)).not.toContain('requestOverdue');
    const expired = transition(before.state, { type: 'tick' }, day(5.01));
    expect(expired.state.outbound[sent.ids.requestId]?.status).toBe('expired');
    expect(expired.state.relationships['acme']?.local.signing.successor?.status).toBe('expired');
    expect(alertKinds(expired.effects)).toEqual(['requestOverdue']);
    expect(relationshipStatus(expired.state, 'acme')?.status).toBe('Expired');
    const sameDay = transition(expired.state, { type: 'tick' }, day(5.05));
    expect(alertKinds(sameDay.effects)).toEqual([]);
    const nextDay = transition(sameDay.state, { type: 'tick' }, day(6.01));
    expect(alertKinds(nextDay.effects)).toEqual(['requestOverdue']);
    const acted = transition(nextDay.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(6.5));
    const acted2 = transition(acted.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'encryption' }, day(6.5));
    expect(acted2.state.outbound[sent.ids.requestId]?.status).toBe('closed');
    expect(alertKinds(transition(acted2.state, { type: 'tick' }, day(7.01)).effects)).toEqual([]);
  });

  it('stops the daily alert when a (late) response arrives', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const answered = answer(expired.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(6));
    expect(answered.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
    expect(answered.state.relationships['acme']?.local.signing.active[0]?.cert.fingerprint).toBe(next.sha256);
    expect(alertKinds(transition(answered.state, { type: 'tick' }, day(7)).effects)).toEqual([]);
  });

  it('resend supersedes the expired request with a new one for the same certificates', () => {
    const { state } = establishedState({ maxResponseDays: 5 });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const newIds = { requestId: 'resend-1', xmlContentId: 'x@us', contentIds: ['c1@us'] };
    const resent = transition(expired.state, { type: 'resend', requestId: sent.ids.requestId, ids: newIds }, day(6));
    expect(resent.state.outbound[sent.ids.requestId]?.status).toBe('superseded');
    expect(resent.state.outbound['resend-1']).toMatchObject({ status: 'sending', respondBy: day(11).toISOString() });
    expect(effectsOf(resent.effects, 'sendRequest')[0]?.items).toEqual([{ fingerprint: next.sha256, usages: ['digitalSignature', 'keyEncipherment'], contentId: 'c1@us' }]);
    expect(resent.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'pending', exchangeId: 'resend-1' });
    expect(alertKinds(transition(resent.state, { type: 'tick' }, day(7)).effects)).toEqual([]);
  });

  it('with useAfterRespondBy, starts signing with the expired certificate but keeps the old encryption one too', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5, useAfterRespondBy: true });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const rel = expired.state.relationships['acme'];
    expect(rel?.local.signing.active[0]).toMatchObject({ cause: 'respondByPassed', cert: { fingerprint: next.sha256 } });
    expect(rel?.local.encryption.successor?.status).toBe('expired');
    const resolved = resolveCertificates(expired.state, 'acme', day(5.5));
    expect(resolved?.signOutbound?.fingerprint).toBe(next.sha256);
    expect(resolved?.decryptInbound.map((c) => c.fingerprint)).toEqual([pki.localEncryption.sha256, next.sha256]);
  });
});

describe('Outbound 4: responses from older peers', () => {
  it('matches a Response without requestId to the newest Request naming its certificate', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const answered = answer(sent.state, null, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1));
    expect(answered.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
  });
});

describe('Outbound 5: a new selection replaces an expired one', () => {
  it('closes the expired request whose certificates were all replaced, so its daily alert stops', () => {
    const { state } = establishedState({ maxResponseDays: 2 });
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const expired = transition(sent.state, { type: 'tick' }, day(2.5));
    const replaced = send(expired.state, { signing: local(makeCert()) }, { at: day(3) });
    expect(replaced.state.outbound[sent.ids.requestId]?.status).toBe('closed');
    expect(alertKinds(transition(replaced.state, { type: 'tick' }, day(4)).effects)).not.toContain('requestOverdue');
  });
});

describe('Outbound 5: a Request still sending at its respond-by time', () => {
  it('expires like a pending one (requestOverdue at once, then daily) and a late delivery report never revives it', () => {
    const { state } = establishedState({ maxResponseDays: 2 });
    const next = makeCert();
    const sent = send(state, signingSelection(next));
    expect(sent.state.outbound[sent.ids.requestId]?.status).toBe('sending');
    const expired = transition(sent.state, { type: 'tick' }, day(2.5));
    expect(expired.state.outbound[sent.ids.requestId]).toMatchObject({ status: 'expired', undelivered: true });
    expect(expired.state.relationships['acme']?.local.signing.successor?.status).toBe('expired');
    expect(alertKinds(expired.effects)).toContain('requestOverdue');
    expect(alertKinds(transition(expired.state, { type: 'tick' }, day(3.5)).effects)).toContain('requestOverdue');
    expect(relationshipStatus(expired.state, 'acme')?.status).toBe('Expired');
    for (const event of [{ type: 'requestDelivered', requestId: sent.ids.requestId }, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }] as const) {
      const late = transition(expired.state, event, day(2.6));
      expect(ignoredReason(late.effects), event.type).toBe('invalidState');
      expect(late.state).toBe(expired.state);
    }
    // A late Response is still adopted, and resend supersedes it with a fresh Request.
    const resent = transition(expired.state, { type: 'resend', requestId: sent.ids.requestId, ids: { requestId: 'again', xmlContentId: 'x@us', contentIds: ['c1@us'] } }, day(3));
    expect(resent.state.outbound[sent.ids.requestId]?.status).toBe('superseded');
    expect(resent.state.outbound['again']?.status).toBe('sending');
  });

  it('with useAfterRespondBy, activates nothing of a Request whose delivery was never confirmed', () => {
    const { state, pki } = establishedState({ maxResponseDays: 2, useAfterRespondBy: true });
    const next = makeCert();
    const sent = send(state, { signing: local(next), encryption: local(pki.localEncryption), tlsClient: local(next) });
    const expired = transition(sent.state, { type: 'tick' }, day(2.5));
    const resolved = resolveCertificates(expired.state, 'acme', day(2.5));
    expect([resolved?.signOutbound?.fingerprint, resolved?.tlsClient?.fingerprint]).toEqual([pki.localSigning.sha256, pki.localTls.sha256]);
    expect(alertKinds(expired.effects)).not.toContain('certificateActivated');
    // The same Request delivered in time is used after its respond-by time (draft §2.4 MAY).
    const delivered = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption), tlsClient: local(next) });
    const used = transition(delivered.state, { type: 'tick' }, day(2.5));
    expect(resolveCertificates(used.state, 'acme', day(2.5))?.signOutbound?.fingerprint).toBe(next.sha256);
  });
});

describe('Outbound 3: a failed send nobody retries', () => {
  it('reminds daily with retryNeeded from the next alert day until it is retried', () => {
    const { state } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0);
    expect(alertKinds(failed.effects)).toEqual(['sendFailed']);
    expect(alertKinds(transition(failed.state, { type: 'tick' }, new Date(T0.getTime() + 3_600_000)).effects)).not.toContain('retryNeeded');
    const nextDay = transition(failed.state, { type: 'tick' }, day(1));
    const [reminder] = effectsOf(nextDay.effects, 'notify').filter((n) => n.alert.kind === 'retryNeeded');
    expect(reminder?.alert).toMatchObject({ dedupeKey: `retryNeeded:request:${sent.ids.requestId}@2026-03-03`, severity: 'warning', relationshipId: 'acme', details: { exchangeId: sent.ids.requestId, what: 'request', error: 'HTTP 503', attempts: 1 } });
    expect(alertKinds(transition(nextDay.state, { type: 'tick' }, day(1.2)).effects)).not.toContain('retryNeeded');
    expect(alertKinds(transition(nextDay.state, { type: 'tick' }, day(2)).effects)).toContain('retryNeeded');
    const retried = transition(nextDay.state, { type: 'retry', exchangeId: sent.ids.requestId }, day(1.5));
    expect(alertKinds(transition(retried.state, { type: 'tick' }, day(3)).effects)).not.toContain('retryNeeded');
  });

  it('reminds about a failed email and a failed Response of ours the same way', () => {
    const { state } = establishedState({}, { cemOverride: 'incapable' });
    const mailed = send(state, signingSelection(makeCert()));
    const mailFailed = transition(mailed.state, { type: 'emailFailed', exchangeId: mailed.ids.requestId, error: 'SMTP 554' }, T0);
    expect(effectsOf(transition(mailFailed.state, { type: 'tick' }, day(1)).effects, 'notify').filter((n) => n.alert.kind === 'retryNeeded').map((n) => n.alert.details['what'])).toEqual(['email']);

    const auto = establishedState({ autoAccept: true });
    const requested = transition(auto.state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], auto.pki.partnerSigning), T0);
    const responseFailed = transition(requested.state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, T0);
    const ticked = transition(responseFailed.state, { type: 'tick' }, day(1));
    expect(effectsOf(ticked.effects, 'notify').filter((n) => n.alert.kind === 'retryNeeded').map((n) => n.alert.dedupeKey)).toEqual(['retryNeeded:response:acme/r1@2026-03-03']);
    const retried = transition(ticked.state, { type: 'retry', exchangeId: 'acme/r1' }, day(1.5));
    expect(alertKinds(transition(retried.state, { type: 'tick' }, day(2)).effects)).not.toContain('retryNeeded');
  });
});
