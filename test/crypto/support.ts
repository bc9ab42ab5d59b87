/**
 * What openssl itself says about a certificate, for comparing with our reading of it.
 */
import { openssl, type TestCert } from '../helpers/pki.js';

/** `openssl x509 -noout <args>` on the certificate, as text. */
export function x509Text(cert: TestCert, args: readonly string[]): string {
  return openssl(['x509', '-in', cert.certPath, '-noout', ...args]).toString('utf8');
}

/** The subject or issuer as openssl prints it with `-nameopt RFC2253,-esc_msb` (UTF-8 kept). */
export function opensslName(cert: TestCert, which: 'subject' | 'issuer'): string {
  const line = x509Text(cert, [`-${which}`, '-nameopt', 'RFC2253,-esc_msb']).trim();
  return line.slice(line.indexOf('=') + 1);
}

/** openssl's serial number (hex) as a bigint. */
export function opensslSerial(cert: TestCert): bigint {
  return BigInt(`0x${x509Text(cert, ['-serial']).trim().split('=')[1] as string}`);
}

/** openssl's fingerprint with the given digest, lowercase hex without colons. */
export function opensslFingerprint(cert: TestCert, digest: 'sha256' | 'sha1'): string {
  const line = x509Text(cert, ['-fingerprint', `-${digest}`]).trim();
  return (line.split('=')[1] as string).replace(/:/g, '').toLowerCase();
}

/** A key identifier extension's value as openssl prints it, lowercase hex without colons. */
export function opensslKeyId(cert: TestCert, extension: 'subjectKeyIdentifier' | 'authorityKeyIdentifier'): string | null {
  const text = x509Text(cert, ['-ext', extension]);
  const m = /((?:[0-9A-F]{2}:)+[0-9A-F]{2})/.exec(text);
  return m ? (m[1] as string).replace(/:/g, '').toLowerCase() : null;
}

/** The PEM of a private key file as a string (for openssl cms). */
export { openssl };
