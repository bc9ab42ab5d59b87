/**
 * Reads a certs-only part and checks it against the TrustRequest that references it
 * (draft-14 §2.3; RFC 8551 §3.6; RFC 4130 §5.2.1).
 *
 * @module
 */
import { readCertificate } from '../../../crypto/certificate.js';
import { decodeCertsOnly, splitCertificateBundle } from '../../../crypto/certs-only.js';
import { issuerMatches } from '../../../crypto/dn.js';
import { CemCryptoError, isCemError } from '../../../errors.js';
import { LimitError } from '../../../crypto/internal/der.js';
import { fromLatin1 } from '../../mime/internal/bytes.js';
import { decodeBase64 } from '../../mime/internal/transfer-encoding.js';
import type { MimeEntity } from '../../mime/types.js';
import type { CemTrustRequest } from '../../model.js';
import type { CemEntityCertificate } from '../types.js';
import { clip } from '../../../quote.js';

/** Most certificates read from one certs-only part by default (a real chain has a handful). */
export const DEFAULT_MAX_CERTS_PER_PART = 32;

/** Most certificates read from one entity by default, all parts together. */
export const DEFAULT_MAX_CERTS_PER_ENTITY = 64;

const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;
const PEM = /-----BEGIN [A-Z0-9 ]+-----([A-Za-z0-9+/=\s]+)-----END [A-Z0-9 ]+-----/;

/**
 * The P7C bytes of a part after transfer decoding, sniffing what senders do without saying so:
 * DER/BER starts with `0x30` and is taken as is; otherwise base64 text (a part sent as base64
 * without a `Content-Transfer-Encoding` header) or a PEM block is decoded. Anything else is
 * returned unchanged for the PKCS#7 reader to refuse.
 */
export function p7cBytes(part: MimeEntity): Uint8Array {
  const body = part.body;
  if (body[0] === 0x30) return body.slice();
  const text = fromLatin1(body).trim();
  const pem = PEM.exec(text);
  const base64 = pem ? (pem[1] ?? '') : text;
  if (base64.length > 0 && BASE64_TEXT.test(base64)) {
    try {
      return decodeBase64(new TextEncoder().encode(base64));
    } catch {
      return body.slice();
    }
  }
  return body.slice();
}

function serialsEqual(wire: string, cert: string): boolean {
  try {
    return BigInt(wire) === BigInt(cert);
  } catch {
    return false;
  }
}

/** The DER certificates of one certs-only part, decoded (cheap) but not yet parsed. */
export interface DecodedPart {
  readonly part: MimeEntity;
  readonly contentId: string;
  readonly p7c: Uint8Array;
  readonly ders: readonly Uint8Array[];
}

/**
 * Decodes the certs-only part referenced by a TrustRequest, refusing more than `maxPerPart`
 * certificates while reading (nothing is parsed yet: the caller counts the whole entity first).
 *
 * @throws CemCryptoError `CEM_PKCS7_INVALID` (not a certs-only SignedData, too many certificates).
 */
export function decodeCertificatePart(part: MimeEntity, contentId: string, maxPerPart: number): DecodedPart {
  const p7c = p7cBytes(part);
  try {
    return { part, contentId, p7c, ders: decodeCertsOnly(p7c, { maxCertificates: maxPerPart }) };
  } catch (cause) {
    if (isCemError(cause, 'CEM_PKCS7_INVALID') && cause.cause instanceof LimitError) {
      throw new CemCryptoError('CEM_PKCS7_INVALID', `part <${clip(contentId)}> holds more than ${maxPerPart} certificates (maxCertificatesPerPart)`, { cause });
    }
    throw cause;
  }
}

/**
 * Reads the certificates of a decoded part and checks its one end-entity certificate against
 * `trust.certificate`: serial by integer value, issuer by meaning (tolerant of `E=`/`S=`
 * keywords, reordering and mendelson's filtered DN). The issuer path is verified by signature
 * (`splitCertificateBundle`); certificates off it are returned as `unrelated`.
 *
 * @throws CemCryptoError `CEM_CERT_INVALID` (an unreadable certificate inside), `CEM_PKCS7_END_ENTITY`
 *   (zero or several end-entity certificates), `CEM_CHAIN_INVALID` (a chain link that does not
 *   verify), `CEM_CERT_MISMATCH` (issuer or serial differ).
 */
export function readCertificatePart(decoded: DecodedPart, trust: CemTrustRequest): CemEntityCertificate {
  const { contentId, p7c } = decoded;
  const { endEntity, chain, unrelated } = splitCertificateBundle(decoded.ders.map((der) => readCertificate(der)));
  const wire = trust.certificate;
  if (!serialsEqual(wire.serial, endEntity.serial)) {
    throw new CemCryptoError('CEM_CERT_MISMATCH', `part <${clip(contentId)}> holds serial ${clip(endEntity.serial)}, the TrustRequest names ${clip(wire.serial)}`);
  }
  if (!issuerMatches(wire.issuer, endEntity)) {
    throw new CemCryptoError('CEM_CERT_MISMATCH', `part <${clip(contentId)}> holds a certificate issued by ${clip(endEntity.issuer)}, the TrustRequest names ${clip(wire.issuer)}`);
  }
  return Object.freeze({ trustRequest: trust, contentId, p7c, endEntity, chain, unrelated });
}
