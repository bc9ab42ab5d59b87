/**
 * Header blocks: splitting and unfolding (RFC 5322 §2.2, RFC 2045 §3) (internal).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';
import type { MimeHeader } from '../types.js';
import { fromUtf8, isWsp, lines } from './bytes.js';

/** The result of reading a header block. */
export interface HeaderBlock {
  readonly headers: readonly MimeHeader[];
  /** Offset of the first body byte (just after the empty line), or `end` when there is no body. */
  readonly bodyStart: number;
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (!isWsp(bytes[i])) return false;
  return true;
}

function headerName(bytes: Uint8Array, start: number, end: number): { name: string; valueStart: number } {
  const colon = bytes.indexOf(0x3a, start);
  if (colon < 0 || colon >= end) throw new CemMimeError('CEM_MIME_MALFORMED', 'a header line has no colon');
  let nameEnd = colon;
  while (nameEnd > start && isWsp(bytes[nameEnd - 1])) nameEnd -= 1;
  if (nameEnd === start) throw new CemMimeError('CEM_MIME_MALFORMED', 'a header line has an empty name');
  for (let i = start; i < nameEnd; i += 1) {
    const b = bytes[i] ?? 0;
    if (b < 0x21 || b > 0x7e) throw new CemMimeError('CEM_MIME_MALFORMED', 'a header name has a character outside printable ASCII');
  }
  return { name: fromUtf8(bytes.subarray(start, nameEnd)), valueStart: colon + 1 };
}

/** Default most header fields in one header block. */
export const DEFAULT_MAX_HEADER_FIELDS = 1000;
/** Default largest header block (the bytes before the empty line), 64 KiB. */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

/** Caps on one header block. */
export interface HeaderLimits {
  readonly maxFields: number;
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: HeaderLimits = { maxFields: DEFAULT_MAX_HEADER_FIELDS, maxBytes: DEFAULT_MAX_HEADER_BYTES };

/**
 * Reads the header block of an entity in `bytes[start, end)`.
 *
 * Lines may end in CRLF or LF (or a mix). A line starting with space or tab continues the previous
 * field (unfolding keeps that whitespace and drops the line break). The block ends at the first
 * empty line; a line holding only spaces or tabs also counts as empty (the draft's §2.1 skeletons
 * carry such lines). An entity starting with an empty line has no headers. Without any empty line
 * the whole input is headers and the body is empty. Header text is read as UTF-8.
 *
 * @throws CemMimeError `CEM_MIME_MALFORMED` for a line that is neither a field, a continuation nor
 *   empty; `CEM_MIME_TOO_LARGE` for more than `limits.maxFields` fields or a block (up to the end
 *   of its last line) longer than `limits.maxBytes` bytes.
 */
export function parseHeaderBlock(bytes: Uint8Array, start = 0, end = bytes.byteLength, limits: HeaderLimits = DEFAULT_LIMITS): HeaderBlock {
  const fields: { name: string; parts: string[] }[] = [];
  for (const line of lines(bytes, start, end)) {
    if (isBlank(bytes, line.start, line.end)) {
      return { headers: freezeHeaders(fields), bodyStart: line.next };
    }
    if (line.end - start > limits.maxBytes) {
      throw new CemMimeError('CEM_MIME_TOO_LARGE', `a header block is longer than ${limits.maxBytes} bytes`);
    }
    const last = fields[fields.length - 1];
    if (isWsp(bytes[line.start])) {
      if (!last) throw new CemMimeError('CEM_MIME_MALFORMED', 'the header block starts with a continuation line');
      last.parts.push(fromUtf8(bytes.subarray(line.start, line.end)));
      continue;
    }
    if (fields.length >= limits.maxFields) {
      throw new CemMimeError('CEM_MIME_TOO_LARGE', `a header block has more than ${limits.maxFields} fields`);
    }
    const { name, valueStart } = headerName(bytes, line.start, line.end);
    fields.push({ name, parts: [fromUtf8(bytes.subarray(valueStart, line.end))] });
  }
  return { headers: freezeHeaders(fields), bodyStart: end };
}

function freezeHeaders(fields: readonly { name: string; parts: string[] }[]): readonly MimeHeader[] {
  return Object.freeze(fields.map((f) => Object.freeze({ name: f.name, value: f.parts.join('').trim() })));
}
