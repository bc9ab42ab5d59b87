/**
 * Server-certificate consensus behaviours the mutation run of src/policy/server-consensus.ts
 * found unasserted: listeners without a slot or candidate, which readiness counts as accepted, the
 * rejecting list, an install already requested, a listener without partners, and undelivered
 * Requests looked up by their own exchange id only.
 */
import { describe, expect, it } from 'vitest';
import { assessServerConsensus, partnerStance } from '../../src/policy/server-consensus.js';
import type { CemState, OutboundExchange, ServerReadiness } from '../../src/state/model.js';
import { createInitialState } from '../../src/state/transition.js';
import { local, makeCert, makePki, relationshipInit, run, T0 } from '../state/fixtures.js';

const readiness = (fingerprint: string, status: ServerReadiness['status'], exchangeId: string | null = null): ServerReadiness => ({ fingerprint, status, exchangeId, activateAt: null, reason: null });

/** `acme` and `bolt` on the HTTP listener; with a candidate server certificate when `candidate`. */
function listener(candidate: boolean): { state: CemState; fp: string } {
  const server = makeCert({ label: 'listener' });
  const { state } = run(createInitialState(), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
    [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
    ...(candidate ? [[{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: new Date(T0.getTime() + 1e9), emailPartner: false }, T0] as const] : []),
  ]);
  return { state, fp: server.sha256 };
}

function withReadiness(state: CemState, a: ServerReadiness | null, b: ServerReadiness | null): CemState {
  const rels = state.relationships;
  return { ...state, relationships: { ...rels, acme: { ...rels['acme']!, serverReadiness: a }, bolt: { ...rels['bolt']!, serverReadiness: b } } };
}

function outbound(id: string, undelivered: boolean): OutboundExchange {
  return { id, relationshipId: 'acme', channel: 'cem', status: 'expired', createdAt: T0.toISOString(), originated: T0.toISOString(), respondBy: T0.toISOString(), xmlContentId: 'x', items: [], attempts: 1, lastError: null, activateAt: null, responseUrl: 'https://us.example', emailTo: null, ...(undelivered ? { undelivered: true } : {}) } as OutboundExchange;
}

describe('assessServerConsensus without a candidate', () => {
  it('reports the accepted certificates of a listener that has no server slot, and installs nothing', () => {
    const { state } = listener(false);
    const s = withReadiness({ ...state, servers: {} }, readiness('a'.repeat(64), 'accepted'), readiness('b'.repeat(64), 'accepted'));
    expect(assessServerConsensus(s, 'HTTP', T0)).toEqual({
      protocol: 'HTTP', candidate: null, ready: [], waiting: [], rejecting: [], others: { ready: 0, waiting: 0, rejecting: 0 }, install: false,
      accepted: ['a'.repeat(64), 'b'.repeat(64)], conflict: true,
    });
  });

  it('reports the same for a slot whose candidate was cleared', () => {
    const { state, fp } = listener(true);
    const slot = state.servers['HTTP']!;
    const s = withReadiness({ ...state, servers: { HTTP: { ...slot, candidate: null } } }, readiness(fp, 'accepted'), null);
    expect(assessServerConsensus(s, 'HTTP', T0)).toMatchObject({ candidate: null, ready: [], waiting: [], install: false, accepted: [fp], conflict: false });
  });
});

describe('assessServerConsensus with a candidate', () => {
  it('names the candidate, lists a rejecting partner only under rejecting', () => {
    const { state, fp } = listener(true);
    const c = assessServerConsensus(withReadiness(state, readiness(fp, 'accepted'), readiness(fp, 'rejected')), 'HTTP', T0);
    expect(c).toMatchObject({ candidate: fp, ready: ['acme'], waiting: [], rejecting: ['bolt'], install: false });
  });

  it('counts only accepted readiness as an accepted certificate, not pending, scheduled or rejected ones', () => {
    const { state, fp } = listener(true);
    const other = 'c'.repeat(64);
    for (const status of ['pending', 'scheduled', 'rejected', 'expired', 'emailed', 'sendFailed'] as const) {
      const c = assessServerConsensus(withReadiness(state, readiness(fp, 'accepted'), readiness(other, status)), 'HTTP', T0);
      expect(c.accepted).toEqual([fp]);
      expect(c.conflict).toBe(false);
    }
  });

  it('sorts the accepted fingerprints', () => {
    const { state } = listener(true);
    const c = assessServerConsensus(withReadiness(state, readiness('f'.repeat(64), 'accepted'), readiness('0'.repeat(64), 'accepted')), 'HTTP', T0);
    expect(c.accepted).toEqual(['0'.repeat(64), 'f'.repeat(64)]);
  });

  it('does not ask again for an install already requested', () => {
    const { state, fp } = listener(true);
    const ready = withReadiness(state, readiness(fp, 'accepted'), readiness(fp, 'accepted'));
    expect(assessServerConsensus(ready, 'HTTP', T0).install).toBe(true);
    const slot = ready.servers['HTTP']!;
    const requested: CemState = { ...ready, servers: { HTTP: { ...slot, candidate: { ...slot.candidate!, installRequestedAt: T0.toISOString() } } } };
    expect(assessServerConsensus(requested, 'HTTP', T0)).toMatchObject({ ready: ['acme', 'bolt'], install: false });
  });

  it('never installs on a listener without partners', () => {
    const { state, fp } = listener(true);
    const moved: CemState = { ...state, relationships: { acme: { ...state.relationships['acme']!, listener: 'FTP' }, bolt: { ...state.relationships['bolt']!, listener: 'FTP' } } };
    expect(assessServerConsensus(moved, 'HTTP', T0)).toMatchObject({ candidate: fp, ready: [], waiting: [], rejecting: [], install: false });
  });

  it('looks up undelivered only for the readiness\'s own exchange, even when an exchange is named "null"', () => {
    const { state, fp } = listener(true);
    const s = withReadiness(state, readiness(fp, 'expired'), readiness(fp, 'expired', 'r-b'));
    const useAfter = { ...s.settings, useAfterRespondBy: true };
    const c = assessServerConsensus({ ...s, settings: useAfter, outbound: { null: outbound('null', true), 'r-b': outbound('r-b', false) } }, 'HTTP', T0);
    expect(c).toMatchObject({ ready: ['acme', 'bolt'], waiting: [], install: true });
    const unknown = withReadiness(state, readiness(fp, 'expired', 'gone'), readiness(fp, 'expired', 'r-b'));
    expect(assessServerConsensus({ ...unknown, settings: useAfter, outbound: { 'r-b': outbound('r-b', true) } }, 'HTTP', T0)).toMatchObject({ ready: ['acme'], waiting: ['bolt'], install: false });
  });
});

describe('partnerStance: a corrupted state', () => {
  it('refuses a readiness status outside its union with CEM_ARGUMENT', () => {
    const odd = { ...readiness('a'.repeat(64), 'pending'), status: 'bogus' as ServerReadiness['status'] };
    expect(() => partnerStance(odd, 'a'.repeat(64), T0, false)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });
});
