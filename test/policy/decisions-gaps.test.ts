/**
 * Receipt decisions, received-certificate checks, retention and the daily alert log at their
 * edges. Written for the gaps the mutation runs of src/policy/auto-accept.ts, cert-checks.ts,
 * retention.ts and alert-days.ts found.
 */
import { describe, expect, it } from 'vitest';
import { claimDaily, pruneAlertLog } from '../../src/policy/alert-days.js';
import { autoAcceptSetting, decideReceivedCertificate, type ReceiptFacts } from '../../src/policy/auto-accept.js';
import { checkReceivedCertificate, identifierMatches, serialsEqual } from '../../src/policy/cert-checks.js';
import { lastActivity, retentionDays, retentionPassed } from '../../src/policy/retention.js';
import { DEFAULT_SETTINGS, type InboundExchange, type OutboundExchange } from '../../src/state/model.js';
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import { makeCert } from '../state/fixtures.js';

const facts = (overrides: Partial<ReceiptFacts>): ReceiptFacts => ({
  alreadyAccepted: false, authenticated: true, problemMessages: [], settings: DEFAULT_SETTINGS, relationship: { autoAccept: 'inherit' }, ...overrides,
});

describe('decideReceivedCertificate: the whole decision', () => {
  it.each<[string, Partial<ReceiptFacts>, unknown]>([
    ['already accepted', { alreadyAccepted: true, authenticated: false }, { decision: 'accepted', cause: 'alreadyAccepted', reason: null }],
    ['unauthenticated', { authenticated: false, problemMessages: ['expired'] }, { decision: 'pending', cause: 'unauthenticated', reason: null }],
    ['unsuitable, rejected', { problemMessages: ['expired'] }, { decision: 'rejected', cause: 'unsuitableRejected', reason: 'expired' }],
    ['unsuitable, manual', { problemMessages: ['expired'], settings: { ...DEFAULT_SETTINGS, unsuitable: 'manual' } }, { decision: 'pending', cause: 'unsuitableManual', reason: null }],
    ['auto-accepted by the system setting', { settings: { ...DEFAULT_SETTINGS, autoAccept: true } }, { decision: 'accepted', cause: 'autoAccepted', reason: null }],
    ['manual, the partner overriding the system setting', { settings: { ...DEFAULT_SETTINGS, autoAccept: true }, relationship: { autoAccept: 'off' } }, { decision: 'pending', cause: 'manual', reason: null }],
  ])('%s', (_name, overrides, expected) => {
    const decision = decideReceivedCertificate(facts(overrides));
    expect(decision).toEqual(expected);
    expect(Object.isFrozen(decision)).toBe(true);
  });

  it('returns a frozen setting', () => {
    for (const autoAccept of ['on', 'off', 'inherit'] as const) expect(Object.isFrozen(autoAcceptSetting({ autoAccept: true }, { autoAccept }))).toBe(true);
  });
});

describe('received-certificate checks', () => {
  it('compares serials after trimming blanks', () => {
    expect(serialsEqual(' 42 ', '42')).toBe(true);
    expect(serialsEqual('42', '\t0042\n')).toBe(true);
  });

  it('never matches an identifier when the certificate\'s own issuer cannot be read', () => {
    expect(identifierMatches({ issuer: 'CN=Acme CA', serial: '7' }, { issuer: 'CN="broken', serial: '7' })).toBe(false);
    expect(identifierMatches({ issuer: 'CN=Acme CA', serial: '8' }, { issuer: 'CN=Acme CA', serial: '7' })).toBe(false);
  });

  it('names the mismatching identifier in the message, once', () => {
    const cert = makeCert();
    const check = checkReceivedCertificate(cert, ['keyEncipherment'], { issuer: 'CN=Someone Else', serial: '99' }, new Date('2026-03-02T00:00:00Z'), DEFAULT_SETTINGS);
    expect(check).toEqual({
      problems: ['identifierMismatch'],
      messages: ['CertificateIdentifier (issuer CN=Someone Else, serial 99) does not match the attached certificate'],
    });
    expect(Object.isFrozen(check) && Object.isFrozen(check.problems) && Object.isFrozen(check.messages)).toBe(true);
  });

  it('lists a problem code once however many usages it affects, with one message per usage', () => {
    const cert = makeCert({ keyUsage: ['dataEncipherment'] });
    const check = checkReceivedCertificate(cert, ['digitalSignature', 'keyEncipherment'], cert, new Date('2026-03-02T00:00:00Z'), DEFAULT_SETTINGS);
    expect(check.problems).toEqual(['keyUsageMissing']);
    expect(check.messages).toHaveLength(2);
    expect(check.messages[0]).not.toBe(check.messages[1]);
  });

  it('applies the configured minimum RSA key size', () => {
    const cert = makeCert({ keySize: 2048 });
    const at = new Date('2026-03-02T00:00:00Z');
    expect(checkReceivedCertificate(cert, ['digitalSignature'], cert, at, { minRsaBits: 2048 }).problems).toEqual([]);
    expect(checkReceivedCertificate(cert, ['digitalSignature'], cert, at, { minRsaBits: 3072 }).problems).toEqual(['weakKey']);
  });

  it('reports a certificate the suitability check cannot read as unreadable, never throws', () => {
    const cert = makeCert();
    const broken = { ...cert, keyUsage: undefined, extendedKeyUsage: undefined, publicKey: undefined } as unknown as CertificateInfo;
    const check = checkReceivedCertificate(broken, ['digitalSignature'], cert, new Date('2026-03-02T00:00:00Z'), DEFAULT_SETTINGS);
    expect(check.problems).toContain('unreadable');
    expect(check.messages).toContain('the certificate could not be checked');
  });
});

describe('retention edges', () => {
  const inbound = (changes: Partial<InboundExchange>): InboundExchange => ({
    key: 'acme/r1', requestId: 'r1', relationshipId: 'acme', messageId: 'm1', receivedAt: '2026-02-01T00:00:00.000Z', respondBy: null, items: [],
    status: 'answered', respondedAt: null, attempts: 1, lastError: null, ...changes,
  });

  it('ignores invalid instants and an items list an older record lacks', () => {
    const outbound = { id: 'r1', createdAt: '2026-01-01T00:00:00.000Z', originated: 'garbage', items: undefined } as unknown as OutboundExchange;
    expect(lastActivity(outbound)).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(lastActivity(inbound({ receivedAt: 'x', respondedAt: '2026-02-05T00:00:00.000Z' }))).toBe(Date.parse('2026-02-05T00:00:00.000Z'));
    expect(lastActivity(inbound({ finishedAt: null as unknown as string }))).toBe(Date.parse('2026-02-01T00:00:00.000Z'));
  });

  it('takes a retention of exactly one day, and the default for NaN, infinite or negative values', () => {
    expect(retentionDays({ retainFinishedDays: 1 })).toBe(1);
    expect(retentionDays({ retainFinishedDays: 1.5 })).toBe(1.5);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -3, 0.5]) expect(retentionDays({ retainFinishedDays: bad })).toBe(DEFAULT_SETTINGS.retainFinishedDays);
  });

  it('never passes for an infinite last activity', () => {
    expect(retentionPassed(Number.NEGATIVE_INFINITY, new Date('2100-01-01T00:00:00Z'), 1)).toBe(false);
  });
});

describe('the daily alert log', () => {
  const now = new Date('2026-03-02T10:00:00Z');

  it('fires again for a subject logged on another day, and keeps the other subjects', () => {
    const claim = claimDaily({ a: '2026-03-01', b: '2026-03-02' }, 'a', now, 0);
    expect(claim).toEqual({ fire: true, day: '2026-03-02', alertLog: { a: '2026-03-02', b: '2026-03-02' } });
    expect(Object.isFrozen(claim) && Object.isFrozen(claim.alertLog)).toBe(true);
  });

  it('uses the alert day of the configured offset', () => {
    expect(claimDaily({}, 'a', new Date('2026-03-02T23:30:00Z'), 60).day).toBe('2026-03-03');
    expect(pruneAlertLog({ a: '2026-03-02', b: '2026-03-03' }, new Date('2026-03-02T23:30:00Z'), 60)).toEqual({ b: '2026-03-03' });
  });

  it('prunes to a frozen log, and an empty log stays the same object', () => {
    const pruned = pruneAlertLog({ a: '2026-03-01' }, now, 0);
    expect(pruned).toEqual({});
    expect(Object.isFrozen(pruned)).toBe(true);
    const empty = {};
    expect(pruneAlertLog(empty, now, 0)).toBe(empty);
  });
});
