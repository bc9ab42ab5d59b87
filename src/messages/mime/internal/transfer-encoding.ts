/**
 * Content-Transfer-Encoding: decode base64 and quoted-printable, pass 7bit/8bit/binary through,
 * encode base64 in 76-character lines (RFC 2045 §6).
 *
 * @module
 */
import { base64Lines } from '../../../crypto/internal/input.js';
import { CemMimeError } from '../../../errors.js';
import { firstToken } from './header-lexer.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i += 1) B64_VALUE[B64.charCodeAt(i)] = i;
const SKIP = -2; // whitespace inside base64 is ignored
for (const ws of [0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c]) B64_VALUE[ws] = SKIP;
const PAD = 0x3d;

/**
 * Decodes base64, ignoring whitespace and line breaks. Padding may be omitted.
 *
 * @throws CemMimeError `CEM_MIME_ENCODING` for a character outside the base64 alphabet, data after
 *   the padding, or a length that cannot be base64 (one dangling character).
 */
export function decodeBase64(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((input.byteLength * 3) / 4) + 3);
  let acc = 0;
  let count = 0;
  let length = 0;
  let padded = false;
  for (let i = 0; i < input.byteLength; i += 1) {
    const byte = input[i] ?? 0;
    const value = B64_VALUE[byte] ?? -1;
    if (value === SKIP) continue;
    if (byte === PAD) {
      padded = true;
      continue;
    }
    if (value < 0 || padded) {
      throw new CemMimeError('CEM_MIME_ENCODING', padded ? 'base64 data continues after the padding' : 'a character outside the base64 alphabet');
    }
    acc = (acc << 6) | value;
    count += 1;
    if (count === 4) {
      out[length++] = (acc >> 16) & 0xff;
      out[length++] = (acc >> 8) & 0xff;
      out[length++] = acc & 0xff;
      acc = 0;
      count = 0;
    }
  }
  if (count === 1) throw new CemMimeError('CEM_MIME_ENCODING', 'base64 data ends with a dangling character');
  if (count === 2) out[length++] = (acc >> 4) & 0xff;
  if (count === 3) {
    out[length++] = (acc >> 10) & 0xff;
    out[length++] = (acc >> 2) & 0xff;
  }
  return out.slice(0, length);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable (RFC 2045 §6.7): `=XX` escapes (either case), soft line breaks `=`
 * before CRLF or LF (trailing whitespace after the `=` tolerated), trailing whitespace on lines
 * removed. A stray `=` is kept as written, as §6.7 note (1) recommends.
 */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.byteLength);
  let length = 0;
  let lineStart = 0; // output position where trailing whitespace trimming may stop
  for (let i = 0; i < input.byteLength; i += 1) {
    const byte = input[i] ?? 0;
    if (byte === 0x0a || (byte === 0x0d && input[i + 1] === 0x0a)) {
      while (length > lineStart && (out[length - 1] === 0x20 || out[length - 1] === 0x09)) length -= 1;
      if (byte === 0x0d) {
        out[length++] = 0x0d;
        i += 1;
      }
      out[length++] = 0x0a;
      lineStart = length;
      continue;
    }
    if (byte !== 0x3d) {
      out[length++] = byte;
      continue;
    }
    const hi = hexValue(input[i + 1]);
    const lo = hexValue(input[i + 2]);
    if (hi >= 0 && lo >= 0) {
      out[length++] = (hi << 4) | lo;
      lineStart = length;
      i += 2;
      continue;
    }
    let j = i + 1;
    while (input[j] === 0x20 || input[j] === 0x09) j += 1;
    if (input[j] === 0x0a || j >= input.byteLength) {
      i = j;
      lineStart = length;
    } else if (input[j] === 0x0d && input[j + 1] === 0x0a) {
      i = j + 1;
      lineStart = length;
    } else {
      out[length++] = byte;
    }
  }
  return out.slice(0, length);
}

/**
 * Decodes a body per its `Content-Transfer-Encoding` header value (`undefined` when absent).
 * `7bit`, `8bit`, `binary` and an absent header are identity.
 *
 * @throws CemMimeError `CEM_MIME_ENCODING` for an unknown encoding or invalid base64.
 */
export function decodeTransferEncoding(body: Uint8Array, encoding: string | undefined): Uint8Array {
  const name = encoding === undefined ? '' : firstToken(encoding);
  switch (name) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      throw new CemMimeError('CEM_MIME_ENCODING', `unknown Content-Transfer-Encoding: ${name}`);
  }
}

/** Base64 with CRLF after every 76 characters and after the last line (RFC 2045 §6.8). */
export function encodeBase64Lines(data: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(data.length === 0 ? '' : `${base64Lines(data, 76, '\r\n')}\r\n`, 'latin1'));
}
