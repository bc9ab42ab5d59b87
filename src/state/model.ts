/**
 * The persisted lifecycle state of every trading relationship's certificates.
 *
 * Everything here is plain JSON: instants are ISO-8601 UTC strings (`2026-11-25T16:45:00.000Z`),
 * certificates are referred to by their SHA-256 fingerprint. The engine stores each
 * relationship, exchange and server slot as its own record; the pure {@link transition} works on
 * the whole {@link CemState} aggregate.
 *
 * @module
 */
import type { CertUsage } from '../types.js';

/** An ISO-8601 UTC instant, as written by `Date.prototype.toISOString()`. */
export type IsoInstant = string;

/** Lowercase hex SHA-256 of a certificate's DER, without colons. */
export type Fingerprint = string;

/** Transport protocol of a trading relationship. */
export type PartnerProtocol = 'AS2' | 'AS3' | 'AS1' | 'FTP' | 'SFTP' | 'OFTP' | 'HTTP';

/** A listener protocol whose TLS/SSH server certificate is shared by all partners on it. */
export type ServerProtocol = 'HTTP' | 'FTP' | 'OFTP' | 'SSH-FTP';

/** Certificate slots we own per relationship. Our TLS server certificate lives in {@link ServerSlot}. */
export type LocalUsage = 'signing' | 'encryption' | 'tlsClient';

/** Certificate slots of the partner per relationship. */
export type PartnerUsage = 'signing' | 'encryption' | 'tlsClient' | 'tlsServer';

/** Which side owns a certificate. */
export type Side = 'local' | 'partner';

/**
 * What the lifecycle needs to know about a certificate. The DER itself (and the chain) is kept
 * by the engine as certificate material keyed by fingerprint.
 */
export interface CertRef {
  readonly fingerprint: Fingerprint;
  /** RFC 4514 subject. */
  readonly subject: string;
  /** RFC 4514 issuer. */
  readonly issuer: string;
  /** Decimal serial number. */
  readonly serial: string;
  readonly notBefore: IsoInstant;
  readonly notAfter: IsoInstant;
  /** Opaque reference to the private key, supplied by the host for local certificates. */
  readonly keyRef?: string;
}

/**
 * How a certificate became acceptable. `respondByPassed`: our signing or TLS client certificate
 * (or a server certificate) put to use once the respond-by time passed unanswered
 * (`useAfterRespondBy`); `restored`: the certificate it replaced, active again because the partner
 * rejected it later; `distributed`: our encryption certificate, sent (or scheduled) and then
 * displaced as the slot's successor by a newer one before the partner accepted or used it: the
 * partner may still encrypt to it, so it keeps decrypting (never used for anything else) until
 * the first usage of a newer certificate or "set as active" retires it.
 */
export type ActivationCause = 'initial' | 'cem' | 'firstUsage' | 'schedule' | 'manual' | 'respondByPassed' | 'restored' | 'distributed';

/** A certificate that is acceptable now. */
export interface ActiveCert {
  readonly cert: CertRef;
  readonly since: IsoInstant;
  readonly cause: ActivationCause;
  /**
   * With cause `respondByPassed` or `firstUsage`: the fingerprints of the certificates this
   * activation archived, restored if the partner rejects this one later (our signing or TLS
   * client certificate used after its respond-by time; our encryption certificate the partner
   * encrypted to before answering). Absent otherwise.
   */
  readonly replaced?: readonly Fingerprint[];
}

/**
 * Status of a successor certificate in a slot.
 * - `pending`: sent to / received from the partner, no decision yet.
 * - `accepted`: accepted, waiting for first usage (encryption, partner signing/TLS) or for
 *   every partner (server certificates).
 * - `scheduled`: activates at `activateAt` (or earlier by first usage where that applies).
 * - `emailed`: sent by email to a partner without CEM; only "set as active" activates it.
 * - `rejected`: the partner (or we) rejected it; kept for the record until replaced.
 * - `expired`: no response by the respond-by time.
 * - `sendFailed`: the transport failed; `retry` sends it again.
 */
export type SuccessorStatus = 'pending' | 'accepted' | 'scheduled' | 'emailed' | 'rejected' | 'expired' | 'sendFailed';

/** The one certificate that may follow the active one(s) in a slot. */
export interface Successor {
  readonly cert: CertRef;
  readonly status: SuccessorStatus;
  readonly since: IsoInstant;
  /** The outbound or inbound exchange that carried it, if any. */
  readonly exchangeId: string | null;
  /** Scheduled activation time (status `scheduled`). */
  readonly activateAt: IsoInstant | null;
  /** Reason given with a rejection. */
  readonly reason: string | null;
}

/** A retired certificate, kept so old traffic can still be decrypted and verified (draft §1.3). */
export interface ArchivedCert {
  readonly cert: CertRef;
  readonly archivedAt: IsoInstant;
  /**
   * Why it left its slot. `cancelled` marks a scheduled certificate the administrator withdrew
   * before it was ever used: it is kept for the record but never offered for reprocessing.
   * `rejected`: one of ours the partner rejected after we had started using it (respond-by
   * passed): a server certificate, or a signing / TLS client certificate while a newer one
   * already waited in the slot; or our encryption certificate the partner rejected after it
   * started decrypting as the active one (first usage before the answer, or kept as
   * `distributed`): it stays available for reprocessing (`decryptArchive`).
   */
  readonly reason: 'replaced' | 'firstUsage' | 'manual' | 'expired' | 'cancelled' | 'rejected';
}

/**
 * One usage's certificates in one relationship. `active[0]` is the one used for outbound
 * operations; every entry of `active` is acceptable inbound.
 */
export interface CertSlot {
  readonly active: readonly ActiveCert[];
  readonly successor: Successor | null;
  readonly archive: readonly ArchivedCert[];
}

/** Whether the partner can take CEM: what we observed, and the administrator's override. */
export interface CemCapability {
  /** `CEM` seen in `EDIINT-Features` on the partner's messages or MDNs. */
  readonly observed: boolean;
  readonly observedAt: IsoInstant | null;
  /** `auto` follows `observed`; `capable`/`incapable` override it. */
  readonly override: 'auto' | 'capable' | 'incapable';
}

/** A trading relationship with one partner. */
export interface Relationship {
  /** Host-chosen identifier. */
  readonly id: string;
  /** Our AS2 name (AS2-To of inbound, AS2-From of outbound). */
  readonly localName: string;
  /** The partner's AS2 name. */
  readonly partnerName: string;
  readonly protocol: PartnerProtocol;
  /** The listener whose server certificate this partner sees, `null` when none. */
  readonly listener: ServerProtocol | null;
  readonly cem: CemCapability;
  /** Per-partner override of the system-wide auto-accept setting. */
  readonly autoAccept: 'inherit' | 'on' | 'off';
  readonly partnerEmail: string | null;
  /** Where our CEM Requests ask the partner to send Responses. */
  readonly responseUrl: string | null;
  readonly local: { readonly [U in LocalUsage]: CertSlot };
  readonly partner: { readonly [U in PartnerUsage]: CertSlot };
  /** This partner's readiness for the candidate server certificate of {@link Relationship.listener}. */
  readonly serverReadiness: ServerReadiness | null;
}

/**
 * Where one partner stands with the candidate server certificate of its listener: sent by CEM
 * (pending, accepted, rejected, expired), emailed, or scheduled by the administrator.
 */
export interface ServerReadiness {
  readonly fingerprint: Fingerprint;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'expired' | 'emailed' | 'scheduled' | 'sendFailed';
  readonly exchangeId: string | null;
  /** For `scheduled`: when this partner expects the switch. */
  readonly activateAt: IsoInstant | null;
  readonly reason: string | null;
}

/** One certificate of an outbound exchange (a CEM Request we sent, or an email). */
export interface OutboundItem {
  readonly fingerprint: Fingerprint;
  /** The certificate as sent (for matching Responses by issuer and serial, and for emails). */
  readonly cert: CertRef;
  readonly usages: readonly CertUsage[];
  /** Content-ID of its certs-only part (bare). */
  readonly contentId: string;
  readonly status: 'pending' | 'accepted' | 'rejected';
  readonly reason: string | null;
  readonly respondedAt: IsoInstant | null;
  /** The status a later, conflicting Response replaced (draft §2.5: the newest is adopted). */
  readonly previousStatus: 'accepted' | 'rejected' | null;
}

/** Status of an outbound exchange as a whole. */
export type OutboundStatus =
  | 'sending'
  | 'sendFailed'
  | 'pending'
  | 'accepted'
  | 'rejected'
  | 'expired'
  | 'emailed'
  | 'superseded'
  /** Every certificate of it was settled by the administrator ("set as active", cancel). */
  | 'closed';

/** A CEM Request we sent (or the same selection sent by email). */
export interface OutboundExchange {
  /** The requestId (also the exchange id). */
  readonly id: string;
  readonly relationshipId: string;
  readonly channel: 'cem' | 'email';
  readonly status: OutboundStatus;
  readonly createdAt: IsoInstant;
  /** `MessageOriginated`, fixed at creation so a resend after a crash is byte-identical. */
  readonly originated: IsoInstant;
  readonly respondBy: IsoInstant | null;
  readonly xmlContentId: string;
  readonly items: readonly OutboundItem[];
  readonly attempts: number;
  readonly lastError: string | null;
  /** For the email sent with a schedule: the activation time it announces. */
  readonly activateAt: IsoInstant | null;
  /** The `ResponseURL` the Request carries (channel `cem`), fixed so a resend is identical. */
  readonly responseUrl: string | null;
  /** The address the email went to (channel `email`), fixed so a resend is identical. */
  readonly emailTo: string | null;
  /**
   * Set when a tick expired the Request while it was still `sending` (its delivery was never
   * confirmed): `useAfterRespondBy` then activates none of its certificates and its server
   * readiness does not count as ready. Absent otherwise.
   */
  readonly undelivered?: boolean;
  /**
   * When the exchange last changed in a finished status (`accepted`, `rejected`, `closed`,
   * `superseded`): the start of its retention (`settings.retainFinishedDays`). Absent while it is
   * open, and in records stored before it existed.
   */
  readonly finishedAt?: IsoInstant;
}

/** One certificate of an inbound exchange (a CEM Request we received). */
export interface InboundItem {
  readonly cert: CertRef;
  readonly usages: readonly CertUsage[];
  /** Issuer string exactly as the partner wrote it, echoed in the Response. */
  readonly wireIssuer: string;
  /** Serial exactly as the partner wrote it (decimal), echoed in the Response. */
  readonly wireSerial: string;
  readonly contentId: string;
  readonly responseUrl: string;
  /** `superseded`: a newer Request for the same usage replaced it; it is left out of the Response. */
  readonly decision: 'pending' | 'accepted' | 'rejected' | 'superseded';
  readonly reason: string | null;
  /** Names of suitability problems found on receipt (see `checkCertificateSuitability`). */
  readonly problems: readonly string[];
}

/** Status of an inbound exchange as a whole. */
export type InboundStatus = 'awaitingDecision' | 'responding' | 'responseFailed' | 'answered' | 'superseded';

/**
 * A CEM Request we received. Keyed by `${relationshipId}/${requestId}`; a Request without a
 * requestId by `${relationshipId}/message:${messageId}`, or `${relationshipId}/originated:${MessageOriginated}`.
 */
export interface InboundExchange {
  readonly key: string;
  /** The Request's `requestId`; `null` when it had none (pre-draft-06 peers): the Response then omits it. */
  readonly requestId: string | null;
  readonly relationshipId: string;
  readonly messageId: string | null;
  readonly receivedAt: IsoInstant;
  readonly respondBy: IsoInstant | null;
  readonly items: readonly InboundItem[];
  readonly status: InboundStatus;
  /** `MessageOriginated` of our Response, fixed when the decision completed (a resend is identical). */
  readonly respondedAt: IsoInstant | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /**
   * When the exchange last changed in a finished status (`answered`, `superseded`): the start of
   * its retention (`settings.retainFinishedDays`). Absent while it is open, and in records stored
   * before it existed.
   */
  readonly finishedAt?: IsoInstant;
}

/** The TLS/SSH server certificate of one listener, shared by every partner on it. */
export interface ServerSlot {
  readonly protocol: ServerProtocol;
  /** The installed (presented) certificate; at most one per protocol. */
  readonly installed: ActiveCert | null;
  /** The one certificate waiting for every partner (only one per protocol). */
  readonly candidate: {
    readonly cert: CertRef;
    readonly since: IsoInstant;
    /**
     * Earliest install time, honoured by the consensus when set. The transitions leave it `null`:
     * scheduled partners carry their own time in {@link ServerReadiness.activateAt}.
     */
    readonly installAfter: IsoInstant | null;
    /** Set once an install effect was emitted, so it is emitted once. */
    readonly installRequestedAt: IsoInstant | null;
    /** How the install was released: `cem` (consensus), `schedule` or `manual`. */
    readonly installCause: ActivationCause | null;
  } | null;
  readonly archive: readonly ArchivedCert[];
}

/** System-wide settings (the administrator's "CEM" preferences). */
export interface CemSettings {
  /** Auto-accept inbound requests from authenticated partners (overridable per partner). */
  readonly autoAccept: boolean;
  /** Respond-by time of our requests = send time + this many days. */
  readonly maxResponseDays: number;
  /** Start signing / TLS-client use of our new certificate once its respond-by time passed unanswered (draft §2.4 MAY). */
  readonly useAfterRespondBy: boolean;
  /** Alert when an active certificate expires within this many days. */
  readonly expiryWarningDays: number;
  /** What to do with received certificates that fail the suitability checks. */
  readonly unsuitable: 'reject' | 'manual';
  /** Minimum RSA key size accepted. */
  readonly minRsaBits: number;
  /** UTC offset in minutes defining the "day" of daily alerts. */
  readonly alertDayOffsetMinutes: number;
  /**
   * Days a finished exchange (and the engine's remembered Message-IDs and Response Content-IDs) is kept after its
   * last activity before a tick drops it (see `dropFinishedExchanges`). Archived certificates are
   * never dropped (draft §1.3).
   */
  readonly retainFinishedDays: number;
}

/** Default settings. */
export const DEFAULT_SETTINGS: CemSettings = Object.freeze({
  autoAccept: false,
  maxResponseDays: 30,
  useAfterRespondBy: false,
  expiryWarningDays: 30,
  unsuitable: 'reject',
  minRsaBits: 2048,
  alertDayOffsetMinutes: 0,
  retainFinishedDays: 400,
});

/** The whole lifecycle state. */
export interface CemState {
  readonly settings: CemSettings;
  readonly relationships: Readonly<Record<string, Relationship>>;
  readonly servers: Readonly<Partial<Record<ServerProtocol, ServerSlot>>>;
  readonly outbound: Readonly<Record<string, OutboundExchange>>;
  readonly inbound: Readonly<Record<string, InboundExchange>>;
  /** Day (`yyyy-mm-dd` in the alert day offset) each repeating alert subject last fired. */
  readonly alertLog: Readonly<Record<string, string>>;
  /**
   * The partners on a listener that this state does not hold, counted by mark (see
   * `src/state/indexes/listener-tally.ts`): an engine slice of one partner during a rollover.
   * Absent (a whole state): the state holds every partner.
   */
  readonly listenerOthers?: Readonly<Partial<Record<ServerProtocol, Readonly<Record<string, number>>>>>;
}
