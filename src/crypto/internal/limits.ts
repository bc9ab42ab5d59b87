/**
 * How many certificates one call reads: reading a certificate costs a fraction of a millisecond
 * (a signature check for self-issued ones), so the count, not the byte size, bounds the time.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';

/** Certificates one call of `readCertificates`, `decodeCertsOnly` or `readCertsOnly` reads by default. */
export const DEFAULT_MAX_CERTIFICATES = 500;

/**
 * The count option of the functions that read many certificates.
 *
 * @example
 * ```ts
 * readCertificates(caBundle, { maxCertificates: 2000 })
 * ```
 */
export interface CertificateCountOptions {
  /** Most certificates read by one call (500 by default); more is an error, not a truncation. */
  readonly maxCertificates?: number;
}

/** The limit in force. */
export function certificateLimit(value: number | undefined, fallback = DEFAULT_MAX_CERTIFICATES, name = 'maxCertificates'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new CemArgumentError(`${name} must be a positive integer`);
  return value;
}
