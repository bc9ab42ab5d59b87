/**
 * Attribute values of distinguished names: decoding BER character strings, RFC 4514 escaping,
 * and building frozen {@link DnAttribute}s.
 *
 * @module
 */
import type { DnAttribute } from '../types.js';
import { attributeName } from './dn-attributes.js';
import { contentBytes, readSingle, rawBytes, toHex, type Tlv } from './der.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function wide(bytes: Uint8Array, width: 2 | 4): string | null {
  if (bytes.length % width !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += width) {
    const code = width === 2 ? view.getUint16(i) : view.getUint32(i);
    if (code > 0x10ffff) return null;
    s += width === 2 ? String.fromCharCode(code) : String.fromCodePoint(code);
  }
  return s;
}

/**
 * Decodes a character-string AttributeValue (UTF8String, PrintableString, IA5String, T61String,
 * BMPString, UniversalString, ...); `null` when the value is not a character string.
 * T61String and 8-bit bytes in the ASCII types are read as Latin-1, as openssl does.
 */
export function decodeStringValue(tlv: Tlv): string | null {
  if (tlv.cls !== 0) return null;
  const bytes = contentBytes(tlv);
  switch (tlv.num) {
    case 12:
      try {
        return utf8.decode(bytes);
      } catch {
        return null;
      }
    case 18: case 19: case 20: case 21: case 22: case 25: case 26: case 27:
      return latin1(bytes);
    case 30:
      return wide(bytes, 2);
    case 28:
      return wide(bytes, 4);
    default:
      return null;
  }
}

/** Lowercase hex of the DER of `text` as a UTF8String. */
export function utf8StringBer(text: string): string {
  const body = utf8Encoder.encode(text);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return toHex(Uint8Array.from([0x0c, ...length, ...body]));
}

/** Builds a frozen attribute from an OID (or unknown keyword) and its BER value. */
export function attributeFromBer(oid: string, type: string | undefined, value: Tlv): DnAttribute {
  const text = decodeStringValue(value);
  const ber = toHex(rawBytes(value));
  return Object.freeze({
    oid,
    type: type ?? attributeName(oid) ?? oid,
    value: text ?? `#${ber}`,
    ber,
    binary: text === null,
  });
}

/** Builds a frozen attribute from `#hex` text; `null` when the hex is not one BER value. */
export function attributeFromHex(oid: string, type: string, hex: string): DnAttribute | null {
  if (hex.length === 0 || hex.length % 2 !== 0) return null;
  const bytes = Uint8Array.from(hex.match(/../g) as string[], (h) => parseInt(h, 16));
  try {
    return attributeFromBer(oid, type, readSingle(bytes));
  } catch {
    return null;
  }
}

/** Builds a frozen attribute from decoded text. */
export function attributeFromText(oid: string, type: string, value: string): DnAttribute {
  return Object.freeze({ oid, type, value, ber: null, binary: false });
}

const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';']);

/**
 * Escapes a value for RFC 4514 §2.4: `,+"\<>;` with a backslash, a leading `#` or space and a
 * trailing space with a backslash, control characters (and NUL) as `\XX`. Like openssl, nothing
 * else is escaped; non-ASCII characters stay UTF-8.
 */
export function escapeValue(value: string): string {
  let out = '';
  const last = value.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = value[i] as string;
    const code = c.charCodeAt(0);
    if (SPECIAL.has(c) || (i === 0 && (c === '#' || c === ' ')) || (i === last && c === ' ')) out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += c;
  }
  return out;
}

const DOTTED = /^\d+(?:\.\d+)+$/;

/**
 * Formats one attribute as RFC 4514 `type=value`. A type without a known name is written as its
 * dotted OID with a `#`-hex BER value (§2.4); a value that is not a character string likewise.
 */
export function formatAttribute(attribute: DnAttribute): string {
  if (attribute.binary && attribute.ber !== null) return `${attribute.type}=#${attribute.ber}`;
  if (DOTTED.test(attribute.type)) return `${attribute.type}=#${attribute.ber ?? utf8StringBer(attribute.value)}`;
  return `${attribute.type}=${escapeValue(attribute.value)}`;
}
