/**
 * `trafficObserved` (src/state/relationship/traffic.ts) driven through `transition`: refusals and
 * the exact activation alert of a first usage.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, makeCert, requestEvent, T0 } from './fixtures.js';

describe('trafficObserved', () => {
  it('refuses traffic of an unknown relationship (unknownRelationship), naming it', () => {
    const { state } = establishedState();
    const result = transition(state, { type: 'trafficObserved', relationshipId: 'nobody', verifiedWith: 'ab' }, day(1));
    expect(result.effects).toEqual([{ type: 'ignored', reason: 'unknownRelationship', detail: 'no relationship nobody' }]);
    expect(result.state).toBe(state);
  });

  it('refuses a fingerprint that is not text (invalidEvent) with exactly one ignored effect', () => {
    const { state } = establishedState();
    const result = transition(state, { type: 'trafficObserved', relationshipId: 'acme', decryptedWith: 7 } as unknown as CemEvent, day(1));
    expect(result.effects).toEqual([{ type: 'ignored', reason: 'invalidEvent', detail: 'fingerprints must be strings' }]);
    expect(result.state).toBe(state);
  });

  it('first usage of an accepted partner signing certificate: the activation alert names the relationship, the slot and the cause', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const next = makeCert({ label: 'partner-sign-next' });
    const accepted = transition(state, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const used = transition(accepted, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: next.sha256.toUpperCase() }, day(1));
    expect(used.effects).toHaveLength(2);
    const alert = used.effects[1];
    if (alert?.type !== 'notify') throw new Error('the second effect is not a notification');
    expect(alert.alert).toMatchObject({ kind: 'certificateActivated', relationshipId: 'acme', dedupeKey: `certificateActivated:acme:partner:signing:${next.sha256}` });
    expect(alert.alert.details).toEqual({ side: 'partner', usage: 'signing', cause: 'firstUsage', certificate: expect.objectContaining({ fingerprint: next.sha256 }) });
    expect(used.state.relationships['acme']?.partner.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[next.sha256, 'firstUsage']]);
  });
});
