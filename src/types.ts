/**
 * Vocabulary shared by every layer.
 *
 * @module
 */

/** A `CertUsage` value of draft-14 §3.1 (case-sensitive). */
export type CertUsage = 'keyEncipherment' | 'digitalSignature' | 'tlsClient' | 'tlsServer';

/** All four `CertUsage` values, in schema order. */
export const CERT_USAGES: readonly CertUsage[] = Object.freeze([
  'tlsClient',
  'tlsServer',
  'keyEncipherment',
  'digitalSignature',
]);

/**
 * True when `value` is one of the four `CertUsage` values (case-sensitive, draft-14 §3.1).
 *
 * @example
 * ```ts
 * isCertUsage('tlsServer') // true
 * isCertUsage('TLSServer') // false
 * ```
 */
export function isCertUsage(value: string): value is CertUsage {
  return (CERT_USAGES as readonly string[]).includes(value);
}

/** A `CertStatus` value of draft-14 §3.2 (case-sensitive). */
export type CertStatus = 'Accepted' | 'Rejected';

/**
 * An `ds:X509IssuerSerialType` value as written on the wire: the issuer string exactly as the
 * peer wrote it (trimmed) and the serial number as a decimal string of any length.
 */
export interface IssuerSerial {
  readonly issuer: string;
  readonly serial: string;
}
