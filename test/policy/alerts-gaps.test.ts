/**
 * The alert catalogue in full: every builder's kind, key, severity, message text (each variant)
 * and details, as hosts show them to administrators. Written for the gaps the mutation run of
 * src/policy/alerts.ts found (messages and details were only spot-checked).
 */
import { describe, expect, it } from 'vitest';
import {
  activatedAlert, alertInstant, awaitingAnswerAlert, expiringAlert, refusedAlert, requestAutoAcceptedAlert, requestOverdueAlert, requestReceivedAlert,
  responseReceivedAlert, restoredAlert, retryNeededAlert, retryNeededSubject, sendFailedAlert, serverConflictAlert, serverPendingAlert, serverRejectedAlert,
} from '../../src/policy/alerts.js';
import type { CertRef } from '../../src/state/model.js';

const cert: CertRef = { fingerprint: 'ab'.repeat(32), subject: 'CN=x', issuer: 'CN=ca', serial: '7', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2026-03-10T00:00:00.000Z' };
const other: CertRef = { ...cert, fingerprint: 'cd'.repeat(32), subject: 'CN=y', serial: '8' };
const details = (c: CertRef) => ({ fingerprint: c.fingerprint, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore, notAfter: c.notAfter });
const respondBy = '2027-03-05T09:00:00.000Z';
const printed = '2027-03-05T09:00:00+00:00';
const day = '2027-03-06';

describe('alertInstant', () => {
  it('prints an instant the CEM date format cannot hold as it is', () => {
    expect(alertInstant('+010000-01-01T00:00:00.000Z')).toBe('+010000-01-01T00:00:00.000Z');
    expect(alertInstant('2027-03-05T10:00:00+01:00')).toBe(printed);
  });
});

describe('alerts about received Requests', () => {
  it('requestReceived: waits for a decision, with or without a respond-by time', () => {
    expect(requestReceivedAlert('acme', 'acme/r1', 'r1', respondBy, [{ cert, usages: ['keyEncipherment'], problems: ['expired'] }])).toEqual({
      kind: 'requestReceived', dedupeKey: 'requestReceived:acme/r1', severity: 'warning', relationshipId: 'acme',
      message: `Certificate exchange request r1 from acme awaits a decision (respond by ${printed}).`,
      details: { exchangeKey: 'acme/r1', requestId: 'r1', respondBy, certificates: [{ ...details(cert), usages: ['keyEncipherment'], problems: ['expired'] }] },
    });
    expect(requestReceivedAlert('acme', 'acme/r1', 'r1', null, []).message).toBe('Certificate exchange request r1 from acme awaits a decision.');
  });

  it('requestAutoAccepted: counts decisions; a decided certificate without cause or reason shows them as null', () => {
    const alert = requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', null, [
      { cert, usages: ['digitalSignature'], decision: 'accepted' },
      { cert: other, usages: ['digitalSignature'], decision: 'accepted', cause: 'autoAccepted' },
    ]);
    expect(alert).toEqual({
      kind: 'requestAutoAccepted', dedupeKey: 'requestAutoAccepted:acme/r1', severity: 'info', relationshipId: 'acme',
      message: 'Certificate exchange request r1 from acme was answered automatically: 2 accepted, 0 rejected.',
      details: {
        exchangeKey: 'acme/r1', requestId: 'r1', respondBy: null, accepted: 2, rejected: 0,
        certificates: [
          { ...details(cert), usages: ['digitalSignature'], problems: [], decision: 'accepted', cause: null, reason: null },
          { ...details(other), usages: ['digitalSignature'], problems: [], decision: 'accepted', cause: 'autoAccepted', reason: null },
        ],
      },
    });
    expect(requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', respondBy, [{ cert, usages: [], decision: 'rejected', reason: 'weak' }]).message)
      .toBe(`Certificate exchange request r1 from acme was answered automatically: 0 accepted, 1 rejected (respond by ${printed}).`);
  });

  it('awaitingAnswer / responseOverdue: info before the respond-by time, a warning after it', () => {
    expect(awaitingAnswerAlert('requestAwaitingAnswer', 'acme', 'acme/r1', 'r1', respondBy, day)).toEqual({
      kind: 'requestAwaitingAnswer', dedupeKey: `requestAwaitingAnswer:acme/r1@${day}`, severity: 'info', relationshipId: 'acme',
      message: `acme's certificate exchange request r1 awaits our answer by ${printed}.`,
      details: { exchangeKey: 'acme/r1', requestId: 'r1', respondBy, day },
    });
    expect(awaitingAnswerAlert('requestAwaitingAnswer', 'acme', 'acme/r1', 'r1', null, day).message).toBe("acme's certificate exchange request r1 awaits our answer.");
    expect(awaitingAnswerAlert('responseOverdue', 'acme', 'acme/r1', 'r1', respondBy, day)).toMatchObject({
      kind: 'responseOverdue', dedupeKey: `responseOverdue:acme/r1@${day}`, severity: 'warning',
      message: `Our answer to acme's certificate exchange request r1 is overdue (respond-by ${printed}).`,
    });
    expect(awaitingAnswerAlert('responseOverdue', 'acme', 'acme/r1', 'r1', null, day).message).toBe("Our answer to acme's certificate exchange request r1 is overdue (respond-by none).");
  });
});

describe('alerts about our Requests', () => {
  it('responseReceived: info when everything was accepted, a warning for rejections or a changed answer', () => {
    const accepted = { fingerprint: cert.fingerprint, status: 'accepted' as const, reason: null, previousStatus: null };
    const rejected = { fingerprint: other.fingerprint, status: 'rejected' as const, reason: 'weak', previousStatus: null };
    expect(responseReceivedAlert('acme', 'r1', 'msg-7', [accepted])).toEqual({
      kind: 'responseReceived', dedupeKey: 'responseReceived:r1:msg-7', severity: 'info', relationshipId: 'acme',
      message: 'acme accepted every certificate of request r1.', details: { requestId: 'r1', answers: [accepted] },
    });
    expect(responseReceivedAlert('acme', 'r1', 'msg-7', [accepted, rejected])).toMatchObject({ severity: 'warning', message: 'acme rejected 1 of 2 certificates of request r1.' });
    expect(responseReceivedAlert('acme', 'r1', 'msg-8', [{ ...accepted, previousStatus: 'rejected' }])).toMatchObject({
      severity: 'warning', message: 'acme accepted every certificate of request r1 (this answer replaces an earlier, different one).',
    });
  });

  it('requestOverdue: names the respond-by time or none', () => {
    expect(requestOverdueAlert('acme', 'r1', respondBy, day)).toEqual({
      kind: 'requestOverdue', dedupeKey: `requestOverdue:r1@${day}`, severity: 'warning', relationshipId: 'acme',
      message: `acme has not answered certificate exchange request r1 (respond-by ${printed}): resend it or set the certificates active.`,
      details: { requestId: 'r1', respondBy, day },
    });
    expect(requestOverdueAlert('acme', 'r1', null, day).message).toBe('acme has not answered certificate exchange request r1 (respond-by none): resend it or set the certificates active.');
  });

  it('sendFailed and retryNeeded: what failed, why, and what to do', () => {
    expect(sendFailedAlert('acme', 'r1', 'email', 'SMTP 550', 3)).toEqual({
      kind: 'sendFailed', dedupeKey: 'sendFailed:r1:3', severity: 'warning', relationshipId: 'acme',
      message: 'Sending the certificate exchange email r1 to acme failed: SMTP 550. Retry to send it again.',
      details: { exchangeId: 'r1', what: 'email', error: 'SMTP 550', attempts: 3 },
    });
    expect(retryNeededSubject('response', 'acme/r1')).toBe('retryNeeded:response:acme/r1');
    expect(retryNeededAlert('acme', 'r1', 'request', 'HTTP 503', 2, day)).toEqual({
      kind: 'retryNeeded', dedupeKey: `retryNeeded:request:r1@${day}`, severity: 'warning', relationshipId: 'acme',
      message: 'The certificate exchange request r1 to acme still has not been sent (last error: HTTP 503). Retry it, or set its certificates active.',
      details: { exchangeId: 'r1', what: 'request', error: 'HTTP 503', attempts: 2, day },
    });
    expect(retryNeededAlert('acme', 'acme/r1', 'response', null, 1, day).message).toBe('The certificate exchange response acme/r1 to acme still has not been sent (last error: unknown). Retry it.');
  });

  it('messageRefused: keyed by the message id, or by the instant when there is none', () => {
    const now = new Date('2027-03-05T09:00:00.000Z');
    expect(refusedAlert('nameMismatch', 'the AS2 name differs', 'ACME', 'US', null, now)).toEqual({
      kind: 'messageRefused', dedupeKey: 'messageRefused:ACME:US:2027-03-05T09:00:00.000Z', severity: 'warning', relationshipId: null,
      message: 'A certificate exchange message from ACME to US was refused: the AS2 name differs.',
      details: { reason: 'nameMismatch', detail: 'the AS2 name differs', as2From: 'ACME', as2To: 'US', messageId: null },
    });
  });
});

describe('alerts about server certificates', () => {
  it('serverCertificatePending: who is waited for and who rejected', () => {
    expect(serverPendingAlert('HTTP', cert, ['acme', 'bolt'], day)).toEqual({
      kind: 'serverCertificatePending', dedupeKey: `serverCertificatePending:HTTP:${cert.fingerprint}@${day}`, severity: 'info', relationshipId: null,
      message: 'The new HTTP server certificate is not accepted by every partner yet: it waits for 2 partner(s): acme, bolt.',
      details: { protocol: 'HTTP', certificate: details(cert), waiting: ['acme', 'bolt'], rejecting: [], day },
    });
    expect(serverPendingAlert('FTP', cert, ['bolt'], day, ['acme', 'cole']).message).toBe(
      'The new FTP server certificate is not accepted by every partner yet: it waits for 1 partner(s): bolt; it was rejected by 2 partner(s): acme, cole (it is installed only if set as active).',
    );
  });

  it('serverCertificateRejected: with the reason when there is one', () => {
    expect(serverRejectedAlert('HTTP', cert, 'acme', 'key too short')).toEqual({
      kind: 'serverCertificateRejected', dedupeKey: `serverCertificateRejected:HTTP:${cert.fingerprint}:acme`, severity: 'critical', relationshipId: 'acme',
      message: 'acme rejected the new HTTP server certificate: key too short. It will not be installed unless set as active.',
      details: { protocol: 'HTTP', certificate: details(cert), reason: 'key too short' },
    });
    expect(serverRejectedAlert('HTTP', cert, 'acme', null).message).toBe('acme rejected the new HTTP server certificate. It will not be installed unless set as active.');
  });

  it('serverCertificateConflict: how many different certificates were accepted', () => {
    expect(serverConflictAlert('SSH-FTP', ['aa', 'bb'], day)).toEqual({
      kind: 'serverCertificateConflict', dedupeKey: `serverCertificateConflict:SSH-FTP@${day}`, severity: 'critical', relationshipId: null,
      message: 'Partners on the SSH-FTP listener accepted 2 different server certificates.',
      details: { protocol: 'SSH-FTP', fingerprints: ['aa', 'bb'], day },
    });
  });
});

describe('alerts about certificates in use', () => {
  it('activated: whose certificate, for which partner, and why', () => {
    expect(activatedAlert('certificateActivated', { relationshipId: 'acme', side: 'local', usage: 'signing' }, cert, 'accepted')).toEqual({
      kind: 'certificateActivated', dedupeKey: `certificateActivated:acme:local:signing:${cert.fingerprint}`, severity: 'info', relationshipId: 'acme',
      message: 'Our signing certificate CN=x (serial 7) is now active for acme (accepted).',
      details: { side: 'local', usage: 'signing', cause: 'accepted', certificate: details(cert) },
    });
    expect(activatedAlert('scheduledActivated', { relationshipId: null, side: 'partner', usage: 'tlsServer' }, cert, 'firstUsage')).toMatchObject({
      dedupeKey: `scheduledActivated:-:partner:tlsServer:${cert.fingerprint}`, message: "The partner's tlsServer certificate CN=x (serial 7) is now active (firstUsage).",
    });
  });

  it('restored: after a rejection past the respond-by time, the previous certificates are active again', () => {
    expect(restoredAlert({ relationshipId: 'acme', side: 'local', usage: 'signing' }, cert, [other, { ...other, subject: 'CN=z', serial: '9' }], 'r1', 'unknown CA', 'active')).toEqual({
      kind: 'certificateRestored', dedupeKey: `certificateRestored:acme:local:signing:${cert.fingerprint}:r1`, severity: 'warning', relationshipId: 'acme',
      message: 'acme rejected our signing certificate CN=x (serial 7) of request r1 (unknown CA), in use since its respond-by time passed. '
        + 'The previous certificate CN=y (serial 8), CN=z (serial 9) is active again; send a new certificate, or set the rejected one active to override.',
      details: { side: 'local', usage: 'signing', requestId: 'r1', reason: 'unknown CA', inUse: 'respondByPassed', certificate: details(cert), restored: [details(other), details({ ...other, subject: 'CN=z', serial: '9' })] },
    });
  });

  it('restored: with nothing to go back to, for a server certificate, or after first usage', () => {
    expect(restoredAlert({ relationshipId: null, side: 'local', usage: 'HTTP server' }, cert, [], 'r2', null, 'installed')).toMatchObject({
      dedupeKey: `certificateRestored:-:local:HTTP server:${cert.fingerprint}:r2`,
      message: 'A partner rejected our HTTP server certificate CN=x (serial 7) of request r2, in use since its respond-by time passed. '
        + 'There was no previous HTTP server certificate to go back to, so none is installed again now; send a new certificate, or set the rejected one active to override.',
    });
    expect(restoredAlert({ relationshipId: 'acme', side: 'local', usage: 'encryption' }, cert, [], 'r3', null, 'active', 'firstUsage')).toMatchObject({
      message: 'acme rejected our encryption certificate CN=x (serial 7) of request r3, in use since the partner encrypted to it before answering. '
        + 'There was no previous encryption certificate to go back to, so none is in use now; send a new certificate (the rejected one stays available for reprocessing messages encrypted to it).',
      details: { inUse: 'firstUsage', restored: [] },
    });
    expect(restoredAlert({ relationshipId: 'acme', side: 'local', usage: 'HTTP server' }, cert, [other], 'r4', null, 'installed').message)
      .toContain('The previous certificate CN=y (serial 8) is installed again;');
  });

  it('certificateExpiring: a warning before notAfter, critical from notAfter on', () => {
    const slot = { relationshipId: 'acme', side: 'partner' as const, usage: 'signing' };
    expect(expiringAlert(slot, cert, new Date(Date.parse(cert.notAfter) - 1), day)).toEqual({
      kind: 'certificateExpiring', dedupeKey: `certificateExpiring:acme:partner:signing:${cert.fingerprint}@${day}`, severity: 'warning', relationshipId: 'acme',
      message: "The partner's signing certificate CN=x expires on 2026-03-10T00:00:00+00:00.",
      details: { side: 'partner', usage: 'signing', certificate: details(cert), day },
    });
    expect(expiringAlert({ ...slot, side: 'local' }, cert, new Date(cert.notAfter), day)).toMatchObject({
      severity: 'critical', message: 'Our signing certificate CN=x expired on 2026-03-10T00:00:00+00:00.',
    });
  });
});

describe('alert variants with mixed inputs', () => {
  it('responseReceived: one changed answer among unchanged ones is enough to flag the replacement', () => {
    const unchanged = { fingerprint: cert.fingerprint, status: 'accepted' as const, reason: null, previousStatus: null };
    const changed = { fingerprint: other.fingerprint, status: 'accepted' as const, reason: null, previousStatus: 'rejected' as const };
    expect(responseReceivedAlert('acme', 'r1', 'msg-9', [unchanged, changed])).toMatchObject({
      severity: 'warning', message: 'acme accepted every certificate of request r1 (this answer replaces an earlier, different one).',
    });
  });

  it('serverCertificatePending: only the rejections when nobody is waited for', () => {
    expect(serverPendingAlert('HTTP', cert, [], day, ['acme'])).toMatchObject({
      severity: 'warning',
      message: 'The new HTTP server certificate is not accepted by every partner yet: it was rejected by 1 partner(s): acme (it is installed only if set as active).',
    });
  });
});
