/**
 * Effects: what a transition asks the engine to do, as plain JSON data. Only the engine performs
 * them, through the host's ports; it stores each one in its outbox before performing it, so every
 * field needed to perform it again identically after a crash is here.
 *
 * @module
 */
import type { JsonValue } from '../ports/json.js';
import type { CertStatus, CertUsage } from '../types.js';
import type { Fingerprint, IsoInstant, LocalUsage, PartnerUsage, ServerProtocol, Side } from './model.js';

/** A JSON value (what alert details hold): the one type the ports define. */
export type { JsonValue } from '../ports/json.js';

/** Stable kinds of administrator alerts. */
export type AlertKind =
  /**
   * A partner's CEM Request arrived and waits for a manual decision (Cleo's "request received
   * without auto-accept": auto-accept off, or unsuitable certificates left to the administrator).
   */
  | 'requestReceived'
  /**
   * A partner's CEM Request arrived and was decided in full on receipt, its Response going out at
   * once: auto-accepted, already accepted for its usages (draft §2.4), or rejected as unsuitable.
   * The details carry the certificates with the decision and its cause per certificate.
   */
  | 'requestAutoAccepted'
  /** A partner answered one of our requests. */
  | 'responseReceived'
  /** Our request passed its respond-by time without an answer (at once, then daily). */
  | 'requestOverdue'
  /** A received request passed its respond-by time without our answer (daily). */
  | 'responseOverdue'
  /** A received request waits for our answer and its respond-by time has not passed (daily). */
  | 'requestAwaitingAnswer'
  /**
   * Our new server certificate is not yet accepted by every partner on its listener: some are
   * still waited for, or rejected it (daily until it is installed or set as active).
   */
  | 'serverCertificatePending'
  /** A partner rejected our new server certificate. */
  | 'serverCertificateRejected'
  /** More than one distinct server certificate is accepted for one listener. */
  | 'serverCertificateConflict'
  /** A scheduled certificate became active. */
  | 'scheduledActivated'
  /** A certificate became active by first usage, acceptance or manual action. */
  | 'certificateActivated'
  /**
   * The partner rejected one of our certificates after we had started using it because its
   * respond-by time passed (`useAfterRespondBy`): the certificate it replaced is active (or
   * installed) again. A new certificate is needed.
   */
  | 'certificateRestored'
  /** An active certificate expires within the configured number of days (daily). */
  | 'certificateExpiring'
  /** An inbound CEM message was refused (unknown partner, unauthenticated, name mismatch). */
  | 'messageRefused'
  /** Sending a request, response or email failed; `retry` sends it again. */
  | 'sendFailed'
  /**
   * A Request, Response or email whose sending failed was not retried: daily from the alert day
   * after the failure while the exchange stays failed.
   */
  | 'retryNeeded';

/** An administrator alert. `dedupeKey` is unique per firing: a daily alert's key holds its day. */
export interface Alert {
  readonly kind: AlertKind;
  readonly dedupeKey: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly relationshipId: string | null;
  readonly message: string;
  readonly details: { readonly [key: string]: JsonValue };
}

/** One certificate of a request to send: the engine builds its certs-only part from stored material. */
export interface RequestItemEffect {
  readonly fingerprint: Fingerprint;
  readonly usages: readonly CertUsage[];
  readonly contentId: string;
}

/** One `TrustResponse` to send, with the issuer and serial strings echoed exactly. */
export interface ResponseItemEffect {
  readonly status: CertStatus;
  readonly reason: string | null;
  readonly issuer: string;
  readonly serial: string;
}

/** Why an event changed nothing. */
export type IgnoredReason =
  | 'unknownRelationship'
  | 'unknownExchange'
  | 'notEstablished'
  | 'notAuthenticated'
  | 'nameMismatch'
  | 'nothingToSend'
  | 'alreadyPending'
  | 'serverCertificateMismatch'
  | 'invalidState'
  | 'duplicate'
  | 'unknownCertificate'
  | 'invalidEvent'
  /** A TLS server certificate was given for a relationship without a listener. */
  | 'noListener'
  /** The email fallback was needed but the relationship has no partner email address. */
  | 'noPartnerEmail'
  /** A CEM Request needs a `ResponseURL` and the relationship has none configured. */
  | 'noResponseUrl';

/** Every effect a transition can return. */
export type CemEffect =
  | {
      readonly type: 'sendRequest';
      readonly relationshipId: string;
      readonly requestId: string;
      readonly from: string;
      readonly to: string;
      readonly originated: IsoInstant;
      readonly respondBy: IsoInstant | null;
      readonly responseUrl: string;
      readonly xmlContentId: string;
      readonly items: readonly RequestItemEffect[];
    }
  | {
      readonly type: 'sendResponse';
      readonly relationshipId: string;
      /** Inbound exchange key. */
      readonly exchangeKey: string;
      /** The Request's requestId, echoed; `null` when the Request had none (omit it, draft §2.5). */
      readonly requestId: string | null;
      readonly from: string;
      readonly to: string;
      /** The Request's `ResponseURL` for these items; `null` means the partner's configured URL. */
      readonly responseUrl: string | null;
      readonly originated: IsoInstant;
      readonly items: readonly ResponseItemEffect[];
    }
  | {
      readonly type: 'sendEmail';
      readonly relationshipId: string;
      readonly exchangeId: string;
      readonly to: string;
      readonly subject: string;
      readonly text: string;
      readonly fingerprints: readonly Fingerprint[];
    }
  | { readonly type: 'notify'; readonly alert: Alert }
  | {
      readonly type: 'installServerCertificate';
      readonly protocol: ServerProtocol;
      readonly fingerprint: Fingerprint;
      readonly keyRef: string | null;
    }
  | {
      readonly type: 'archiveCertificate';
      readonly relationshipId: string | null;
      readonly side: Side;
      readonly usage: LocalUsage | PartnerUsage;
      readonly fingerprint: Fingerprint;
    }
  | { readonly type: 'ignored'; readonly reason: IgnoredReason; readonly detail: string };

/** The effect types, for exhaustive switches. */
export type CemEffectType = CemEffect['type'];
