/**
 * The due index (`src/state/indexes/due.ts`) on its own: the exact instant each kind of due item
 * contributes to a relationship's or a listener's due time, the earlier of two, and the cases
 * that contribute nothing (absent, passed, invalid).
 */
import { describe, expect, it } from 'vitest';
import { listenerDue, nextAlertDay, relationshipDue } from '../../src/state/indexes/due.js';
import type { CemState, CertSlot, InboundExchange, OutboundExchange, Relationship, ServerReadiness, ServerSlot } from '../../src/state/model.js';
import { createInitialState } from '../../src/state/transition.js';
import { local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';

const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);
const NOW = new Date('2026-03-02T10:00:00.000Z');
/** The alert day after NOW's (offset 0). */
const TOMORROW = at('2026-03-03T00:00:00.000Z');
const TODAY = '2026-03-02';
const YESTERDAY = '2026-03-01';
/** Every certificate of the fixture expires then; with the 30-day warning it is due 30 days before. */
const NOT_AFTER = new Date('2030-01-01T00:00:00.000Z');
const BASE = NOT_AFTER.getTime() - 30 * DAY;

/** `acme` (on HTTP) and `bolt` (on HTTP), every certificate valid until NOT_AFTER, retention 10 days. */
function base(): CemState {
  const pki = (): ReturnType<typeof makePki> => {
    const c = (label: string): ReturnType<typeof makeCert> => makeCert({ label, notAfter: NOT_AFTER });
    return { localSigning: c('s'), localEncryption: c('e'), localTls: c('t'), partnerSigning: c('ps'), partnerEncryption: c('pe'), partnerTlsServer: c('pts'), partnerTlsClient: c('ptc') };
  };
  return run(createInitialState({ retainFinishedDays: 10 }), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', pki()) }, T0],
    [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', pki()) }, T0],
  ]).state;
}

const acme = (s: CemState): Relationship => s.relationships['acme'] as Relationship;
const withAcme = (s: CemState, change: Partial<Relationship>): CemState => ({ ...s, relationships: { ...s.relationships, acme: { ...acme(s), ...change } } });
const EMPTY: CertSlot = { active: [], successor: null, archive: [] };
/** `acme` without any certificate: nothing of its own is ever due. */
const bare = (s: CemState): CemState => withAcme(s, { local: { signing: EMPTY, encryption: EMPTY, tlsClient: EMPTY }, partner: { signing: EMPTY, encryption: EMPTY, tlsServer: EMPTY, tlsClient: EMPTY } });

function outbound(id: string, status: OutboundExchange['status'], extra: Partial<OutboundExchange> = {}): OutboundExchange {
  return { id, relationshipId: 'acme', channel: 'cem', status, createdAt: T0.toISOString(), originated: T0.toISOString(), respondBy: '2026-03-05T00:00:00.000Z', xmlContentId: 'x', items: [], attempts: 1, lastError: null, activateAt: null, responseUrl: null, emailTo: null, ...extra };
}
function inbound(key: string, status: InboundExchange['status'], extra: Partial<InboundExchange> = {}): InboundExchange {
  return { key, requestId: 'r', relationshipId: 'acme', messageId: null, receivedAt: T0.toISOString(), respondBy: '2026-03-05T00:00:00.000Z', items: [], status, respondedAt: null, attempts: 0, lastError: null, ...extra };
}
const withOut = (s: CemState, ...ex: OutboundExchange[]): CemState => ({ ...s, outbound: Object.fromEntries(ex.map((e) => [e.id, e])) });
const withIn = (s: CemState, ...ex: InboundExchange[]): CemState => ({ ...s, inbound: Object.fromEntries(ex.map((e) => [e.key, e])) });
const due = (s: CemState, log: Record<string, string> = {}, now = NOW): number | null => relationshipDue(s, 'acme', log, now);

describe('nextAlertDay', () => {
  it('is the start of the next alert day in the offset', () => {
    expect(nextAlertDay(new Date('2027-01-01T10:00:00Z'), 0)).toBe(at('2027-01-02T00:00:00Z'));
    expect(nextAlertDay(new Date('2027-01-01T10:00:00Z'), 60)).toBe(at('2027-01-01T23:00:00Z'));
    expect(nextAlertDay(new Date('2027-01-01T23:30:00Z'), 60)).toBe(at('2027-01-02T23:00:00Z'));
    expect(nextAlertDay(new Date('2027-01-01T01:00:00Z'), -120)).toBe(at('2027-01-01T02:00:00Z'));
  });
});

describe('relationshipDue: the relationship and its alert log', () => {
  it('is null for an unknown relationship and for one with nothing ever due', () => {
    expect(due(base(), {}, NOW)).toBe(BASE);
    expect(relationshipDue(base(), 'nobody', {}, NOW)).toBeNull();
    expect(due(bare(base()))).toBeNull();
  });

  it("is due at the next alert day while its log holds entries (yesterday's are pruned)", () => {
    expect(due(bare(base()), { anything: YESTERDAY })).toBe(TOMORROW);
    const offset = { ...bare(base()), settings: { ...base().settings, alertDayOffsetMinutes: 60 } };
    expect(relationshipDue(offset, 'acme', { anything: TODAY }, NOW)).toBe(at('2026-03-02T23:00:00Z'));
  });
});

describe('relationshipDue: our Requests', () => {
  it('is due at the respond-by time of a CEM Request pending or sending, the earlier of two', () => {
    const s = bare(base());
    expect(due(withOut(s, outbound('r1', 'pending')))).toBe(at('2026-03-05T00:00:00.000Z'));
    expect(due(withOut(s, outbound('r1', 'sending', { respondBy: '2026-03-04T00:00:00.000Z' }), outbound('r2', 'pending')))).toBe(at('2026-03-04T00:00:00.000Z'));
    expect(due(withOut(s, outbound('r1', 'pending'), outbound('r2', 'sending', { respondBy: '2026-03-06T00:00:00.000Z' })))).toBe(at('2026-03-05T00:00:00.000Z'));
  });

  it('ignores the respond-by time of an email, an answered Request, another relationship, or none', () => {
    const s = bare(base());
    expect(due(withOut(s, outbound('r1', 'pending', { channel: 'email' })))).toBeNull();
    expect(due(withOut(s, outbound('r1', 'emailed', { channel: 'email' })))).toBeNull();
    // A finished one is due only for dropping: created at T0, kept 10 days.
    expect(due(withOut(s, outbound('r1', 'rejected')))).toBe(T0.getTime() + 10 * DAY);
    expect(due(withOut(s, outbound('r1', 'pending', { relationshipId: 'bolt' })))).toBeNull();
    expect(due(withOut(s, outbound('r1', 'pending', { respondBy: null })))).toBeNull();
  });

  it('reminds daily of an expired Request: now, or the next alert day once it fired today', () => {
    const s = withOut(bare(base()), outbound('r1', 'expired'));
    expect(due(s)).toBe(NOW.getTime());
    expect(due(s, { 'requestOverdue:r1': TODAY })).toBe(TOMORROW);
    expect(due(s, { 'requestOverdue:r1': YESTERDAY })).toBe(NOW.getTime());
    expect(due(s, { 'requestOverdue:r2': TODAY })).toBe(NOW.getTime());
    expect(due(withOut(bare(base()), outbound('r1', 'expired', { relationshipId: 'bolt' })))).toBeNull();
  });

  it('reminds daily of a failed send, by channel', () => {
    const cem = withOut(bare(base()), outbound('r1', 'sendFailed'));
    expect(due(cem)).toBe(NOW.getTime());
    expect(due(cem, { 'retryNeeded:request:r1': TODAY })).toBe(TOMORROW);
    expect(due(cem, { 'retryNeeded:email:r1': TODAY })).toBe(NOW.getTime());
    const email = withOut(bare(base()), outbound('r1', 'sendFailed', { channel: 'email' }));
    expect(due(email, { 'retryNeeded:email:r1': TODAY })).toBe(TOMORROW);
    expect(due(email, { 'retryNeeded:request:r1': TODAY })).toBe(NOW.getTime());
  });

  it('is due when a finished Request may be dropped: its last activity plus the retention', () => {
    const s = bare(base());
    const finished = outbound('r1', 'accepted', { finishedAt: '2026-03-01T00:00:00.000Z' });
    expect(due(withOut(s, finished))).toBe(at('2026-03-11T00:00:00.000Z'));
    // Referred to by a server readiness: kept, never due for dropping.
    const readiness: ServerReadiness = { fingerprint: 'f'.repeat(64), status: 'accepted', exchangeId: 'r1', activateAt: null, reason: null };
    expect(due(withAcme(withOut(s, finished), { serverReadiness: readiness }))).toBeNull();
    expect(due(withOut(s, outbound('r1', 'accepted', { finishedAt: '2026-03-01T00:00:00.000Z', relationshipId: 'bolt' })))).toBeNull();
  });
});

describe('relationshipDue: Requests we received', () => {
  it('reminds daily of a failed Response', () => {
    const s = withIn(bare(base()), inbound('acme/r', 'responseFailed'));
    expect(due(s)).toBe(NOW.getTime());
    expect(due(s, { 'retryNeeded:response:acme/r': TODAY })).toBe(TOMORROW);
    expect(due(s, { 'retryNeeded:request:acme/r': TODAY })).toBe(NOW.getTime());
    expect(due(withIn(bare(base()), inbound('acme/r', 'responseFailed', { relationshipId: 'bolt' })))).toBeNull();
  });

  it('awaiting a decision: the earlier of its respond-by time and the daily reminder', () => {
    const s = bare(base());
    const soon = withIn(s, inbound('acme/r', 'awaitingDecision', { respondBy: '2026-03-02T15:00:00.000Z' }));
    expect(due(soon)).toBe(NOW.getTime());
    expect(due(soon, { 'requestAwaitingAnswer:acme/r': TODAY })).toBe(at('2026-03-02T15:00:00.000Z'));
    expect(due(soon, { 'responseOverdue:acme/r': TODAY })).toBe(NOW.getTime());
    const later = withIn(s, inbound('acme/r', 'awaitingDecision', { respondBy: '2026-03-05T00:00:00.000Z' }));
    expect(due(later, { 'requestAwaitingAnswer:acme/r': TODAY })).toBe(TOMORROW);
    const none = withIn(s, inbound('acme/r', 'awaitingDecision', { respondBy: null }));
    expect(due(none, { 'requestAwaitingAnswer:acme/r': TODAY })).toBe(TOMORROW);
    expect(due(none, { 'responseOverdue:acme/r': TODAY })).toBe(NOW.getTime());
  });

  it('awaiting a decision past its respond-by time (exactly at it, too): the daily overdue reminder', () => {
    const s = bare(base());
    const atNow = withIn(s, inbound('acme/r', 'awaitingDecision', { respondBy: NOW.toISOString() }));
    expect(due(atNow, { 'responseOverdue:acme/r': TODAY })).toBe(TOMORROW);
    expect(due(atNow, { 'requestAwaitingAnswer:acme/r': TODAY })).toBe(NOW.getTime());
    const past = withIn(s, inbound('acme/r', 'awaitingDecision', { respondBy: '2026-03-01T00:00:00.000Z' }));
    expect(due(past, { 'responseOverdue:acme/r': TODAY })).toBe(TOMORROW);
    // Answered: due only for dropping (received at T0, kept 10 days).
    expect(due(withIn(s, inbound('acme/r', 'answered', { respondBy: '2026-03-05T00:00:00.000Z' })))).toBe(T0.getTime() + 10 * DAY);
  });

  it('is due when an answered Request may be dropped, not while an item waits for our decision', () => {
    const s = bare(base());
    const answered = inbound('acme/r', 'answered', { finishedAt: '2026-03-01T12:00:00.000Z' });
    expect(due(withIn(s, answered))).toBe(at('2026-03-11T12:00:00.000Z'));
    expect(due(withIn(s, { ...answered, relationshipId: 'bolt' }))).toBeNull();
    const waiting = { decision: 'pending' } as unknown as InboundExchange['items'][number];
    expect(due(withIn(s, { ...answered, items: [waiting] }))).toBeNull();
  });
});

describe('relationshipDue: certificate slots and the server readiness', () => {
  it('is due at a scheduled successor’s activation time, not at another successor’s', () => {
    const cert = { fingerprint: 'a'.repeat(64), subject: 'CN=x', issuer: 'CN=y', serial: '1', notBefore: T0.toISOString(), notAfter: NOT_AFTER.toISOString() } as unknown as CertSlot['active'][number]['cert'];
    const successor = (status: 'scheduled' | 'pending'): CertSlot => ({ ...EMPTY, successor: { cert, status, since: T0.toISOString(), exchangeId: null, activateAt: '2026-03-04T00:00:00.000Z', reason: null } });
    const s = bare(base());
    const p = acme(s).partner;
    expect(due(withAcme(s, { partner: { ...p, tlsClient: successor('scheduled') } }))).toBe(at('2026-03-04T00:00:00.000Z'));
    expect(due(withAcme(s, { partner: { ...p, tlsClient: successor('pending') } }))).toBeNull();
  });

  it('warns of an active certificate’s expiry from notAfter minus the warning days, then daily', () => {
    const s = base();
    const fp = acme(s).local.signing.active[0]?.cert.fingerprint ?? '';
    const withSigning = (notAfter: string): CemState => {
      const b = bare(s);
      const signing = acme(s).local.signing;
      const active = signing.active.map((a) => ({ ...a, cert: { ...a.cert, notAfter } }));
      return withAcme(b, { local: { ...acme(b).local, signing: { ...signing, active } } });
    };
    // Warning time exactly now: the daily warning, not fired yet today.
    expect(due(withSigning('2026-04-01T10:00:00.000Z'))).toBe(NOW.getTime());
    expect(due(withSigning('2026-05-01T00:00:00.000Z'))).toBe(at('2026-04-01T00:00:00.000Z'));
    const week = { ...withSigning('2026-05-01T00:00:00.000Z'), settings: { ...s.settings, expiryWarningDays: 7 } };
    expect(due(week)).toBe(at('2026-04-24T00:00:00.000Z'));
    const subject = `certificateExpiring:acme:local:signing:${fp}`;
    // The warning time is now: the daily warning, which fired today already.
    expect(due(withSigning('2026-04-01T10:00:00.000Z'), { [subject]: TODAY })).toBe(TOMORROW);
    expect(due(withSigning('2026-03-10T00:00:00.000Z'), { [subject]: TODAY })).toBe(TOMORROW);
    expect(due(withSigning('2026-03-10T00:00:00.000Z'), { [subject]: YESTERDAY })).toBe(NOW.getTime());
    expect(due(withSigning('2026-03-10T00:00:00.000Z'), { [`certificateExpiring:acme:local:encryption:${fp}`]: TODAY })).toBe(NOW.getTime());
    expect(due(withSigning('not a date'))).toBeNull();
  });

  it('is due at a scheduled server readiness while its time lies ahead', () => {
    const s = bare(base());
    const readiness = (status: ServerReadiness['status'], activateAt: string | null): CemState =>
      withAcme(s, { serverReadiness: { fingerprint: 'f'.repeat(64), status, exchangeId: null, activateAt, reason: null } });
    expect(due(readiness('scheduled', '2026-03-03T12:00:00.000Z'))).toBe(at('2026-03-03T12:00:00.000Z'));
    expect(due(readiness('scheduled', NOW.toISOString()))).toBeNull();
    expect(due(readiness('scheduled', '2026-03-01T00:00:00.000Z'))).toBeNull();
    expect(due(readiness('scheduled', null))).toBeNull();
    expect(due(readiness('pending', '2026-03-03T12:00:00.000Z'))).toBeNull();
  });
});

describe('listenerDue', () => {
  const FP = 'c'.repeat(64);
  const candidateCert = makeCert({ label: 'candidate', notAfter: NOT_AFTER });
  /** acme and bolt on HTTP, which presents a certificate expiring at NOT_AFTER; acme schedules a candidate a day ahead. */
  function listener(): CemState {
    return run(base(), [
      [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(makeCert({ label: 'installed', notAfter: NOT_AFTER })) }, T0],
      [{ type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(candidateCert), activateAt: new Date(T0.getTime() + DAY), emailPartner: false }, T0],
    ]).state;
  }
  const slotOf = (s: CemState): ServerSlot => s.servers.HTTP as ServerSlot;
  const withSlot = (s: CemState, change: Partial<ServerSlot>): CemState => ({ ...s, servers: { ...s.servers, HTTP: { ...slotOf(s), ...change } } });
  const withCandidate = (s: CemState, change: Partial<NonNullable<ServerSlot['candidate']>>): CemState => {
    const c = slotOf(s).candidate;
    return c === null ? s : withSlot(s, { candidate: { ...c, ...change } });
  };
  const pending = `serverCertificatePending:HTTP:${candidateCert.sha256}`;

  it('is null for a listener without certificates, the installed certificate’s expiry warning otherwise', () => {
    expect(listenerDue(base(), 'FTP', {}, NOW)).toBeNull();
    expect(listenerDue(base(), 'FTP', { anything: TODAY }, NOW)).toBe(TOMORROW);
    const s = withSlot(listener(), { candidate: null });
    expect(listenerDue(s, 'HTTP', {}, NOW)).toBe(BASE);
    const fp = slotOf(s).installed?.cert.fingerprint ?? '';
    const installed = slotOf(s).installed;
    const soon = installed === null ? s : withSlot(s, { installed: { ...installed, cert: { ...installed.cert, notAfter: '2026-03-20T00:00:00.000Z' } } });
    expect(listenerDue(soon, 'HTTP', {}, NOW)).toBe(NOW.getTime());
    expect(listenerDue(soon, 'HTTP', { [`certificateExpiring:-:local:HTTP server:${fp}`]: TODAY }, NOW)).toBe(TOMORROW);
    expect(listenerDue(soon, 'HTTP', { [`certificateExpiring:acme:local:HTTP server:${fp}`]: TODAY }, NOW)).toBe(NOW.getTime());
  });

  it('reminds daily while a partner is waited for, not at the partners’ own times', () => {
    const s = listener();
    expect(listenerDue(s, 'HTTP', {}, NOW)).toBe(NOW.getTime());
    expect(listenerDue(s, 'HTTP', { [pending]: TODAY }, NOW)).toBe(TOMORROW);
    expect(listenerDue(s, 'HTTP', { [`serverCertificatePending:HTTP:${FP}`]: TODAY }, NOW)).toBe(NOW.getTime());
    expect(listenerDue(s, 'HTTP', { [pending]: YESTERDAY }, NOW)).toBe(NOW.getTime());
    // Requested already: only the installed certificate's warning.
    expect(listenerDue(withCandidate(s, { installRequestedAt: T0.toISOString() }), 'HTTP', {}, NOW)).toBe(BASE);
  });

  it('reminds daily while a partner rejects it', () => {
    const rejected: ServerReadiness = { fingerprint: candidateCert.sha256, status: 'rejected', exchangeId: null, activateAt: null, reason: 'no' };
    const accepted: ServerReadiness = { ...rejected, status: 'accepted', reason: null };
    const s = listener();
    const both = { ...s, relationships: { acme: { ...acme(s), serverReadiness: accepted }, bolt: { ...(s.relationships['bolt'] as Relationship), serverReadiness: rejected } } };
    expect(listenerDue(both, 'HTTP', {}, NOW)).toBe(NOW.getTime());
    expect(listenerDue(both, 'HTTP', { [pending]: TODAY }, NOW)).toBe(TOMORROW);
  });

  it('is due now when the consensus installs, at installAfter while that lies ahead, and never without partners', () => {
    const accepted: ServerReadiness = { fingerprint: candidateCert.sha256, status: 'accepted', exchangeId: null, activateAt: null, reason: null };
    const s = listener();
    const ready = { ...s, relationships: { acme: { ...acme(s), serverReadiness: accepted }, bolt: { ...(s.relationships['bolt'] as Relationship), serverReadiness: accepted } } };
    expect(listenerDue(ready, 'HTTP', { [pending]: TODAY }, NOW)).toBe(NOW.getTime());
    expect(listenerDue(withCandidate(ready, { installAfter: '2026-03-04T00:00:00.000Z' }), 'HTTP', {}, NOW)).toBe(at('2026-03-04T00:00:00.000Z'));
    expect(listenerDue(withCandidate(ready, { installAfter: NOW.toISOString() }), 'HTTP', { [pending]: TODAY }, NOW)).toBe(NOW.getTime());
    // installAfter passed: it adds nothing (only the installed certificate's warning remains).
    const passed = withCandidate(ready, { installAfter: '2026-03-01T00:00:00.000Z' });
    expect(listenerDue({ ...passed, relationships: {} }, 'HTTP', {}, NOW)).toBe(BASE);
    expect(listenerDue(withCandidate({ ...s, relationships: {} }, { installAfter: NOW.toISOString() }), 'HTTP', {}, NOW)).toBe(BASE);
    // No partner on the listener: nobody is waited for and nothing installs.
    expect(listenerDue({ ...s, relationships: {} }, 'HTTP', {}, NOW)).toBe(BASE);
  });
});
