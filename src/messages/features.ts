/**
 * The `EDIINT-Features` header (RFC 6017) by which a CEM-capable product advertises `CEM`
 * (draft-14 §2.2).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { clip, quote } from '../quote.js';

/** The header name as RFC 6017 spells it. Header names are case-insensitive on the wire. */
export const EDIINT_FEATURES_HEADER = 'EDIINT-Features';

/** The feature token of CEM (draft-14 §2.2). */
export const CEM_FEATURE = 'CEM';

/** Header names read by {@link advertisesCem}, lower-cased: RFC 6017's and the legacy AS1 one. */
const FEATURE_HEADER_NAMES: readonly string[] = Object.freeze(['ediint-features', 'x-ediint-features']);

const TOKEN = /^[0-9A-Za-z-]+$/;

/**
 * Headers as hosts hold them: a plain record (values may be arrays), a `Headers`-like object
 * with `get()`, or a list of `[name, value]` pairs (raw headers, repeated names allowed).
 */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null | undefined }
  | Iterable<readonly [string, string]>;

/**
 * Reads an `EDIINT-Features` value: a comma-separated list of feature names. Tokens are
 * trimmed; empty tokens and tokens that are not 1+ of `0-9 A-Z a-z -` are dropped. Names keep
 * their case, but duplicates are removed case-insensitively (the first spelling wins).
 *
 * @example
 * ```ts
 * parseEdiintFeatures(' CEM ,AS2-Reliability, cem') // ['CEM', 'AS2-Reliability']
 * parseEdiintFeatures(undefined) // []
 * ```
 * @throws never.
 * @see RFC 6017 §2; draft-14 §2.2.
 */
export function parseEdiintFeatures(headerValue: string | undefined | null): string[] {
  if (typeof headerValue !== 'string') return [];
  const seen = new Set<string>();
  const features: string[] = [];
  for (const raw of headerValue.split(',')) {
    const token = raw.trim();
    if (!TOKEN.test(token)) continue;
    const key = token.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    features.push(token);
  }
  return features;
}

/**
 * Writes an `EDIINT-Features` value: the names joined with `, `.
 *
 * @example
 * ```ts
 * headers[EDIINT_FEATURES_HEADER] = formatEdiintFeatures(['multiple-attachments', 'CEM'])
 * // 'multiple-attachments, CEM'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when the list is empty, a name is not 1+ of
 * `0-9 A-Z a-z -`, or a name appears twice (compared case-insensitively).
 * @see RFC 6017 §2; draft-14 §2.2.
 */
export function formatEdiintFeatures(features: readonly string[]): string {
  if (!Array.isArray(features) || features.length === 0) {
    throw new CemArgumentError('EDIINT-Features needs at least one feature name');
  }
  const seen = new Set<string>();
  for (const feature of features as readonly unknown[]) {
    if (typeof feature !== 'string' || !TOKEN.test(feature)) {
      throw new CemArgumentError(`not an EDIINT feature name: ${quote(feature)}`);
    }
    const key = feature.toLowerCase();
    if (seen.has(key)) throw new CemArgumentError(`feature ${clip(feature)} is listed twice`);
    seen.add(key);
  }
  return features.join(', ');
}

/**
 * True when the headers advertise the `CEM` feature: any `EDIINT-Features` (or legacy
 * `X-EDIINT-Features`) header, names matched case-insensitively, every instance read, token
 * `CEM` matched case-insensitively.
 *
 * @example
 * ```ts
 * advertisesCem({ 'ediint-features': 'multiple-attachments, CEM' }) // true
 * advertisesCem(request.headers) // a fetch Headers object
 * advertisesCem([['EDIINT-Features', 'CMS']]) // false
 * ```
 * @throws never.
 * @see draft-14 §2.2; RFC 6017 §3.
 */
export function advertisesCem(headers: HeaderSource | undefined | null): boolean {
  return featureHeaderValues(headers).some((value) =>
    parseEdiintFeatures(value).some((feature) => feature.toLowerCase() === 'cem'),
  );
}

/** Every value of the feature headers in `headers`, whatever shape it has. */
function featureHeaderValues(headers: HeaderSource | undefined | null): string[] {
  if (headers === undefined || headers === null || typeof headers !== 'object') return [];
  if ('get' in headers && typeof headers.get === 'function') {
    const getter = headers as { get(name: string): string | null | undefined };
    return FEATURE_HEADER_NAMES.map((name) => getter.get(name)).filter(isString);
  }
  if (Symbol.iterator in headers) {
    const values: string[] = [];
    for (const pair of headers as Iterable<unknown>) {
      if (!Array.isArray(pair)) continue;
      const [name, value] = pair as unknown[];
      if (isFeatureHeader(name) && typeof value === 'string') values.push(value);
    }
    return values;
  }
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!isFeatureHeader(name)) continue;
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter(isString));
  }
  return values;
}

function isFeatureHeader(name: unknown): boolean {
  return typeof name === 'string' && FEATURE_HEADER_NAMES.includes(name.trim().toLowerCase());
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
