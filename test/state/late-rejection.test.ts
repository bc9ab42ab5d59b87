import { describe, expect, it } from 'vitest';
import type { CemState, CemSettings } from '../../src/state/model.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { resolveCertificates } from '../../src/policy/resolution.js';
import { alertKinds, day, effectsOf, establishedState, local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

const USE_AFTER: Partial<CemSettings> = { maxResponseDays: 5, useAfterRespondBy: true };

describe('a late Rejected answer for a certificate we started using after the respond-by time', () => {
  it('restores the previous signing certificate, marks the rejected one Rejected and warns', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const next = makeCert({ label: 'us-next' });
    const sent = sendDelivered(state, signingSelection(next));
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    expect(resolveCertificates(expired.state, 'acme', day(5.5))?.signOutbound?.fingerprint).toBe(next.sha256);

    const rejected = answer(expired.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'unknown CA' }], pki.partnerSigning, day(6));
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localSigning.sha256, 'restored']]);
    expect(signing.successor).toMatchObject({ cert: { fingerprint: next.sha256 }, status: 'rejected', reason: 'unknown CA', exchangeId: sent.ids.requestId });
    expect(signing.archive.map((a) => a.cert.fingerprint)).not.toContain(pki.localSigning.sha256);
    const resolved = resolveCertificates(rejected.state, 'acme', day(6));
    expect(resolved?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolved?.signMdn?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolved?.decryptInbound.map((c) => c.fingerprint)).toEqual([pki.localEncryption.sha256]);

    const [warning] = effectsOf(rejected.effects, 'notify').filter((n) => n.alert.kind === 'certificateRestored');
    expect(warning?.alert).toMatchObject({ severity: 'warning', relationshipId: 'acme', details: { side: 'local', usage: 'signing', requestId: sent.ids.requestId, reason: 'unknown CA' } });
    expect(warning?.alert.message).toContain('active again');
    expect(alertKinds(rejected.effects)).toContain('responseReceived');
    expect(rejected.state.outbound[sent.ids.requestId]?.status).toBe('rejected');
    expect(relationshipStatus(rejected.state, 'acme')?.status).toBe('Rejected');
    expect(certificateStatuses(rejected.state, 'acme')?.find((c) => c.fingerprint === next.sha256 && c.usage === 'signing')?.status).toBe('Rejected');
    expect(alertKinds(transition(rejected.state, { type: 'tick' }, day(7)).effects)).not.toContain('requestOverdue');
  });

  it('restores the previous TLS client certificate, and leaves the slot empty when there was none', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(tls) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    expect(resolveCertificates(expired.state, 'acme', day(5.5))?.tlsClient?.fingerprint).toBe(tls.sha256);
    const rejected = answer(expired.state, sent.ids.requestId, [{ cert: tls, status: 'Rejected' }], pki.partnerSigning, day(6));
    expect(resolveCertificates(rejected.state, 'acme', day(6))?.tlsClient?.fingerprint).toBe(pki.localTls.sha256);
    expect(alertKinds(rejected.effects)).toContain('certificateRestored');

    const bare = establishedState(USE_AFTER, { local: { signing: local(pki.localSigning), encryption: local(pki.localEncryption) } });
    const first = sendDelivered(bare.state, { signing: local(bare.pki.localSigning), encryption: local(bare.pki.localEncryption), tlsClient: local(tls) });
    const used = transition(first.state, { type: 'tick' }, day(5.5));
    expect(resolveCertificates(used.state, 'acme', day(5.5))?.tlsClient?.fingerprint).toBe(tls.sha256);
    const refused = answer(used.state, first.ids.requestId, [{ cert: tls, status: 'Rejected' }], bare.pki.partnerSigning, day(6));
    expect(resolveCertificates(refused.state, 'acme', day(6))?.tlsClient).toBeNull();
    expect(refused.state.relationships['acme']?.local.tlsClient.successor?.status).toBe('rejected');
  });

  it('archives the rejected certificate (reason rejected) when a newer certificate already waits in the slot', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const next = makeCert({ label: 'us-next' });
    const newer = makeCert({ label: 'us-newer' });
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const again = sendDelivered(expired.state, { signing: local(newer), encryption: local(pki.localEncryption) }, day(5.6));
    const rejected = answer(again.state, sent.ids.requestId, [{ cert: next, status: 'Rejected' }], pki.partnerSigning, day(6));
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256]);
    expect(signing.successor).toMatchObject({ cert: { fingerprint: newer.sha256 }, status: 'pending' });
    expect(signing.archive.find((a) => a.cert.fingerprint === next.sha256)?.reason).toBe('rejected');
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'signing', fingerprint: next.sha256 }]);
    expect(alertKinds(rejected.effects)).toContain('certificateRestored');
  });

  it('uses the certificate again when a later, conflicting Accepted follows the rejection', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const next = makeCert({ label: 'us-next' });
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const rejected = answer(expired.state, sent.ids.requestId, [{ cert: next, status: 'Rejected' }], pki.partnerSigning, day(6));
    const accepted = answer(rejected.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(7));
    expect(resolveCertificates(accepted.state, 'acme', day(7))?.signOutbound?.fingerprint).toBe(next.sha256);
    expect(accepted.state.relationships['acme']?.local.signing.successor).toBeNull();
  });

  it('changes nothing in use for a late Rejected of a certificate activated otherwise (set as active, a timely Accepted)', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const next = makeCert({ label: 'us-next' });
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const manual = transition(sent.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(1));
    const rejected = answer(manual.state, sent.ids.requestId, [{ cert: next, status: 'Rejected' }], pki.partnerSigning, day(6));
    expect(resolveCertificates(rejected.state, 'acme', day(6))?.signOutbound?.fingerprint).toBe(next.sha256);
    expect(alertKinds(rejected.effects)).not.toContain('certificateRestored');
  });

  it('keeps signing with the new certificate after a late Accepted', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const next = makeCert({ label: 'us-next' });
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    const accepted = answer(expired.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(6));
    expect(resolveCertificates(accepted.state, 'acme', day(6))?.signOutbound?.fingerprint).toBe(next.sha256);
    expect(alertKinds(accepted.effects)).not.toContain('certificateRestored');
  });
});

function twoOnHttp(): { state: CemState; a: ReturnType<typeof makePki>; b: ReturnType<typeof makePki>; old: ReturnType<typeof makeCert> } {
  const a = makePki();
  const b = makePki();
  const old = makeCert({ label: 'server-old' });
  const state = run(createInitialState(USE_AFTER), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
    [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', b) }, T0],
    [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(old) }, T0],
  ]).state;
  return { state, a, b, old };
}

describe('a late Rejected answer for a server certificate installed after the respond-by time', () => {
  it('installs the previous server certificate again, archives the rejected one and warns', () => {
    const { state, a, b, old } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(1), 'BOLT');
    const expired = transition(acceptedB.state, { type: 'tick' }, day(5.5));
    expect(effectsOf(expired.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    const installed = transition(expired.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(5.6));
    expect(installed.state.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: server.sha256 }, cause: 'respondByPassed' });

    const rejected = answer(installed.state, toA.ids.requestId, [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }], a.partnerSigning, day(6));
    const slot = rejected.state.servers.HTTP!;
    expect(slot.installed).toMatchObject({ cert: { fingerprint: old.sha256 }, cause: 'restored' });
    expect(slot.archive.find((x) => x.cert.fingerprint === server.sha256)?.reason).toBe('rejected');
    expect(slot.archive.map((x) => x.cert.fingerprint)).not.toContain(old.sha256);
    expect(effectsOf(rejected.effects, 'installServerCertificate')).toEqual([{ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: old.sha256, keyRef: `key:${old.sha256.slice(0, 8)}` }]);
    expect(effectsOf(rejected.effects, 'archiveCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    const warning = effectsOf(rejected.effects, 'notify').find((n) => n.alert.kind === 'certificateRestored');
    expect(warning?.alert).toMatchObject({ severity: 'warning', details: { side: 'local', usage: 'HTTP server' } });
    for (const id of ['acme', 'bolt']) expect(resolveCertificates(rejected.state, id, day(6))?.tlsServer?.fingerprint).toBe(old.sha256);
    // The host confirming the install of the old certificate changes nothing more.
    const confirmed = transition(rejected.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: old.sha256 }, day(6.1));
    expect(confirmed.state.servers.HTTP).toBe(slot);
  });

  it('installs the previous one again when the rejection arrives between the install request and its confirmation', () => {
    const { state, a, b, old } = twoOnHttp();
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const expired = transition(toB.state, { type: 'tick' }, day(5.5));
    expect(effectsOf(expired.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    const rejected = answer(expired.state, toA.ids.requestId, [{ cert: server, status: 'Rejected' }], a.partnerSigning, day(5.55));
    const installed = transition(rejected.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(5.6));
    expect(installed.state.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: old.sha256 }, cause: 'restored' });
    expect(effectsOf(installed.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([old.sha256]);
    expect(alertKinds(installed.effects)).toContain('certificateRestored');
  });
});
