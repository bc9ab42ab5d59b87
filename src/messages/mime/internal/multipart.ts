/**
 * Splits a multipart body into its body parts at boundary delimiter lines (RFC 2046 §5.1.1).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';
import { isWsp, lines, utf8 } from './bytes.js';

type Delimiter = 'open' | 'close' | null;

function matchDelimiter(bytes: Uint8Array, start: number, end: number, dashBoundary: Uint8Array): Delimiter {
  const n = dashBoundary.byteLength;
  if (end - start < n) return null;
  for (let i = 0; i < n; i += 1) if (bytes[start + i] !== dashBoundary[i]) return null;
  let pos = start + n;
  let kind: Delimiter = 'open';
  if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) {
    kind = 'close';
    pos += 2;
  }
  // Transport padding: only spaces and tabs may follow the boundary on its line.
  for (; pos < end; pos += 1) if (!isWsp(bytes[pos])) return null;
  return kind;
}

/**
 * Checks a `boundary` parameter value: 1 to 200 characters, none of them a line break. RFC 2046
 * caps boundaries at 70 characters; longer ones from lax senders are accepted.
 *
 * @throws CemMimeError `CEM_MIME_MALFORMED` for a missing, empty or multi-line boundary.
 */
export function checkBoundary(boundary: string | undefined): string {
  if (boundary === undefined || boundary.length === 0 || boundary.length > 200 || /[\r\n]/.test(boundary)) {
    throw new CemMimeError('CEM_MIME_MALFORMED', 'the multipart entity has no usable boundary parameter');
  }
  return boundary;
}

/**
 * The body parts of a multipart body, as views into `body`.
 *
 * Delimiter lines are `--boundary` (or `--boundary--` for the close delimiter) at the start of a
 * line, followed only by spaces or tabs (transport padding); lines may end in CRLF or LF. The line
 * break before a delimiter belongs to it, not to the part. The preamble before the first delimiter
 * and the epilogue after the close delimiter are ignored. The scan visits each byte a bounded
 * number of times, so it is linear in the body length whatever the input.
 *
 * @throws CemMimeError `CEM_MIME_MALFORMED` when no delimiter line is found or the close delimiter
 *   comes before any part; `CEM_MIME_UNTERMINATED` when the close delimiter is missing;
 *   `CEM_MIME_TOO_LARGE` when there are more than `maxParts` parts.
 */
export function splitMultipart(body: Uint8Array, boundary: string, maxParts: number): readonly Uint8Array[] {
  const dashBoundary = utf8(`--${checkBoundary(boundary)}`);
  const parts: Uint8Array[] = [];
  let partStart = -1; // -1 while in the preamble
  let previousLineEnd = 0;
  for (const line of lines(body)) {
    const kind = matchDelimiter(body, line.start, line.end, dashBoundary);
    if (kind === null) {
      previousLineEnd = line.end;
      continue;
    }
    if (partStart >= 0) {
      parts.push(body.subarray(partStart, Math.max(partStart, previousLineEnd)));
      if (parts.length > maxParts) throw new CemMimeError('CEM_MIME_TOO_LARGE', `more than ${maxParts} body parts`);
    }
    if (kind === 'close') {
      if (parts.length === 0) throw new CemMimeError('CEM_MIME_MALFORMED', 'the multipart entity has no body part');
      return Object.freeze(parts);
    }
    partStart = line.next;
    previousLineEnd = line.next;
  }
  if (partStart < 0) throw new CemMimeError('CEM_MIME_MALFORMED', 'the multipart body has no boundary delimiter line');
  throw new CemMimeError('CEM_MIME_UNTERMINATED', 'the multipart body has no close delimiter');
}
