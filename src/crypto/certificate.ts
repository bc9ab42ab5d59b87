/**
 * Reading X.509 certificates into frozen, plain {@link CertificateInfo} values.
 *
 * @module
 */
import { fail, withCode } from './internal/fail.js';
import type { Rdn } from './dn.js';
import { readSingle, readTlv } from './internal/der.js';
import { certificateLimit, type CertificateCountOptions } from './internal/limits.js';
import { decodeBase64, hasPem, latin1, pemBlocks, toPem } from './internal/input.js';
import { parseCertificateDer } from './internal/x509.js';

/**
 * A keyUsage bit name.
 *
 * @example
 * ```ts
 * cert.keyUsage.includes('keyEncipherment')
 * ```
 * @see RFC 5280 §4.2.1.3
 */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/**
 * Public key algorithm of a certificate; unknown algorithms are given as their dotted OID.
 *
 * @example
 * ```ts
 * if (cert.keyAlgorithm === 'EC') console.log(cert.namedCurve) // 'P-256'
 * ```
 * @see RFC 5280 §4.1.2.7; RFC 8410
 */
export type KeyAlgorithm = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'DH' | (string & {});

/**
 * What the SDK knows about one certificate. A frozen plain object; `der` is a private copy
 * (typed arrays cannot be frozen: do not write to it), and the two `Date`s are fresh objects.
 *
 * @example
 * ```ts
 * const cert: CertificateInfo = readCertificate(der)
 * const wireId = { issuer: cert.issuer, serial: cert.serial } // ds:X509IssuerName / ds:X509SerialNumber
 * ```
 * @see draft-meadors-certificate-exchange-14 §3.1; RFC 5280 §4.1
 */
export interface CertificateInfo {
  /** The certificate's DER bytes (a copy of the input). */
  readonly der: Uint8Array;
  /** X.509 version (1, 2 or 3). */
  readonly version: number;
  /** Subject in RFC 4514 form (most significant RDN last), as `openssl -nameopt RFC2253,-esc_msb` prints it. */
  readonly subject: string;
  /** Issuer in RFC 4514 form; use this for `ds:X509IssuerName` (draft-14 §3.1). */
  readonly issuer: string;
  /** The parsed subject (RFC 4514 order). */
  readonly subjectRdns: readonly Rdn[];
  /** The parsed issuer (RFC 4514 order). */
  readonly issuerRdns: readonly Rdn[];
  /** Serial number as a decimal string (no leading zeros; `-` first if negative). */
  readonly serial: string;
  /** Serial number value in lowercase hex, even number of digits (`-` first if negative). */
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER, lowercase hex without colons. */
  readonly sha256: string;
  /** SHA-1 of the DER, lowercase hex without colons. */
  readonly sha1: string;
  readonly keyAlgorithm: KeyAlgorithm;
  /** RSA/DSA modulus bits, EC curve bits, 256/448 for Ed25519/X25519 and Ed448/X448; else null. */
  readonly keySize: number | null;
  /** EC curve (`P-256`, `P-384`, `P-521`, `secp256k1`, `brainpoolP256r1`, ... or a dotted OID); null otherwise. */
  readonly namedCurve: string | null;
  /** openssl's name of the signature algorithm (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `RSASSA-PSS`, ...) or its OID. */
  readonly signatureAlgorithm: string;
  /** Digest of the signature (`md5`, `sha1`, `sha256`, ...), from the PSS parameters for RSASSA-PSS; null if unknown. */
  readonly signatureHash: string | null;
  /** keyUsage bits set; empty when the extension is absent (see `keyUsagePresent`). */
  readonly keyUsage: readonly KeyUsageName[];
  /** True when the keyUsage extension is present (absent means unrestricted). */
  readonly keyUsagePresent: boolean;
  /** extendedKeyUsage purposes (`serverAuth`, `clientAuth`, `emailProtection`, `codeSigning`, `timeStamping`, `OCSPSigning`, `anyExtendedKeyUsage`, else the dotted OID). */
  readonly extendedKeyUsage: readonly string[];
  /** True when the extendedKeyUsage extension is present (absent means unrestricted). */
  readonly extendedKeyUsagePresent: boolean;
  /** basicConstraints cA. */
  readonly isCA: boolean;
  /** Subject equals issuer by meaning and the signature verifies with the certificate's own key. */
  readonly selfSigned: boolean;
  /** subjectKeyIdentifier, lowercase hex, or null. */
  readonly subjectKeyIdentifier: string | null;
  /** authorityKeyIdentifier keyIdentifier, lowercase hex, or null. */
  readonly authorityKeyIdentifier: string | null;
}

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE'];

function parse(der: Uint8Array): CertificateInfo {
  return withCode('CEM_CERT_INVALID', 'not a readable X.509 certificate', () => parseCertificateDer(der.slice()));
}

function derBlocks(input: Uint8Array | string, max: number, tooMany: () => never): Uint8Array[] {
  return withCode('CEM_CERT_INVALID', 'not a readable certificate', () => {
    if (typeof input !== 'string' && input[0] === 0x30) {
      const blocks: Uint8Array[] = [];
      for (let at = 0; at < input.length; ) {
        if (blocks.length === max) tooMany();
        const end = readTlv(input, at).end;
        blocks.push(input.subarray(at, end));
        at = end;
      }
      return blocks;
    }
    const text = typeof input === 'string' ? input : latin1(input);
    if (hasPem(text)) {
      const blocks = pemBlocks(text).filter((b) => CERT_LABELS.includes(b.label));
      if (blocks.length > max) tooMany();
      return blocks.map((b) => b.bytes);
    }
    const bytes = decodeBase64(text);
    return bytes && bytes[0] === 0x30 ? [bytes] : [];
  });
}

/**
 * Reads one certificate given as DER bytes, PEM text (or bytes) or bare base64.
 *
 * @example
 * ```ts
 * const cert = readCertificate(readFileSync('partner.cer'))
 * cert.issuer  // 'CN=Acme Issuing CA,O=Acme,C=US'
 * cert.serial  // '1234567890123456789'
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` when the input is not exactly one readable
 *   certificate (use {@link readCertificates} for PEM bundles).
 * @see RFC 5280 §4.1; draft-meadors-certificate-exchange-14 §3.1 (issuer and serial)
 */
export function readCertificate(input: Uint8Array | string): CertificateInfo {
  const blocks = derBlocks(input, 1, () => fail('CEM_CERT_INVALID', 'found several certificates where one was expected'));
  if (blocks.length !== 1) {
    fail('CEM_CERT_INVALID', blocks.length === 0 ? 'no certificate found' : `found ${blocks.length} certificates where one was expected`);
  }
  return parse(blocks[0] as Uint8Array);
}

/**
 * Reads every certificate of a PEM bundle (blocks other than `CERTIFICATE` are ignored), of
 * concatenated DER certificates, or of a single DER/base64 certificate, in input order. The
 * array is new and the caller's; each element is frozen. In PEM text, a `-----BEGIN` line with
 * no matching `-----END` line ends the search (what follows it is not read). At most
 * `maxCertificates` certificates are read (500 by default, enough for a system CA bundle);
 * their number is checked before any is parsed.
 *
 * @example
 * ```ts
 * const [leaf, issuer] = readCertificates(readFileSync('chain.pem', 'utf8'))
 * const roots = readCertificates(readFileSync('/etc/ssl/certs/ca-certificates.crt'), { maxCertificates: 2000 })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` when no certificate is found, one is unreadable, or
 *   there are more than `maxCertificates`.
 * @throws CemArgumentError `CEM_ARGUMENT` when `maxCertificates` is not a positive integer.
 * @see RFC 7468 §5
 */
export function readCertificates(input: Uint8Array | string, options: CertificateCountOptions = {}): CertificateInfo[] {
  const max = certificateLimit(options.maxCertificates);
  const blocks = derBlocks(input, max, () => fail('CEM_CERT_INVALID', `more than ${max} certificates (raise maxCertificates to read more)`));
  if (blocks.length === 0) fail('CEM_CERT_INVALID', 'no certificate found');
  return blocks.map(parse);
}

/**
 * PEM text (RFC 7468, 64-character lines, `\n` line ends) of a DER certificate.
 *
 * @example
 * ```ts
 * writeFileSync('partner.pem', certificateToPem(cert.der))
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` when `der` is not one DER SEQUENCE.
 * @see RFC 7468 §5
 */
export function certificateToPem(der: Uint8Array): string {
  withCode('CEM_CERT_INVALID', 'not a DER certificate', () => {
    if (readSingle(der).tag !== 0x30) throw new Error('not a SEQUENCE');
  });
  return toPem('CERTIFICATE', der);
}
