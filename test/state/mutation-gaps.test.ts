/**
 * Lifecycle behaviours mutation testing found unasserted (issue 12, gaps 10–12, 14 and the
 * smaller traffic ones), driven through `transition` only. Effect lists are compared whole, so
 * an extra or missing effect is noticed.
 */
import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/index.js';
import { transition } from '../../src/state/index.js';
import type { CemEvent, CemState, CertRef } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, requestEvent, T0 } from './fixtures.js';
import { answer, sendDelivered } from './scenarios.js';
import { shape } from './assertions.js';

function ref(label: string): CertRef {
  const c = makeCert({ label });
  return { fingerprint: c.sha256, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

describe('tick at the respond-by time with useAfterRespondBy (gap 10, tick effects: gap 12)', () => {
  it('activates the unanswered TLS client successor but not the signing successor the partner already rejected', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5, useAfterRespondBy: true });
    const sign = makeCert({ label: 'us-sign-next' });
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: sign, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1));
    expect(rejected.state.outbound[sent.ids.requestId]?.status).toBe('pending');
    const ticked = transition(rejected.state, { type: 'tick' }, day(5.5));
    const rel = ticked.state.relationships['acme']!;
    expect(rel.local.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localSigning.sha256, 'initial']]);
    expect(rel.local.signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: sign.sha256 } });
    expect(rel.local.tlsClient.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[tls.sha256, 'respondByPassed']]);
    expect(resolveCertificates(ticked.state, 'acme', day(5.5))?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(shape(ticked.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:requestOverdue']);
    expect(ticked.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'tlsClient', fingerprint: pki.localTls.sha256 });
    const activated = ticked.effects[1];
    expect(activated?.type === 'notify' && activated.alert.details).toMatchObject({ usage: 'tlsClient', cause: 'respondByPassed', certificate: { fingerprint: tls.sha256 } });
  });

  it('a tick with nothing due gives no effects and the same state', () => {
    const { state } = establishedState();
    const ticked = transition(state, { type: 'tick' }, day(1));
    expect(ticked.effects).toEqual([]);
    expect(ticked.state).toBe(state);
  });
});

describe('inbound decide and retry (gaps 11, 12)', () => {
  it('decide gives exactly the Response (and, on accepting an encryption certificate, its switch) and no other effect', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const enc = makeCert({ label: 'partner-enc-next' });
    const received = transition(state, requestEvent('r1', [{ cert: enc, usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    expect(received.state.inbound['acme/r1']?.status).toBe('awaitingDecision');
    const rejected = transition(received.state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: enc.sha256, accept: false, reason: 'weak key' }] }, day(1));
    expect(shape(rejected.effects)).toEqual(['sendResponse']);
    const accepted = transition(received.state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: enc.sha256, accept: true }] }, day(1));
    expect(shape(accepted.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'sendResponse']);
    expect(accepted.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'partner', usage: 'encryption', fingerprint: pki.partnerEncryption.sha256 });
  });

  it('counts the attempts of a Response: one when first sent, one more per retry', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    const first = received.state.inbound['acme/r1']!.attempts;
    const failed = transition(received.state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1));
    const retried = transition(failed.state, { type: 'retry', exchangeId: 'acme/r1' }, day(2));
    expect(retried.state.inbound['acme/r1']).toMatchObject({ status: 'responding', attempts: first + 1 });
    expect(shape(retried.effects)).toEqual(['sendResponse']);
    const failedAgain = transition(retried.state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 503' }, day(3));
    const alert = failedAgain.effects[0];
    expect(shape(failedAgain.effects)).toEqual(['notify:sendFailed']);
    expect(alert?.type === 'notify' && alert.alert).toMatchObject({ dedupeKey: `sendFailed:acme/r1:${first + 1}`, details: { attempts: first + 1 } });
    const again = transition(failedAgain.state, { type: 'retry', exchangeId: 'acme/r1' }, day(4));
    expect(again.state.inbound['acme/r1']?.attempts).toBe(first + 2);
  });
});

describe('trafficObserved (gaps 12, 14, smaller traffic gaps)', () => {
  it('first usage of an accepted partner signing certificate gives exactly the archive and the activation alert', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const next = makeCert({ label: 'partner-sign-next' });
    const accepted = transition(state, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const used = transition(accepted, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: next.sha256 }, day(1));
    expect(shape(used.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
    expect(used.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'partner', usage: 'signing', fingerprint: pki.partnerSigning.sha256 });
  });

  it('a retireOlder use in a slot that also holds a successor archives the older one and reports no activation', () => {
    const { state, pki } = establishedState();
    const newer = ref('partner-sign-newer');
    const waiting = ref('partner-sign-waiting');
    const rel = state.relationships['acme']!;
    const slot = rel.partner.signing;
    const twoActive: CemState = {
      ...state,
      relationships: {
        acme: {
          ...rel,
          partner: {
            ...rel.partner,
            signing: {
              ...slot,
              active: [{ cert: newer, since: T0.toISOString(), cause: 'manual' }, ...slot.active],
              successor: { cert: waiting, status: 'pending', since: T0.toISOString(), exchangeId: null, activateAt: null, reason: null },
            },
          },
        },
      },
    };
    const used = transition(twoActive, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: newer.fingerprint }, day(1));
    expect(used.effects).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'partner', usage: 'signing', fingerprint: pki.partnerSigning.sha256 }]);
    const after = used.state.relationships['acme']!.partner.signing;
    expect(after.active.map((a) => a.cert.fingerprint)).toEqual([newer.fingerprint]);
    expect(after.successor).toMatchObject({ status: 'pending', cert: { fingerprint: waiting.fingerprint } });
  });

  it('ordinary traffic returns the very same state and no effects', () => {
    const { state, pki } = establishedState();
    const result = transition(state, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: pki.partnerSigning.sha256, decryptedWith: pki.localEncryption.sha256 }, day(1));
    expect(result.state).toBe(state);
    expect(result.effects).toEqual([]);
  });

  it.each(['decryptedWith', 'verifiedWith', 'partnerTlsServer', 'partnerTlsClient'] as const)('refuses a non-string %s as invalidEvent, changing nothing', (field) => {
    const { state, pki } = establishedState({ autoAccept: true });
    const next = makeCert({ label: 'partner-sign-next' });
    const accepted = transition(state, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const event = { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: next.sha256, [field]: 42 } as unknown as CemEvent;
    const result = transition(accepted, event, day(1));
    expect(result.state).toBe(accepted);
    expect(result.effects).toEqual([expect.objectContaining({ type: 'ignored', reason: 'invalidEvent' })]);
    expect(result.effects).toHaveLength(1);
  });
});
