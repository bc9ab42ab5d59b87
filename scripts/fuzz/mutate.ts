/**
 * Deterministic mutations of parser inputs for the in-repo fuzzer: bit flips, interesting bytes
 * and tokens, insertions, deletions, duplicated and repeated ranges (to look for worse-than-linear
 * work), truncation and splicing with another seed.
 *
 * @module
 */

import { concatBytes } from '../../src/messages/mime/internal/bytes.js';

/** Mulberry32: a small, fast, deterministic PRNG returning numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Largest input a mutation may produce. */
export const MAX_INPUT_BYTES = 1 << 20;

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x1f, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xa0, 0xa3, 0xff,
  ...'&<>;=,+\\"#:\r\n \t-./?%'.split('').map((c) => c.charCodeAt(0))];

const encoder = new TextEncoder();
const TOKENS = [
  '&amp;', '&#x', '&#0000000000041;', '&foo;', '&', '<![CDATA[', ']]>', '<!DOCTYPE x [<!ENTITY a "b">]>', '<?xml version="1.0"?>', '<?a:b?>', '<!--', '--', '-->',
  'xmlns:1="u"', 'xmlns=""', 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"', '</', '/>', '"', "'",
  '\r\n\r\n', '\n\n', '--b', '--b--', 'Content-Type: multipart/related; boundary=b\r\n', 'Content-Transfer-Encoding: base64\r\n', 'Content-ID: <x>\r\n',
  'boundary=', 'type=', '; ', '=?utf-8?B?', '\\', '\\2C', '+', '#04', '#', '0x', '-', '+14:00', 'Z', '.123456789', 'T', '9999',
  'CN=', 'E=', 'OID.2.5.4.3=', ',', 'CEM', 'multiple-attachments', 'application/ediint-cert-exchange+xml',
  '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n', '-----BEGIN PKCS7-----\n', '====',
].map((t) => encoder.encode(t));

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** One mutation of `input`; `other` is another seed of the same target, for splicing. */
export function mutateOnce(input: Uint8Array, other: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const at = pick(input.length + 1);
  switch (pick(10)) {
    case 0: {
      if (input.length === 0) return input;
      const out = input.slice();
      const i = pick(out.length);
      out[i] = (out[i] as number) ^ (1 << pick(8));
      return out;
    }
    case 1: {
      if (input.length === 0) return input;
      const out = input.slice();
      out[pick(out.length)] = pick(2) === 0 ? pick(256) : (INTERESTING_BYTES[pick(INTERESTING_BYTES.length)] as number);
      return out;
    }
    case 2:
      return concat(input.subarray(0, at), Uint8Array.from({ length: 1 + pick(8) }, () => pick(256)), input.subarray(at));
    case 3:
      return concat(input.subarray(0, at), TOKENS[pick(TOKENS.length)] as Uint8Array, input.subarray(at));
    case 4:
      return concat(input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + pick(16))));
    case 5: {
      const slice = input.subarray(at, at + 1 + pick(64));
      return concat(input.subarray(0, at), slice, input.subarray(at));
    }
    case 6: {
      // a range repeated many times: looks for work that grows faster than the input
      const slice = input.subarray(at, at + 1 + pick(32));
      const times = Math.min(1 + pick(4000), Math.floor((MAX_INPUT_BYTES - input.length) / Math.max(1, slice.length)));
      if (slice.length === 0 || times <= 0) return input;
      const repeated = new Uint8Array(slice.length * times);
      for (let k = 0; k < times; k++) repeated.set(slice, k * slice.length);
      return concat(input.subarray(0, at), repeated, input.subarray(at));
    }
    case 7:
      return input.subarray(0, at);
    case 8: {
      const from = pick(other.length + 1);
      return concat(input.subarray(0, at), other.subarray(from, from + 1 + pick(256)), input.subarray(at));
    }
    default: {
      const token = TOKENS[pick(TOKENS.length)] as Uint8Array;
      const end = Math.min(input.length, at + token.length);
      return concat(input.subarray(0, at), token, input.subarray(end));
    }
  }
}

/** 1 to 4 mutations of a seed, capped at {@link MAX_INPUT_BYTES}. */
export function mutate(seed: Uint8Array, other: Uint8Array, random: () => number): Uint8Array {
  let out = seed;
  const rounds = 1 + Math.floor(random() * 4);
  for (let r = 0; r < rounds; r++) out = mutateOnce(out, other, random);
  return out.length > MAX_INPUT_BYTES ? out.subarray(0, MAX_INPUT_BYTES) : out;
}
