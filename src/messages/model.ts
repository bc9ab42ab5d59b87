/**
 * The parsed, frozen form of CEM Request and Response documents (draft-14 §3.1, §3.2).
 *
 * Values keep what the sender wrote (trimmed): issuer and serial strings are echoed byte for
 * byte in responses (a serial keeps a `+` or leading zeros: compare serials by value, issuers by
 * meaning), dates keep their lexical form and offset.
 *
 * @module
 */
import type { CertStatus, CertUsage, IssuerSerial } from '../types.js';

/**
 * An `xs:dateTime` as written on the wire, with the instant it denotes.
 *
 * `offsetMinutes` is the offset the sender wrote (`-05:00` is -300, `Z` is 0), or `null` when the
 * value carried no offset (then `instant` reads it as UTC).
 */
export interface CemDateTime {
  /** The trimmed lexical value, e.g. `2005-08-30T00:30:00-05:00`. */
  readonly lexical: string;
  /** The instant denoted by the value. */
  readonly instant: Date;
  /** The UTC offset in minutes as written, `null` when none was written. */
  readonly offsetMinutes: number | null;
}

/** `TradingPartnerInfo/Name` and its `qualifier` (the transport, `AS2`). */
export interface CemTradingPartner {
  /** The sender's AS2-From value. */
  readonly name: string;
  /** The transport name (`AS2`), `null` when the sender omitted it. */
  readonly qualifier: string | null;
}

/** One `TrustRequest`: one end-entity certificate and the usages requested for it. */
export interface CemTrustRequest {
  /** Requested usages in document order, without duplicates. */
  readonly usages: readonly CertUsage[];
  /** `RespondByDate`, `null` when absent. */
  readonly respondBy: CemDateTime | null;
  /** `ResponseURL`: where the Response is to be sent. */
  readonly responseUrl: string;
  /** `EndEntity/CertificateIdentifier` as written. */
  readonly certificate: IssuerSerial;
  /** `EndEntity/CertificateContentID`, without angle brackets or `cid:`. */
  readonly contentId: string;
}

/** A parsed `EDIINTCertificateExchangeRequest`. */
export interface CemRequest {
  /** `@requestId`, `null` when absent (pre-draft-06 peers). */
  readonly requestId: string | null;
  /** `TradingPartnerInfo/Name`. */
  readonly sender: CemTradingPartner;
  /** `TradingPartnerInfo/MessageOriginated`. */
  readonly originated: CemDateTime;
  /** One entry per end-entity certificate, in document order. */
  readonly trustRequests: readonly CemTrustRequest[];
}

/** One `TrustResponse`: the decision on one certificate. */
export interface CemTrustResponse {
  /** `CertStatus`. */
  readonly status: CertStatus;
  /** `ReasonForRejection`, `null` when absent. Human-readable only: never parse it. */
  readonly reason: string | null;
  /** `CertificateReference`, as written (echoes the Request's `CertificateIdentifier`). */
  readonly certificate: IssuerSerial;
}

/** A parsed `EDIINTCertificateExchangeResponse`. */
export interface CemResponse {
  /** `@requestId`, echoing the Request's; `null` when absent. */
  readonly requestId: string | null;
  /** `TradingPartnerInfo/Name`. */
  readonly sender: CemTradingPartner;
  /** `TradingPartnerInfo/MessageOriginated`. */
  readonly originated: CemDateTime;
  /** One entry per certificate, in document order. */
  readonly trustResponses: readonly CemTrustResponse[];
}
