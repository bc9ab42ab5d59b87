/**
 * Reading X.509 certificates into frozen, plain {@link CertificateInfo} values.
 *
 * @module
 */
import { fail, withCode } from './internal/fail.js';
import { readSingle, readTlv } from './internal/der.js';
import { certificateLimit, type CertificateCountOptions } from './internal/limits.js';
import { decodeBase64, hasPem, latin1, pemBlocks, toPem } from './internal/input.js';
import { parseCertificateDer } from './internal/x509.js';

export type { CertificateInfo, KeyAlgorithm, KeyUsageName } from './types.js';
import type { CertificateInfo } from './types.js';

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
