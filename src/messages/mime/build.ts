/**
 * Builds MIME entities and writes them out with CRLF line ends (RFC 2045, RFC 2046, RFC 2387).
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';
import { chooseBoundary } from './internal/boundary.js';
import { concatBytes, utf8 } from './internal/bytes.js';
import { checkContentId } from './internal/content-id.js';
import { checkHeader, foldHeader } from './internal/fold.js';
import { formatMediaType, parseMediaType } from './media-type.js';
import { encodeBase64Lines } from './internal/transfer-encoding.js';
import type { MediaType, MimeEntity, MimeHeader, MimeTransferEncoding } from './types.js';
import { quote } from '../../quote.js';

/**
 * Input of {@link buildMimeEntity}: one leaf (non-multipart) entity.
 *
 * @example
 * ```ts
 * const input: MimePartInput = { contentType: 'text/plain; charset=utf-8', body: 'hello', transferEncoding: '8bit', contentId: 'note@example.org' };
 * ```
 */
export interface MimePartInput {
  /** The `Content-Type` value, e.g. from `formatMediaType`. */
  readonly contentType: string;
  /** The content; a string is encoded as UTF-8. */
  readonly body: Uint8Array | string;
  /** How to write the body. No `Content-Transfer-Encoding` header is written when absent. */
  readonly transferEncoding?: MimeTransferEncoding;
  /** `Content-ID`, bare or in `<...>`; written in `<...>`. */
  readonly contentId?: string;
  /** More header fields, written after the ones above in the given order. */
  readonly headers?: readonly MimeHeader[];
}

/**
 * Input of {@link buildMultipartEntity}.
 *
 * @example
 * ```ts
 * const input: MultipartInput = { subtype: 'mixed', parts: [a, b], headers: [{ name: 'MIME-Version', value: '1.0' }] };
 * ```
 */
export interface MultipartInput {
  /** The multipart subtype, e.g. `related`, `mixed`. */
  readonly subtype: string;
  /** Parameters written before `boundary`, in order (e.g. `type`, `start`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The body parts, in order; at least one. */
  readonly parts: readonly MimeEntity[];
  /** More header fields written after `Content-Type`, e.g. `MIME-Version` or `Content-ID`. */
  readonly headers?: readonly MimeHeader[];
}

/**
 * Input of {@link buildMultipartRelated}.
 *
 * @example
 * ```ts
 * const input: MultipartRelatedInput = { type: 'application/ediint-cert-exchange+xml', parts: [xmlPart, certPart] };
 * ```
 */
export interface MultipartRelatedInput {
  /** The root part's media type (RFC 2387 §3.1, mandatory). */
  readonly type: string;
  /** The root's Content-ID (bare or `<...>`); omitted by default, the root then being the first part. */
  readonly start?: string;
  readonly parts: readonly MimeEntity[];
  readonly headers?: readonly MimeHeader[];
}

const CRLF = utf8('\r\n');

function encodeBody(body: Uint8Array, encoding: MimeTransferEncoding | undefined): Uint8Array {
  if (encoding === 'base64') return encodeBase64Lines(body);
  if (encoding === '7bit' && body.some((b) => b > 0x7f || b === 0)) {
    throw new CemArgumentError('a 7bit body holds a byte outside 7-bit ASCII');
  }
  return body;
}

function freezeHeaders(headers: readonly MimeHeader[]): readonly MimeHeader[] {
  for (const h of headers) checkHeader(h.name, h.value);
  return Object.freeze(headers.map((h) => Object.freeze({ name: h.name, value: h.value })));
}

/**
 * Builds one leaf entity: `Content-Type`, then `Content-Transfer-Encoding` and `Content-ID` when
 * given, then the extra headers. `rawBody` holds the encoded body (base64 in 76-character CRLF
 * lines), `body` the content.
 *
 * @example
 * ```ts
 * const part = buildMimeEntity({ contentType: 'application/pkcs7-mime; smime-type=certs-only', body: p7c, transferEncoding: 'base64', contentId: 'cert-1@example.org' });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid Content-Type, Content-ID or header, an
 *   extra header repeating one the builder writes, or a non-ASCII body sent as `7bit`.
 */
export function buildMimeEntity(input: MimePartInput): MimeEntity {
  const contentType = parseArgumentMediaType(input.contentType);
  if (contentType.type === 'multipart') throw new CemArgumentError('use buildMultipartEntity for multipart entities');
  const body = typeof input.body === 'string' ? utf8(input.body) : input.body.slice();
  const headers: MimeHeader[] = [{ name: 'Content-Type', value: input.contentType }];
  if (input.transferEncoding !== undefined) headers.push({ name: 'Content-Transfer-Encoding', value: input.transferEncoding });
  if (input.contentId !== undefined) headers.push({ name: 'Content-ID', value: `<${checkContentId(input.contentId)}>` });
  for (const extra of input.headers ?? []) {
    if (headers.some((h) => h.name.toLowerCase() === extra.name.toLowerCase())) {
      throw new CemArgumentError(`the ${extra.name} header is written by the builder`);
    }
    headers.push(extra);
  }
  const rawBody = encodeBody(body, input.transferEncoding);
  return Object.freeze({ headers: freezeHeaders(headers), body, rawBody, contentType });
}

function parseArgumentMediaType(value: string): MediaType {
  try {
    return parseMediaType(value);
  } catch (cause) {
    throw new CemArgumentError(`invalid Content-Type: ${quote(value)}`, { cause });
  }
}

/**
 * Builds a multipart entity around already built parts. The boundary is derived from the parts'
 * bytes (SHA-256) and never occurs in them; the body uses CRLF line ends and ends with the close
 * delimiter and CRLF.
 *
 * @example
 * ```ts
 * const mixed = buildMultipartEntity({ subtype: 'mixed', parts: [a, b] });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for no parts, a `boundary` given in `params`, or an
 *   invalid subtype, parameter or header.
 */
export function buildMultipartEntity(input: MultipartInput): MimeEntity {
  if (input.parts.length === 0) throw new CemArgumentError('a multipart entity needs at least one part');
  if (input.params && Object.keys(input.params).some((k) => k.toLowerCase() === 'boundary')) {
    throw new CemArgumentError('the boundary is chosen by the builder');
  }
  const serialized = input.parts.map((part) => serializeMimeEntity(part));
  const boundary = chooseBoundary(serialized);
  const chunks: Uint8Array[] = [];
  for (const part of serialized) chunks.push(utf8(`--${boundary}\r\n`), part, CRLF);
  chunks.push(utf8(`--${boundary}--\r\n`));
  const body = concatBytes(chunks);
  const typeValue = formatMediaType(`multipart/${input.subtype}`, { ...input.params, boundary });
  const headers = freezeHeaders([{ name: 'Content-Type', value: typeValue }, ...(input.headers ?? [])]);
  return Object.freeze({
    headers,
    body,
    rawBody: body,
    contentType: parseMediaType(typeValue),
    parts: Object.freeze([...input.parts]),
  });
}

/**
 * Builds a `multipart/related` entity (RFC 2387) with the mandatory `type` parameter and, when
 * given, `start`. The root is the first part unless `start` names another.
 *
 * @example
 * ```ts
 * const related = buildMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [xmlPart, certPart] });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` as {@link buildMultipartEntity}, or for an invalid `start`.
 */
export function buildMultipartRelated(input: MultipartRelatedInput): MimeEntity {
  const params: Record<string, string> = { type: input.type };
  if (input.start !== undefined) params.start = `<${checkContentId(input.start)}>`;
  return buildMultipartEntity({ subtype: 'related', params, parts: input.parts, headers: input.headers ?? [] });
}

/**
 * The entity as bytes: each header folded at 76 characters where possible, CRLF line ends, an
 * empty line, then `rawBody`.
 *
 * @example
 * ```ts
 * const bytes = serializeMimeEntity(buildMimeEntity({ contentType: 'text/plain', body: 'hi' }));
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for a header that cannot be written.
 */
export function serializeMimeEntity(entity: MimeEntity): Uint8Array {
  const head = entity.headers.map((h) => `${foldHeader(h.name, h.value)}\r\n`).join('');
  return concatBytes([utf8(head), CRLF, entity.rawBody]);
}

/**
 * Builds and writes a `multipart/related` entity in one step.
 *
 * @example
 * ```ts
 * const bytes = serializeMultipartRelated({ type: 'application/ediint-cert-exchange+xml', parts: [xmlPart] });
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` as {@link buildMultipartRelated}.
 */
export function serializeMultipartRelated(input: MultipartRelatedInput): Uint8Array {
  return serializeMimeEntity(buildMultipartRelated(input));
}
