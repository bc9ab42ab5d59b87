/**
 * Policy behaviours mutation testing found unasserted (issue 12, gaps 6–9, 13 and the smaller
 * first-usage and server-consensus ones). Each test fails on the mutant named in its title.
 */
import { describe, expect, it } from 'vitest';
import { assessServerConsensus, expiresWithin, firstUsages, resolveCertificates } from '../../src/policy/index.js';
import { createInitialState } from '../../src/state/index.js';
import type { ArchivedCert, CemState, CertRef, CertSlot, Relationship, ServerReadiness, Successor } from '../../src/state/index.js';
import { local, makeCert, makePki, relationshipInit, run, establishedState, T0 } from '../state/fixtures.js';

const DAY_MS = 86_400_000;

function ref(label: string): CertRef {
  const c = makeCert({ label });
  return { fingerprint: c.sha256, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

const active = (cert: CertRef) => ({ cert, since: T0.toISOString(), cause: 'initial' as const });
const archivedAs = (cert: CertRef, reason: ArchivedCert['reason']): ArchivedCert => ({ cert, archivedAt: T0.toISOString(), reason });
const successor = (cert: CertRef, status: Successor['status']): Successor => ({ cert, status, since: T0.toISOString(), exchangeId: null, activateAt: null, reason: null });

function withSlots(state: CemState, patch: (rel: Relationship) => Relationship): CemState {
  const rel = state.relationships['acme']!;
  return { ...state, relationships: { ...state.relationships, acme: patch(rel) } };
}

describe('expiresWithin: the "days before expiry" boundary (gap 6)', () => {
  it('is true exactly `days` days before notAfter and false one millisecond earlier', () => {
    const notAfter = new Date(T0.getTime() + 30 * DAY_MS).toISOString();
    expect(expiresWithin(notAfter, T0, 30)).toBe(true);
    expect(expiresWithin(notAfter, new Date(T0.getTime() - 1), 30)).toBe(false);
    expect(expiresWithin(notAfter, new Date(T0.getTime() + 1), 30)).toBe(true);
    expect(expiresWithin(T0.toISOString(), T0, 0)).toBe(true);
    expect(expiresWithin(new Date(T0.getTime() - DAY_MS).toISOString(), T0, 0)).toBe(true);
  });
});

describe('resolveCertificates: archives and listeners (gaps 7, 8)', () => {
  it('leaves an archived certificate that is live again out of decryptArchive / verifyArchive, keeps the others', () => {
    const { state, pki } = establishedState();
    const retired = ref('retired-enc');
    const again = ref('resent-enc');
    const cancelled = ref('cancelled-enc');
    const partnerRetired = ref('partner-retired-sign');
    const partnerAgain = ref('partner-again-sign');
    const next = withSlots(state, (rel) => ({
      ...rel,
      local: {
        ...rel.local,
        encryption: {
          ...rel.local.encryption,
          successor: successor(again, 'pending'),
          archive: [archivedAs(retired, 'replaced'), archivedAs(again, 'replaced'), archivedAs(cancelled, 'cancelled')],
        } satisfies CertSlot,
      },
      partner: {
        ...rel.partner,
        signing: {
          ...rel.partner.signing,
          active: [...rel.partner.signing.active, active(partnerAgain)],
          archive: [archivedAs(partnerAgain, 'replaced'), archivedAs(partnerRetired, 'expired')],
        },
      },
    }));
    const r = resolveCertificates(next, 'acme', T0)!;
    expect(r.decryptInbound.map((c) => c.fingerprint)).toEqual([pki.localEncryption.sha256, again.fingerprint]);
    expect(r.decryptArchive.map((c) => c.fingerprint)).toEqual([retired.fingerprint]);
    expect(r.verifyInbound.map((c) => c.fingerprint)).toEqual([pki.partnerSigning.sha256, partnerAgain.fingerprint]);
    expect(r.verifyArchive.map((c) => c.fingerprint)).toEqual([partnerRetired.fingerprint]);
  });

  it('gives no TLS server certificate while the listener has nothing installed, then the installed one', () => {
    const server = makeCert({ label: 'listener' });
    const { state } = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
      [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: new Date(T0.getTime() + 1e9), emailPartner: false }, T0],
    ]);
    const listener = state.relationships['acme']!.listener;
    expect(listener).not.toBeNull();
    const slot = state.servers[listener!]!;
    expect(slot.installed).toBeNull();
    expect(slot.candidate?.cert.fingerprint).toBe(server.sha256);
    expect(resolveCertificates(state, 'acme', T0)!.tlsServer).toBeNull();
    const installedState: CemState = { ...state, servers: { ...state.servers, [listener!]: { ...slot, installed: active(slot.candidate!.cert) } } };
    expect(resolveCertificates(installedState, 'acme', T0)!.tlsServer?.fingerprint).toBe(server.sha256);
    const noSlot: CemState = { ...state, servers: {} };
    expect(resolveCertificates(noSlot, 'acme', T0)!.tlsServer).toBeNull();
    const otherProtocol = listener === 'FTP' ? 'HTTP' : 'FTP';
    const otherInstalled: CemState = { ...state, servers: { [otherProtocol]: { ...slot, protocol: otherProtocol, installed: active(ref('other-listener')) } } };
    expect(resolveCertificates(otherInstalled, 'acme', T0)!.tlsServer).toBeNull();
    const noListener = withSlots(installedState, (rel) => ({ ...rel, listener: null }));
    expect(resolveCertificates(noListener, 'acme', T0)!.tlsServer).toBeNull();
  });
});

describe('firstUsages: what traffic changes (gap 9, first-usage smaller gap)', () => {
  it('changes nothing for a fingerprint the slot does not know, nor for the newest active one', () => {
    const { state, pki } = establishedState();
    const rel = state.relationships['acme']!;
    expect(firstUsages(rel, { decryptedWith: 'f'.repeat(64), verifiedWith: 'e'.repeat(64), partnerTlsServer: 'd'.repeat(64), partnerTlsClient: 'c'.repeat(64) }, T0)).toEqual([]);
    expect(firstUsages(rel, { decryptedWith: pki.localEncryption.sha256, verifiedWith: pki.partnerSigning.sha256 }, T0)).toEqual([]);
    expect(firstUsages(rel, {}, T0)).toEqual([]);
  });

  it('retires the older active certificates when a newer active one is used, and only then', () => {
    const { state, pki } = establishedState();
    const newer = ref('newer-sign');
    const rel = withSlots(state, (r) => ({ ...r, partner: { ...r.partner, signing: { ...r.partner.signing, active: [active(newer), ...r.partner.signing.active] } } })).relationships['acme']!;
    expect(firstUsages(rel, { verifiedWith: newer.fingerprint }, T0)).toEqual([
      { address: { side: 'partner', usage: 'signing' }, fingerprint: newer.fingerprint, action: 'retireOlder', scheduled: false },
    ]);
    expect(firstUsages(rel, { verifiedWith: pki.partnerSigning.sha256 }, T0)).toEqual([]);
    expect(firstUsages(rel, { verifiedWith: 'f'.repeat(64) }, T0)).toEqual([]);
  });

  it.each(['sendFailed', 'emailed', 'rejected'] as const)('does not activate a %s successor seen in traffic (nor retire anything)', (status) => {
    const { state } = establishedState();
    const next = ref('next-enc');
    const rel = withSlots(state, (r) => ({ ...r, local: { ...r.local, encryption: { ...r.local.encryption, successor: successor(next, status) } } })).relationships['acme']!;
    expect(firstUsages(rel, { decryptedWith: next.fingerprint }, T0)).toEqual([]);
  });

  it('activates a pending encryption successor on use, marked as not scheduled; a due scheduled one as scheduled', () => {
    const { state } = establishedState();
    const next = ref('next-enc');
    const pending = withSlots(state, (r) => ({ ...r, local: { ...r.local, encryption: { ...r.local.encryption, successor: successor(next, 'pending') } } })).relationships['acme']!;
    expect(firstUsages(pending, { decryptedWith: next.fingerprint }, T0)).toEqual([
      { address: { side: 'local', usage: 'encryption' }, fingerprint: next.fingerprint, action: 'activateSuccessor', scheduled: false },
    ]);
    const due = { ...successor(next, 'scheduled'), activateAt: T0.toISOString() };
    const scheduled = withSlots(state, (r) => ({ ...r, local: { ...r.local, encryption: { ...r.local.encryption, successor: due } } })).relationships['acme']!;
    expect(firstUsages(scheduled, { decryptedWith: next.fingerprint }, T0)).toEqual([
      { address: { side: 'local', usage: 'encryption' }, fingerprint: next.fingerprint, action: 'activateSuccessor', scheduled: true },
    ]);
  });
});

describe('assessServerConsensus: installAfter and conflicts (gap 13, server-consensus smaller gap)', () => {
  const readiness = (fingerprint: string): ServerReadiness => ({ fingerprint, status: 'accepted', exchangeId: null, activateAt: null, reason: null });

  function twoPartners(): { state: CemState; candidate: string } {
    const server = makeCert({ label: 'listener' });
    const { state } = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
      [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: new Date(T0.getTime() + 1e9), emailPartner: false }, T0],
    ]);
    return { state, candidate: server.sha256 };
  }

  function ready(state: CemState, a: string, b: string, installAfter: string | null): CemState {
    const rels = state.relationships;
    const protocol = rels['acme']!.listener!;
    const slot = state.servers[protocol]!;
    return {
      ...state,
      relationships: { ...rels, acme: { ...rels['acme']!, serverReadiness: readiness(a) }, bolt: { ...rels['bolt']!, serverReadiness: readiness(b) } },
      servers: { ...state.servers, [protocol]: { ...slot, candidate: { ...slot.candidate!, installAfter } } },
    };
  }

  it('does not install before installAfter, installs at it', () => {
    const { state, candidate } = twoPartners();
    const protocol = state.relationships['acme']!.listener!;
    const at = new Date(T0.getTime() + DAY_MS);
    const s = ready(state, candidate, candidate, at.toISOString());
    expect(assessServerConsensus(s, protocol, new Date(at.getTime() - 1))).toMatchObject({ ready: ['acme', 'bolt'], install: false });
    expect(assessServerConsensus(s, protocol, at)).toMatchObject({ ready: ['acme', 'bolt'], install: true });
    expect(assessServerConsensus(ready(state, candidate, candidate, null), protocol, T0).install).toBe(true);
  });

  it('flags a conflict when partners accepted different certificates, not when they agree', () => {
    const { state, candidate } = twoPartners();
    const protocol = state.relationships['acme']!.listener!;
    const other = 'a'.repeat(64);
    const agree = assessServerConsensus(ready(state, candidate, candidate, null), protocol, T0);
    expect(agree.conflict).toBe(false);
    expect(agree.accepted).toEqual([candidate]);
    const split = assessServerConsensus(ready(state, candidate, other, null), protocol, T0);
    expect(split.conflict).toBe(true);
    expect(split.accepted).toEqual([candidate, other].sort());
    expect(split).toMatchObject({ ready: ['acme'], waiting: ['bolt'], install: false });
  });
});
