import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/resolution.js';
import type { CemEvent } from '../../src/state/events.js';
import type { CemState } from '../../src/state/model.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { alertKinds, cemResponse, day, effectsOf, establishedState, ignoredReason, local, makeCert, responseEvent, T0, twoPartnersOnHttp } from './fixtures.js';
import { answer, send, sendDelivered } from './scenarios.js';

const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

describe('Outbound 6: our new encryption certificate', () => {
  it('decrypts with old and new from distribution, and first usage makes the new one active', () => {
    const { state, pki } = establishedState();
    const enc = makeCert();
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    expect(fps(resolveCertificates(sent.state, 'acme', T0)?.decryptInbound)).toEqual([pki.localEncryption.sha256, enc.sha256]);
    const accepted = answer(sent.state, sent.ids.requestId, [{ cert: enc, status: 'Accepted' }], pki.partnerSigning, day(1));
    expect(accepted.state.relationships['acme']?.local.encryption.successor?.status).toBe('accepted');
    expect(fps(resolveCertificates(accepted.state, 'acme', day(1))?.decryptInbound)).toEqual([pki.localEncryption.sha256, enc.sha256]);
    const oldUse = transition(accepted.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: pki.localEncryption.sha256 }, day(2));
    expect(oldUse.state).toBe(accepted.state);
    expect(oldUse.effects).toEqual([]);
    const firstUse = transition(accepted.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: enc.sha256 }, day(3));
    const slot = firstUse.state.relationships['acme']?.local.encryption;
    expect(slot?.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[enc.sha256, 'firstUsage']]);
    expect(slot?.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[pki.localEncryption.sha256, 'firstUsage']]);
    expect(effectsOf(firstUse.effects, 'archiveCertificate')).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'encryption', fingerprint: pki.localEncryption.sha256 }]);
    const resolved = resolveCertificates(firstUse.state, 'acme', day(3));
    expect(fps(resolved?.decryptInbound)).toEqual([enc.sha256]);
    expect(fps(resolved?.decryptArchive)).toEqual([pki.localEncryption.sha256]);
  });

  it('does not decrypt with a rejected encryption certificate, but keeps decrypting with one whose send failed', () => {
    const { state, pki } = establishedState();
    const enc = makeCert();
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    const rejected = answer(sent.state, sent.ids.requestId, [{ cert: enc, status: 'Rejected' }], pki.partnerSigning, day(1));
    expect(fps(resolveCertificates(rejected.state, 'acme', day(1))?.decryptInbound)).toEqual([pki.localEncryption.sha256]);
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'negative MDN' }, day(1));
    // A failed send may only have lost its MDN: the partner may already encrypt to the new certificate.
    expect(fps(resolveCertificates(failed.state, 'acme', day(1))?.decryptInbound)).toEqual([pki.localEncryption.sha256, enc.sha256]);
  });
});

describe('Outbound 7: our new signing / TLS client certificate is never used before acceptance', () => {
  const cases = [
    ['pending', false, (s: CemState) => s, 'old'],
    ['expired without useAfterRespondBy', false, (s: CemState) => transition(s, { type: 'tick' }, day(31)).state, 'old'],
    ['expired with useAfterRespondBy', true, (s: CemState) => transition(s, { type: 'tick' }, day(31)).state, 'new'],
  ] as const;
  it.each(cases)('while %s, signs and authenticates TLS with the %s certificate', (_name, useAfter, step, which) => {
    const { state, pki } = establishedState({ useAfterRespondBy: useAfter });
    const next = makeCert();
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption), tlsClient: local(next) });
    const after = step(sent.state);
    const resolved = resolveCertificates(after, 'acme', day(31));
    const expected = which === 'old' ? [pki.localSigning.sha256, pki.localTls.sha256] : [next.sha256, next.sha256];
    expect([resolved?.signOutbound?.fingerprint, resolved?.tlsClient?.fingerprint]).toEqual(expected);
    expect(resolved?.signMdn?.fingerprint).toBe(expected[0]);
  });

  it('switches signing and TLS client at acceptance', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption), tlsClient: local(next) });
    const accepted = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(2));
    const resolved = resolveCertificates(accepted.state, 'acme', day(2));
    expect([resolved?.signOutbound?.fingerprint, resolved?.tlsClient?.fingerprint]).toEqual([next.sha256, next.sha256]);
  });
});

/** acme and bolt on HTTP, with the default settings. */
const twoOnHttp = () => twoPartnersOnHttp({});

describe('Outbound 8: our new TLS server certificate needs every partner on the listener', () => {
  it('installs once every partner on the listener accepted it, then the install is confirmed', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const acceptedA = answer(toB.state, toA.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(1));
    expect(effectsOf(acceptedA.effects, 'installServerCertificate')).toEqual([]);
    expect(alertKinds(transition(acceptedA.state, { type: 'tick' }, day(1.5)).effects)).toContain('serverCertificatePending');
    const acceptedB = answer(acceptedA.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(2), 'BOLT');
    expect(effectsOf(acceptedB.effects, 'installServerCertificate')).toEqual([{ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: server.sha256, keyRef: `key:${server.sha256.slice(0, 8)}` }]);
    expect(effectsOf(transition(acceptedB.state, { type: 'tick' }, day(2.1)).effects, 'installServerCertificate')).toEqual([]);
    expect(resolveCertificates(acceptedB.state, 'acme', day(2))?.tlsServer?.subject).toContain('server-old');
    const installed = transition(acceptedB.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(2.01));
    expect(resolveCertificates(installed.state, 'acme', day(2.01))?.tlsServer?.fingerprint).toBe(server.sha256);
    expect(installed.state.servers.HTTP?.candidate).toBeNull();
    expect(installed.state.servers.HTTP?.archive.map((x) => x.cert.subject)).toEqual([expect.stringContaining('server-old')]);
    expect(installed.state.relationships['bolt']?.serverReadiness).toBeNull();
  });

  it('blocks the install when any partner rejects it (alert), until set as active', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const rejectedA = answer(toB.state, toA.ids.requestId, [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }], a.partnerSigning, day(1));
    expect(alertKinds(rejectedA.effects)).toContain('serverCertificateRejected');
    const acceptedB = answer(rejectedA.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(2), 'BOLT');
    expect(effectsOf(acceptedB.effects, 'installServerCertificate')).toEqual([]);
    const forced = transition(acceptedB.state, { type: 'setServerActive', protocol: 'HTTP' }, day(3));
    expect(effectsOf(forced.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
  });

  it('reminds daily with serverCertificatePending while any partner still waits or rejected it, until it is installed', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const acmeRejects = responseEvent(cemResponse(toA.ids.requestId, 'ACME', [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }]), a.partnerSigning);
    const boltAccepts = responseEvent(cemResponse(toB.ids.requestId, 'BOLT', [{ cert: server, status: 'Accepted' }]), b.partnerSigning, 'BOLT');
    type Expected = { waiting: string[]; rejecting: string[]; severity: string } | null;
    // T0 is 10:00 UTC: day(0.25) and day(0.5) fall on the same alert day.
    const table: readonly [string, CemEvent | null, Date, Expected][] = [
      ['nobody answered yet', null, day(0.25), { waiting: ['acme', 'bolt'], rejecting: [], severity: 'info' }],
      ['acme rejected, later that day', acmeRejects, day(0.5), null],
      ['the next day', null, day(1), { waiting: ['bolt'], rejecting: ['acme'], severity: 'warning' }],
      ['bolt accepted: only the rejection blocks it', boltAccepts, day(2), { waiting: [], rejecting: ['acme'], severity: 'warning' }],
      ['later the same day', null, day(2.4), null],
      ['the day after', null, day(3), { waiting: [], rejecting: ['acme'], severity: 'warning' }],
      ['set as active', { type: 'setServerActive', protocol: 'HTTP' }, day(4), null],
      ['installed', { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(5), null],
    ];
    let current = toB.state;
    for (const [label, event, at, expected] of table) {
      if (event !== null) {
        const applied = transition(current, event, new Date(at.getTime() - 3_600_000));
        expect(ignoredReason(applied.effects), label).toBeUndefined();
        current = applied.state;
      }
      const ticked = transition(current, { type: 'tick' }, at);
      current = ticked.state;
      const pending = effectsOf(ticked.effects, 'notify').filter((n) => n.alert.kind === 'serverCertificatePending').map((n) => n.alert);
      expect(pending.map((p) => ({ waiting: p.details['waiting'], rejecting: p.details['rejecting'], severity: p.severity })), label).toEqual(expected === null ? [] : [expected]);
      expect(effectsOf(ticked.effects, 'installServerCertificate'), label).toEqual([]);
    }
    expect(current.servers.HTTP?.installed?.cert.fingerprint).toBe(server.sha256);
  });

  it('allows only one pending server certificate per listener (serverCertificateMismatch)', () => {
    const { state, a, b } = twoOnHttp();
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(makeCert()) }, T0, 'acme');
    const toB = send(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(makeCert()) }, { relationshipId: 'bolt' });
    expect(ignoredReason(toB.effects)).toBe('serverCertificateMismatch');
    expect(toB.state).toBe(toA.state);
  });

  it('alerts when partners accepted more than one distinct server certificate', () => {
    const { state, a } = twoOnHttp();
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(makeCert()) }, T0, 'acme');
    const acceptedA = answer(toA.state, toA.ids.requestId, [], a.partnerSigning, day(1));
    expect(ignoredReason(acceptedA.effects)).toBe('unknownCertificate');
    const bolt = toA.state.relationships['bolt'];
    const acme = toA.state.relationships['acme'];
    if (bolt === undefined || acme?.serverReadiness == null) throw new Error('setup');
    const conflicting: CemState = {
      ...toA.state,
      relationships: {
        ...toA.state.relationships,
        acme: { ...acme, serverReadiness: { ...acme.serverReadiness, status: 'accepted' } },
        bolt: { ...bolt, serverReadiness: { fingerprint: makeCert().sha256, status: 'accepted', exchangeId: null, activateAt: null, reason: null } },
      },
    };
    const ticked = transition(conflicting, { type: 'tick' }, day(1));
    expect(alertKinds(ticked.effects)).toContain('serverCertificateConflict');
    expect(alertKinds(transition(ticked.state, { type: 'tick' }, day(1.1)).effects)).not.toContain('serverCertificateConflict');
  });
});

describe('Outbound 8: withdrawing the candidate server certificate of a listener', () => {
  function rejectedByAcme() {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const nextSigning = makeCert({ label: 'bolt-sign-next' });
    // bolt gets the server certificate with a new signing certificate (one exchange, two items).
    const toB = sendDelivered(toA.state, { signing: local(nextSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const rejected = answer(toB.state, toA.ids.requestId, [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }], a.partnerSigning, day(1));
    return { state: rejected.state, a, b, server, nextSigning, toA, toB };
  }

  it('is the only way out once a partner rejected it: other sends are refused and a configured certificate leaves it in place', () => {
    const { state, a, server } = rejectedByAcme();
    const other = makeCert({ label: 'server-other' });
    const again = send(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(other) });
    expect(ignoredReason(again.effects)).toBe('serverCertificateMismatch');
    expect(ignoredReason(transition(state, { type: 'cancelSchedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer' }, day(1)).effects)).toBe('invalidState');
    const configured = transition(state, { type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(other) }, day(1));
    expect(configured.state.servers.HTTP?.installed?.cert.fingerprint).toBe(other.sha256);
    expect(configured.state.servers.HTTP?.candidate?.cert.fingerprint).toBe(server.sha256);
  });

  it('archives the candidate as cancelled, clears every readiness, closes what only waited for it, and stops the daily alert', () => {
    const { state, b, server, nextSigning, toA, toB } = rejectedByAcme();
    expect(alertKinds(transition(state, { type: 'tick' }, day(2)).effects)).toContain('serverCertificatePending');
    const withdrawn = transition(state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(2));
    expect(ignoredReason(withdrawn.effects)).toBeUndefined();
    expect(withdrawn.effects).toEqual([{ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: server.sha256 }]);
    const slot = withdrawn.state.servers.HTTP;
    expect(slot?.candidate).toBeNull();
    expect(slot?.installed?.cert.subject).toContain('server-old');
    expect(slot?.archive.find((x) => x.cert.fingerprint === server.sha256)?.reason).toBe('cancelled');
    expect(withdrawn.state.relationships['acme']?.serverReadiness).toBeNull();
    expect(withdrawn.state.relationships['bolt']?.serverReadiness).toBeNull();
    // acme's Request was already answered (rejected); bolt's still waits for its signing certificate.
    expect(withdrawn.state.outbound[toA.ids.requestId]?.status).toBe('rejected');
    expect(withdrawn.state.outbound[toB.ids.requestId]?.status).toBe('pending');
    expect(withdrawn.state.relationships['bolt']?.local.signing.successor?.cert.fingerprint).toBe(nextSigning.sha256);
    expect(certificateStatuses(withdrawn.state, 'acme')?.filter((c) => c.fingerprint === server.sha256).map((c) => c.status)).toEqual(['Archived']);
    for (const at of [day(2.5), day(3), day(4)]) {
      const kinds = alertKinds(transition(withdrawn.state, { type: 'tick' }, at).effects);
      expect(kinds).not.toContain('serverCertificatePending');
      expect(kinds).not.toContain('serverCertificateRejected');
    }
    // A late answer for the withdrawn certificate installs nothing and alerts no rejection.
    const lateAnswer = answer(withdrawn.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }, { cert: nextSigning, status: 'Accepted' }], b.partnerSigning, day(3), 'BOLT');
    expect(effectsOf(lateAnswer.effects, 'installServerCertificate')).toEqual([]);
    expect(lateAnswer.state.relationships['bolt']?.serverReadiness).toBeNull();
    expect(lateAnswer.state.servers.HTTP?.candidate).toBeNull();
    expect(resolveCertificates(lateAnswer.state, 'bolt', day(3))?.signOutbound?.fingerprint).toBe(nextSigning.sha256);
  });

  it('closes an exchange that carried only the server certificate, also while sending: its later delivery report and expiry change nothing', () => {
    const { state, a, b } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = send(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, { relationshipId: 'bolt' });
    const withdrawn = transition(toB.state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(1));
    expect(withdrawn.state.outbound[toA.ids.requestId]?.status).toBe('closed');
    expect(withdrawn.state.outbound[toB.ids.requestId]?.status).toBe('closed');
    expect(ignoredReason(transition(withdrawn.state, { type: 'requestDelivered', requestId: toB.ids.requestId }, day(1)).effects)).toBe('invalidState');
    expect(ignoredReason(transition(withdrawn.state, { type: 'requestFailed', requestId: toB.ids.requestId, error: 'x' }, day(1)).effects)).toBe('invalidState');
    const later = transition(withdrawn.state, { type: 'tick' }, day(40));
    expect(alertKinds(later.effects)).not.toContain('requestOverdue');
    expect(relationshipStatus(withdrawn.state, 'acme')?.status).toBe('Active');
    expect(relationshipStatus(withdrawn.state, 'bolt')?.status).toBe('Active');
  });

  it('lets a new server certificate be sent to every partner of the listener afterwards', () => {
    const { state, a, b } = rejectedByAcme();
    const withdrawn = transition(state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(2)).state;
    const fresh = makeCert({ label: 'server-fresh' });
    const toA = sendDelivered(withdrawn, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(fresh) }, day(2), 'acme');
    expect(ignoredReason(toA.effects)).toBeUndefined();
    expect(toA.state.servers.HTTP?.candidate?.cert.fingerprint).toBe(fresh.sha256);
    const acceptedA = answer(toA.state, toA.ids.requestId, [{ cert: fresh, status: 'Accepted' }], a.partnerSigning, day(3));
    // bolt has no readiness for the fresh certificate yet: it is still waited for.
    expect(effectsOf(acceptedA.effects, 'installServerCertificate')).toEqual([]);
    const toB = sendDelivered(acceptedA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(fresh) }, day(3), 'bolt');
    expect(ignoredReason(toB.effects)).toBeUndefined();
    const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: fresh, status: 'Accepted' }], b.partnerSigning, day(4), 'BOLT');
    expect(effectsOf(acceptedB.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([fresh.sha256]);
  });

  it('is refused without a candidate, and a confirmation of the withdrawn install is refused too', () => {
    const { state, a, b } = twoOnHttp();
    expect(ignoredReason(transition(state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, T0).effects)).toBe('invalidState');
    expect(ignoredReason(transition(state, { type: 'withdrawServerCandidate', protocol: 'NOPE' } as unknown as CemEvent, T0).effects)).toBe('invalidEvent');
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const forced = transition(toB.state, { type: 'setServerActive', protocol: 'HTTP' }, day(1));
    expect(effectsOf(forced.effects, 'installServerCertificate')).toHaveLength(1);
    const withdrawn = transition(forced.state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(1));
    expect(withdrawn.state.servers.HTTP?.candidate).toBeNull();
    expect(ignoredReason(transition(withdrawn.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(1)).effects)).toBe('unknownCertificate');
  });
});
