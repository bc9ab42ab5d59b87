import { describe, expect, it } from 'vitest';
import { activatedAlert, claimDaily, expiringAlert, pruneAlertLog, refusedAlert, requestReceivedAlert, sendFailedAlert, serverRejectedAlert } from '../../src/policy/alerts.js';
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

  it('marks an already expired certificate critical', () => {
    expect(expiringAlert({ relationshipId: 'acme', side: 'partner', usage: 'signing' }, cert, new Date('2026-04-01T00:00:00Z'), '2026-04-01').severity).toBe('critical');
  });
});
