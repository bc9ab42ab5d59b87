/**
 * Events: everything that can happen to the lifecycle, as data. The engine creates them from host
 * calls, inbound messages, port results and clock ticks, then calls {@link transition}.
 *
 * Ids (request ids, Content-IDs) come in with the events that need them, because pure code cannot
 * make them.
 *
 * @module
 */
import type { CertificateInfo } from '../crypto/certificate.js';
import type { CemRequest, CemResponse } from '../messages/model.js';
import type { CemSettings, Fingerprint, LocalUsage, PartnerProtocol, PartnerUsage, ServerProtocol } from './model.js';

/** A local certificate offered by the host, with an opaque reference to its private key. */
export interface LocalCertificateInput {
  readonly certificate: CertificateInfo;
  readonly keyRef?: string;
}

/** The initial configuration of a relationship, with its currently active certificates. */
export interface RelationshipInit {
  readonly id: string;
  readonly localName: string;
  readonly partnerName: string;
  readonly protocol: PartnerProtocol;
  /** Defaults from the protocol: AS2/HTTP → HTTP, AS3/FTP → FTP, SFTP → SSH-FTP, OFTP → OFTP, AS1 → none. */
  readonly listener?: ServerProtocol | null;
  readonly partnerEmail?: string | null;
  readonly responseUrl?: string | null;
  readonly autoAccept?: 'inherit' | 'on' | 'off';
  readonly cemOverride?: 'auto' | 'capable' | 'incapable';
  readonly local?: Partial<Record<LocalUsage, LocalCertificateInput>>;
  readonly partner?: Partial<Record<PartnerUsage, CertificateInfo>>;
}

/** Ids the engine draws from the host's Ids port for one outbound request. */
export interface RequestIds {
  readonly requestId: string;
  readonly xmlContentId: string;
  /** At least one per certificate that may be sent (four is always enough). */
  readonly contentIds: readonly string[];
}

/** Certificates selected for an outbound exchange (Cleo's "Send certificates" dialog). */
export interface CertificateSelection {
  /** Always given. */
  readonly signing: LocalCertificateInput;
  /** Defaults to the signing certificate. */
  readonly encryption?: LocalCertificateInput;
  readonly tlsClient?: LocalCertificateInput;
  /** Our server certificate for the relationship's listener. */
  readonly tlsServer?: LocalCertificateInput;
}

/** A certificate carried by a received CEM Request, as the MIME layer read it. */
export interface ReceivedCertificate {
  readonly contentId: string;
  readonly endEntity: CertificateInfo;
  readonly chain: readonly CertificateInfo[];
}

/** A decision on one received certificate. */
export interface CertificateDecision {
  readonly fingerprint: Fingerprint;
  readonly accept: boolean;
  readonly reason?: string;
}

/** Every event the lifecycle understands. */
export type CemEvent =
  | { readonly type: 'settingsChanged'; readonly settings: Partial<CemSettings> }
  | { readonly type: 'relationshipAdded'; readonly relationship: RelationshipInit }
  | {
      readonly type: 'relationshipUpdated';
      readonly relationshipId: string;
      readonly changes: Partial<Pick<RelationshipInit, 'partnerEmail' | 'responseUrl' | 'autoAccept' | 'cemOverride' | 'listener' | 'protocol'>>;
    }
  | { readonly type: 'relationshipRemoved'; readonly relationshipId: string }
  /** EDIINT-Features seen on a partner's message or MDN. */
  | {
      readonly type: 'featuresObserved';
      readonly relationshipId: string;
      readonly features: readonly string[];
      /**
       * The partner signing certificate that verified the message (`null`: unsigned or not
       * verified). Only a message verified by an accepted partner signing certificate changes
       * the capability; an unverified observation is `ignored` / `notAuthenticated`. Omitted, the
       * caller asserts the observation is authenticated (the engine always passes it).
       */
      readonly verifiedBy?: Fingerprint | null;
    }
  | {
      readonly type: 'sendCertificates';
      readonly relationshipId: string;
      readonly selection: CertificateSelection;
      /** Re-send certificates that are already active with the new ones (`true`) or leave them out. */
      readonly includeActive: boolean;
      readonly ids: RequestIds;
    }
  | { readonly type: 'requestDelivered'; readonly requestId: string }
  | { readonly type: 'requestFailed'; readonly requestId: string; readonly error: string }
  | { readonly type: 'emailDelivered'; readonly exchangeId: string }
  | { readonly type: 'emailFailed'; readonly exchangeId: string; readonly error: string }
  /** Send again what failed (an outbound request by requestId, or an inbound exchange's response by key). */
  | { readonly type: 'retry'; readonly exchangeId: string }
  /** A new request for the certificates of an expired or rejected exchange. */
  | { readonly type: 'resend'; readonly requestId: string; readonly ids: RequestIds }
  | {
      readonly type: 'responseReceived';
      readonly as2From: string;
      readonly as2To: string;
      /** Fingerprint of the partner certificate that verified the message's signature, if signed. */
      readonly verifiedBy: Fingerprint | null;
      readonly messageId: string | null;
      readonly response: CemResponse;
    }
  | {
      readonly type: 'requestReceived';
      readonly as2From: string;
      readonly as2To: string;
      readonly verifiedBy: Fingerprint | null;
      readonly messageId: string | null;
      readonly request: CemRequest;
      readonly certificates: readonly ReceivedCertificate[];
    }
  | { readonly type: 'decide'; readonly exchangeKey: string; readonly decisions: readonly CertificateDecision[] }
  | { readonly type: 'responseDelivered'; readonly exchangeKey: string }
  | { readonly type: 'responseFailed'; readonly exchangeKey: string; readonly error: string }
  /**
   * What the AS2 layer saw on one message of the partner: which of our certificates decrypted it,
   * which partner certificate verified its signature, which certificates TLS presented.
   */
  | {
      readonly type: 'trafficObserved';
      readonly relationshipId: string;
      readonly decryptedWith?: Fingerprint;
      readonly verifiedWith?: Fingerprint;
      readonly partnerTlsServer?: Fingerprint;
      readonly partnerTlsClient?: Fingerprint;
    }
  | {
      readonly type: 'schedule';
      readonly relationshipId: string;
      readonly side: 'local';
      readonly usage: LocalUsage | 'tlsServer';
      readonly certificate: LocalCertificateInput;
      readonly activateAt: Date;
      readonly emailPartner: boolean;
      /** Needed when `emailPartner` is true. */
      readonly exchangeId?: string;
    }
  | {
      readonly type: 'schedule';
      readonly relationshipId: string;
      readonly side: 'partner';
      readonly usage: PartnerUsage;
      readonly certificate: CertificateInfo;
      readonly activateAt: Date;
      readonly emailPartner?: false;
      readonly exchangeId?: string;
    }
  | { readonly type: 'cancelSchedule'; readonly relationshipId: string; readonly side: 'local' | 'partner'; readonly usage: LocalUsage | PartnerUsage }
  /** Administrator's "set as active": makes a successor (or a server candidate) active now. */
  | { readonly type: 'setActive'; readonly relationshipId: string; readonly side: 'local' | 'partner'; readonly usage: LocalUsage | PartnerUsage | 'tlsServer' }
  | { readonly type: 'setServerActive'; readonly protocol: ServerProtocol }
  /**
   * Administrator's withdrawal of a listener's candidate server certificate (not installed yet):
   * the candidate is archived as `cancelled`, every partner's readiness for it is cleared, and
   * exchanges left with nothing to wait for are closed, so a new server certificate can be sent.
   */
  | { readonly type: 'withdrawServerCandidate'; readonly protocol: ServerProtocol }
  /**
   * The host's listener presents this certificate (initial configuration or an out-of-band
   * change): it becomes the installed server certificate, the previous one is archived.
   */
  | { readonly type: 'serverCertificateConfigured'; readonly protocol: ServerProtocol; readonly certificate: LocalCertificateInput }
  /** The host confirmed that a server certificate is now presented by the listener. */
  | { readonly type: 'serverCertificateInstalled'; readonly protocol: ServerProtocol; readonly fingerprint: Fingerprint }
  /** Time passed: deadlines, expiry, scheduled activations, server installs, daily alerts. */
  | { readonly type: 'tick' };

/** The event types, for exhaustive switches. */
export type CemEventType = CemEvent['type'];
