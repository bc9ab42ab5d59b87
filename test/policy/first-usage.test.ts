import { describe, expect, it } from 'vitest';
import { activatesOnUse, firstUsages } from '../../src/policy/first-usage.js';
import type { Relationship, Successor } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { makePki, relationshipInit, T0 } from '../state/fixtures.js';

function relationship(overrides: Parameters<typeof relationshipInit>[2] = {}): Relationship {
  const state = transition(createInitialState(), { type: 'relationshipAdded', relationship: relationshipInit('acme', makePki(), overrides) }, T0).state;
  const rel = state.relationships['acme'];
  if (rel === undefined) throw new Error('setup');
  return rel;
}

const successor = (status: Successor['status'], activateAt: string | null = null): Successor => ({
  cert: { fingerprint: 'ff', subject: 'CN=n', issuer: 'CN=ca', serial: '1', notBefore: T0.toISOString(), notAfter: T0.toISOString() },
  status, since: T0.toISOString(), exchangeId: null, activateAt, reason: null,
});

describe('first usage', () => {
  const later = new Date(T0.getTime() + 86_400_000).toISOString();
  it.each([
    ['local', 'encryption', 'pending', null, 'capable', true],
    ['local', 'encryption', 'expired', null, 'capable', true],
    ['local', 'encryption', 'accepted', null, 'capable', true],
    ['local', 'encryption', 'emailed', null, 'incapable', false],
    ['local', 'encryption', 'scheduled', later, 'incapable', true],
    ['local', 'encryption', 'scheduled', later, 'capable', false],
    ['partner', 'signing', 'pending', null, 'capable', false],
    ['partner', 'signing', 'accepted', null, 'capable', true],
    ['partner', 'signing', 'scheduled', later, 'incapable', true],
    ['partner', 'tlsServer', 'scheduled', later, 'incapable', false],
    ['partner', 'tlsServer', 'scheduled', T0.toISOString(), 'capable', true],
    ['partner', 'tlsClient', 'rejected', null, 'capable', false],
  ] as const)('%s %s successor %s (activateAt %s, CEM %s) activates on use: %s', (side, usage, status, activateAt, cem, expected) => {
    const rel = relationship({ cemOverride: cem });
    expect(activatesOnUse(rel, { side, usage } as never, successor(status, activateAt), T0)).toBe(expected);
  });

  it('finds nothing for ordinary traffic with the active certificates', () => {
    const rel = relationship();
    const obs = { decryptedWith: rel.local.encryption.active[0]?.cert.fingerprint, verifiedWith: rel.partner.signing.active[0]?.cert.fingerprint };
    expect(firstUsages(rel, obs, T0)).toEqual([]);
  });
});
