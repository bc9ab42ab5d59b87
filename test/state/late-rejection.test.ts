import { describe, expect, it } from 'vitest';
import type { CemState, CemSettings } from '../../src/state/model.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { resolveCertificates } from '../../src/policy/resolution.js';
import { alertKinds, day, effectsOf, establishedState, local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';

const USE_AFTER: Partial<CemSettings> = { maxResponseDays: 5, useAfterRespondBy: true };

/** Our new signing certificate (with the old encryption one), sent and unanswered, in use since its respond-by time passed (day 5.5). */
function signingInUseAfterRespondBy() {
  const { state, pki } = establishedState(USE_AFTER);
  const next = makeCert({ label: 'us-next' });
  const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
  const expired = transition(sent.state, { type: 'tick' }, day(5.5));
  return { pki, next, sent, expired };
}

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
    const { pki, next, sent, expired } = signingInUseAfterRespondBy();
    const newer = makeCert({ label: 'us-newer' });
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
    const { pki, next, sent, expired } = signingInUseAfterRespondBy();
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
    const { pki, next, sent, expired } = signingInUseAfterRespondBy();
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

describe('a Rejected answer for our encryption certificate the partner encrypted to before answering', () => {
  const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

  it('restores the previous encryption certificate, archives the rejected one as rejected (still reprocessable) and warns', () => {
    const { state, pki } = establishedState();
    const enc = makeCert({ label: 'us-enc-next' });
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    const used = transition(sent.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: enc.sha256 }, day(1));
    expect(used.state.relationships['acme']?.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause, a.replaced])).toEqual([[enc.sha256, 'firstUsage', [pki.localEncryption.sha256]]]);
    expect(fps(resolveCertificates(used.state, 'acme', day(1))?.decryptInbound)).toEqual([enc.sha256]);

    const rejected = answer(used.state, sent.ids.requestId, [{ cert: enc, status: 'Rejected', reason: 'key too weak' }], pki.partnerSigning, day(2));
    const slot = rejected.state.relationships['acme']!.local.encryption;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localEncryption.sha256, 'restored']]);
    expect(slot.successor).toBeNull();
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[enc.sha256, 'rejected']]);
    const resolved = resolveCertificates(rejected.state, 'acme', day(2));
    expect(fps(resolved?.decryptInbound)).toEqual([pki.localEncryption.sha256]);
    expect(fps(resolved?.decryptArchive)).toEqual([enc.sha256]);
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'encryption', fingerprint: enc.sha256 }]);
    const [warning] = effectsOf(rejected.effects, 'notify').filter((n) => n.alert.kind === 'certificateRestored');
    expect(warning?.alert).toMatchObject({ severity: 'warning', relationshipId: 'acme', details: { side: 'local', usage: 'encryption', requestId: sent.ids.requestId, reason: 'key too weak', inUse: 'firstUsage', restored: [{ fingerprint: pki.localEncryption.sha256 }] } });
    expect(warning?.alert.message).toContain('encrypted to it before answering');
    expect(rejected.state.outbound[sent.ids.requestId]?.status).toBe('rejected');
    expect(certificateStatuses(rejected.state, 'acme')?.find((c) => c.fingerprint === enc.sha256)).toMatchObject({ status: 'Archived', reason: 'rejected' });
  });

  it('does the same after the respond-by time passed, and leaves a newer waiting certificate alone', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const enc = makeCert({ label: 'us-enc-next' });
    const newer = makeCert({ label: 'us-enc-newer' });
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    expect(expired.state.relationships['acme']?.local.encryption.successor?.status).toBe('expired');
    const used = transition(expired.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: enc.sha256 }, day(6));
    const again = sendDelivered(used.state, { signing: local(pki.localSigning), encryption: local(newer) }, day(6.5));
    const rejected = answer(again.state, sent.ids.requestId, [{ cert: enc, status: 'Rejected' }], pki.partnerSigning, day(7));
    const slot = rejected.state.relationships['acme']!.local.encryption;
    expect(slot.active.map((a) => a.cert.fingerprint)).toEqual([pki.localEncryption.sha256]);
    expect(slot.successor).toMatchObject({ cert: { fingerprint: newer.sha256 }, status: 'pending' });
    expect(fps(resolveCertificates(rejected.state, 'acme', day(7))?.decryptInbound)).toEqual([pki.localEncryption.sha256, newer.sha256]);
    expect(alertKinds(rejected.effects)).toContain('certificateRestored');
  });

  it('changes nothing in use for a Rejected that contradicts an earlier Accepted (recorded, not undone)', () => {
    const { state, pki } = establishedState();
    const enc = makeCert({ label: 'us-enc-next' });
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    const accepted = answer(sent.state, sent.ids.requestId, [{ cert: enc, status: 'Accepted' }], pki.partnerSigning, day(1));
    const used = transition(accepted.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: enc.sha256 }, day(2));
    const rejected = answer(used.state, sent.ids.requestId, [{ cert: enc, status: 'Rejected' }], pki.partnerSigning, day(3));
    expect(rejected.state.outbound[sent.ids.requestId]?.items[0]).toMatchObject({ status: 'rejected', previousStatus: 'accepted' });
    expect(fps(resolveCertificates(rejected.state, 'acme', day(3))?.decryptInbound)).toEqual([enc.sha256]);
    expect(alertKinds(rejected.effects)).not.toContain('certificateRestored');
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([]);
  });
});

describe('Outbound 5: our encryption certificate displaced by a newer one before the partner answered', () => {
  const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

  /** S2/E2 sent and expired unanswered, then S3/E3 sent. */
  function displaced() {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const [s2, e2, s3, e3] = ['s2', 'e2', 's3', 'e3'].map((label) => makeCert({ label })) as [ReturnType<typeof makeCert>, ReturnType<typeof makeCert>, ReturnType<typeof makeCert>, ReturnType<typeof makeCert>];
    const first = sendDelivered(state, { signing: local(s2), encryption: local(e2) });
    const expired = transition(first.state, { type: 'tick' }, day(5.5)).state;
    const placed = send(expired, { signing: local(s3), encryption: local(e3) }, { at: day(6) });
    const second = transition(placed.state, { type: 'requestDelivered', requestId: placed.ids.requestId }, day(6));
    return { pki, s2, e2, s3, e3, first, second, placed };
  }

  it('keeps the expired encryption certificate decrypting (the partner may have accepted it), never signing with anything new', () => {
    const { pki, s2, e2, e3, first, second, placed } = displaced();
    const rel = second.state.relationships['acme']!;
    expect(rel.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[e2.sha256, 'distributed'], [pki.localEncryption.sha256, 'initial']]);
    expect(rel.local.encryption.archive).toEqual([]);
    // Signing keeps today's behaviour: the displaced expired certificate is archived.
    expect(rel.local.signing.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[s2.sha256, 'replaced']]);
    expect(effectsOf(placed.effects, 'archiveCertificate').map((e) => [e.usage, e.fingerprint])).toEqual([['signing', s2.sha256]]);
    const resolved = resolveCertificates(second.state, 'acme', day(6));
    expect(fps(resolved?.decryptInbound)).toEqual([e2.sha256, pki.localEncryption.sha256, e3.sha256]);
    expect(resolved?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolved?.encryptOutbound?.fingerprint).toBe(pki.partnerEncryption.sha256);
    expect(fps(resolved?.decryptArchive)).toEqual([]);
    expect(second.state.outbound[first.ids.requestId]?.status).toBe('closed');
  });

  it('retires it on the first usage of a newer certificate or by set as active, not on usage of an older one', () => {
    const { pki, e2, e3, second } = displaced();
    const oldUse = transition(second.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: pki.localEncryption.sha256 }, day(7));
    expect(oldUse.state).toBe(second.state);
    const newUse = transition(second.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: e3.sha256 }, day(7));
    const slot = newUse.state.relationships['acme']!.local.encryption;
    expect(slot.active.map((a) => a.cert.fingerprint)).toEqual([e3.sha256]);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[e2.sha256, 'firstUsage'], [pki.localEncryption.sha256, 'firstUsage']]);
    expect(fps(resolveCertificates(newUse.state, 'acme', day(7))?.decryptArchive)).toEqual([e2.sha256, pki.localEncryption.sha256]);
    const manual = transition(second.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'encryption' }, day(7));
    expect(manual.state.relationships['acme']!.local.encryption.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[e2.sha256, 'manual'], [pki.localEncryption.sha256, 'manual']]);
  });

  it('makes it the active one when the partner encrypts to it (first usage), retiring the older one', () => {
    const { pki, e2, e3, second } = displaced();
    const used = transition(second.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: e2.sha256 }, day(7));
    const slot = used.state.relationships['acme']!.local.encryption;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause, a.replaced])).toEqual([[e2.sha256, 'firstUsage', [pki.localEncryption.sha256]]]);
    expect(slot.successor?.cert.fingerprint).toBe(e3.sha256);
    expect(fps(resolveCertificates(used.state, 'acme', day(7))?.decryptInbound)).toEqual([e2.sha256, e3.sha256]);
  });

  it('takes it out of use when the partner rejects it late; a late Accepted changes nothing', () => {
    const { pki, e2, s2, e3, first, second } = displaced();
    const accepted = answer(second.state, first.ids.requestId, [{ cert: s2, status: 'Accepted' }, { cert: e2, status: 'Accepted' }], pki.partnerSigning, day(7));
    expect(fps(resolveCertificates(accepted.state, 'acme', day(7))?.decryptInbound)).toEqual([e2.sha256, pki.localEncryption.sha256, e3.sha256]);
    const rejected = answer(second.state, first.ids.requestId, [{ cert: s2, status: 'Rejected' }, { cert: e2, status: 'Rejected' }], pki.partnerSigning, day(7));
    const resolved = resolveCertificates(rejected.state, 'acme', day(7));
    expect(fps(resolved?.decryptInbound)).toEqual([pki.localEncryption.sha256, e3.sha256]);
    expect(fps(resolved?.decryptArchive)).toContain(e2.sha256);
    expect(rejected.state.relationships['acme']!.local.encryption.archive.find((a) => a.cert.fingerprint === e2.sha256)?.reason).toBe('rejected');
    expect(alertKinds(rejected.effects)).not.toContain('certificateRestored');
  });

  it('keeps a scheduled encryption certificate decrypting when a newer one replaces it', () => {
    const { state, pki } = establishedState();
    const scheduled = makeCert({ label: 'e-scheduled' });
    const next = makeCert({ label: 'e-next' });
    const planned = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'encryption', certificate: local(scheduled), activateAt: day(10), emailPartner: true, exchangeId: 'mail-1' }, T0);
    const sent = sendDelivered(planned.state, { signing: local(pki.localSigning), encryption: local(next) }, day(1));
    expect(sent.state.relationships['acme']!.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[scheduled.sha256, 'distributed'], [pki.localEncryption.sha256, 'initial']]);
    expect(sent.state.outbound['mail-1']?.status).toBe('closed');
  });
});
