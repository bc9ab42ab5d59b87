import { describe, expect, it } from 'vitest';
import { assessServerConsensus, partnerStance } from '../../src/policy/server-consensus.js';
import type { CemState, ServerReadiness } from '../../src/state/model.js';
import { createInitialState } from '../../src/state/transition.js';
import { local, makeCert, makePki, relationshipInit, run, T0 } from '../state/fixtures.js';

const readiness = (status: ServerReadiness['status'], fingerprint = 'cand', activateAt: string | null = null): ServerReadiness => ({ fingerprint, status, exchangeId: null, activateAt, reason: null });

describe('server consensus', () => {
  const past = new Date(T0.getTime() - 1).toISOString();
  const future = new Date(T0.getTime() + 1).toISOString();
  it.each([
    [null, false, 'waiting'],
    [readiness('accepted', 'other'), false, 'waiting'],
    [readiness('accepted'), false, 'ready'],
    [readiness('scheduled', 'cand', past), false, 'ready'],
    [readiness('scheduled', 'cand', future), false, 'waiting'],
    [readiness('expired'), false, 'waiting'],
    [readiness('expired'), true, 'ready'],
    [readiness('rejected'), true, 'rejecting'],
    [readiness('pending'), false, 'waiting'],
    [readiness('emailed'), false, 'waiting'],
    [readiness('sendFailed'), false, 'waiting'],
  ] as const)('readiness %j (useAfterRespondBy %s) → %s', (r, useAfter, stance) => {
    expect(partnerStance(r, 'cand', T0, useAfter)).toBe(stance);
  });

  it('does not count an expired readiness as ready when its Request expired before its delivery was confirmed', () => {
    expect(partnerStance(readiness('expired'), 'cand', T0, true, true)).toBe('waiting');
    const base = withReadiness({ ...readiness('expired'), exchangeId: 'r-a' }, readiness('accepted'));
    const exchange = (undelivered: boolean) => ({ id: 'r-a', relationshipId: 'acme', channel: 'cem' as const, status: 'expired' as const, createdAt: T0.toISOString(), originated: T0.toISOString(), respondBy: T0.toISOString(), xmlContentId: 'x', items: [], attempts: 1, lastError: null, activateAt: null, responseUrl: 'https://us.example', emailTo: null, ...(undelivered ? { undelivered: true } : {}) });
    const useAfter = { ...base.settings, useAfterRespondBy: true };
    expect(assessServerConsensus({ ...base, settings: useAfter, outbound: { 'r-a': exchange(false) } }, 'HTTP', T0)).toMatchObject({ ready: ['acme', 'bolt'], install: true });
    expect(assessServerConsensus({ ...base, settings: useAfter, outbound: { 'r-a': exchange(true) } }, 'HTTP', T0)).toMatchObject({ ready: ['bolt'], waiting: ['acme'], install: false });
  });

  function withReadiness(a: ServerReadiness | null, b: ServerReadiness | null, ftp: ServerReadiness | null = null): CemState {
    const server = makeCert();
    const { state } = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('ftpco', makePki(), { protocol: 'FTP' }) }, T0],
      [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: new Date(T0.getTime() + 1e9), emailPartner: false }, T0],
    ]);
    const fix = (r: ServerReadiness | null) => (r === null ? null : { ...r, fingerprint: r.fingerprint === 'cand' ? server.sha256 : r.fingerprint });
    const rels = state.relationships;
    return { ...state, relationships: { acme: { ...rels['acme']!, serverReadiness: fix(a) }, bolt: { ...rels['bolt']!, serverReadiness: fix(b) }, ftpco: { ...rels['ftpco']!, serverReadiness: fix(ftp) } } };
  }

  it('installs when every partner on the listener is ready, whatever other listeners do', () => {
    const c = assessServerConsensus(withReadiness(readiness('accepted'), readiness('scheduled', 'cand', T0.toISOString()), readiness('rejected')), 'HTTP', T0);
    expect(c).toMatchObject({ ready: ['acme', 'bolt'], waiting: [], rejecting: [], install: true, conflict: false });
  });

  it.each([
    ['one partner still pending', readiness('accepted'), readiness('pending'), false],
    ['one partner rejecting', readiness('accepted'), readiness('rejected'), false],
    ['one partner with no readiness', readiness('accepted'), null, false],
  ] as const)('does not install with %s', (_name, a, b, install) => {
    expect(assessServerConsensus(withReadiness(a, b), 'HTTP', T0).install).toBe(install);
  });

  it('reports a conflict when partners accepted different certificates', () => {
    const c = assessServerConsensus(withReadiness(readiness('accepted'), readiness('accepted', 'other')), 'HTTP', T0);
    expect(c.conflict).toBe(true);
    expect(c.accepted).toHaveLength(2);
  });
});
