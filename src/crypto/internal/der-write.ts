/**
 * The few DER building blocks the SDK writes: a tag-length-value with a definite, minimal length.
 *
 * @module
 */

/** The DER length octets of `length` (short form below 128, else minimal long form). */
export function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** A DER element with tag byte `tag` and the concatenation of `contents`. */
export function tlv(tag: number, contents: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  // A copy with its own ArrayBuffer: small Buffers may live in Node's shared pool.
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag), derLength(body.length), body]));
}
