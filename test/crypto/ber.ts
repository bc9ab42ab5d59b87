/**
 * Re-encodes the outer layers of a DER structure with BER indefinite lengths, the way streaming
 * CMS producers write them, leaving the nodes below `keepBelow` levels untouched.
 */
function header(bytes: Uint8Array, at: number): { tagEnd: number; contentStart: number; length: number } {
  let p = at + 1;
  if (((bytes[at] as number) & 0x1f) === 0x1f) while (((bytes[p++] as number) & 0x80) !== 0);
  const tagEnd = p;
  const first = bytes[p++] as number;
  let length = first;
  if (first > 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (bytes[p++] as number);
  }
  return { tagEnd, contentStart: p, length };
}

/** `depth` levels of constructed nodes get indefinite lengths (00 00 terminated). */
export function toIndefinite(der: Uint8Array, depth: number): Uint8Array {
  const out: number[] = [];
  const walk = (at: number, end: number, level: number): void => {
    while (at < end) {
      const { tagEnd, contentStart, length } = header(der, at);
      const next = contentStart + length;
      const constructed = ((der[at] as number) & 0x20) !== 0;
      if (constructed && level < depth) {
        out.push(...der.subarray(at, tagEnd), 0x80);
        walk(contentStart, next, level + 1);
        out.push(0, 0);
      } else {
        out.push(...der.subarray(at, next));
      }
      at = next;
    }
  };
  walk(0, der.length, 0);
  return Uint8Array.from(out);
}
