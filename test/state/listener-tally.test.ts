/**
 * The listener tally: marks of partners, reading them back, counting, and how the consensus and
 * a cancelled schedule weigh the partners a state counts instead of holding.
 */
import { describe, expect, it } from 'vitest';
import { assessServerConsensus, isBlocked } from '../../src/policy/server-consensus.js';
import { addMark, memberMark, NO_READINESS, othersHaveReadiness, othersOf, parseMark, sameTally, tallyOf } from '../../src/state/indexes/listener-tally.js';
import type { CemState, OutboundExchange, Relationship, ServerReadiness } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';

const FP = 'a'.repeat(64);
const readiness = (status: ServerReadiness['status'], extra: Partial<ServerReadiness> = {}): ServerReadiness => ({ fingerprint: FP, status, exchangeId: null, activateAt: null, reason: null, ...extra });
const withReadiness = (rel: Relationship, r: ServerReadiness | null): Relationship => ({ ...rel, serverReadiness: r });
const expired = (id: string, undelivered: boolean): OutboundExchange =>
  ({ id, relationshipId: 'acme', channel: 'cem', status: 'expired', createdAt: T0.toISOString(), originated: T0.toISOString(), respondBy: T0.toISOString(), xmlContentId: 'x', items: [], attempts: 1, lastError: null, activateAt: null, responseUrl: null, emailTo: null, ...(undelivered ? { undelivered: true } : {}) }) as OutboundExchange;

/** `acme` and `bolt` on HTTP, with a candidate server certificate scheduled for acme a day ahead. */
function listener(): { state: CemState; fp: string } {
  const server = makeCert({ label: 'tally-candidate' });
  const { state } = run(createInitialState(), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
    [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
    [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: new Date(T0.getTime() + 86_400_000), emailPartner: false }, T0],
  ]);
  return { state, fp: server.sha256 };
}

/** `state` without bolt, counted instead in `listenerOthers`. */
function withoutBolt(state: CemState, boltMark: string, count = 1): CemState {
  const { bolt: _bolt, ...rest } = state.relationships;
  return { ...state, relationships: rest, listenerOthers: { HTTP: { [boltMark]: count } } };
}

describe('memberMark and parseMark', () => {
  const { state } = listener();
  const rel = state.relationships['bolt'] as Relationship;

  it('marks no readiness as none, and reads unknown marks back as no readiness', () => {
    expect(memberMark(withReadiness(rel, null), {})).toBe(NO_READINESS);
    expect(parseMark(NO_READINESS)).toEqual({ readiness: null, undelivered: false });
    expect(parseMark(`${FP} installed`)).toEqual({ readiness: null, undelivered: false });
    expect(parseMark(' accepted')).toEqual({ readiness: null, undelivered: false });
  });

  it('round-trips every status, with the scheduled time and the undelivered flag', () => {
    for (const status of ['pending', 'accepted', 'rejected', 'emailed', 'sendFailed', 'expired'] as const) {
      const mark = memberMark(withReadiness(rel, readiness(status)), {});
      expect(mark).toBe(`${FP} ${status}`);
      expect(parseMark(mark)).toEqual({ readiness: { fingerprint: FP, status, activateAt: null }, undelivered: false });
    }
    const at = '2027-01-02T03:04:05.000Z';
    const scheduled = memberMark(withReadiness(rel, readiness('scheduled', { activateAt: at })), {});
    expect(scheduled).toBe(`${FP} scheduled ${at}`);
    expect(parseMark(scheduled).readiness).toEqual({ fingerprint: FP, status: 'scheduled', activateAt: at });
    expect(parseMark(`${FP} scheduled `).readiness).toEqual({ fingerprint: FP, status: 'scheduled', activateAt: null });
    expect(parseMark(`${FP} scheduled`).readiness).toEqual({ fingerprint: FP, status: 'scheduled', activateAt: null });
    expect(memberMark(withReadiness(rel, readiness('scheduled')), {})).toBe(`${FP} scheduled `);
    expect(parseMark(`${FP} accepted ${at}`).readiness?.activateAt).toBeNull();
  });

  it('marks an expired readiness undelivered only when its own exchange was never confirmed delivered', () => {
    const r = withReadiness(rel, readiness('expired', { exchangeId: 'r1' }));
    expect(memberMark(r, { r1: expired('r1', true) })).toBe(`${FP} expired-undelivered`);
    expect(memberMark(r, { r1: expired('r1', false) })).toBe(`${FP} expired`);
    expect(memberMark(r, { r2: expired('r2', true) })).toBe(`${FP} expired`);
    expect(memberMark(withReadiness(rel, readiness('expired')), { r1: expired('r1', true) })).toBe(`${FP} expired`);
    // Accepted late, after its Request expired undelivered: an acceptance like any other.
    expect(memberMark(withReadiness(rel, readiness('accepted', { exchangeId: 'r1' })), { r1: expired('r1', true) })).toBe(`${FP} accepted`);
    expect(parseMark(`${FP} expired-undelivered`)).toEqual({ readiness: { fingerprint: FP, status: 'expired', activateAt: null }, undelivered: true });
  });
});

describe('counting', () => {
  it('adds and takes partners, drops empty marks, and refuses to go below zero', () => {
    expect(addMark({}, 'none', 2)).toEqual({ none: 2 });
    expect(addMark({ none: 2 }, 'none', -1)).toEqual({ none: 1 });
    expect(addMark({ none: 1, x: 1 }, 'none', -1)).toEqual({ x: 1 });
    expect(addMark({ none: 1 }, 'none', -2)).toBeNull();
    expect(addMark({}, 'none', -1)).toBeNull();
    const same = { none: 1 };
    expect(addMark(same, 'none', 0)).toBe(same);
    expect(addMark({ none: Number.MAX_SAFE_INTEGER }, 'none', 1)).toBeNull();
  });

  it('counts the partners on one listener only, over a base', () => {
    const { state, fp } = listener();
    expect(tallyOf(state, 'HTTP')).toEqual({ none: 1, [`${fp} scheduled ${new Date(T0.getTime() + 86_400_000).toISOString()}`]: 1 });
    expect(tallyOf(state, 'FTP')).toEqual({});
    expect(tallyOf(state, 'FTP', { none: 3 })).toEqual({ none: 3 });
    expect(tallyOf(state, 'HTTP', { none: 3 })['none']).toBe(4);
  });

  it('compares tallies by their counts', () => {
    expect(sameTally({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameTally({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameTally({ a: 1 }, { a: 1, b: 1 })).toBe(false);
    expect(sameTally({ a: 1, b: 1 }, { a: 1, c: 1 })).toBe(false);
  });

  it('reads the counted partners of one listener only', () => {
    const { state, fp } = listener();
    const partial = withoutBolt(state, `${fp} accepted`);
    expect(othersOf(partial, 'HTTP')).toEqual({ [`${fp} accepted`]: 1 });
    expect(othersOf(partial, 'FTP')).toEqual({});
    expect(othersOf(state, 'HTTP')).toEqual({});
    expect(othersHaveReadiness(partial, 'HTTP', fp)).toBe(true);
    expect(othersHaveReadiness(partial, 'HTTP', FP)).toBe(false);
    expect(othersHaveReadiness(partial, 'FTP', fp)).toBe(false);
    expect(othersHaveReadiness(withoutBolt(state, NO_READINESS), 'HTTP', fp)).toBe(false);
  });
});

describe('the consensus over counted partners', () => {
  it('counts them by stance and lets them block or release the install', () => {
    const { state, fp } = listener();
    const later = new Date(T0.getTime() + 2 * 86_400_000);
    // Counted: 3 partners without readiness: the install waits for them.
    const waiting = assessServerConsensus(withoutBolt(state, NO_READINESS, 3), 'HTTP', later);
    expect(waiting).toMatchObject({ ready: ['acme'], waiting: [], rejecting: [], others: { ready: 0, waiting: 3, rejecting: 0 }, install: false });
    expect(isBlocked(waiting)).toBe(true);
    // Counted: 2 that accepted: everybody is ready.
    const ready = assessServerConsensus(withoutBolt(state, `${fp} accepted`, 2), 'HTTP', later);
    expect(ready).toMatchObject({ others: { ready: 2, waiting: 0, rejecting: 0 }, install: true, accepted: [fp], conflict: false });
    expect(isBlocked(ready)).toBe(false);
    // Counted: one rejection blocks it.
    const rejected = assessServerConsensus(withoutBolt(state, `${fp} rejected`), 'HTTP', later);
    expect(rejected).toMatchObject({ others: { ready: 0, waiting: 0, rejecting: 1 }, install: false });
    expect(isBlocked(rejected)).toBe(true);
    // Counted: scheduled later than now waits, scheduled before now is ready.
    expect(assessServerConsensus(withoutBolt(state, `${fp} scheduled ${new Date(T0.getTime() + 5 * 86_400_000).toISOString()}`), 'HTTP', later).others).toEqual({ ready: 0, waiting: 1, rejecting: 0 });
    expect(assessServerConsensus(withoutBolt(state, `${fp} scheduled ${T0.toISOString()}`), 'HTTP', later).install).toBe(true);
    // Counted: an undelivered expiry never counts as ready, a delivered one does with useAfterRespondBy.
    const useAfter = { ...state, settings: { ...state.settings, useAfterRespondBy: true } };
    expect(assessServerConsensus(withoutBolt(useAfter, `${fp} expired`), 'HTTP', later).others.ready).toBe(1);
    expect(assessServerConsensus(withoutBolt(useAfter, `${fp} expired-undelivered`), 'HTTP', later).others.waiting).toBe(1);
    // Counted partners that accepted another certificate: a conflict, and they still wait for the candidate.
    const conflict = assessServerConsensus(withoutBolt(state, `${FP} accepted`), 'HTTP', later);
    expect(conflict).toMatchObject({ accepted: [FP], others: { waiting: 1 }, conflict: false, install: false });
  });

  it('adds the held and the counted partners: one waiting in each, or one rejecting in each, is no consensus', () => {
    const { state, fp } = listener();
    const later = new Date(T0.getTime() + 2 * 86_400_000);
    const acme = state.relationships['acme'] as Relationship;
    const held = (r: ServerReadiness | null): CemState => ({ ...state, relationships: { acme: withReadiness(acme, r) } });
    const waitingBoth = { ...held(null), listenerOthers: { HTTP: { none: 1, [`${fp} accepted`]: 1 } } };
    expect(assessServerConsensus(waitingBoth, 'HTTP', later)).toMatchObject({ waiting: ['acme'], others: { ready: 1, waiting: 1, rejecting: 0 }, install: false });
    const rejectingBoth = { ...held({ fingerprint: fp, status: 'rejected', exchangeId: null, activateAt: null, reason: 'no' }), listenerOthers: { HTTP: { [`${fp} rejected`]: 1, [`${fp} accepted`]: 1 } } };
    expect(assessServerConsensus(rejectingBoth, 'HTTP', later)).toMatchObject({ rejecting: ['acme'], others: { ready: 1, waiting: 0, rejecting: 1 }, install: false });
  });

  it('reports accepted certificates of counted partners on a listener without a candidate', () => {
    const { state } = listener();
    const slot = state.servers['HTTP'];
    const noCandidate: CemState = { ...state, servers: slot === undefined ? {} : { HTTP: { ...slot, candidate: null } } };
    const c = assessServerConsensus(withoutBolt(noCandidate, `${FP} accepted`, 4), 'HTTP', T0);
    expect(c).toMatchObject({ candidate: null, accepted: [FP], others: { ready: 0, waiting: 0, rejecting: 0 }, install: false });
    const rejected = { ...withoutBolt(noCandidate, `${FP} accepted`), listenerOthers: { HTTP: { [`${FP} accepted`]: 1, [`${'b'.repeat(64)} rejected`]: 1, [`${'c'.repeat(64)} pending`]: 1 } } };
    expect(assessServerConsensus(rejected, 'HTTP', T0).accepted).toEqual([FP]);
  });

  it('installs for the schedule only when every counted partner is scheduled too, and keeps the candidate a counted partner still wants', () => {
    const { state, fp } = listener();
    const later = new Date(T0.getTime() + 2 * 86_400_000);
    const at = T0.toISOString();
    const viaSchedule = transition(withoutBolt(state, `${fp} scheduled ${at}`), { type: 'tick' }, later);
    expect(viaSchedule.effects.filter((e) => e.type === 'installServerCertificate')).toHaveLength(1);
    expect(viaSchedule.state.servers['HTTP']?.candidate?.installCause).toBe('schedule');
    const mixed = transition(withoutBolt(state, `${fp} accepted`), { type: 'tick' }, later);
    expect(mixed.state.servers['HTTP']?.candidate?.installCause).toBe('cem');
    // Cancelling acme's schedule: bolt (counted) still has a readiness for the candidate, so it stays.
    const cancelled = transition(withoutBolt(state, `${fp} accepted`), { type: 'cancelSchedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer' }, T0);
    expect(cancelled.state.servers['HTTP']?.candidate?.cert.fingerprint).toBe(fp);
    const alone = transition(withoutBolt(state, NO_READINESS), { type: 'cancelSchedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer' }, T0);
    expect(alone.state.servers['HTTP']?.candidate).toBeNull();
  });

  it('raises the daily pending reminder only from a state holding every partner of the listener', () => {
    const { state } = listener();
    const whole = transition(state, { type: 'tick' }, T0);
    expect(whole.effects.some((e) => e.type === 'notify' && e.alert.kind === 'serverCertificatePending')).toBe(true);
    const partial = transition(withoutBolt(state, NO_READINESS), { type: 'tick' }, T0);
    expect(partial.effects.some((e) => e.type === 'notify' && e.alert.kind === 'serverCertificatePending')).toBe(false);
  });
});
