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
 * Every value of the headers `names` (case-insensitive), read in one pass over a plain record
 * (values may be arrays), a `Headers`-like object with `get()`, or a list of `[name, value]`
 * pairs: one list per name, in the order given.
 *
 * @example
 * ```ts
 * headerValues({ 'as2-from': 'ACME' }, ['AS2-From', 'AS2-To']) // [['ACME'], []]
 * ```
 * @throws never.
 */
export function headerValues(headers: HeaderSource | null | undefined, names: readonly string[]): string[][] {
  const out: string[][] = names.map(() => []);
  if (headers === null || headers === undefined || typeof headers !== 'object') return out;
  if ('get' in headers && typeof headers.get === 'function') {
    const source = headers as { get(n: string): string | null | undefined };
    names.forEach((name, i) => {
      const value = source.get(name);
      if (typeof value === 'string') out[i]?.push(value);
    });
    return out;
  }
  const wanted = names.map((n) => n.toLowerCase());
  const take = (key: unknown, value: unknown): void => {
    if (typeof key !== 'string') return;
    const values = out[wanted.indexOf(key.trim().toLowerCase())];
    if (values === undefined) return;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') values.push(v);
  };
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown>) if (Array.isArray(pair)) take(pair[0], pair[1]);
  } else {
    for (const key in headers) if (Object.hasOwn(headers, key)) take(key, (headers as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * An AS2 name from its header values: the first, trimmed, with quoting removed (`"ACME Corp"` →
 * `ACME Corp`, RFC 4130 §6.2); `null` when absent or empty.
 *
 * @example
 * ```ts
 * as2Name(['"ACME Corp"']) // 'ACME Corp'
 * ```
 * @throws never.
 */
export function as2Name(values: readonly string[]): string | null {
  const raw = values[0]?.trim();
  if (raw === undefined || raw === '') return null;
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  return unquoted === '' ? null : unquoted;
}

const FINGERPRINT = /^(?:[0-9a-f]{2}:?){31}[0-9a-f]{2}$/i;
const HEX64 = /^[0-9a-f]{64}$/i;

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
  if (typeof value !== 'string') return false;
  const text = value.trim();
  return text.length === 64 ? HEX64.test(text) : FINGERPRINT.test(text);
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
