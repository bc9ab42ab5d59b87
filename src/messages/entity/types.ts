/**
 * Data types of CEM entities: the `multipart/related` that carries a CEM Request or Response
 * (draft-14 §2.1, §2.3).
 *
 * @module
 */
import type { CertificateInfo } from '../../crypto/certificate.js';
import type { MimeEntity } from '../mime/types.js';
import type { CemDateTime, CemRequest, CemResponse, CemTradingPartner, CemTrustRequest } from '../model.js';
import type { CertUsage } from '../../types.js';

/**
 * A built CEM entity, ready to send: `contentType` and `headers` go into the transport's
 * headers (or in front of `body`, see `serializeCemEntity`), `body` is the multipart body.
 *
 * @example
 * ```ts
 * const entity: CemEntity = buildCemResponseEntity({ response, xmlContentId: 'resp-1@partner.example' });
 * await post(url, { ...entity.headers, 'AS2-From': 'PARTNER' }, entity.body);
 * ```
 */
export interface CemEntity {
  /** The `Content-Type` value: `multipart/related; type="application/ediint-cert-exchange+xml"; boundary="…"`. */
  readonly contentType: string;
  /** The entity's own header fields: `Content-Type` and `MIME-Version`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The multipart body, CRLF line ends. */
  readonly body: Uint8Array;
  /** The same entity as a MIME tree (parts, their headers and decoded bodies). */
  readonly mime: MimeEntity;
  /** The XML document carried in the root part. */
  readonly xml: string;
}

/**
 * How the parts' bodies are written.
 *
 * @example
 * ```ts
 * buildCemResponseEntity({ response, xmlContentId: 'r1@acme.example', transferEncoding: 'binary' });
 * ```
 */
export type CemTransferEncoding = 'base64' | 'binary';

/**
 * Options shared by the entity builders.
 *
 * @example
 * ```ts
 * const options: CemEntityOptions = { xmlContentId: 'req-1@acme.example', transferEncoding: 'base64', start: false };
 * ```
 */
export interface CemEntityOptions {
  /** Content-ID of the XML root part, bare or in `<…>`. */
  readonly xmlContentId: string;
  /**
   * `Content-Transfer-Encoding` of every part. `base64` (the default) keeps the entity 7-bit, which
   * survives any transport and signature canonicalisation; `binary` is what mendelson sends and
   * what RFC 4130 §5.2.1 allows over HTTP.
   */
  readonly transferEncoding?: CemTransferEncoding;
  /**
   * Add `start="<xml-cid>"` (RFC 2387 §3.2). Off by default: the draft's example and mendelson
   * omit it, and the root is then the first part, which is where the XML is always written.
   */
  readonly start?: boolean;
}

/**
 * One end-entity certificate to send, with the CA certificates that chain it to its anchor.
 *
 * @example
 * ```ts
 * const bundle: CemCertificateBundle = { contentId: 'cert-1@acme.example', endEntity: leaf.der, chain: [issuing.der, root.der] };
 * ```
 */
export interface CemCertificateBundle {
  /** The Content-ID of its certs-only part; must equal the TrustRequest's `contentId`. */
  readonly contentId: string;
  /** DER of the end-entity certificate. */
  readonly endEntity: Uint8Array;
  /** DER of the intermediate and root certificates, in any order. Empty for a self-signed one. */
  readonly chain?: readonly Uint8Array[];
}

/**
 * Input of `buildCemRequestEntity`.
 *
 * @example
 * ```ts
 * buildCemRequestEntity({ request, certificates: [bundle], xmlContentId: 'req-1@acme.example' });
 * ```
 */
export interface CemRequestEntityInput extends CemEntityOptions {
  readonly request: CemRequest;
  /** One bundle per TrustRequest, matched by Content-ID. */
  readonly certificates: readonly CemCertificateBundle[];
  /**
   * Accept a chain that stops at a CA certificate that is not self-signed (the receiver is
   * expected to hold the root). Off by default: draft-14 §2.3 asks for the chain to the anchor.
   */
  readonly allowIncompleteChain?: boolean;
}

/**
 * Input of `buildCemResponseEntity`.
 *
 * @example
 * ```ts
 * buildCemResponseEntity({ response, xmlContentId: 'resp-1@partner.example' });
 * ```
 */
export interface CemResponseEntityInput extends CemEntityOptions {
  readonly response: CemResponse;
}

/**
 * One certificate item of `buildCemRequest`.
 *
 * @example
 * ```ts
 * const item: CemRequestItem = { usages: ['keyEncipherment'], responseUrl: 'https://as2.acme.example/as2',
 *   certificates: [leaf.der, issuing.der, root.der], contentId: 'cert-1@acme.example' };
 * ```
 */
export interface CemRequestItem {
  readonly usages: readonly CertUsage[];
  readonly respondBy?: CemDateTime | null;
  readonly responseUrl: string;
  /** DER certificates, the end-entity certificate first, then its chain. */
  readonly certificates: readonly Uint8Array[];
  /** Content-ID of the certs-only part, bare or in `<…>`. */
  readonly contentId: string;
}

/**
 * Input of `buildCemRequest`.
 *
 * @example
 * ```ts
 * buildCemRequest({ sender: 'ACME', requestId: 'req-1', originated: cemDateTime(now), xmlContentId: 'req-1@acme.example', items: [item] });
 * ```
 */
export interface BuildCemRequestInput extends Omit<CemRequestEntityInput, 'request' | 'certificates'> {
  /** The sender (`Name` = AS2-From, `qualifier` = `AS2`), or just its name (qualifier `AS2`). */
  readonly sender: CemTradingPartner | string;
  readonly requestId: string;
  readonly originated: CemDateTime;
  readonly items: readonly CemRequestItem[];
}

/**
 * What `buildCemRequest` returns: the Request it wrote and its entity.
 *
 * @example
 * ```ts
 * const { request, entity }: BuiltCemRequest = buildCemRequest(input);
 * saveOutbound(request.requestId, request.trustRequests);
 * ```
 */
export interface BuiltCemRequest {
  readonly request: CemRequest;
  readonly entity: CemEntity;
}

/**
 * One certificate found in a parsed Request entity, checked against its TrustRequest.
 *
 * @example
 * ```ts
 * for (const c of parsed.certificates) console.log(c.contentId, c.endEntity.subject, c.trustRequest.usages);
 * ```
 */
export interface CemEntityCertificate {
  readonly trustRequest: CemTrustRequest;
  /** The Content-ID of the part, bare. */
  readonly contentId: string;
  /** The certs-only (P7C) bytes as carried, after transfer decoding. */
  readonly p7c: Uint8Array;
  readonly endEntity: CertificateInfo;
  /** The issuers of `endEntity` found in the P7C, nearest first. */
  readonly chain: readonly CertificateInfo[];
  /**
   * Certificates of the P7C that are not on the end-entity's issuer path. Draft-14 §2.3 says a
   * P7C holds none; they are reported, not refused, and should not be trusted.
   */
  readonly unrelated: readonly CertificateInfo[];
}

/**
 * A parsed CEM entity, tagged by kind.
 *
 * @example
 * ```ts
 * const parsed: ParsedCemEntity = parseCemEntity(bytes);
 * if (parsed.kind === 'response') applyDecisions(parsed.response.trustResponses);
 * ```
 */
export type ParsedCemEntity =
  | {
      readonly kind: 'request';
      readonly request: CemRequest;
      /** The XML text of the root part. */
      readonly xml: string;
      /** One entry per TrustRequest, in document order. */
      readonly certificates: readonly CemEntityCertificate[];
    }
  | {
      readonly kind: 'response';
      readonly response: CemResponse;
      readonly xml: string;
    };

/**
 * Options of `parseCemEntity`.
 *
 * @example
 * ```ts
 * parseCemEntity(bytes, { maxBytes: 4 * 1024 * 1024, requireContentIds: true });
 * ```
 */
export interface ParseCemEntityOptions {
  /** Largest accepted entity in bytes; 16 MiB by default. */
  readonly maxBytes?: number;
  /** Largest accepted XML document in bytes; the XML parser's default (1 MiB) when absent. */
  readonly maxXmlBytes?: number;
  /**
   * Refuse any part without a Content-ID (draft-14 §2.1 "MUST"). Off by default: a missing
   * Content-ID is tolerated on a part nobody references (the XML root without `start`, an
   * unrelated attachment).
   */
  readonly requireContentIds?: boolean;
  /** Most header fields in one header block; 1000 by default (`parseMimeEntity`'s `maxHeaderFields`). */
  readonly maxHeaderFields?: number;
  /** Largest header block in bytes; 64 KiB by default (`parseMimeEntity`'s `maxHeaderBytes`). */
  readonly maxHeaderBytes?: number;
  /**
   * Most certificates in the whole entity, all certs-only parts together; 64 by default. Counted
   * before any certificate is parsed (parsing, not size, is what a certificate costs).
   */
  readonly maxCertificates?: number;
  /** Most certificates in one certs-only part; 32 by default (a real chain has a handful). */
  readonly maxCertificatesPerPart?: number;
}

/**
 * An entity given as transport headers and body (e.g. an HTTP request).
 *
 * @example
 * ```ts
 * parseCemEntity({ contentType: req.headers['content-type'], body: new Uint8Array(rawBody) });
 * ```
 */
export interface CemEntityInput {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** The `Content-Transfer-Encoding` header, when the transport carried one. */
  readonly contentTransferEncoding?: string;
}
