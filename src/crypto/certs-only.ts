/**
 * PKCS #7 / CMS certs-only messages (`application/pkcs7-mime; smime-type=certs-only`, `.p7c`),
 * the way CEM ships certificates (draft-14 §2.1, §2.3; RFC 8551 §3.6; RFC 5652 §5).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { readCertificate, type CertificateInfo } from './certificate.js';
import { childrenAtMost, DerError, rawBytes } from './internal/der.js';
import { certificateLimit, type CertificateCountOptions } from './internal/limits.js';
import { tlv } from './internal/der-write.js';
import { CONTENT_TYPES, openContentInfo, splitSignedData } from './internal/cms-content.js';
import { fail, withCode } from './internal/fail.js';
import { base64Lines, toAsn1Bytes, toPem } from './internal/input.js';
import { orderBundle } from './internal/bundle.js';
import { verifyIssuerPath } from './internal/chain-verify.js';

const PKCS7_LABELS = ['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA'];

/**
 * Encodes certificates (DER, end-entity first) as a DER certs-only SignedData: version 1, no
 * digest algorithms, encapsulated content type id-data without content, the certificates in the
 * given order, no CRLs and no signerInfos. The bytes equal
 * `openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER` for the same certificates.
 * {@link certsOnlyToPem} and {@link certsOnlyToBase64} give the same message as text.
 *
 * @example
 * ```ts
 * const p7c = encodeCertsOnly([leaf.der, issuingCa.der])
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `certs` is empty.
 * @throws CemCryptoError `CEM_CERT_INVALID` when an element is not a readable DER certificate.
 * @see draft-meadors-certificate-exchange-14 §2.3; RFC 8551 §3.6; RFC 5652 §5.1
 */
export function encodeCertsOnly(certs: readonly Uint8Array[]): Uint8Array {
  if (certs.length === 0) throw new CemArgumentError('encodeCertsOnly needs at least one certificate');
  const ders = certs.map((der, i) => withCode('CEM_CERT_INVALID', `certificate ${i} is not readable`, () => readCertificate(der).der));
  const signedData = tlv(SEQUENCE, [
    VERSION_1,
    EMPTY_SET, // digestAlgorithms
    tlv(SEQUENCE, [OID_DATA]), // encapContentInfo without eContent
    tlv(CERTIFICATES_IMPLICIT_0, ders),
    EMPTY_SET, // signerInfos
  ]);
  return tlv(SEQUENCE, [OID_SIGNED_DATA, tlv(EXPLICIT_0, [signedData])]);
}

/**
 * {@link encodeCertsOnly} as PEM text: `-----BEGIN PKCS7-----`, base64 in 64-character lines,
 * `-----END PKCS7-----`, `\n` line ends (RFC 7468 §8). The text equals
 * `openssl crl2pkcs7 -nocrl -certfile chain.pem` (PEM output) for the same certificates; it is
 * read by `openssl pkcs7 -print_certs`, by Java's `CertificateFactory` and by {@link decodeCertsOnly}.
 *
 * @example
 * ```ts
 * writeFileSync('acme-signing.p7b', certsOnlyToPem([leaf.der, issuingCa.der, root.der]))
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `certs` is empty.
 * @throws CemCryptoError `CEM_CERT_INVALID` when an element is not a readable DER certificate.
 * @see RFC 7468 §8 (PKCS7 label); draft-meadors-certificate-exchange-14 §2.3
 */
export function certsOnlyToPem(certs: readonly Uint8Array[]): string {
  return toPem('PKCS7', encodeCertsOnly(certs));
}

/**
 * Options of {@link certsOnlyToBase64}.
 *
 * @example
 * ```ts
 * certsOnlyToBase64(ders, { lineLength: 0 }) // one line, for a JSON field or a form value
 * ```
 */
export interface CertsOnlyBase64Options {
  /** Characters per line (a multiple of 4, at most 996), lines joined by CRLF; 76 by default (RFC 2045 §6.8), 0 for one line. */
  readonly lineLength?: number;
}

/**
 * {@link encodeCertsOnly} as base64 without armour: in CRLF-separated lines of 76 characters by
 * default (the body of an `application/pkcs7-mime; smime-type=certs-only` part with
 * `Content-Transfer-Encoding: base64`), or on one line with `lineLength: 0`. No trailing line end.
 * {@link decodeCertsOnly} and `openssl base64 -d | openssl pkcs7 -inform DER` read it.
 *
 * @example
 * ```ts
 * const body = certsOnlyToBase64([leaf.der, issuingCa.der])           // MIME body lines
 * const field = certsOnlyToBase64([leaf.der], { lineLength: 0 })      // one line
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `certs` is empty or `lineLength` is not 0 or a
 *   multiple of 4 up to 996 (whole base64 quanta per line, within the RFC 5322 line limit).
 * @throws CemCryptoError `CEM_CERT_INVALID` when an element is not a readable DER certificate.
 * @see RFC 2045 §6.8; RFC 8551 §3.6
 */
export function certsOnlyToBase64(certs: readonly Uint8Array[], options: CertsOnlyBase64Options = {}): string {
  const lineLength = options.lineLength ?? 76;
  if (!Number.isInteger(lineLength) || lineLength < 0 || lineLength > 998 || lineLength % 4 !== 0) {
    throw new CemArgumentError(`lineLength must be 0 or a multiple of 4 up to 996, not ${String(lineLength)}`);
  }
  return base64Lines(encodeCertsOnly(certs), lineLength, '\r\n');
}

const SEQUENCE = 0x30;
const EXPLICIT_0 = 0xa0;
/** `certificates [0] IMPLICIT CertificateSet` (RFC 5652 §5.1): constructed, context tag 0. */
const CERTIFICATES_IMPLICIT_0 = 0xa0;
const VERSION_1 = Uint8Array.of(0x02, 0x01, 0x01);
const EMPTY_SET = Uint8Array.of(0x31, 0x00);
/** id-signedData 1.2.840.113549.1.7.2 */
const OID_SIGNED_DATA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);
/** id-data 1.2.840.113549.1.7.1 */
const OID_DATA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01);

/**
 * The certificates (DER, in message order) of a certs-only message given as DER, BER (indefinite
 * lengths), base64 with or without line breaks, PEM (`PKCS7` or `CMS` label) or a single MIME
 * entity with its headers. Any SignedData is accepted: signerInfos, if present, are ignored;
 * attribute certificates and other certificate formats (`[0]`–`[3]` in the CertificateSet) are
 * skipped. The result may be empty (no certificates field, or an empty one); the array and the
 * byte copies in it are new and the caller's.
 *
 * The CertificateSet may hold at most `maxCertificates` values (500 by default), counted while
 * reading; anything in it that is neither a certificate nor one of the other CertificateChoices
 * is refused.
 *
 * @example
 * ```ts
 * const ders = decodeCertsOnly(readFileSync('partner.p7c'))
 * const many = decodeCertsOnly(bigBundle, { maxCertificates: 5000 })
 * ```
 * @throws CemCryptoError `CEM_PKCS7_INVALID` when the input is not a readable SignedData, its
 *   CertificateSet holds more than `maxCertificates` values or a value that is not a certificate.
 * @throws CemArgumentError `CEM_ARGUMENT` when `maxCertificates` is not a positive integer.
 * @see RFC 5652 §5.1 (CertificateSet); RFC 8551 §3.6
 */
export function decodeCertsOnly(input: Uint8Array | string, options: CertificateCountOptions = {}): Uint8Array[] {
  const max = certificateLimit(options.maxCertificates);
  return withCode('CEM_PKCS7_INVALID', 'not a readable PKCS #7 certs-only message', () => {
    const bytes = toAsn1Bytes(input, PKCS7_LABELS);
    const { content } = openContentInfo(bytes, [CONTENT_TYPES.signedData]);
    const { certificates } = splitSignedData(content);
    if (certificates === undefined) return [];
    const ders: Uint8Array[] = [];
    for (const choice of childrenAtMost(certificates, max, `the CertificateSet holds more values than maxCertificates (${max})`)) {
      if (choice.tag === 0x30) ders.push(rawBytes(choice).slice());
      else if (choice.cls !== 2 || choice.num > 3 || !choice.constructed) {
        // RFC 5652 §10.2.2 CertificateChoices: a certificate, or [0]..[3] (extended, attribute, other)
        throw new DerError(`the CertificateSet holds a value with tag 0x${choice.tag.toString(16)}, which is not a certificate`);
      }
    }
    return ders;
  });
}

/**
 * A certs-only bundle split into its end-entity certificate and the issuers above it.
 *
 * @example
 * ```ts
 * const { endEntity, chain, unrelated } = readCertsOnly(p7c)
 * if (unrelated.length > 0) warn('the P7C carries certificates outside the end-entity path')
 * ```
 * @see draft-meadors-certificate-exchange-14 §2.3
 */
export interface CertificateBundle {
  /** The one end-entity certificate. */
  readonly endEntity: CertificateInfo;
  /** Issuers of the end-entity, nearest first, as far as the set reaches. */
  readonly chain: readonly CertificateInfo[];
  /** Other certificates of the set that are not on that path (draft-14 §2.3 says there should be none). */
  readonly unrelated: readonly CertificateInfo[];
}

/**
 * Finds the end-entity certificate of a set and orders its issuers. The end-entity is the one
 * certificate that is not a CA (basicConstraints cA) and issues no other certificate of the set;
 * a set of one self-signed certificate is accepted even when it says cA (AS2 certificates made
 * with `openssl req -x509` do). Issuance is judged by names (by meaning) and, when both are
 * present, authority/subject key identifiers. The chain runs from the end-entity's issuer upward,
 * and each of its links is then verified by signature: the end-entity certificate must be signed
 * by the key of the first chain certificate, that one by the next, and so on.
 *
 * @example
 * ```ts
 * const { endEntity, chain } = splitCertificateBundle(readCertificates(pem))
 * ```
 * @throws CemCryptoError `CEM_PKCS7_END_ENTITY` when the set has zero or several end-entity
 *   certificates, `CEM_CHAIN_INVALID` when a certificate of the chain is not signed by the next
 *   one (a chain certificate with the issuer's name and another key).
 * @see draft-meadors-certificate-exchange-14 §2.3 (one end-entity certificate plus its trust authorities)
 */
export function splitCertificateBundle(certs: readonly CertificateInfo[]): CertificateBundle {
  const ordered = orderBundle(certs);
  if (typeof ordered === 'string') fail('CEM_PKCS7_END_ENTITY', ordered);
  verifyIssuerPath(ordered.endEntity, ordered.chain);
  return Object.freeze({
    endEntity: ordered.endEntity,
    chain: Object.freeze(ordered.chain),
    unrelated: Object.freeze(ordered.unrelated),
  });
}

/**
 * Decodes a certs-only message, reads its certificates and splits them
 * ({@link decodeCertsOnly}, {@link readCertificate}, {@link splitCertificateBundle}). At most
 * `maxCertificates` certificates are read (500 by default).
 *
 * @example
 * ```ts
 * const { endEntity, chain } = readCertsOnly(p7cPartBody)
 * ```
 * @throws CemCryptoError `CEM_PKCS7_INVALID` (unreadable message, more than `maxCertificates`
 *   values), `CEM_CERT_INVALID` (an unreadable certificate inside), `CEM_PKCS7_END_ENTITY` (zero
 *   or several end-entity certificates), `CEM_CHAIN_INVALID` (a chain link whose signature does
 *   not verify).
 * @throws CemArgumentError `CEM_ARGUMENT` when `maxCertificates` is not a positive integer.
 * @see draft-meadors-certificate-exchange-14 §2.3
 */
export function readCertsOnly(input: Uint8Array | string, options: CertificateCountOptions = {}): CertificateBundle {
  return splitCertificateBundle(decodeCertsOnly(input, options).map((der) => readCertificate(der)));
}
