/**
 * From a parsed certificate to the small reference the lifecycle stores.
 *
 * @module
 */
import type { CertificateInfo } from '../../crypto/certificate.js';
import { freeze } from '../freeze.js';
import type { CertRef, Fingerprint } from '../model.js';

/**
 * Normalises a SHA-256 fingerprint to lowercase hex without separators.
 *
 * @example
 * ```ts
 * normalizeFingerprint('AB:CD') // 'abcd'
 * ```
 * @throws never.
 */
export function normalizeFingerprint(value: string): Fingerprint {
  return value.replace(/[\s:]/g, '').toLowerCase();
}

/**
 * The stored reference of a certificate: fingerprint, names, serial, validity and, for local
 * certificates, the host's opaque private-key reference (omitted, not `undefined`, when absent so
 * the state stays plain JSON).
 *
 * @example
 * ```ts
 * const ref = toCertRef(info, 'keystore:signing-2026')
 * ref.fingerprint // lowercase hex SHA-256
 * ```
 * @throws never for a value that passed `isCertificateInfo`.
 */
export function toCertRef(info: CertificateInfo, keyRef?: string): CertRef {
  const base = {
    fingerprint: normalizeFingerprint(info.sha256),
    subject: info.subject,
    issuer: info.issuer,
    serial: info.serial,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
  return freeze(keyRef === undefined ? base : { ...base, keyRef });
}
