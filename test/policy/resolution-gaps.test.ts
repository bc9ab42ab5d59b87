/**
 * Certificate resolution behaviours the mutation run of src/policy/resolution.ts found
 * unasserted: scheduled successors (due, or early by first usage for AS2/AS3 partners without
 * CEM), the TLS trust lists, and slots without an active certificate.
 */
import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/resolution.js';
import type { CemState, CertRef, CertSlot, Relationship, Successor } from '../../src/state/model.js';
import { day, establishedState, makeCert, T0 } from '../state/fixtures.js';

type Side = 'local' | 'partner';
type Usage = 'signing' | 'encryption' | 'tlsClient' | 'tlsServer';

const fps = (certs: readonly CertRef[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

function ref(label: string): CertRef {
  const c = makeCert({ label });
  return { fingerprint: c.sha256, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

function slotOf(rel: Relationship, side: Side, usage: Usage): CertSlot {
  return side === 'local' ? rel.local[usage as 'signing'] : rel.partner[usage];
}

function patchSlot(state: CemState, side: Side, usage: Usage, patch: (slot: CertSlot) => CertSlot, relPatch: Partial<Relationship> = {}): CemState {
  const rel = { ...state.relationships['acme']!, ...relPatch };
  const slot = patch(slotOf(rel, side, usage));
  const next = side === 'local' ? { ...rel, local: { ...rel.local, [usage]: slot } } : { ...rel, partner: { ...rel.partner, [usage]: slot } };
  return { ...state, relationships: { acme: next } };
}

function scheduled(cert: CertRef, activateAt: Date | null): Successor {
  return { cert, status: 'scheduled', since: T0.toISOString(), exchangeId: null, activateAt: activateAt === null ? null : activateAt.toISOString(), reason: null };
}

describe('resolveCertificates: scheduled successors', () => {
  const later = day(2);

  it.each([
    ['AS2 partner without CEM', 'AS2', 'incapable', true],
    ['AS3 partner without CEM', 'AS3', 'incapable', true],
    ['AS2 partner taking CEM', 'AS2', 'capable', false],
    ['AS1 partner without CEM', 'AS1', 'incapable', false],
  ] as const)('decrypts with a not yet due scheduled encryption certificate early for an %s: %s', (_name, protocol, cem, early) => {
    const { state, pki } = establishedState({}, { protocol, cemOverride: cem });
    const next = ref('scheduled-enc');
    const s = patchSlot(state, 'local', 'encryption', (slot) => ({ ...slot, successor: scheduled(next, later) }));
    const r = resolveCertificates(s, 'acme', T0)!;
    expect(fps(r.decryptInbound)).toEqual(early ? [pki.localEncryption.sha256, next.fingerprint] : [pki.localEncryption.sha256]);
    expect(fps(resolveCertificates(s, 'acme', later)!.decryptInbound)).toEqual([pki.localEncryption.sha256, next.fingerprint]);
  });

  it('verifies with a not yet due scheduled partner signing certificate early only for AS2/AS3 partners without CEM', () => {
    for (const [cem, early] of [['incapable', true], ['capable', false]] as const) {
      const { state, pki } = establishedState({}, { cemOverride: cem });
      const next = ref('scheduled-sign');
      const s = patchSlot(state, 'partner', 'signing', (slot) => ({ ...slot, successor: scheduled(next, later) }));
      expect(fps(resolveCertificates(s, 'acme', T0)!.verifyInbound)).toEqual(early ? [pki.partnerSigning.sha256, next.fingerprint] : [pki.partnerSigning.sha256]);
      expect(fps(resolveCertificates(s, 'acme', later)!.verifyMdn)).toEqual([pki.partnerSigning.sha256, next.fingerprint]);
    }
  });

  it.each(['tlsServer', 'tlsClient'] as const)('trusts a scheduled partner %s certificate only once due, never early', (usage) => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const old = usage === 'tlsServer' ? pki.partnerTlsServer.sha256 : pki.partnerTlsClient.sha256;
    const next = ref(`scheduled-${usage}`);
    const s = patchSlot(state, 'partner', usage, (slot) => ({ ...slot, successor: scheduled(next, later) }));
    const list = (now: Date) => fps(resolveCertificates(s, 'acme', now)![usage === 'tlsServer' ? 'tlsServerTrust' : 'tlsClientTrust']);
    expect(list(T0)).toEqual([old]);
    expect(list(new Date(later.getTime() - 1))).toEqual([old]);
    expect(list(later)).toEqual([old, next.fingerprint]);
  });

  it.each(['tlsServer', 'tlsClient'] as const)('trusts an accepted partner %s successor, not a pending one', (usage) => {
    const { state, pki } = establishedState();
    const old = usage === 'tlsServer' ? pki.partnerTlsServer.sha256 : pki.partnerTlsClient.sha256;
    const next = ref(`next-${usage}`);
    const key = usage === 'tlsServer' ? 'tlsServerTrust' : 'tlsClientTrust';
    const withStatus = (status: Successor['status']) =>
      patchSlot(state, 'partner', usage, (slot) => ({ ...slot, successor: { ...scheduled(next, null), status } }));
    expect(fps(resolveCertificates(withStatus('accepted'), 'acme', T0)![key])).toEqual([old, next.fingerprint]);
    expect(fps(resolveCertificates(withStatus('pending'), 'acme', T0)![key])).toEqual([old]);
    expect(fps(resolveCertificates(withStatus('scheduled'), 'acme', T0)![key])).toEqual([old]);
  });

  it('uses a due scheduled successor for outbound encryption and the TLS client, the active one before', () => {
    const { state, pki } = establishedState();
    const enc = ref('scheduled-partner-enc');
    const tls = ref('scheduled-tls-client');
    const s1 = patchSlot(state, 'partner', 'encryption', (slot) => ({ ...slot, successor: scheduled(enc, later) }));
    const s = patchSlot(s1, 'local', 'tlsClient', (slot) => ({ ...slot, successor: scheduled(tls, later) }));
    expect(resolveCertificates(s, 'acme', T0)).toMatchObject({ encryptOutbound: { fingerprint: pki.partnerEncryption.sha256 }, tlsClient: { fingerprint: pki.localTls.sha256 } });
    expect(resolveCertificates(s, 'acme', later)).toMatchObject({ encryptOutbound: { fingerprint: enc.fingerprint }, tlsClient: { fingerprint: tls.fingerprint } });
  });

  it('never uses a scheduled successor without an activation time for signing', () => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const s = patchSlot(state, 'local', 'signing', (slot) => ({ ...slot, successor: scheduled(ref('no-time'), null) }));
    expect(resolveCertificates(s, 'acme', day(1000))!.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
  });
});

describe('resolveCertificates: slots without an active certificate', () => {
  it('gives null to sign, encrypt and present, and empty lists to decrypt and verify', () => {
    const { state } = establishedState();
    let s = state;
    for (const [side, usage] of [['local', 'signing'], ['local', 'encryption'], ['local', 'tlsClient'], ['partner', 'signing'], ['partner', 'encryption'], ['partner', 'tlsServer'], ['partner', 'tlsClient']] as const) {
      s = patchSlot(s, side, usage, (slot) => ({ ...slot, active: [] }));
    }
    expect(resolveCertificates(s, 'acme', T0)).toMatchObject({
      signOutbound: null, signMdn: null, encryptOutbound: null, tlsClient: null,
      decryptInbound: [], verifyInbound: [], verifyMdn: [], tlsServerTrust: [], tlsClientTrust: [], decryptArchive: [], verifyArchive: [],
    });
  });

  it('decrypts and verifies with an acceptable successor alone when nothing is active', () => {
    const { state } = establishedState();
    const enc = ref('only-enc');
    const sign = ref('only-sign');
    const s1 = patchSlot(state, 'local', 'encryption', (slot) => ({ ...slot, active: [], successor: { ...scheduled(enc, null), status: 'pending' } }));
    const s = patchSlot(s1, 'partner', 'signing', (slot) => ({ ...slot, active: [], successor: { ...scheduled(sign, null), status: 'accepted' } }));
    const r = resolveCertificates(s, 'acme', T0)!;
    expect(fps(r.decryptInbound)).toEqual([enc.fingerprint]);
    expect(fps(r.verifyInbound)).toEqual([sign.fingerprint]);
    const rejected = patchSlot(s, 'local', 'encryption', (slot) => ({ ...slot, successor: { ...slot.successor!, status: 'rejected' } }));
    expect(fps(resolveCertificates(rejected, 'acme', T0)!.decryptInbound)).toEqual([]);
  });

  it('keeps the archive of a slot whose active certificate is archived: decryptArchive lists it', () => {
    const { state, pki } = establishedState();
    const rel = state.relationships['acme']!;
    const old = rel.local.encryption.active[0]!.cert;
    const s = patchSlot(state, 'local', 'encryption', (slot) => ({ ...slot, active: [], archive: [{ cert: old, archivedAt: T0.toISOString(), reason: 'replaced' }] }));
    expect(fps(resolveCertificates(s, 'acme', T0)!.decryptArchive)).toEqual([pki.localEncryption.sha256]);
  });
});

describe('resolveCertificates: successors that are not scheduled', () => {
  it('never signs or encrypts with a successor that has a past activation time but is not scheduled', () => {
    const { state, pki } = establishedState();
    for (const status of ['pending', 'accepted', 'expired', 'emailed'] as const) {
      const s1 = patchSlot(state, 'local', 'signing', (slot) => ({ ...slot, successor: { ...scheduled(ref('sign-next'), day(-1)), status } }));
      const s = patchSlot(s1, 'partner', 'encryption', (slot) => ({ ...slot, successor: { ...scheduled(ref('enc-next'), day(-1)), status } }));
      expect(resolveCertificates(s, 'acme', T0)).toMatchObject({ signOutbound: { fingerprint: pki.localSigning.sha256 }, encryptOutbound: { fingerprint: pki.partnerEncryption.sha256 } });
    }
  });

  it('decrypts with an emailed encryption successor (the partner may already use it)', () => {
    const { state, pki } = establishedState();
    const next = ref('emailed-enc');
    const s = patchSlot(state, 'local', 'encryption', (slot) => ({ ...slot, successor: { ...scheduled(next, null), status: 'emailed' } }));
    expect(fps(resolveCertificates(s, 'acme', T0)!.decryptInbound)).toEqual([pki.localEncryption.sha256, next.fingerprint]);
  });
});

describe('resolveCertificates: partner successors not yet acceptable', () => {
  it.each(['pending', 'rejected', 'sendFailed', 'emailed', 'expired'] as const)('never verifies with a %s partner signing successor, even for an AS2 partner without CEM', (status) => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const s = patchSlot(state, 'partner', 'signing', (slot) => ({ ...slot, successor: { ...scheduled(ref('next-sign'), day(-1)), status } }));
    expect(fps(resolveCertificates(s, 'acme', T0)!.verifyInbound)).toEqual([pki.partnerSigning.sha256]);
  });
});

describe('resolveCertificates: a corrupted state', () => {
  it('refuses an encryption successor status outside its union with CEM_ARGUMENT', () => {
    const { state } = establishedState();
    const s = patchSlot(state, 'local', 'encryption', (slot) => ({ ...slot, successor: { ...scheduled(ref('odd'), null), status: 'bogus' as Successor['status'] } }));
    expect(() => resolveCertificates(s, 'acme', T0)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});
