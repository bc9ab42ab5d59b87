/**
 * Parses an inbound CEM entity and cross-checks its XML against its MIME parts
 * (draft-14 §2.1, §2.3; RFC 2387).
 *
 * @module
 */
import { CemArgumentError, CemCryptoError, CemMimeError, isCemError } from '../../errors.js';
import { parseCemDocument } from '../document-xml.js';
import { utf8 } from '../mime/internal/bytes.js';
import { getHeader } from '../mime/headers.js';
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_FIELDS, parseHeaderBlock, type HeaderLimits } from '../mime/internal/header-block.js';
import { parseMediaType } from '../mime/media-type.js';
import { DEFAULT_MAX_MIME_BYTES, parseMimeEntity } from '../mime/parse.js';
import type { MimeEntity } from '../mime/types.js';
import type { CemRequest } from '../model.js';
import { decodeCertificatePart, DEFAULT_MAX_CERTS_PER_ENTITY, DEFAULT_MAX_CERTS_PER_PART, readCertificatePart, type DecodedPart } from './internal/certs-part.js';
import { certParts, contentIdOf, locateCem, mayBeCem, notCemEntity, type LocatedCem } from './internal/locate.js';
import { isCertsOnlyType } from './internal/media.js';
import type { CemEntityCertificate, CemEntityInput, ParseCemEntityOptions, ParsedCemEntity } from './types.js';
import { readXmlText } from './internal/xml-text.js';
import { clip } from '../../quote.js';

/** The entity as bytes with headers, from any accepted input form. */
function entityBytes(input: Uint8Array | string | CemEntityInput): Uint8Array {
  if (typeof input === 'string' || input instanceof Uint8Array) return typeof input === 'string' ? utf8(input) : input;
  if (typeof input !== 'object' || input === null || typeof input.contentType !== 'string' || !(input.body instanceof Uint8Array)) {
    throw new CemArgumentError('parseCemEntity takes bytes, a string, or { contentType, body }');
  }
  const cte = input.contentTransferEncoding;
  if (/[\r\n]/.test(input.contentType) || (cte !== undefined && /[\r\n]/.test(cte))) {
    throw new CemMimeError('CEM_MIME_MALFORMED', 'a transport header value holds a line break');
  }
  const head = utf8(`Content-Type: ${input.contentType}\r\n${cte === undefined ? '' : `Content-Transfer-Encoding: ${cte}\r\n`}\r\n`);
  const bytes = new Uint8Array(head.byteLength + input.body.byteLength);
  bytes.set(head);
  bytes.set(input.body, head.byteLength);
  return bytes;
}

function headerLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new CemArgumentError(`${name} must be a non-negative integer`);
  return value;
}

function headerLimits(options: ParseCemEntityOptions): HeaderLimits {
  return {
    maxFields: headerLimit(options.maxHeaderFields, DEFAULT_MAX_HEADER_FIELDS, 'maxHeaderFields'),
    maxBytes: headerLimit(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes'),
  };
}

function tooLarge(maxBytes: number): CemMimeError {
  return new CemMimeError('CEM_MIME_TOO_LARGE', `the entity is larger than ${maxBytes} bytes`);
}

/**
 * Refuses, before the body is parsed, what cannot be CEM (so ordinary payloads get
 * `CEM_MIME_NOT_CEM`); a header block over its caps is `CEM_MIME_TOO_LARGE`.
 */
function precheck(bytes: Uint8Array, limits: HeaderLimits): void {
  let essence: string | undefined;
  try {
    const value = getHeader(parseHeaderBlock(bytes, 0, bytes.byteLength, limits).headers, 'content-type');
    essence = value === undefined ? undefined : parseMediaType(value).essence;
  } catch (error) {
    if (isCemError(error, 'CEM_MIME_TOO_LARGE')) throw error;
    essence = undefined;
  }
  if (!mayBeCem(essence)) throw notCemEntity(essence);
}

function indexContentIds(located: LocatedCem, requireAll: boolean): Map<string, MimeEntity> {
  const index = new Map<string, MimeEntity>();
  for (const part of located.parts) {
    const id = contentIdOf(part);
    if (id === null) {
      if ((requireAll && located.related !== null) || isCertsOnlyType(part.contentType)) {
        throw new CemMimeError('CEM_MIME_CONTENT_ID', 'a body part has no Content-ID');
      }
      continue;
    }
    const key = id.toLowerCase();
    if (index.has(key)) throw new CemMimeError('CEM_MIME_CONTENT_ID', `two body parts share the Content-ID <${id}>`);
    index.set(key, part);
  }
  return index;
}

interface CertificateLimits {
  readonly perPart: number;
  readonly perEntity: number;
}

function certificateLimits(options: ParseCemEntityOptions): CertificateLimits {
  const count = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1) throw new CemArgumentError(`${name} must be a positive integer`);
    return value;
  };
  return {
    perPart: count(options.maxCertificatesPerPart, DEFAULT_MAX_CERTS_PER_PART, 'maxCertificatesPerPart'),
    perEntity: count(options.maxCertificates, DEFAULT_MAX_CERTS_PER_ENTITY, 'maxCertificates'),
  };
}

function readCertificates(request: CemRequest, located: LocatedCem, index: Map<string, MimeEntity>, limits: CertificateLimits): readonly CemEntityCertificate[] {
  const used = new Set<MimeEntity>();
  let total = 0;
  // first decode every part (cheap) and count, so the entity's certificates are counted before any is parsed
  const decoded = request.trustRequests.map((trust) => {
    const part = index.get(trust.contentId.toLowerCase());
    if (!part) throw new CemMimeError('CEM_MIME_UNRESOLVED_CONTENT_ID', `no body part has the Content-ID <${clip(trust.contentId)}>`);
    if (part === located.root || !isCertsOnlyType(part.contentType)) {
      throw new CemMimeError('CEM_MIME_CERT_PART', `the part <${clip(trust.contentId)}> is not a certs-only part`);
    }
    used.add(part);
    const certs = decodeCertificatePart(part, trust.contentId, limits.perPart);
    total += certs.ders.length;
    if (total > limits.perEntity) {
      throw new CemCryptoError('CEM_PKCS7_INVALID', `the entity holds more than ${limits.perEntity} certificates (maxCertificates)`);
    }
    return certs;
  });
  const unused = certParts(located.parts, located.root).filter((p) => !used.has(p));
  if (unused.length > 0) {
    throw new CemMimeError('CEM_MIME_CERT_PART', `${unused.length} certs-only part(s) are not referenced by any TrustRequest`);
  }
  const fingerprints = new Set<string>();
  return Object.freeze(request.trustRequests.map((trust, i) => {
    const certificate = readCertificatePart(decoded[i] as DecodedPart, trust);
    // draft-14 §2.3, §6: each end-entity certificate appears once per Request
    if (fingerprints.has(certificate.endEntity.sha256)) {
      throw new CemMimeError('CEM_MIME_CERT_PART', `the part <${clip(trust.contentId)}> holds an end-entity certificate another TrustRequest already names`);
    }
    fingerprints.add(certificate.endEntity.sha256);
    return certificate;
  }));
}

/**
 * Parses a CEM entity as real peers send it and cross-checks the XML against the parts.
 *
 * Input: the entity with its headers (bytes or text), or `{ contentType, body }` when the
 * transport carried the headers (HTTP). Accepted shapes: `multipart/related` with or without
 * `type=` and `start`, the XML part anywhere when `start` names it or it is the only CEM XML part,
 * Content-IDs with or without brackets (matched case-insensitively), certs-only parts as binary
 * DER/BER, base64 with a CTE header or without one (sniffed), a bare CEM XML body, and the
 * `multipart/related` still inside its `multipart/signed` (the signature is not checked here: the
 * host verifies it). Encrypted or compressed payloads must be unwrapped by the host first.
 *
 * A part without a Content-ID is tolerated when nothing references it (the XML root without
 * `start`, an unrelated attachment) unless `requireContentIds` is set; a certs-only part must
 * have one. Parts of other types are ignored.
 *
 * @example
 * ```ts
 * const parsed = parseCemEntity({ contentType: req.headers['content-type'], body });
 * if (parsed.kind === 'request') for (const c of parsed.certificates) store(c.endEntity, c.trustRequest.usages);
 * ```
 * @throws CemMimeError `CEM_MIME_NOT_CEM` (an ordinary payload), `CEM_MIME_ROOT` (zero or several
 *   CEM XML parts, `start` not naming it), `CEM_MIME_CONTENT_ID` (duplicate, repeated or missing
 *   where needed), `CEM_MIME_UNRESOLVED_CONTENT_ID` (a `CertificateContentID` with no part),
 *   `CEM_MIME_CERT_PART` (an unreferenced certs-only part, a reference to a part that is not
 *   certs-only, two TrustRequests whose parts hold the same end-entity certificate (draft-14
 *   §2.3, §6: once per Request), or certs-only parts in a Response), and every code of `parseMimeEntity`
 *   (`CEM_MIME_UNTERMINATED`, `CEM_MIME_MALFORMED`, `CEM_MIME_ENCODING`, `CEM_MIME_TOO_LARGE`).
 * Certificates are counted before any is parsed: at most `maxCertificatesPerPart` (32) in one
 * certs-only part and `maxCertificates` (64) in the entity. Each part's issuer path is verified
 * by signature (a chain certificate with the right name and another key is refused).
 *
 * @throws CemCryptoError `CEM_PKCS7_INVALID` (also for more certificates than the limits),
 *   `CEM_PKCS7_END_ENTITY`, `CEM_CHAIN_INVALID` (a chain link whose signature does not verify),
 *   `CEM_CERT_MISMATCH`, `CEM_CERT_INVALID`.
 * @throws CemXmlError every `CEM_XML_*` code of `parseCemDocument`.
 * @throws CemArgumentError `CEM_ARGUMENT` for an input of the wrong shape or invalid limits.
 * @see draft-14 §2.1, §2.3; RFC 2387 §3; RFC 4130 §5.2.1
 */
export function parseCemEntity(input: Uint8Array | string | CemEntityInput, options: ParseCemEntityOptions = {}): ParsedCemEntity {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MIME_BYTES;
  if (typeof input === 'string' && input.length > maxBytes) throw tooLarge(maxBytes);
  const bytes = entityBytes(input);
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  precheck(bytes, headerLimits(options));
  const mime = parseMimeEntity(bytes, { maxBytes, maxHeaderFields: options.maxHeaderFields, maxHeaderBytes: options.maxHeaderBytes });
  const located = locateCem(mime);
  const index = indexContentIds(located, options.requireContentIds === true);
  const xml = readXmlText(located.root, options.maxXmlBytes);
  const document = parseCemDocument(xml, options.maxXmlBytes === undefined ? {} : { maxBytes: options.maxXmlBytes });
  if (document.kind === 'response') {
    if (certParts(located.parts, located.root).length > 0) {
      throw new CemMimeError('CEM_MIME_CERT_PART', 'a CEM Response carries certs-only parts');
    }
    return Object.freeze({ kind: 'response', response: document.response, xml });
  }
  const certificates = readCertificates(document.request, located, index, certificateLimits(options));
  return Object.freeze({ kind: 'request', request: document.request, xml, certificates });
}

/**
 * True when a transport entity is a CEM entity: CEM XML, a `multipart/related` carrying CEM XML
 * (by `type=`, or by its parts when `body` is given), or such an entity inside `multipart/signed`
 * (only decidable with `body`). Never throws; a broken CEM entity with a CEM `type=` still
 * answers true, so `parseCemEntity` can report what is wrong with it.
 *
 * @example
 * ```ts
 * if (isCemEntity(headers['content-type'], body)) handleCem(parseCemEntity({ contentType: headers['content-type'], body }));
 * ```
 * @throws never.
 * @see draft-14 §2.1, §9
 */
export function isCemEntity(contentType: string, body?: Uint8Array): boolean {
  try {
    const type = parseMediaType(contentType);
    if (type.essence === 'application/ediint-cert-exchange+xml') return true;
    if (type.essence === 'multipart/related' && type.params.type?.toLowerCase() === 'application/ediint-cert-exchange+xml') return true;
    if (body === undefined || !mayBeCem(type.essence)) return false;
    locateCem(parseMimeEntity(entityBytes({ contentType, body })));
    return true;
  } catch {
    return false;
  }
}
