/**
 * Reads a certs-only part and checks it against the TrustRequest that references it
 * (draft-14 §2.3; RFC 8551 §3.6; RFC 4130 §5.2.1).
 *
 * @module
 */
import { readCertificate } from '../../../crypto/certificate.js';
import { decodeCertsOnly, splitCertificateBundle } from '../../../crypto/certs-only.js';
import { issuerMatches } from '../../../crypto/dn.js';
import { CemCryptoError } from '../../../errors.js';
import { fromLatin1 } from '../../mime/internal/bytes.js';
import { decodeBase64 } from '../../mime/internal/transfer-encoding.js';
import type { MimeEntity } from '../../mime/types.js';
import type { CemTrustRequest } from '../../model.js';
import type { CemEntityCertificate } from '../types.js';
import { clip } from '../../../internal/quote.js';

/** Most certificates read from one certs-only part (a real chain has a handful). */
export const MAX_CERTS_PER_PART = 32;

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

/**
 * Reads the certs-only part referenced by `trust` and checks its one end-entity certificate
 * against `trust.certificate`: serial by integer value, issuer by meaning (tolerant of `E=`/`S=`
 * keywords, reordering and mendelson's filtered DN).
 *
 * The P7C may hold at most {@link MAX_CERTS_PER_PART} certificates (this bounds the work of
 * ordering them); certificates off the end-entity's issuer path are returned as `unrelated`.
 *
 * @throws CemCryptoError `CEM_PKCS7_INVALID` (not a certs-only SignedData, too many
 *   certificates), `CEM_CERT_INVALID` (an unreadable certificate inside), `CEM_PKCS7_END_ENTITY`
 *   (zero or several end-entity certificates), `CEM_CERT_MISMATCH` (issuer or serial differ).
 */
export function readCertificatePart(part: MimeEntity, trust: CemTrustRequest, contentId: string): CemEntityCertificate {
  const p7c = p7cBytes(part);
  const ders = decodeCertsOnly(p7c);
  if (ders.length > MAX_CERTS_PER_PART) {
    throw new CemCryptoError('CEM_PKCS7_INVALID', `part <${clip(contentId)}> holds ${ders.length} certificates, more than ${MAX_CERTS_PER_PART}`);
  }
  const { endEntity, chain, unrelated } = splitCertificateBundle(ders.map((der) => readCertificate(der)));
  const wire = trust.certificate;
  if (!serialsEqual(wire.serial, endEntity.serial)) {
    throw new CemCryptoError('CEM_CERT_MISMATCH', `part <${clip(contentId)}> holds serial ${clip(endEntity.serial)}, the TrustRequest names ${clip(wire.serial)}`);
  }
  if (!issuerMatches(wire.issuer, endEntity)) {
    throw new CemCryptoError('CEM_CERT_MISMATCH', `part <${clip(contentId)}> holds a certificate issued by ${clip(endEntity.issuer)}, the TrustRequest names ${clip(wire.issuer)}`);
  }
  return Object.freeze({ trustRequest: trust, contentId, p7c, endEntity, chain, unrelated });
}
