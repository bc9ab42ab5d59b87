/**
 * Small DER tools for tests that build hostile or mutated certificates: encode a TLV, split a
 * definite-length SEQUENCE into its children, rebuild a certificate with edited parts. Written
 * independently of the reader under test (src/crypto/internal/der.ts).
 */

/** DER length octets of `n`. */
export function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
  return [0x80 | octets.length, ...octets];
}

/** A TLV with a definite length. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const head = Uint8Array.from([tag, ...encodeLength(length)]);
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One node of definite-length DER starting at `at` (single-byte tags only). */
export function node(der: Uint8Array, at = 0): { tag: number; contentStart: number; end: number } {
  const first = der[at + 1] as number;
  let length = first;
  let contentStart = at + 2;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[at + 2 + i] as number);
    contentStart += first & 0x7f;
  }
  return { tag: der[at] as number, contentStart, end: contentStart + length };
}

/** The raw encodings of the children of the constructed node at `at`. */
export function childrenOf(der: Uint8Array, at = 0): Uint8Array[] {
  const { contentStart, end } = node(der, at);
  const out: Uint8Array[] = [];
  for (let p = contentStart; p < end; ) {
    const child = node(der, p);
    out.push(der.slice(p, child.end));
    p = child.end;
  }
  return out;
}

/** The content octets of the node `der` (one whole TLV). */
export function contentOf(der: Uint8Array): Uint8Array {
  const { contentStart, end } = node(der);
  return der.slice(contentStart, end);
}

/** The three parts of a certificate: tbsCertificate, signatureAlgorithm, signatureValue. */
export function certParts(der: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const [tbs, alg, sig] = childrenOf(der);
  return [tbs as Uint8Array, alg as Uint8Array, sig as Uint8Array];
}

/** A certificate rebuilt from parts. */
export function certFrom(tbs: Uint8Array, alg: Uint8Array, sig: Uint8Array): Uint8Array {
  return tlv(0x30, tbs, alg, sig);
}

/** tbsCertificate fields (version [0] first when present). */
export function tbsFields(tbs: Uint8Array): Uint8Array[] {
  return childrenOf(tbs);
}

/** Index of the serialNumber field in tbs fields. */
export function serialIndex(fields: readonly Uint8Array[]): number {
  return (fields[0] as Uint8Array)[0] === 0xa0 ? 1 : 0;
}

/** A certificate with its tbsCertificate fields edited by `edit` (the signature is kept, so it no longer verifies). */
export function editTbs(der: Uint8Array, edit: (fields: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const [tbs, alg, sig] = certParts(der);
  return certFrom(tlv(0x30, ...edit(tbsFields(tbs))), alg, sig);
}

/** A certificate whose serialNumber INTEGER has these content octets. */
export function withSerialContent(der: Uint8Array, content: Uint8Array): Uint8Array {
  return editTbs(der, (fields) => {
    fields[serialIndex(fields)] = tlv(0x02, content);
    return fields;
  });
}
