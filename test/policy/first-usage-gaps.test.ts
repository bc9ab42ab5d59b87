/**
 * First-usage behaviours the mutation run of src/policy/first-usage.ts found unasserted: which
 * slots count as "our encryption" and "the partner's signing" for early activation, the TLS
 * slots' addresses, and traffic with an older certificate while a successor waits.
 */
import { describe, expect, it } from 'vitest';
import { activatesOnUse, firstUsages } from '../../src/policy/first-usage.js';
import type { CertRef, Relationship, Successor } from '../../src/state/model.js';
import type { SlotAddress } from '../../src/state/relationship/relationship-slots.js';
import { day, establishedState, makeCert, T0 } from '../state/fixtures.js';

function ref(label: string): CertRef {
  const c = makeCert({ label });
  return { fingerprint: c.sha256, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
}

const successor = (cert: CertRef, status: Successor['status'], activateAt: Date | null = null): Successor =>
  ({ cert, status, since: T0.toISOString(), exchangeId: null, activateAt: activateAt === null ? null : activateAt.toISOString(), reason: null });

function relationship(cem: 'capable' | 'incapable'): Relationship {
  return establishedState({}, { cemOverride: cem }).state.relationships['acme']!;
}

describe('activatesOnUse: only our encryption and the partner\'s signing slot get the special rules', () => {
  const later = day(2);
  const cert = ref('next');

  it.each([
    [{ side: 'local', usage: 'encryption' }, true],
    [{ side: 'local', usage: 'signing' }, false],
    [{ side: 'local', usage: 'tlsClient' }, false],
    [{ side: 'partner', usage: 'encryption' }, false],
    [{ side: 'partner', usage: 'signing' }, false],
  ] as const)('a pending or expired successor in %j activates on use: %s', (address, expected) => {
    const rel = relationship('capable');
    expect(activatesOnUse(rel, address as SlotAddress, successor(cert, 'pending'), T0)).toBe(expected);
    expect(activatesOnUse(rel, address as SlotAddress, successor(cert, 'expired'), T0)).toBe(expected);
  });

  it.each([
    [{ side: 'local', usage: 'encryption' }, true],
    [{ side: 'partner', usage: 'signing' }, true],
    [{ side: 'local', usage: 'signing' }, false],
    [{ side: 'local', usage: 'tlsClient' }, false],
    [{ side: 'partner', usage: 'encryption' }, false],
    [{ side: 'partner', usage: 'tlsServer' }, false],
  ] as const)('a scheduled successor not yet due in %j activates early for a partner without CEM: %s', (address, expected) => {
    expect(activatesOnUse(relationship('incapable'), address as SlotAddress, successor(cert, 'scheduled', later), T0)).toBe(expected);
    expect(activatesOnUse(relationship('capable'), address as SlotAddress, successor(cert, 'scheduled', later), T0)).toBe(false);
    expect(activatesOnUse(relationship('capable'), address as SlotAddress, successor(cert, 'scheduled', later), later)).toBe(true);
  });
});

describe('firstUsages: TLS slots and traffic while a successor waits', () => {
  it.each([
    ['partnerTlsServer', 'tlsServer'],
    ['partnerTlsClient', 'tlsClient'],
  ] as const)('activates an accepted partner %s successor under its own address', (key, usage) => {
    const { state } = establishedState();
    const next = ref(`next-${usage}`);
    const base = state.relationships['acme']!;
    const rel: Relationship = { ...base, partner: { ...base.partner, [usage]: { ...base.partner[usage], successor: successor(next, 'accepted') } } };
    expect(firstUsages(rel, { [key]: next.fingerprint }, T0)).toEqual([
      { address: { side: 'partner', usage }, fingerprint: next.fingerprint, action: 'activateSuccessor', scheduled: false },
    ]);
  });

  it('does not activate a waiting successor when the traffic used the current certificate; retires older ones when it used the newest', () => {
    const { state, pki } = establishedState();
    const next = ref('next-enc');
    const newer = ref('newer-enc');
    const base = state.relationships['acme']!;
    const enc = base.local.encryption;
    const rel: Relationship = { ...base, local: { ...base.local, encryption: { ...enc, successor: successor(next, 'pending') } } };
    expect(firstUsages(rel, { decryptedWith: pki.localEncryption.sha256 }, T0)).toEqual([]);
    const two: Relationship = { ...rel, local: { ...rel.local, encryption: { ...rel.local.encryption, active: [{ cert: newer, since: T0.toISOString(), cause: 'initial' }, ...enc.active] } } };
    expect(firstUsages(two, { decryptedWith: newer.fingerprint }, T0)).toEqual([
      { address: { side: 'local', usage: 'encryption' }, fingerprint: newer.fingerprint, action: 'retireOlder', scheduled: false },
    ]);
  });
});

describe('activatesOnUse: a corrupted state', () => {
  it('refuses a successor status outside its union with CEM_ARGUMENT', () => {
    const odd = { ...successor(ref('odd'), 'pending'), status: 'bogus' as Successor['status'] };
    expect(() => activatesOnUse(relationship('capable'), { side: 'local', usage: 'encryption' }, odd, T0)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});
