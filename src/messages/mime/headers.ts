/**
 * Case-insensitive header lookup (RFC 5322 §1.2.2, RFC 2045 §3).
 *
 * @module
 */
import type { MimeEntity, MimeHeader } from './types.js';

type HeaderSource = MimeEntity | readonly MimeHeader[];

function headerList(source: HeaderSource): readonly MimeHeader[] {
  return Array.isArray(source) ? (source as readonly MimeHeader[]) : (source as MimeEntity).headers;
}

/**
 * The value of the first header field called `name` (compared case-insensitively), or `undefined`.
 *
 * @example
 * ```ts
 * getHeader(entity, 'content-id'); // '<xml@example.org>' even when written `Content-ID`
 * ```
 * @throws never.
 * @see RFC 5322 §1.2.2 (field names are case-insensitive)
 */
export function getHeader(source: HeaderSource, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headerList(source).find((h) => h.name.toLowerCase() === wanted)?.value;
}

/**
 * The values of every header field called `name` (case-insensitive), in order.
 *
 * @example
 * ```ts
 * getHeaders(entity, 'Content-ID').length > 1; // the part carries duplicate Content-IDs
 * ```
 * @throws never.
 */
export function getHeaders(source: HeaderSource, name: string): readonly string[] {
  const wanted = name.toLowerCase();
  return Object.freeze(headerList(source).filter((h) => h.name.toLowerCase() === wanted).map((h) => h.value));
}
