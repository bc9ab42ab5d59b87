/**
 * The alert catalogue: one builder per {@link AlertKind}, with stable kinds, severities,
 * messages, details and de-duplication keys. The "fire once per day" bookkeeping kept in
 * `state.alertLog` lives in `alert-days.ts` (re-exported here).
 *
 * One-shot alerts carry a key unique to what happened (an exchange, a certificate). Daily alerts
 * have a *subject* (`requestOverdue:<requestId>`) and fire when `alertLog[subject]` is not today's
 * alert day; their key is `<subject>@<day>`.
 *
 * @module
 */
import { formatCemDateTime } from '../messages/datetime.js';
import type { Alert, AlertKind, JsonValue } from '../state/effects.js';
import { deepFreeze, freeze } from '../state/freeze.js';
import type { CertRef, Fingerprint, IsoInstant, ServerProtocol } from '../state/model.js';
import type { ReceiptDecisionCause } from './auto-accept.js';

export { claimDaily, pruneAlertLog } from './alert-days.js';
export type { DailyClaim } from './alert-days.js';

/**
 * The JSON details of a certificate, as alerts show it.
 *
 * @example
 * ```ts
 * certDetails(ref).fingerprint
 * ```
 * @throws never.
 */
export function certDetails(cert: CertRef): { readonly [key: string]: JsonValue } {
  return freeze({
    fingerprint: cert.fingerprint,
    subject: cert.subject,
    issuer: cert.issuer,
    serial: cert.serial,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  });
}

/**
 * An instant as alert messages print it: `yyyy-MM-ddTHH:mm:ss±hh:mm`, the form of the CEM XML's
 * dates, at `+00:00` (the builders know no party's zone; `details` keep the ISO instant, and a
 * host shows it in the partner's offset, as `createEmailNotifier` does).
 *
 * @example
 * ```ts
 * alertInstant('2027-03-31T09:00:00.000Z') // '2027-03-31T09:00:00+00:00'
 * ```
 * @throws never: a value that is not a valid instant is printed as it is.
 */
export function alertInstant(instant: IsoInstant): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return instant;
  try {
    return formatCemDateTime(new Date(ms));
  } catch {
    return instant;
  }
}

function alert(kind: AlertKind, dedupeKey: string, severity: Alert['severity'], relationshipId: string | null, message: string, details: { readonly [key: string]: JsonValue }): Alert {
  return deepFreeze({ kind, dedupeKey, severity, relationshipId, message, details });
}

/** A certificate of an alert, with the usages it was offered for and, once decided, its decision. */
export interface AlertCertificate {
  readonly cert: CertRef;
  readonly usages: readonly string[];
  readonly problems?: readonly string[];
  /** The decision taken on receipt (`requestAutoAccepted`). */
  readonly decision?: 'accepted' | 'rejected';
  /** Why: `autoAccepted`, `alreadyAccepted` or `unsuitableRejected`. */
  readonly cause?: ReceiptDecisionCause;
  /** The `ReasonForRejection` sent, for `rejected`. */
  readonly reason?: string | null;
}

const certsJson = (certs: readonly AlertCertificate[]): JsonValue =>
  certs.map((c) => ({
    ...certDetails(c.cert),
    usages: [...c.usages],
    problems: [...(c.problems ?? [])],
    ...(c.decision === undefined ? {} : { decision: c.decision, cause: c.cause ?? null, reason: c.reason ?? null }),
  }));

/**
 * A partner's Request waits for a manual decision (auto-accept off, or unsuitable certificates).
 *
 * @example
 * ```ts
 * requestReceivedAlert('acme', 'acme/r1', 'r1', '2026-02-01T00:00:00.000Z', certs)
 * ```
 * @throws never.
 */
export function requestReceivedAlert(relationshipId: string, exchangeKey: string, requestId: string, respondBy: IsoInstant | null, certs: readonly AlertCertificate[]): Alert {
  return alert('requestReceived', `requestReceived:${exchangeKey}`, 'warning', relationshipId,
    `Certificate exchange request ${requestId} from ${relationshipId} awaits a decision${respondBy === null ? '' : ` (respond by ${alertInstant(respondBy)})`}.`,
    { exchangeKey, requestId, respondBy, certificates: certsJson(certs) });
}

/**
 * A partner's Request was decided in full on receipt and its Response goes out at once
 * (auto-accepted, already accepted for its usages, or rejected as unsuitable): the same details
 * as `requestReceived`, with each certificate's `decision`, `cause` and `reason`.
 *
 * @example
 * ```ts
 * requestAutoAcceptedAlert('acme', 'acme/r1', 'r1', respondBy, [{ cert, usages: ['digitalSignature'], decision: 'accepted', cause: 'autoAccepted' }])
 * ```
 * @throws never.
 */
export function requestAutoAcceptedAlert(relationshipId: string, exchangeKey: string, requestId: string, respondBy: IsoInstant | null, certs: readonly AlertCertificate[]): Alert {
  const accepted = certs.filter((c) => c.decision === 'accepted').length;
  const rejected = certs.filter((c) => c.decision === 'rejected').length;
  return alert('requestAutoAccepted', `requestAutoAccepted:${exchangeKey}`, 'info', relationshipId,
    `Certificate exchange request ${requestId} from ${relationshipId} was answered automatically: ${accepted} accepted, ${rejected} rejected${respondBy === null ? '' : ` (respond by ${alertInstant(respondBy)})`}.`,
    { exchangeKey, requestId, respondBy, accepted, rejected, certificates: certsJson(certs) });
}

/** One answered certificate in a `responseReceived` alert. */
export interface AnsweredCertificate {
  readonly fingerprint: Fingerprint;
  readonly status: 'accepted' | 'rejected';
  readonly reason: string | null;
  readonly previousStatus: 'accepted' | 'rejected' | null;
}

/**
 * A partner answered one of our Requests.
 *
 * @example
 * ```ts
 * responseReceivedAlert('acme', 'r1', 'msg-7', [{ fingerprint, status: 'accepted', reason: null, previousStatus: null }])
 * ```
 * @throws never.
 */
export function responseReceivedAlert(relationshipId: string, requestId: string, responseKey: string, answers: readonly AnsweredCertificate[]): Alert {
  const rejected = answers.filter((a) => a.status === 'rejected').length;
  const conflict = answers.some((a) => a.previousStatus !== null);
  const text = rejected === 0 ? 'accepted every certificate' : `rejected ${rejected} of ${answers.length} certificates`;
  return alert('responseReceived', `responseReceived:${requestId}:${responseKey}`, rejected > 0 || conflict ? 'warning' : 'info', relationshipId,
    `${relationshipId} ${text} of request ${requestId}${conflict ? ' (this answer replaces an earlier, different one)' : ''}.`,
    { requestId, answers: answers.map((a) => ({ ...a })) });
}

/**
 * Our Request passed its respond-by time without an answer (at once, then daily).
 *
 * @example
 * ```ts
 * requestOverdueAlert('acme', 'r1', '2026-02-01T00:00:00.000Z', '2026-02-03')
 * ```
 * @throws never.
 */
export function requestOverdueAlert(relationshipId: string, requestId: string, respondBy: IsoInstant | null, day: string): Alert {
  return alert('requestOverdue', `requestOverdue:${requestId}@${day}`, 'warning', relationshipId,
    `${relationshipId} has not answered certificate exchange request ${requestId} (respond-by ${respondBy === null ? 'none' : alertInstant(respondBy)}): resend it or set the certificates active.`,
    { requestId, respondBy, day });
}

/**
 * A received Request waits for our answer: before its respond-by time (`requestAwaitingAnswer`)
 * or after it (`responseOverdue`). Daily.
 *
 * @example
 * ```ts
 * awaitingAnswerAlert('responseOverdue', 'acme', 'acme/r1', 'r1', respondBy, '2026-02-03')
 * ```
 * @throws never.
 */
export function awaitingAnswerAlert(kind: 'requestAwaitingAnswer' | 'responseOverdue', relationshipId: string, exchangeKey: string, requestId: string, respondBy: IsoInstant | null, day: string): Alert {
  const overdue = kind === 'responseOverdue';
  return alert(kind, `${kind}:${exchangeKey}@${day}`, overdue ? 'warning' : 'info', relationshipId,
    overdue
      ? `Our answer to ${relationshipId}'s certificate exchange request ${requestId} is overdue (respond-by ${respondBy === null ? 'none' : alertInstant(respondBy)}).`
      : `${relationshipId}'s certificate exchange request ${requestId} awaits our answer${respondBy === null ? '' : ` by ${alertInstant(respondBy)}`}.`,
    { exchangeKey, requestId, respondBy, day });
}

/**
 * Our candidate server certificate is still not accepted by every partner on its listener
 * (daily): `waiting` lists the partners still waited for, `rejecting` those that rejected it
 * (it is then blocked until "set as active", and the alert is a warning).
 *
 * @example
 * ```ts
 * serverPendingAlert('HTTP', ref, ['acme'], '2026-02-03', ['bolt']).severity // 'warning'
 * ```
 * @throws never.
 */
export function serverPendingAlert(protocol: ServerProtocol, cert: CertRef, waiting: readonly string[], day: string, rejecting: readonly string[] = []): Alert {
  const parts = [
    ...(waiting.length > 0 ? [`waits for ${waiting.length} partner(s): ${waiting.join(', ')}`] : []),
    ...(rejecting.length > 0 ? [`was rejected by ${rejecting.length} partner(s): ${rejecting.join(', ')} (it is installed only if set as active)`] : []),
  ];
  return alert('serverCertificatePending', `serverCertificatePending:${protocol}:${cert.fingerprint}@${day}`, rejecting.length > 0 ? 'warning' : 'info', null,
    `The new ${protocol} server certificate is not accepted by every partner yet: it ${parts.join('; it ')}.`,
    { protocol, certificate: certDetails(cert), waiting: [...waiting], rejecting: [...rejecting], day });
}

/**
 * A partner rejected our candidate server certificate: it is blocked until "set as active".
 *
 * @example
 * ```ts
 * serverRejectedAlert('HTTP', ref, 'acme', 'key too short')
 * ```
 * @throws never.
 */
export function serverRejectedAlert(protocol: ServerProtocol, cert: CertRef, relationshipId: string, reason: string | null): Alert {
  return alert('serverCertificateRejected', `serverCertificateRejected:${protocol}:${cert.fingerprint}:${relationshipId}`, 'critical', relationshipId,
    `${relationshipId} rejected the new ${protocol} server certificate${reason === null ? '' : `: ${reason}`}. It will not be installed unless set as active.`,
    { protocol, certificate: certDetails(cert), reason });
}

/**
 * More than one distinct server certificate is accepted for one listener (daily).
 *
 * @example
 * ```ts
 * serverConflictAlert('HTTP', ['ab..', 'cd..'], '2026-02-03')
 * ```
 * @throws never.
 */
export function serverConflictAlert(protocol: ServerProtocol, fingerprints: readonly Fingerprint[], day: string): Alert {
  return alert('serverCertificateConflict', `serverCertificateConflict:${protocol}@${day}`, 'critical', null,
    `Partners on the ${protocol} listener accepted ${fingerprints.length} different server certificates.`,
    { protocol, fingerprints: [...fingerprints], day });
}

/** Where an activated certificate sits. */
export interface AlertSlot {
  readonly relationshipId: string | null;
  readonly side: 'local' | 'partner';
  readonly usage: string;
}

/**
 * A certificate became active: `scheduledActivated` (its scheduled time came, or first usage of
 * a scheduled certificate) or `certificateActivated` (acceptance, first usage, manual action).
 *
 * @example
 * ```ts
 * activatedAlert('scheduledActivated', { relationshipId: 'acme', side: 'local', usage: 'signing' }, ref, 'schedule')
 * ```
 * @throws never.
 */
export function activatedAlert(kind: 'scheduledActivated' | 'certificateActivated', slot: AlertSlot, cert: CertRef, cause: string): Alert {
  const owner = slot.side === 'local' ? 'Our' : 'The partner\'s';
  return alert(kind, `${kind}:${slot.relationshipId ?? '-'}:${slot.side}:${slot.usage}:${cert.fingerprint}`, 'info', slot.relationshipId,
    `${owner} ${slot.usage} certificate ${cert.subject} (serial ${cert.serial}) is now active${slot.relationshipId === null ? '' : ` for ${slot.relationshipId}`} (${cause}).`,
    { side: slot.side, usage: slot.usage, cause, certificate: certDetails(cert) });
}

/**
 * The partner rejected one of our certificates after we had started using it: because its
 * respond-by time passed (`useAfterRespondBy`; `inUse` `respondByPassed`, the default), or, for
 * our encryption certificate, because the partner encrypted to it before answering (`inUse`
 * `firstUsage`). The certificates it replaced are `active` (or, for a listener's server
 * certificate, `installed`) again. A warning: a new certificate is needed.
 *
 * @example
 * ```ts
 * restoredAlert({ relationshipId: 'acme', side: 'local', usage: 'signing' }, rejected, [previous], 'r1', 'unknown CA', 'active')
 * ```
 * @throws never.
 */
export function restoredAlert(slot: AlertSlot, rejected: CertRef, restored: readonly CertRef[], requestId: string, reason: string | null, how: 'active' | 'installed', inUse: 'respondByPassed' | 'firstUsage' = 'respondByPassed'): Alert {
  const who = slot.relationshipId ?? 'A partner';
  const back = restored.length === 0
    ? `There was no previous ${slot.usage} certificate to go back to, so none is ${how === 'active' ? 'in use' : 'installed again'} now`
    : `The previous certificate ${restored.map((c) => `${c.subject} (serial ${c.serial})`).join(', ')} is ${how} again`;
  const since = inUse === 'firstUsage' ? 'in use since the partner encrypted to it before answering' : 'in use since its respond-by time passed';
  return alert('certificateRestored', `certificateRestored:${slot.relationshipId ?? '-'}:${slot.side}:${slot.usage}:${rejected.fingerprint}:${requestId}`, 'warning', slot.relationshipId,
    `${who} rejected our ${slot.usage} certificate ${rejected.subject} (serial ${rejected.serial}) of request ${requestId}${reason === null ? '' : ` (${reason})`}, ${since}. ${back}; send a new certificate${inUse === 'firstUsage' ? ' (the rejected one stays available for reprocessing messages encrypted to it)' : ', or set the rejected one active to override'}.`,
    { side: slot.side, usage: slot.usage, requestId, reason, inUse, certificate: certDetails(rejected), restored: restored.map((c) => certDetails(c)) });
}

/**
 * An active certificate expires within the configured number of days, or has expired (daily).
 *
 * @example
 * ```ts
 * expiringAlert({ relationshipId: 'acme', side: 'partner', usage: 'signing' }, ref, now, '2026-02-03')
 * ```
 * @throws never.
 */
export function expiringAlert(slot: AlertSlot, cert: CertRef, now: Date, day: string): Alert {
  const expired = Date.parse(cert.notAfter) <= now.getTime();
  return alert('certificateExpiring', `certificateExpiring:${slot.relationshipId ?? '-'}:${slot.side}:${slot.usage}:${cert.fingerprint}@${day}`,
    expired ? 'critical' : 'warning', slot.relationshipId,
    `${slot.side === 'local' ? 'Our' : 'The partner\'s'} ${slot.usage} certificate ${cert.subject} ${expired ? 'expired' : 'expires'} on ${alertInstant(cert.notAfter)}.`,
    { side: slot.side, usage: slot.usage, certificate: certDetails(cert), day });
}

/**
 * An inbound CEM message was refused (unknown partner, unauthenticated, name mismatch).
 *
 * @example
 * ```ts
 * refusedAlert('notAuthenticated', 'not signed by an accepted certificate', 'acme', 'us', 'msg-1', now)
 * ```
 * @throws never.
 */
export function refusedAlert(reason: string, detail: string, as2From: string, as2To: string, messageId: string | null, now: Date): Alert {
  return alert('messageRefused', `messageRefused:${as2From}:${as2To}:${messageId ?? now.toISOString()}`, 'warning', null,
    `A certificate exchange message from ${as2From} to ${as2To} was refused: ${detail}.`,
    { reason, detail, as2From, as2To, messageId });
}

/**
 * Sending a Request, a Response or an email failed; `retry` sends it again.
 *
 * @example
 * ```ts
 * sendFailedAlert('acme', 'r1', 'request', 'HTTP 503', 1)
 * ```
 * @throws never.
 */
export function sendFailedAlert(relationshipId: string, exchangeId: string, what: 'request' | 'response' | 'email', error: string, attempts: number): Alert {
  return alert('sendFailed', `sendFailed:${exchangeId}:${attempts}`, 'warning', relationshipId,
    `Sending the certificate exchange ${what} ${exchangeId} to ${relationshipId} failed: ${error}. Retry to send it again.`,
    { exchangeId, what, error, attempts });
}

/**
 * The daily subject of {@link retryNeededAlert} for a failed exchange: `retryNeeded:<what>:<id>`
 * (outbound Requests and emails by exchange id, our Responses by inbound exchange key).
 *
 * @example
 * ```ts
 * retryNeededSubject('request', 'r1') // 'retryNeeded:request:r1'
 * ```
 * @throws never.
 */
export function retryNeededSubject(what: 'request' | 'response' | 'email', exchangeId: string): string {
  return `retryNeeded:${what}:${exchangeId}`;
}

/**
 * A Request, Response or email failed and nobody retried it (daily, from the alert day after the
 * failure, while the exchange stays failed): the `sendFailed` alert of the failure is that day's
 * notice. Its key is `retryNeeded:<what>:<id>@<day>`.
 *
 * @example
 * ```ts
 * retryNeededAlert('acme', 'r1', 'request', 'HTTP 503', 1, '2026-02-03').dedupeKey // 'retryNeeded:request:r1@2026-02-03'
 * ```
 * @throws never.
 */
export function retryNeededAlert(relationshipId: string, exchangeId: string, what: 'request' | 'response' | 'email', error: string | null, attempts: number, day: string): Alert {
  return alert('retryNeeded', `${retryNeededSubject(what, exchangeId)}@${day}`, 'warning', relationshipId,
    `The certificate exchange ${what} ${exchangeId} to ${relationshipId} still has not been sent (last error: ${error ?? 'unknown'}). Retry it${what === 'response' ? '' : ', or set its certificates active'}.`,
    { exchangeId, what, error, attempts, day });
}
