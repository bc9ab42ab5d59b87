/**
 * Parses a MIME entity (headers and body, recursively for multiparts) from bytes or text.
 *
 * @module
 */
import { CemArgumentError, CemMimeError } from '../../errors.js';
import { utf8 } from './internal/bytes.js';
import { getHeaders } from './headers.js';
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_FIELDS, parseHeaderBlock, type HeaderLimits } from './internal/header-block.js';
import { parseMediaType } from './media-type.js';
import { splitMultipart } from './internal/multipart.js';
import { decodeTransferEncoding } from './internal/transfer-encoding.js';
import type { MediaType, MimeEntity, MimeHeader, ParseMimeOptions } from './types.js';

/** Default `maxBytes`: 16 MiB. */
export const DEFAULT_MAX_MIME_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 8;
const HARD_MAX_DEPTH = 64;
const DEFAULT_MAX_PARTS = 1000;

interface Budget {
  readonly maxDepth: number;
  readonly maxParts: number;
  readonly headers: HeaderLimits;
  parts: number;
}

function singleHeader(headers: readonly MimeHeader[], name: string): string | undefined {
  const values = getHeaders(headers, name);
  if (values.length > 1) throw new CemMimeError('CEM_MIME_MALFORMED', `the entity has ${values.length} ${name} headers`);
  return values[0];
}

function parseParts(body: Uint8Array, contentType: MediaType, depth: number, budget: Budget): readonly MimeEntity[] {
  if (depth >= budget.maxDepth) throw new CemMimeError('CEM_MIME_TOO_LARGE', `multipart nesting deeper than ${budget.maxDepth}`);
  const boundary = contentType.params.boundary;
  if (boundary === undefined) throw new CemMimeError('CEM_MIME_MALFORMED', 'the multipart entity has no boundary parameter');
  const chunks = splitMultipart(body, boundary, budget.maxParts - budget.parts);
  budget.parts += chunks.length;
  return Object.freeze(chunks.map((chunk) => parseAt(chunk, depth + 1, budget)));
}

function parseAt(bytes: Uint8Array, depth: number, budget: Budget): MimeEntity {
  const { headers, bodyStart } = parseHeaderBlock(bytes, 0, bytes.byteLength, budget.headers);
  const rawBody = bytes.subarray(bodyStart);
  const typeValue = singleHeader(headers, 'content-type');
  const contentType = typeValue === undefined ? null : parseMediaType(typeValue);
  const body = decodeTransferEncoding(rawBody, singleHeader(headers, 'content-transfer-encoding'));
  if (contentType?.type !== 'multipart') return Object.freeze({ headers, body, rawBody, contentType });
  const parts = parseParts(body, contentType, depth, budget);
  return Object.freeze({ headers, body, rawBody, contentType, parts });
}

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new CemArgumentError(`${name} must be a non-negative integer`);
  return value;
}

/**
 * Parses a MIME entity: its header block, its body decoded per `Content-Transfer-Encoding`, and,
 * for `multipart/*`, its body parts (recursively, e.g. a `multipart/signed` wrapping the CEM
 * `multipart/related`).
 *
 * A string is taken as text and encoded as UTF-8; pass bytes for binary content. The input is
 * copied once; `body`/`rawBody` of every entity are views into that private copy. Line ends may be
 * CRLF, LF or mixed. Headers may be folded; names are matched case-insensitively by
 * {@link getHeader}. An entity that starts with an empty line has no headers.
 *
 * @example
 * ```ts
 * const entity = parseMimeEntity('Content-Type: multipart/related; type="application/ediint-cert-exchange+xml"; boundary=b\r\n\r\n--b\r\nContent-Type: application/ediint-cert-exchange+xml\r\n\r\n<x/>\r\n--b--\r\n');
 * entity.parts?.[0]?.contentType?.essence; // 'application/ediint-cert-exchange+xml'
 * ```
 * @throws CemMimeError `CEM_MIME_TOO_LARGE` (input over `maxBytes`, nesting over `maxDepth`, more
 *   than `maxParts` parts, a header block with more than `maxHeaderFields` fields or longer than
 *   `maxHeaderBytes` bytes), `CEM_MIME_MALFORMED` (bad header line, unparsable or repeated
 *   `Content-Type`/`Content-Transfer-Encoding`, multipart without a usable boundary or without a
 *   first delimiter), `CEM_MIME_UNTERMINATED` (no close delimiter), `CEM_MIME_ENCODING` (unknown
 *   transfer encoding, invalid base64).
 * @throws CemArgumentError `CEM_ARGUMENT` for a limit that is not a non-negative integer.
 * @see RFC 2045 §3-§6, RFC 2046 §5.1, RFC 2387
 */
export function parseMimeEntity(input: Uint8Array | string, options: ParseMimeOptions = {}): MimeEntity {
  const maxBytes = limit(options.maxBytes, DEFAULT_MAX_MIME_BYTES, 'maxBytes');
  const maxDepth = Math.min(limit(options.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth'), HARD_MAX_DEPTH);
  const maxParts = limit(options.maxParts, DEFAULT_MAX_PARTS, 'maxParts');
  const headers = {
    maxFields: limit(options.maxHeaderFields, DEFAULT_MAX_HEADER_FIELDS, 'maxHeaderFields'),
    maxBytes: limit(options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes'),
  };
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new CemArgumentError('parseMimeEntity takes a Uint8Array or a string');
  }
  if (typeof input === 'string' && input.length > maxBytes) {
    throw new CemMimeError('CEM_MIME_TOO_LARGE', `the entity is larger than ${maxBytes} bytes`);
  }
  const bytes = typeof input === 'string' ? utf8(input) : input.slice();
  if (bytes.byteLength > maxBytes) throw new CemMimeError('CEM_MIME_TOO_LARGE', `the entity is larger than ${maxBytes} bytes`);
  return parseAt(bytes, 0, { maxDepth, maxParts, headers, parts: 0 });
}
