/**
 * The DER rules (X.690 §10) a certificate must follow, checked in one pass over its TLV tree
 * (RFC 5280 §4.1: certificates are DER; the signature covers the DER bytes, so a reader that
 * accepts other encodings would show values a strict verifier never sees). Primitive contents
 * are not decoded here, so the pass stays cheap: a few hundred header reads per certificate.
 *
 * @module
 */
import { DerError, readTlv, type Tlv } from './der.js';

const MAX_DEPTH = 48;

function checkHeader(t: Tlv): void {
  const src = t.src;
  if (t.end !== t.contentEnd) throw new DerError('an indefinite length (not DER)');
  let p = t.start + 1;
  if (((src[t.start] as number) & 0x1f) === 0x1f) {
    if (src[p] === 0x80 || t.num < 31) throw new DerError('a tag number not in its shortest form (not DER)');
    while (((src[p] as number) & 0x80) !== 0) p++;
    p++;
  }
  const first = src[p] as number;
  if ((first & 0x80) !== 0) {
    const lead = src[p + 1] as number;
    if (lead === 0 || ((first & 0x7f) === 1 && lead < 0x80)) throw new DerError('a length not in its shortest form (not DER)');
  }
  if (t.cls === 0) {
    if (t.num === 0) throw new DerError('a value with the reserved tag 0 (end-of-contents)');
    if (t.constructed && t.num !== 16 && t.num !== 17) throw new DerError(`a constructed universal value with tag ${t.num} (not DER)`);
    const length = t.contentEnd - t.contentStart;
    if (t.num === 5 && length !== 0) throw new DerError('a NULL with content');
    if (t.num === 1 && (length !== 1 || (src[t.contentStart] !== 0 && src[t.contentStart] !== 0xff))) throw new DerError('a BOOLEAN that is not 00 or FF (not DER)');
    if (t.num === 2 && length > 1) {
      const a = src[t.contentStart] as number;
      const b = src[t.contentStart + 1] as number;
      if ((a === 0 && b < 0x80) || (a === 0xff && b >= 0x80)) throw new DerError('an INTEGER not in its shortest form (not DER)');
    }
  }
}

/** Checks `tlv` and everything inside it; throws `DerError` at the first encoding DER forbids. */
export function assertDer(tlv: Tlv): void {
  const stack: { tlv: Tlv; depth: number }[] = [{ tlv, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    checkHeader(item.tlv);
    if (!item.tlv.constructed) continue;
    if (item.depth >= MAX_DEPTH) throw new DerError('ASN.1 nesting too deep');
    for (let p = item.tlv.contentStart; p < item.tlv.contentEnd; ) {
      const child = readTlv(item.tlv.src, p, item.tlv.contentEnd, item.depth + 1);
      stack.push({ tlv: child, depth: item.depth + 1 });
      p = child.end;
    }
  }
}
