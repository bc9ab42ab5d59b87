/**
 * The engine's public types: operation inputs and results.
 *
 * @module
 */
import type { CemErrorCode } from '../errors.js';
import type { CemEntityInput } from '../messages/entity/types.js';
import type { HeaderSource } from '../messages/features.js';
import type { ResolvedCertificates } from '../policy/resolution.js';
import type { CertUsage } from '../types.js';
import type { CemEffect, IgnoredReason } from '../state/effects.js';
import type { RelationshipInit } from '../state/events.js';
import type { CertRef, Fingerprint, InboundExchange, LocalUsage, OutboundExchange, PartnerUsage } from '../state/model.js';
import type { CertificateStatusEntry, RelationshipStatusReport } from '../state/status.js';
import type { CertificateSource, CertificateWithChain, LocalCertificateSource } from './material.js';

export type { CertificateSource, CertificateWithChain, LocalCertificateSource } from './material.js';

/** Why the lifecycle refused an operation (nothing changed). */
export interface CemRefusal {
  readonly reason: IgnoredReason;
  readonly detail: string;
}

/**
 * What an operation did: whether the state changed, the refusal when it did not, and the effects
 * it stored (and tried to perform).
 *
 * @example
 * ```ts
 * const r = await engine.setActive('acme', 'local', 'encryption')
 * if (r.refusal) console.warn(r.refusal.reason, r.refusal.detail)
 * ```
 */
export interface CemOperationResult {
  readonly applied: boolean;
  readonly refusal: CemRefusal | null;
  /** The effects of the operation (without `ignored`), as stored in the outbox. */
  readonly effects: readonly CemEffect[];
}

/** The result of `sendCertificates` and `resend`: the new exchange, if one was opened. */
export interface SendResult extends CemOperationResult {
  /** The requestId (exchange id) of the new exchange, `null` when refused. */
  readonly requestId: string | null;
  /** How the certificates went out, `null` when refused. */
  readonly channel: 'cem' | 'email' | null;
}

/** A relationship to add, with its currently active certificates as DER or PEM. */
export interface RelationshipInput extends Omit<RelationshipInit, 'local' | 'partner'> {
  readonly local?: Partial<Record<LocalUsage, LocalCertificateSource>>;
  readonly partner?: Partial<Record<PartnerUsage, CertificateSource | CertificateWithChain>>;
}

/** The certificates to send (Cleo's "Send certificates" dialog). */
export interface CertificateSelectionInput {
  /** Always given: our new signing certificate (also used for encryption unless `encryption` is given). */
  readonly signing: LocalCertificateSource;
  readonly encryption?: LocalCertificateSource;
  readonly tlsClient?: LocalCertificateSource;
  /** Our new server certificate for the relationship's listener. */
  readonly tlsServer?: LocalCertificateSource;
  /** Re-send certificates already active with the new ones (default false). */
  readonly includeActive?: boolean;
}

/** A certificate to schedule for future use. */
export type ScheduleInput =
  | {
      readonly relationshipId: string;
      readonly side: 'local';
      readonly usage: LocalUsage | 'tlsServer';
      readonly certificate: LocalCertificateSource;
      readonly activateAt: Date;
      /** Email the certificate (with the activation time) to the partner. */
      readonly emailPartner?: boolean;
    }
  | {
      readonly relationshipId: string;
      readonly side: 'partner';
      readonly usage: PartnerUsage;
      readonly certificate: CertificateSource | CertificateWithChain;
      readonly activateAt: Date;
    };

/** The administrator's decision on one received certificate. */
export interface DecisionInput {
  readonly fingerprint: Fingerprint;
  readonly accept: boolean;
  /** Why it was rejected (sent as `ReasonForRejection`). */
  readonly reason?: string;
}

/**
 * One inbound AS2 message, after the host's AS2 layer decrypted it and checked its signature.
 *
 * @example
 * ```ts
 * await engine.receive({
 *   body: { contentType: req.headers['content-type'], body: decryptedBytes },
 *   headers: req.headers,            // AS2-From, AS2-To, Message-ID, EDIINT-Features
 *   verifiedBy: signerCertificateDer, // or its SHA-256 fingerprint; omit for unsigned messages
 * })
 * ```
 */
export interface InboundMessage {
  /** The decrypted MIME entity with its headers, or the body with its transport Content-Type. */
  readonly body: Uint8Array | string | CemEntityInput;
  /** The AS2 headers. */
  readonly headers: HeaderSource;
  /** The certificate (DER or PEM) or SHA-256 fingerprint that verified the message's signature. */
  readonly verifiedBy?: CertificateSource | null;
}

/** One certificate of a received Request, as the engine recorded it. */
export interface ReceivedCertificateOutcome {
  readonly fingerprint: Fingerprint;
  readonly subject: string;
  readonly usages: readonly CertUsage[];
  readonly decision: 'pending' | 'accepted' | 'rejected' | 'superseded';
  readonly reason: string | null;
  /** Suitability problems found on receipt. */
  readonly problems: readonly string[];
}

/**
 * What `receive` made of a message. Never thrown: bad input is `invalid` (answer with a
 * `processed/error` MDN), a refused sender is `refused`.
 */
export type ReceiveOutcome =
  /** Not a CEM message: the host processes it as an ordinary payload. */
  | { readonly kind: 'ignored'; readonly relationshipId: string | null }
  | {
      readonly kind: 'request';
      readonly relationshipId: string;
      /** The key to pass to `respond`. */
      readonly exchangeKey: string;
      readonly requestId: string | null;
      readonly status: InboundExchange['status'];
      readonly certificates: readonly ReceivedCertificateOutcome[];
    }
  | {
      readonly kind: 'response';
      readonly relationshipId: string;
      readonly requestId: string;
      readonly status: OutboundExchange['status'];
      readonly items: readonly { readonly fingerprint: Fingerprint; readonly status: 'pending' | 'accepted' | 'rejected'; readonly reason: string | null }[];
    }
  /**
   * Seen before (same Message-ID, or same requestId / same answers). Nothing was decided again; a
   * Request already answered may have had its identical Response sent again (`detail` says so).
   */
  | {
      readonly kind: 'duplicate';
      readonly relationshipId: string | null;
      readonly detail: string;
      /** For a repeated Request: the key of the exchange its first delivery opened (as `request` returned it). */
      readonly exchangeKey?: string;
      /** For a repeated Response: the requestId it answers. */
      readonly requestId?: string;
    }
  /** A CEM message the lifecycle refused (unknown partner, unauthenticated, name mismatch, unknown request). */
  | { readonly kind: 'refused'; readonly relationshipId: string | null; readonly reason: IgnoredReason; readonly detail: string }
  /** A broken CEM message or missing AS2 headers. */
  | { readonly kind: 'invalid'; readonly code: CemErrorCode; readonly message: string };

/** What the AS2 layer saw on one message of a partner, for first usage. */
export interface TrafficInput {
  readonly relationshipId: string;
  /** Our certificate that decrypted the message: fingerprint, certificate, or the raw CMS EnvelopedData. */
  readonly decryptedWith?: CertificateSource;
  /** The partner certificate that verified the signature: fingerprint, certificate, or the raw CMS SignedData. */
  readonly verifiedWith?: CertificateSource;
  /** The certificate the partner's TLS server presented: fingerprint or certificate. */
  readonly partnerTlsServer?: CertificateSource;
  /** The certificate the partner's TLS client presented: fingerprint or certificate. */
  readonly partnerTlsClient?: CertificateSource;
}

/** A resolved certificate with its DER, chain and (ours) private-key reference. */
export interface ResolvedCertificate extends CertRef {
  readonly der: Uint8Array;
  readonly chain: readonly Uint8Array[];
}

type WithMaterial<T> = T extends CertRef ? ResolvedCertificate : T extends readonly CertRef[] ? readonly ResolvedCertificate[] : T;

/** {@link ResolvedCertificates} with the material of every certificate. */
export type ResolvedMaterial = { readonly [K in keyof ResolvedCertificates]: WithMaterial<ResolvedCertificates[K]> };

/** The status of one relationship and each of its certificates. */
export interface StatusEntry extends RelationshipStatusReport {
  readonly partnerName: string;
  readonly certificates: readonly CertificateStatusEntry[];
}

/** What `tick` did. */
export interface TickResult extends CemOperationResult {
  /** Outbox entries performed by the drain that followed. */
  readonly performed: number;
}

/** A page request of `engine.outbox()`. */
export interface OutboxPageRequest {
  /** At most this many entries (default 100, at most 1000). */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly cursor?: string;
}

/** One entry of the outbox, as `engine.outbox()` shows it. */
export interface OutboxView {
  readonly id: string;
  /** The effect's type (`sendRequest`, `sendResponse`, `sendEmail`, `notify`, `installServerCertificate`, ...). */
  readonly type: string;
  readonly relationshipId: string | null;
  readonly createdAt: string;
  /** When it can next be taken: its retry time, or when the current claim runs out. */
  readonly nextAttemptAt: string;
  readonly attempts: number;
  readonly lastError: string | null;
  /** The engine instance holding it now, `null` when unclaimed. */
  readonly claimedBy: string | null;
}

/** A page of `engine.outbox()`. */
export interface OutboxPage {
  readonly entries: readonly OutboxView[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly next: string | null;
}
