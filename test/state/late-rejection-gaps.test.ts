/**
 * Late Rejected answers for certificates already in use (src/state/relationship/late-rejection.ts):
 * the behaviours mutation testing found unasserted, driven through `transition` only. Only the
 * certificates the rejected one replaced come back, the archive and the effects are exact, a
 * waiting successor is kept unless it is the restored one, and a server certificate comes back
 * only when it was installed because a respond-by time passed.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemSettings } from '../../src/state/index.js';
import { day, effectsOf, establishedState, local, makeCert, makePki, run, T0, twoPartners } from './fixtures.js';
import { answer, sendDelivered } from './scenarios.js';
import { shape } from './assertions.js';

const USE_AFTER: Partial<CemSettings> = { maxResponseDays: 5, useAfterRespondBy: true };

describe('our signing and TLS client certificates', () => {
  it('restores only the certificate the rejected one replaced; older archived ones stay archived', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const s1 = makeCert({ label: 's1' });
    const s2 = makeCert({ label: 's2' });
    const first = sendDelivered(state, { signing: local(s1), encryption: local(pki.localEncryption) });
    const accepted = answer(first.state, first.ids.requestId, [{ cert: s1, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const second = sendDelivered(accepted, { signing: local(s2), encryption: local(pki.localEncryption) }, day(1));
    const used = transition(second.state, { type: 'tick' }, day(6.5)).state;
    const before = used.relationships['acme']!.local.signing;
    expect(before.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[s2.sha256, 'respondByPassed']]);
    expect(before.archive.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256, s1.sha256]);
    const rejected = answer(used, second.ids.requestId, [{ cert: s2, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(7));
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[s1.sha256, 'restored']]);
    expect(signing.archive.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256]);
    expect(signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: s2.sha256 } });
    expect(shape(rejected.effects)).toEqual(['notify:certificateRestored', 'notify:responseReceived']);
    const warning = effectsOf(rejected.effects, 'notify')[0]?.alert;
    expect(warning?.details).toMatchObject({ restored: [{ fingerprint: s1.sha256 }], certificate: { fingerprint: s2.sha256 } });
  });

  it('with no previous TLS client certificate, keeps a newer one that waits and archives the rejected one', () => {
    const pki = makePki();
    const { state, pki: partner } = establishedState(USE_AFTER, { local: { signing: local(pki.localSigning), encryption: local(pki.localEncryption) } });
    const base = { signing: local(pki.localSigning), encryption: local(pki.localEncryption) };
    const t1 = makeCert({ label: 't1' });
    const t2 = makeCert({ label: 't2' });
    const first = sendDelivered(state, { ...base, tlsClient: local(t1) });
    const used = transition(first.state, { type: 'tick' }, day(5.5)).state;
    expect(used.relationships['acme']!.local.tlsClient.active.map((a) => a.cert.fingerprint)).toEqual([t1.sha256]);
    const newer = sendDelivered(used, { ...base, tlsClient: local(t2) }, day(5.6)).state;
    const rejected = answer(newer, first.ids.requestId, [{ cert: t1, status: 'Rejected' }], partner.partnerSigning, day(6));
    const slot = rejected.state.relationships['acme']!.local.tlsClient;
    expect(slot.active).toEqual([]);
    expect(slot.successor).toMatchObject({ status: 'pending', cert: { fingerprint: t2.sha256 } });
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[t1.sha256, 'rejected']]);
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'tlsClient', fingerprint: t1.sha256 }]);
  });

  it('when the waiting successor is the very certificate restored, the rejected one takes the successor place', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const s1 = makeCert({ label: 's1' });
    const sent = sendDelivered(state, { signing: local(s1), encryption: local(pki.localEncryption) });
    const used = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    const back = sendDelivered(used, { signing: local(pki.localSigning), encryption: local(pki.localEncryption) }, day(5.6));
    expect(back.state.relationships['acme']!.local.signing.successor).toMatchObject({ status: 'pending', cert: { fingerprint: pki.localSigning.sha256 } });
    const rejected = answer(back.state, sent.ids.requestId, [{ cert: s1, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(6));
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localSigning.sha256, 'restored']]);
    expect(signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: s1.sha256 } });
    expect(effectsOf(rejected.effects, 'archiveCertificate')).toEqual([]);
  });

  it('a changed answer of an older Request leaves the certificate now in use since its respond-by time alone', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const [s0, s1] = [makeCert({ label: 's0' }), makeCert({ label: 's1' })];
    const old = sendDelivered(state, { signing: local(s0), encryption: local(pki.localEncryption) });
    const refused = answer(old.state, old.ids.requestId, [{ cert: s0, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const next = sendDelivered(refused, { signing: local(s1), encryption: local(pki.localEncryption) }, day(1.5));
    const used = transition(next.state, { type: 'tick' }, day(7)).state;
    const flipped = answer(used, old.ids.requestId, [{ cert: s0, status: 'Accepted' }], pki.partnerSigning, day(8)).state;
    const before = flipped.relationships['acme']!.local.signing;
    expect(before.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[s1.sha256, 'respondByPassed']]);
    const again = answer(flipped, old.ids.requestId, [{ cert: s0, status: 'Rejected', reason: 'no again' }], pki.partnerSigning, day(9));
    expect(again.state.relationships['acme']!.local.signing).toBe(before);
    expect(shape(again.effects)).toEqual(['notify:responseReceived']);
  });

  it('a changed answer of an older Request for our encryption certificate changes nothing in use', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const [e0, e1] = [makeCert({ label: 'e0' }), makeCert({ label: 'e1' })];
    const old = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(e0) });
    const refused = answer(old.state, old.ids.requestId, [{ cert: e0, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const next = sendDelivered(refused, { signing: local(pki.localSigning), encryption: local(e1) }, day(1.5)).state;
    const flipped = answer(next, old.ids.requestId, [{ cert: e0, status: 'Accepted' }], pki.partnerSigning, day(2)).state;
    const before = flipped.relationships['acme']!.local.encryption;
    const again = answer(flipped, old.ids.requestId, [{ cert: e0, status: 'Rejected', reason: 'no again' }], pki.partnerSigning, day(3));
    expect(again.state.relationships['acme']!.local.encryption).toBe(before);
    expect(shape(again.effects)).toEqual(['notify:responseReceived']);
  });
});

describe('our encryption certificate', () => {
  it('a first-usage activation rejected later: the warning says the previous one is active again', () => {
    const { state, pki } = establishedState();
    const enc = makeCert({ label: 'us-enc-next' });
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
    const used = transition(sent.state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: enc.sha256 }, day(1)).state;
    const rejected = answer(used, sent.ids.requestId, [{ cert: enc, status: 'Rejected', reason: 'weak' }], pki.partnerSigning, day(2));
    const warning = effectsOf(rejected.effects, 'notify').find((n) => n.alert.kind === 'certificateRestored')?.alert;
    expect(warning?.message).toContain('is active again');
  });

  it('one kept decrypting after a newer one displaced it is archived as rejected, with exactly its archive effect', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const [e1, e2] = [makeCert({ label: 'e1' }), makeCert({ label: 'e2' })];
    const first = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(e1) });
    const expired = transition(first.state, { type: 'tick' }, day(5.5)).state;
    const second = sendDelivered(expired, { signing: local(pki.localSigning), encryption: local(e2) }, day(6));
    expect(second.state.relationships['acme']!.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[e1.sha256, 'distributed'], [pki.localEncryption.sha256, 'initial']]);
    const retried = second.state;
    const rejected = answer(retried, first.ids.requestId, [{ cert: e1, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(4));
    expect(shape(rejected.effects)).toEqual(['archiveCertificate', 'notify:responseReceived']);
    expect(rejected.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'encryption', fingerprint: e1.sha256 });
  });
});

describe('a changed answer of an older Request while a displaced encryption certificate still decrypts', () => {
  it('leaves the displaced one in use', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const [e0, e1, e2] = [makeCert({ label: 'e0' }), makeCert({ label: 'e1' }), makeCert({ label: 'e2' })];
    const old = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(e0) });
    const refused = answer(old.state, old.ids.requestId, [{ cert: e0, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(1)).state;
    const first = sendDelivered(refused, { signing: local(pki.localSigning), encryption: local(e1) }, day(1));
    const expired = transition(first.state, { type: 'tick' }, day(6.5)).state;
    const second = sendDelivered(expired, { signing: local(pki.localSigning), encryption: local(e2) }, day(7)).state;
    expect(second.relationships['acme']!.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[e1.sha256, 'distributed'], [pki.localEncryption.sha256, 'initial']]);
    const flipped = answer(second, old.ids.requestId, [{ cert: e0, status: 'Accepted' }], pki.partnerSigning, day(8)).state;
    const before = flipped.relationships['acme']!.local.encryption;
    const again = answer(flipped, old.ids.requestId, [{ cert: e0, status: 'Rejected', reason: 'no again' }], pki.partnerSigning, day(9));
    expect(again.state.relationships['acme']!.local.encryption).toBe(before);
    expect(shape(again.effects)).toEqual(['notify:responseReceived']);
  });
});

describe('a certificate sent again after it was archived', () => {
  it('leaves the archive without it when its use after the respond-by time is undone', () => {
    const { state, pki } = establishedState(USE_AFTER);
    const s1 = makeCert({ label: 's1' });
    const first = sendDelivered(state, { signing: local(s1), encryption: local(pki.localEncryption) });
    const accepted = answer(first.state, first.ids.requestId, [{ cert: s1, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const again = sendDelivered(accepted, { signing: local(pki.localSigning), encryption: local(pki.localEncryption) }, day(1));
    const used = transition(again.state, { type: 'tick' }, day(6.5)).state;
    const before = used.relationships['acme']!.local.signing;
    expect(before.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[pki.localSigning.sha256, 'respondByPassed']]);
    const rejected = answer(used, again.ids.requestId, [{ cert: pki.localSigning, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(7));
    const signing = rejected.state.relationships['acme']!.local.signing;
    expect(signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[s1.sha256, 'restored']]);
    expect(signing.archive.map((a) => a.cert.fingerprint)).toEqual([]);
    expect(signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: pki.localSigning.sha256 } });
  });
});

/** acme and bolt on the HTTP listener, optionally with installed server certificates (the last one installed). */
function twoOnHttp(installed: number) {
  const { state: two, a, b } = twoPartners(USE_AFTER);
  const olds = Array.from({ length: installed }, (_, i) => makeCert({ label: `server-old-${i}` }));
  const state = run(two, [
    ...olds.map((old) => [{ type: 'serverCertificateConfigured' as const, protocol: 'HTTP' as const, certificate: local(old) }, T0] as const),
  ]).state;
  return { state, a, b, olds };
}

/** A new server certificate sent to both, accepted by bolt, installed because acme's respond-by time passed, and confirmed. */
function installedAfterRespondBy(installed: number) {
  const { state, a, b, olds } = twoOnHttp(installed);
  const server = makeCert({ label: 'server-new' });
  const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
  const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
  const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(1), 'BOLT').state;
  const expired = transition(acceptedB, { type: 'tick' }, day(5.5)).state;
  const confirmed = transition(expired, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(5.6)).state;
  expect(confirmed.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: server.sha256 }, cause: 'respondByPassed' });
  return { state: confirmed, a, olds, server, requestId: toA.ids.requestId };
}

describe('our server certificate', () => {
  it('installs the one it replaced again: exact effects, and the archive keeps older ones', () => {
    const s = installedAfterRespondBy(2);
    const [older, previous] = s.olds as [ReturnType<typeof makeCert>, ReturnType<typeof makeCert>];
    expect(s.state.servers.HTTP?.archive.map((x) => x.cert.fingerprint)).toEqual([older.sha256, previous.sha256]);
    const rejected = answer(s.state, s.requestId, [{ cert: s.server, status: 'Rejected', reason: 'untrusted CA' }], s.a.partnerSigning, day(6));
    expect(rejected.effects.slice(1, 3)).toEqual([
      { type: 'installServerCertificate', protocol: 'HTTP', fingerprint: previous.sha256, keyRef: `key:${previous.sha256.slice(0, 8)}` },
      { type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: s.server.sha256 },
    ]);
    expect(shape(rejected.effects)).toEqual(['notify:responseReceived', 'installServerCertificate', 'archiveCertificate', 'notify:certificateRestored']);
    expect(rejected.state.servers.HTTP?.archive.map((x) => [x.cert.fingerprint, x.reason])).toEqual([[older.sha256, 'replaced'], [s.server.sha256, 'rejected']]);
    const warning = effectsOf(rejected.effects, 'notify')[1]?.alert;
    expect(warning?.details).toMatchObject({ restored: [{ fingerprint: previous.sha256 }], certificate: { fingerprint: s.server.sha256 } });
    expect(warning?.message).toContain('installed again');
  });

  it('without a previous one, only warns', () => {
    const s = installedAfterRespondBy(0);
    const rejected = answer(s.state, s.requestId, [{ cert: s.server, status: 'Rejected', reason: 'untrusted CA' }], s.a.partnerSigning, day(6));
    expect(shape(rejected.effects)).toEqual(['notify:responseReceived', 'notify:certificateRestored']);
    expect(rejected.state.servers).toBe(s.state.servers);
    const warning = effectsOf(rejected.effects, 'notify')[1]?.alert;
    expect(warning?.details).toMatchObject({ restored: [], requestId: s.requestId, reason: 'untrusted CA' });
    expect(warning?.message).toContain('none is installed again now');
  });

  it('changes nothing for a changed answer about an older, withdrawn server certificate', () => {
    const { state, a, b } = twoOnHttp(1);
    const old = makeCert({ label: 'server-withdrawn' });
    const first = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(old) }, T0, 'acme');
    const refused = answer(first.state, first.ids.requestId, [{ cert: old, status: 'Rejected', reason: 'no' }], a.partnerSigning, day(0.5)).state;
    const withdrawn = transition(refused, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(0.6)).state;
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(withdrawn, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, day(1), 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, day(1), 'bolt');
    const acceptedB = answer(toB.state, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(2), 'BOLT').state;
    const expired = transition(acceptedB, { type: 'tick' }, day(6.5)).state;
    const confirmed = transition(expired, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(6.6)).state;
    expect(confirmed.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: server.sha256 }, cause: 'respondByPassed' });
    const flipped = answer(confirmed, first.ids.requestId, [{ cert: old, status: 'Accepted' }], a.partnerSigning, day(7)).state;
    const again = answer(flipped, first.ids.requestId, [{ cert: old, status: 'Rejected', reason: 'no again' }], a.partnerSigning, day(8));
    expect(again.state.servers).toBe(flipped.servers);
    expect(shape(again.effects)).toEqual(['notify:responseReceived']);
  });

  it('changes nothing for a late rejection of a server certificate every partner had accepted', () => {
    const { state, a, b } = twoOnHttp(1);
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const both = run(toB.state, [
      [{ type: 'responseReceived', as2From: 'ACME', as2To: 'US', verifiedBy: a.partnerSigning.sha256, messageId: 'm1', response: { requestId: toA.ids.requestId, sender: { name: 'ACME', qualifier: 'AS2' }, originated: null, trustResponses: [{ status: 'Accepted', reason: null, certificate: { issuer: server.issuer, serial: server.serial } }] } } as never, day(1)],
    ]).state;
    const acceptedB = answer(both, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(1), 'BOLT').state;
    const confirmed = transition(acceptedB, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(1.1)).state;
    expect(confirmed.servers.HTTP?.installed).toMatchObject({ cert: { fingerprint: server.sha256 }, cause: 'cem' });
    const rejected = answer(confirmed, toA.ids.requestId, [{ cert: server, status: 'Rejected', reason: 'changed our mind' }], a.partnerSigning, day(2));
    expect(rejected.state.servers).toBe(confirmed.servers);
    expect(shape(rejected.effects)).toEqual(['notify:responseReceived']);
  });
});
