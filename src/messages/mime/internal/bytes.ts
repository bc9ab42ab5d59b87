/**
 * Byte helpers shared by the MIME layer (internal).
 *
 * @module
 */

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Text of UTF-8 bytes; malformed sequences become U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Each byte as one char (ISO-8859-1), lossless. */
export function fromLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Position of `needle` in `haystack` at or after `from`, or -1. Native search, linear time. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const view = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  return view.indexOf(needle, from);
}

/** The concatenation of `chunks` as a new array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** True for space and horizontal tab. */
export function isWsp(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09;
}

/**
 * Splits `bytes[start, end)` into lines. Each line excludes its LF and an optional CR before it.
 * `next` is where the following line starts. Linear in the length.
 */
export function* lines(
  bytes: Uint8Array,
  start = 0,
  end = bytes.byteLength,
): Generator<{ readonly start: number; readonly end: number; readonly next: number }> {
  let pos = start;
  while (pos < end) {
    let lf = bytes.indexOf(0x0a, pos);
    if (lf < 0 || lf >= end) lf = end;
    const lineEnd = lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    yield { start: pos, end: lineEnd, next: Math.min(lf + 1, end) };
    pos = lf + 1;
  }
}
