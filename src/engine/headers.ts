/**
 * Reading AS2 headers from whatever shape the host holds them in, and identifying certificates
 * given by fingerprint, DER or PEM.
 *
 * @module
 */
import { readCertificate } from '../crypto/certificate.js';
import type { HeaderSource } from '../messages/features.js';
import { normalizeFingerprint } from '../state/relationship/cert-ref.js';
import type { CertificateSource } from './material.js';

/**
 * Every value of header `name` (case-insensitive) in a plain record (values may be arrays), a
 * `Headers`-like object with `get()`, or a list of `[name, value]` pairs.
 *
 * @example
 * ```ts
 * headerValues({ 'as2-from': 'ACME' }, 'AS2-From') // ['ACME']
 * ```
 * @throws never.
 */
export function headerValues(headers: HeaderSource | null | undefined, name: string): string[] {
  if (headers === null || headers === undefined || typeof headers !== 'object') return [];
  const wanted = name.toLowerCase();
  if ('get' in headers && typeof headers.get === 'function') {
    const value = (headers as { get(n: string): string | null | undefined }).get(name);
    return typeof value === 'string' ? [value] : [];
  }
  const values: string[] = [];
  const take = (key: unknown, value: unknown): void => {
    if (typeof key !== 'string' || key.trim().toLowerCase() !== wanted) return;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
  };
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown>) if (Array.isArray(pair)) take(pair[0], pair[1]);
  } else {
    for (const [key, value] of Object.entries(headers as Record<string, unknown>)) take(key, value);
  }
  return values;
}

/**
 * The first value of a header, trimmed, with AS2 name quoting removed (`"ACME Corp"` → `ACME Corp`,
 * RFC 4130 §6.2); `null` when absent or empty.
 *
 * @example
 * ```ts
 * as2Name({ 'AS2-From': '"ACME Corp"' }, 'AS2-From') // 'ACME Corp'
 * ```
 * @throws never.
 */
export function as2Name(headers: HeaderSource | null | undefined, name: string): string | null {
  const raw = headerValues(headers, name)[0]?.trim();
  if (raw === undefined || raw === '') return null;
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  return unquoted === '' ? null : unquoted;
}

const FINGERPRINT = /^(?:[0-9a-f]{2}:?){31}[0-9a-f]{2}$/i;

/**
 * True when `value` is a SHA-256 fingerprint: 64 hex digits, optionally colon-separated.
 *
 * @example
 * ```ts
 * isFingerprint('ab'.repeat(32)) // true
 * ```
 * @throws never.
 */
export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT.test(value.trim());
}

/**
 * The fingerprint of a certificate given as a fingerprint, DER or PEM.
 *
 * @example
 * ```ts
 * fingerprintOf(certDer) // lowercase hex SHA-256
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` when it is neither a fingerprint nor one certificate.
 */
export function fingerprintOf(source: CertificateSource): string {
  if (isFingerprint(source)) return normalizeFingerprint(source.trim());
  return normalizeFingerprint(readCertificate(source).sha256);
}
