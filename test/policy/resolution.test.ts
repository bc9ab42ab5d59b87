import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/resolution.js';
import type { CemState, CertSlot, Successor } from '../../src/state/model.js';
import { day, establishedState, makeCert, T0 } from '../state/fixtures.js';

const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

function withSuccessor(state: CemState, side: 'local' | 'partner', usage: 'signing' | 'encryption', status: Successor['status'], activateAt: string | null = null): { state: CemState; fp: string } {
  const cert = makeCert();
  const ref = { fingerprint: cert.sha256, subject: cert.subject, issuer: cert.issuer, serial: cert.serial, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() };
  const rel = state.relationships['acme']!;
  const slot: CertSlot = { ...(side === 'local' ? rel.local[usage] : rel.partner[usage]), successor: { cert: ref, status, since: T0.toISOString(), exchangeId: null, activateAt, reason: null } };
  const next = side === 'local' ? { ...rel, local: { ...rel.local, [usage]: slot } } : { ...rel, partner: { ...rel.partner, [usage]: slot } };
  return { state: { ...state, relationships: { acme: next } }, fp: cert.sha256 };
}

describe('Resolution: the certificates of all six AS2 lookups and TLS', () => {
  it('gives the active certificates of an established relationship, and null for an unknown one', () => {
    const { state, pki } = establishedState();
    const r = resolveCertificates(state, 'acme', T0);
    expect(r).toMatchObject({
      signOutbound: { fingerprint: pki.localSigning.sha256 },
      signMdn: { fingerprint: pki.localSigning.sha256 },
      encryptOutbound: { fingerprint: pki.partnerEncryption.sha256 },
      tlsClient: { fingerprint: pki.localTls.sha256 },
      tlsServer: null,
    });
    expect(fps(r?.decryptInbound)).toEqual([pki.localEncryption.sha256]);
    expect(fps(r?.verifyInbound)).toEqual([pki.partnerSigning.sha256]);
    expect(fps(r?.verifyMdn)).toEqual([pki.partnerSigning.sha256]);
    expect(fps(r?.tlsServerTrust)).toEqual([pki.partnerTlsServer.sha256]);
    expect(fps(r?.tlsClientTrust)).toEqual([pki.partnerTlsClient.sha256]);
    expect(resolveCertificates(state, 'nobody', T0)).toBeNull();
    expect(resolveCertificates(state, 'constructor', T0)).toBeNull();
  });

  it.each([
    ['local', 'encryption', 'pending', true],
    ['local', 'encryption', 'accepted', true],
    ['local', 'encryption', 'expired', true],
    ['local', 'encryption', 'rejected', false],
    ['local', 'encryption', 'sendFailed', true],
    ['partner', 'signing', 'pending', false],
    ['partner', 'signing', 'accepted', true],
    ['partner', 'signing', 'rejected', false],
    ['partner', 'signing', 'sendFailed', false],
  ] as const)('Resolution: a %s %s successor in status %s is acceptable inbound: %s; the old one always is', (side, usage, status, included) => {
    const { state, pki } = establishedState();
    const { state: next, fp } = withSuccessor(state, side, usage, status);
    const r = resolveCertificates(next, 'acme', T0);
    const list = usage === 'encryption' ? r?.decryptInbound : r?.verifyInbound;
    const old = usage === 'encryption' ? pki.localEncryption.sha256 : pki.partnerSigning.sha256;
    expect(fps(list)).toEqual(included ? [old, fp] : [old]);
  });

  it('Resolution: never signs with a successor that is not active, but does once a scheduled one is due', () => {
    const { state, pki } = establishedState();
    for (const status of ['pending', 'accepted', 'expired', 'emailed', 'rejected', 'sendFailed'] as const) {
      expect(resolveCertificates(withSuccessor(state, 'local', 'signing', status).state, 'acme', T0)?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    }
    const scheduled = withSuccessor(state, 'local', 'signing', 'scheduled', day(1).toISOString());
    expect(resolveCertificates(scheduled.state, 'acme', day(0.99))?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolveCertificates(scheduled.state, 'acme', day(1))?.signOutbound?.fingerprint).toBe(scheduled.fp);
  });

  it('Resolution: returns archived certificates separately, never cancelled ones', () => {
    const { state, pki } = establishedState();
    const rel = state.relationships['acme']!;
    const old = { cert: rel.partner.signing.active[0]!.cert, archivedAt: T0.toISOString(), reason: 'replaced' as const };
    const cancelled = { cert: { ...old.cert, fingerprint: 'cc' }, archivedAt: T0.toISOString(), reason: 'cancelled' as const };
    const next: CemState = { ...state, relationships: { acme: { ...rel, partner: { ...rel.partner, signing: { active: rel.partner.encryption.active, successor: null, archive: [old, cancelled] } } } } };
    const r = resolveCertificates(next, 'acme', T0);
    expect(fps(r?.verifyArchive)).toEqual([pki.partnerSigning.sha256]);
    expect(fps(r?.verifyInbound)).toEqual([pki.partnerEncryption.sha256]);
  });
});
