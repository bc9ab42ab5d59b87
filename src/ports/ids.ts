/**
 * The id port: where new CEM `requestId`s and MIME `Content-ID`s come from. Pure layers receive
 * ids as arguments; only the engine asks this port for them.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { CemArgumentError } from '../errors.js';

/**
 * Mints identifiers for outgoing messages.
 *
 * - `requestId()`: a CEM Request's `@requestId` (draft-14 §3.1: `xs:string`, 1–255 characters),
 *   unique across everything this host ever sends; see {@link isRequestId}.
 * - `contentId()`: a MIME `Content-ID` in the bare `local@domain` form, without angle brackets
 *   (draft-14 §2.1 and the `CertificateContentID` examples of §3.1); see {@link isContentId}.
 *
 * @example
 * ```ts
 * const ids: IdSource = createRandomIds({ domain: 'as2.example.com' })
 * ids.contentId() // '3b9f0c1e-...@as2.example.com'
 * ```
 */
export interface IdSource {
  /** A new, unique CEM requestId. */
  requestId(): string;
  /** A new, unique Content-ID without angle brackets. */
  contentId(): string;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const DOT_ATOM = `${ATEXT}(?:\\.${ATEXT})*`;
const CONTENT_ID = new RegExp(`^${DOT_ATOM}@${DOT_ATOM}$`);

/**
 * True when `value` is a usable requestId: 1–255 characters, none of them a control character
 * (draft-14 §3.1 allows any `xs:string`; control characters cannot travel in XML 1.0).
 *
 * @example
 * ```ts
 * isRequestId('req-000001') // true
 * isRequestId('')           // false
 * ```
 */
export function isRequestId(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return value.length >= 1 && value.length <= 255 && !/[\u0000-\u001f\u007f]/.test(value);
}

/**
 * True when `value` is a bare Content-ID `local@domain` (RFC 5322 `dot-atom-text` on both sides,
 * at most 255 characters, no angle brackets).
 *
 * @example
 * ```ts
 * isContentId('cert-1@as2.example.com')   // true
 * isContentId('<cert-1@as2.example.com>') // false
 * ```
 */
export function isContentId(value: string): boolean {
  return value.length <= 255 && CONTENT_ID.test(value);
}

/**
 * A production {@link IdSource}: random UUIDs, Content-IDs under `domain`.
 *
 * @example
 * ```ts
 * const ids = createRandomIds({ domain: 'as2.example.com' })
 * ids.requestId() // 'cem-5f0e...'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `domain` is not a dot-atom.
 */
export function createRandomIds(options: { readonly domain: string }): IdSource {
  if (!isContentId(`x@${options.domain}`)) {
    throw new CemArgumentError(`createRandomIds: invalid domain ${JSON.stringify(options.domain)}`);
  }
  return Object.freeze({
    requestId: (): string => `cem-${randomUUID()}`,
    contentId: (): string => `${randomUUID()}@${options.domain}`,
  });
}
