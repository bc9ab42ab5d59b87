import { describe, expect, it } from 'vitest';
import { activatedAlert, alertInstant, awaitingAnswerAlert, claimDaily, expiringAlert, pruneAlertLog, refusedAlert, requestAutoAcceptedAlert, requestOverdueAlert, requestReceivedAlert, sendFailedAlert, serverPendingAlert, serverRejectedAlert } from '../../src/policy/alerts.js';
import type { CertRef } from '../../src/state/model.js';

const cert: CertRef = { fingerprint: 'ab'.repeat(32), subject: 'CN=x', issuer: 'CN=ca', serial: '7', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2026-03-10T00:00:00.000Z' };
const now = new Date('2026-03-02T10:00:00Z');

describe('alert catalogue', () => {
  it('claims a daily subject once per alert day', () => {
    const first = claimDaily({}, 'requestOverdue:r1', now, 0);
    expect(first).toMatchObject({ fire: true, day: '2026-03-02', alertLog: { 'requestOverdue:r1': '2026-03-02' } });
    const again = claimDaily(first.alertLog, 'requestOverdue:r1', new Date('2026-03-02T23:00:00Z'), 0);
    expect(again.fire).toBe(false);
    expect(again.alertLog).toBe(first.alertLog);
    expect(claimDaily(first.alertLog, 'requestOverdue:r1', new Date('2026-03-03T00:00:00Z'), 0).fire).toBe(true);
    expect(claimDaily(first.alertLog, 'constructor', now, 0).fire).toBe(true);
  });

  it('prunes entries of earlier days only', () => {
    const log = { a: '2026-03-01', b: '2026-03-02' };
    expect(pruneAlertLog(log, now, 0)).toEqual({ b: '2026-03-02' });
    const today = { b: '2026-03-02' };
    expect(pruneAlertLog(today, now, 0)).toBe(today);
  });

  it.each([
    ['requestReceived', requestReceivedAlert('acme', 'acme/r1', 'r1', null, [{ cert, usages: ['digitalSignature'] }]), 'warning', 'requestReceived:acme/r1'],
    ['requestAutoAccepted', requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', null, [{ cert, usages: ['digitalSignature'], decision: 'accepted', cause: 'autoAccepted' }]), 'info', 'requestAutoAccepted:acme/r1'],
    ['serverCertificatePending', serverPendingAlert('HTTP', cert, ['acme'], '2026-03-02'), 'info', `serverCertificatePending:HTTP:${cert.fingerprint}@2026-03-02`],
    ['serverCertificateRejected', serverRejectedAlert('HTTP', cert, 'acme', 'untrusted'), 'critical', `serverCertificateRejected:HTTP:${cert.fingerprint}:acme`],
    ['scheduledActivated', activatedAlert('scheduledActivated', { relationshipId: 'acme', side: 'local', usage: 'signing' }, cert, 'schedule'), 'info', `scheduledActivated:acme:local:signing:${cert.fingerprint}`],
    ['certificateExpiring', expiringAlert({ relationshipId: null, side: 'local', usage: 'HTTP server' }, cert, now, '2026-03-02'), 'warning', `certificateExpiring:-:local:HTTP server:${cert.fingerprint}@2026-03-02`],
    ['messageRefused', refusedAlert('nameMismatch', 'Name differs', 'ACME', 'US', 'm1', now), 'warning', 'messageRefused:ACME:US:m1'],
    ['sendFailed', sendFailedAlert('acme', 'r1', 'request', 'HTTP 503', 2), 'warning', 'sendFailed:r1:2'],
  ] as const)('builds %s with its severity and key, frozen plain JSON', (kind, alert, severity, key) => {
    expect(alert).toMatchObject({ kind, severity, dedupeKey: key });
    expect(Object.isFrozen(alert) && Object.isFrozen(alert.details)).toBe(true);
    expect(JSON.parse(JSON.stringify(alert))).toEqual(alert);
  });

  it('lists waiting and rejecting partners in serverCertificatePending, a warning once someone rejected', () => {
    const both = serverPendingAlert('HTTP', cert, ['bolt'], '2026-03-02', ['acme']);
    expect(both).toMatchObject({ severity: 'warning', details: { waiting: ['bolt'], rejecting: ['acme'] } });
    expect(both.message).toMatch(/bolt/);
    expect(both.message).toMatch(/rejected by 1 partner\(s\): acme/);
    expect(serverPendingAlert('HTTP', cert, [], '2026-03-02', ['acme']).message).not.toMatch(/waits for/);
    expect(serverPendingAlert('HTTP', cert, ['bolt'], '2026-03-02').details['rejecting']).toEqual([]);
  });

  it('gives each certificate of requestAutoAccepted its decision, cause and reason, and counts them', () => {
    const other: CertRef = { ...cert, fingerprint: 'cd'.repeat(32), serial: '8' };
    const alert = requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', '2026-03-16T10:00:00.000Z', [
      { cert, usages: ['digitalSignature'], decision: 'accepted', cause: 'alreadyAccepted', reason: null },
      { cert: other, usages: ['keyEncipherment'], problems: ['weakKey'], decision: 'rejected', cause: 'unsuitableRejected', reason: 'RSA key of 1024 bits' },
    ]);
    expect(alert.details).toMatchObject({ respondBy: '2026-03-16T10:00:00.000Z', accepted: 1, rejected: 1 });
    expect(alert.details['certificates']).toEqual([
      { fingerprint: cert.fingerprint, subject: 'CN=x', issuer: 'CN=ca', serial: '7', notBefore: cert.notBefore, notAfter: cert.notAfter, usages: ['digitalSignature'], problems: [], decision: 'accepted', cause: 'alreadyAccepted', reason: null },
      { fingerprint: other.fingerprint, subject: 'CN=x', issuer: 'CN=ca', serial: '8', notBefore: cert.notBefore, notAfter: cert.notAfter, usages: ['keyEncipherment'], problems: ['weakKey'], decision: 'rejected', cause: 'unsuitableRejected', reason: 'RSA key of 1024 bits' },
    ]);
    expect(alert.message).toMatch(/1 accepted, 1 rejected/);
    expect(requestReceivedAlert('acme', 'acme/r1', 'r1', null, [{ cert, usages: ['digitalSignature'] }]).details['certificates']).toEqual([
      { fingerprint: cert.fingerprint, subject: 'CN=x', issuer: 'CN=ca', serial: '7', notBefore: cert.notBefore, notAfter: cert.notAfter, usages: ['digitalSignature'], problems: [] },
    ]);
  });

  it('marks an already expired certificate critical', () => {
    expect(expiringAlert({ relationshipId: 'acme', side: 'partner', usage: 'signing' }, cert, new Date('2026-04-01T00:00:00Z'), '2026-04-01').severity).toBe('critical');
  });

  it('prints dates in messages as the CEM XML does, and keeps the ISO instant in details', () => {
    expect(alertInstant('2027-03-31T09:00:00.000Z')).toBe('2027-03-31T09:00:00+00:00');
    expect(alertInstant('not a date')).toBe('not a date');
    const respondBy = '2027-03-05T09:00:00.000Z';
    const alerts = [
      requestReceivedAlert('acme', 'acme/r1', 'r1', respondBy, []),
      requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', respondBy, []),
      requestOverdueAlert('acme', 'r1', respondBy, '2027-03-06'),
      awaitingAnswerAlert('requestAwaitingAnswer', 'acme', 'acme/r1', 'r1', respondBy, '2027-03-04'),
      awaitingAnswerAlert('responseOverdue', 'acme', 'acme/r1', 'r1', respondBy, '2027-03-06'),
    ];
    for (const a of alerts) {
      expect(a.message).toContain('2027-03-05T09:00:00+00:00');
      expect(a.message).not.toContain('.000Z');
      expect(a.details.respondBy).toBe(respondBy);
    }
    expect(expiringAlert({ relationshipId: 'acme', side: 'partner', usage: 'signing' }, cert, now, '2026-03-02').message).toContain('expires on 2026-03-10T00:00:00+00:00.');
  });
});
