/**
 * Shape checks for untrusted event data. Transitions are total: malformed events are refused
 * with an `ignored` effect, so every field a handler reads is checked here first.
 *
 * @module
 */
import type { CertificateInfo } from '../crypto/certificate.js';
import type { LocalCertificateInput } from './events.js';

/**
 * True for a non-null, non-array object.
 *
 * @example
 * ```ts
 * isRecord({}) // true
 * ```
 * @throws never.
 */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for a string with at least one non-blank character.
 *
 * @example
 * ```ts
 * isText(' ') // false
 * ```
 * @throws never.
 */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/**
 * True for a `Date` that denotes an instant.
 *
 * @example
 * ```ts
 * isValidDate(new Date('x')) // false
 * ```
 * @throws never.
 */
export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && Number.isFinite(value.getTime());
}

/**
 * True when `value` has the fields of a `CertificateInfo` the lifecycle relies on.
 *
 * @example
 * ```ts
 * isCertificateInfo({ sha256: 'ab', subject: 'CN=a', issuer: 'CN=a', serial: '1',
 *   notBefore: new Date(0), notAfter: new Date(1) }) // true
 * ```
 * @throws never.
 */
export function isCertificateInfo(value: unknown): value is CertificateInfo {
  if (!isRecord(value)) return false;
  return (
    isText(value['sha256']) &&
    typeof value['subject'] === 'string' &&
    typeof value['issuer'] === 'string' &&
    isText(value['serial']) &&
    isValidDate(value['notBefore']) &&
    isValidDate(value['notAfter'])
  );
}

/**
 * True for a local certificate input: a certificate and an optional string key reference.
 *
 * @example
 * ```ts
 * isLocalInput({ certificate: info, keyRef: 'hsm:17' })
 * ```
 * @throws never.
 */
export function isLocalInput(value: unknown): value is LocalCertificateInput {
  if (!isRecord(value)) return false;
  const keyRef = value['keyRef'];
  return isCertificateInfo(value['certificate']) && (keyRef === undefined || typeof keyRef === 'string');
}

/**
 * True when `value` is one of `allowed`.
 *
 * @example
 * ```ts
 * isOneOf('AS2', ['AS2', 'AS3']) // true
 * ```
 * @throws never.
 */
export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}
