/**
 * A small, zero-copy reader of ASN.1 BER/DER.
 *
 * Why not asn1js: it decodes every node eagerly into objects (about 0.6 ms per certificate), and
 * certificate reading is on the hot path of every inbound message. This reader only records
 * offsets into the source bytes and decodes a value when asked. It accepts BER (indefinite
 * lengths, constructed strings) because CMS from other products arrives that way.
 *
 * Errors are {@link DerError}; public functions translate them into `CemCryptoError` codes.
 *
 * @module
 */
import { Buffer } from 'node:buffer';

/** A structural ASN.1 problem; never leaves `src/crypto` (see `fail.ts`). */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One tag-length-value found in `src`. Offsets are absolute positions in `src`. */
export interface Tlv {
  readonly src: Uint8Array;
  /** First identifier octet (class, constructed bit, low tag number), e.g. `0x30` or `0xa0`. */
  readonly tag: number;
  /** Tag number (also for the high-tag-number form). */
  readonly num: number;
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly start: number;
  readonly contentStart: number;
  /** End of the content, before an end-of-contents marker. */
  readonly contentEnd: number;
  /** End of the whole encoding, after an end-of-contents marker. */
  readonly end: number;
}

const MAX_DEPTH = 48;

function truncated(): never {
  throw new DerError('truncated ASN.1 value');
}

/** Reads the TLV that starts at `offset` and must end by `limit`. */
export function readTlv(src: Uint8Array, offset = 0, limit = src.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('ASN.1 nesting too deep');
  let pos = offset;
  if (pos >= limit) truncated();
  const tag = src[pos++] as number;
  let num = tag & 0x1f;
  if (num === 0x1f) {
    num = 0;
    for (;;) {
      if (pos >= limit) truncated();
      const b = src[pos++] as number;
      num = num * 128 + (b & 0x7f);
      if (num > 0xffffff) throw new DerError('ASN.1 tag number too large');
      if ((b & 0x80) === 0) break;
    }
  }
  const constructed = (tag & 0x20) !== 0;
  if (pos >= limit) truncated();
  const first = src[pos++] as number;
  if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive value');
    let p = pos;
    for (;;) {
      if (p + 2 > limit) throw new DerError('missing end-of-contents');
      if (src[p] === 0 && src[p + 1] === 0) break;
      p = readTlv(src, p, limit, depth + 1).end;
    }
    return { src, tag, num, cls: tag >> 6, constructed, start: offset, contentStart: pos, contentEnd: p, end: p + 2 };
  }
  let length = first;
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('ASN.1 length too large');
    if (pos + count > limit) truncated();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (src[pos++] as number);
  }
  const contentEnd = pos + length;
  if (contentEnd > limit) throw new DerError('ASN.1 length exceeds the data');
  return { src, tag, num, cls: tag >> 6, constructed, start: offset, contentStart: pos, contentEnd, end: contentEnd };
}

/** Reads `src` as exactly one TLV with nothing after it. */
export function readSingle(src: Uint8Array): Tlv {
  const tlv = readTlv(src);
  if (tlv.end !== src.length) throw new DerError('trailing bytes after the ASN.1 value');
  return tlv;
}

/** The direct children of a constructed TLV. */
export function children(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new DerError(`expected a constructed value, found tag 0x${tlv.tag.toString(16)}`);
  const out: Tlv[] = [];
  for (let p = tlv.contentStart; p < tlv.contentEnd; ) {
    const child = readTlv(tlv.src, p, tlv.contentEnd, 1);
    out.push(child);
    p = child.end;
  }
  return out;
}

/**
 * The direct children of a constructed TLV, refusing more than `max` of them while reading (so a
 * SET of a million empty values costs `max` reads, not a million).
 */
export function childrenAtMost(tlv: Tlv, max: number, what: string): Tlv[] {
  if (!tlv.constructed) throw new DerError(`expected a constructed value, found tag 0x${tlv.tag.toString(16)}`);
  const out: Tlv[] = [];
  for (let p = tlv.contentStart; p < tlv.contentEnd; ) {
    if (out.length === max) throw new LimitError(`${what}: more than ${max}`);
    const child = readTlv(tlv.src, p, tlv.contentEnd, 1);
    out.push(child);
    p = child.end;
  }
  return out;
}

/** A count limit was exceeded (a `DerError`, told apart so callers can say so). */
export class LimitError extends DerError {}

/** Checks the identifier octet and returns the TLV, or throws naming `what`. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) throw new DerError(`missing ${what}`);
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The whole encoding of a TLV (a view, not a copy). */
export function rawBytes(tlv: Tlv): Uint8Array {
  return tlv.src.subarray(tlv.start, tlv.end);
}

/** The content octets; a BER constructed string is concatenated from its segments. */
export function contentBytes(tlv: Tlv, depth = 0): Uint8Array {
  if (!tlv.constructed) return tlv.src.subarray(tlv.contentStart, tlv.contentEnd);
  if (depth > MAX_DEPTH) throw new DerError('ASN.1 nesting too deep');
  const parts = children(tlv).map((c) => contentBytes(c, depth + 1));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Longest OBJECT IDENTIFIER content accepted, in bytes (real OIDs are well under 40). */
export const MAX_OID_BYTES = 64;
const ARC_LIMIT = 1n << 64n;

/**
 * Decodes an OBJECT IDENTIFIER into dotted form.
 *
 * Refuses content longer than {@link MAX_OID_BYTES} and any subidentifier wider than 64 bits, so
 * the work and the text are bounded; the error never quotes the value.
 */
export function readOid(tlv: Tlv | undefined, what = 'object identifier'): string {
  const bytes = contentBytes(expectTag(tlv, 0x06, what));
  if (bytes.length > MAX_OID_BYTES) throw new DerError(`${what}: longer than ${MAX_OID_BYTES} bytes`);
  if (bytes.length === 0 || (bytes[bytes.length - 1] as number) & 0x80) throw new DerError(`${what}: bad encoding`);
  let text = '';
  let value = 0;
  let big: bigint | null = null;
  let first = true;
  for (const b of bytes) {
    // X.690 §8.19.2: a subidentifier is in its shortest form (no leading 0x80 octet)
    if (first && b === 0x80) throw new DerError(`${what}: bad encoding`);
    first = (b & 0x80) === 0;
    if (big === null && value >= 2 ** 45) big = BigInt(value);
    if (big === null) value = value * 128 + (b & 0x7f);
    else {
      big = (big << 7n) | BigInt(b & 0x7f);
      if (big >= ARC_LIMIT) throw new DerError(`${what}: an arc is wider than 64 bits`);
    }
    if ((b & 0x80) !== 0) continue;
    const arc = big ?? value;
    if (text === '') {
      const first = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      text = `${first}.${typeof arc === 'bigint' ? arc - BigInt(first * 40) : arc - first * 40}`;
    } else text += `.${arc}`;
    value = 0;
    big = null;
  }
  return text;
}

/**
 * Longest INTEGER read as a number, in content octets. RFC 5280 §4.1.2.2 caps serial numbers at
 * 20 octets; real certificates exceed it a little, so serials of up to 64 octets are read and
 * longer ones refused before any conversion (a 1 MB serial once cost seconds to print in decimal).
 */
export const MAX_INTEGER_BYTES = 64;

/** Decodes an INTEGER (two's complement) of at most `maxBytes` content octets as a bigint. */
export function readInteger(tlv: Tlv | undefined, what = 'integer', maxBytes = MAX_INTEGER_BYTES): bigint {
  const bytes = contentBytes(expectTag(tlv, 0x02, what));
  if (bytes.length === 0) throw new DerError(`${what}: empty`);
  if (bytes.length > maxBytes) throw new DerError(`${what}: ${bytes.length} octets, more than ${maxBytes}`);
  const magnitude = BigInt(`0x${toHex(bytes)}`);
  return (bytes[0] as number) & 0x80 ? magnitude - (1n << BigInt(bytes.length * 8)) : magnitude;
}

/** Decodes a BOOLEAN. */
export function readBoolean(tlv: Tlv | undefined, what = 'boolean'): boolean {
  const bytes = contentBytes(expectTag(tlv, 0x01, what));
  if (bytes.length !== 1) throw new DerError(`${what}: bad encoding`);
  return bytes[0] !== 0;
}

/** Decodes a BIT STRING into its bytes (unused trailing bits are cleared by the encoder). */
export function readBitString(tlv: Tlv | undefined, what = 'bit string'): Uint8Array {
  const bytes = contentBytes(expectTag(tlv, 0x03, what));
  if (bytes.length === 0 || (bytes[0] as number) > 7) throw new DerError(`${what}: bad encoding`);
  return bytes.subarray(1);
}

/** Longest UTCTime/GeneralizedTime content accepted (`YYYYMMDDHHMMSS.fffffffff+hhmm` is 28). */
const MAX_TIME_BYTES = 32;

/** Decodes a UTCTime or GeneralizedTime as a Date (RFC 5280 §4.1.2.5; offsets tolerated). */
export function readTime(tlv: Tlv | undefined, what = 'time'): Date {
  if (tlv === undefined || (tlv.tag !== 0x17 && tlv.tag !== 0x18)) throw new DerError(`${what}: expected a time`);
  const raw = contentBytes(tlv);
  if (raw.length > MAX_TIME_BYTES) throw new DerError(`${what}: ${raw.length} bytes is too long for a time`);
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})$/.exec(text);
  if (!m || (m[1] as string).length !== (tlv.tag === 0x17 ? 2 : 4)) {
    throw new DerError(`${what}: unreadable time ${JSON.stringify(text)}`);
  }
  let year = Number(m[1]);
  if (tlv.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(year, (month as number) - 1, day);
  date.setUTCHours(hour as number, minute, second, m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0);
  if (date.getUTCMonth() !== (month as number) - 1 || date.getUTCDate() !== day || date.getUTCHours() !== hour ||
    (minute as number) > 59 || (second as number) > 59) {
    throw new DerError(`${what}: invalid date ${JSON.stringify(text)}`);
  }
  const zone = m[8] as string;
  if (zone !== 'Z') {
    const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3))) * 60_000;
    date.setTime(date.getTime() - (zone[0] === '-' ? -offset : offset));
  }
  return date;
}
