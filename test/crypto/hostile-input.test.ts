/**
 * Inputs shaped to make a parser slow or crash: long OIDs, unterminated PEM armour, runs of
 * newlines and of `\HH` escapes in distinguished names. Each must be answered (a value or a
 * CemError with its code) in well under a second; the old code took from 10 s to minutes, or
 * threw a RangeError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificate, readCertificates } from '../../src/crypto/certificate.js';
import { decodeCertsOnly, readCertsOnly } from '../../src/crypto/certs-only.js';
import { getRecipientIdentifiers, getSignerIdentifiers } from '../../src/crypto/cms.js';
import { issuerMatches, parseDistinguishedName } from '../../src/crypto/dn.js';
import { makeCert, makePki, type TestCert } from '../helpers/pki.js';

/** A generous bound: the fixed code answers in milliseconds, the old code in 10 s or more. */
const FAST_MS = 1000;

function timed<T>(fn: () => T): { ms: number; value: T | undefined; error: unknown } {
  const start = performance.now();
  try {
    const value = fn();
    return { ms: performance.now() - start, value, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, value: undefined, error };
  }
}

/** DER length octets. */
function length(n: number): number[] {
  if (n < 0x80) return [n];
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
  return [0x80 | octets.length, ...octets];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([Uint8Array.from([tag, ...length(body.length)]), body]));
}

/** An OBJECT IDENTIFIER TLV with these content octets. */
function oid(content: Uint8Array): Uint8Array {
  return tlv(0x06, content);
}

/** OID content of `size` bytes: `1.2` then arcs of 0xff…0x7f (one huge arc). */
function hugeOidContent(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0xff);
  bytes[0] = 0x2a;
  bytes[size - 1] = 0x7f;
  return bytes;
}

/** DER content octets of a dotted OID (arcs as bigints, base 128). */
function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(BigInt);
  const subs = [(arcs[0] as bigint) * 40n + (arcs[1] as bigint), ...arcs.slice(2)];
  const out: number[] = [];
  for (const sub of subs) {
    const groups: number[] = [];
    let v = sub;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return Uint8Array.from(out);
}

/** A ContentInfo with this content-type OID and an empty SEQUENCE as content. */
function contentInfo(typeOid: Uint8Array): Uint8Array {
  return tlv(0x30, typeOid, tlv(0xa0, tlv(0x30)));
}

/** The direct children of a DER SEQUENCE, as raw encodings (definite lengths only). */
function sequenceChildren(der: Uint8Array): Uint8Array[] {
  const header = (at: number): { start: number; end: number } => {
    const first = der[at + 1] as number;
    let len = first;
    let start = at + 2;
    if (first > 0x80) {
      len = 0;
      for (let i = 0; i < (first & 0x7f); i++) len = len * 256 + (der[start + i] as number);
      start += first & 0x7f;
    }
    return { start, end: start + len };
  };
  const outer = header(0);
  const out: Uint8Array[] = [];
  for (let at = outer.start; at < outer.end; ) {
    const end = header(at).end;
    out.push(der.subarray(at, end));
    at = end;
  }
  return out;
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code;

let leaf: TestCert;
let wideArc: TestCert;
let longOid: TestCert;

const ARC_64 = ((1n << 64n) - 1n).toString();
/** `1.3` (one byte) and 63 one-byte arcs: 64 content bytes. */
const OID_64_BYTES = `1.3${'.1'.repeat(63)}`;

beforeAll(() => {
  const pki = makePki('Hostile');
  leaf = pki.leaf({ bits: 1024 });
  wideArc = makeCert({ subject: '/CN=wide.test/wide=w', newOids: { wide: `1.2.3.${ARC_64}` }, keyFrom: leaf });
  longOid = makeCert({ subject: '/CN=long.test/longOid=l', newOids: { longOid: OID_64_BYTES }, keyFrom: leaf });
});

describe('object identifiers', () => {
  it('refuses a 160 000-byte content-type OID with CEM_PKCS7_INVALID in well under a second, without quoting it', () => {
    const der = contentInfo(oid(hugeOidContent(160_000)));
    for (const read of [decodeCertsOnly, readCertsOnly]) {
      const run = timed(() => read(der));
      expect(codeOf(run.error)).toBe('CEM_PKCS7_INVALID');
      expect(run.ms).toBeLessThan(FAST_MS);
      expect((run.error as Error).message.length).toBeLessThan(300);
    }
  });

  it('refuses a 160 000-byte content-type OID in CMS with CEM_CMS_INVALID in well under a second', () => {
    const der = contentInfo(oid(hugeOidContent(160_000)));
    for (const read of [getSignerIdentifiers, getRecipientIdentifiers]) {
      const run = timed(() => read(der));
      expect(codeOf(run.error)).toBe('CEM_CMS_INVALID');
      expect(run.ms).toBeLessThan(FAST_MS);
    }
  });

  it('refuses a certificate whose signature algorithm OID is 160 000 bytes with CEM_CERT_INVALID in well under a second', () => {
    const [tbs, , signature] = sequenceChildren(leaf.der) as [Uint8Array, Uint8Array, Uint8Array];
    const forged = tlv(0x30, tbs, tlv(0x30, oid(hugeOidContent(160_000)), Uint8Array.of(0x05, 0x00)), signature);
    const run = timed(() => readCertificate(forged));
    expect(codeOf(run.error)).toBe('CEM_CERT_INVALID');
    expect(run.ms).toBeLessThan(FAST_MS);
    expect((run.error as Error).message.length).toBeLessThan(300);
  });

  it('refuses a certificate with a 200 000-byte notBefore time with CEM_CERT_INVALID (no stack overflow)', () => {
    const [tbs, algorithm, signature] = sequenceChildren(leaf.der) as [Uint8Array, Uint8Array, Uint8Array];
    const fields = sequenceChildren(tbs);
    const validity = fields.findIndex((f) => f[0] === 0x30 && sequenceChildren(f).every((t) => t[0] === 0x17 || t[0] === 0x18));
    expect(validity).toBeGreaterThan(0);
    const [, notAfter] = sequenceChildren(fields[validity] as Uint8Array) as [Uint8Array, Uint8Array];
    fields[validity] = tlv(0x30, tlv(0x17, new Uint8Array(200_000).fill(0x30)), notAfter);
    const run = timed(() => readCertificate(tlv(0x30, tlv(0x30, ...fields), algorithm, signature)));
    expect(codeOf(run.error)).toBe('CEM_CERT_INVALID');
    expect((run.error as Error).cause).not.toBeInstanceOf(RangeError);
    expect((run.error as Error).message.length).toBeLessThan(300);
  });

  it('reads an OID of 64 content bytes and an arc of 64 bits (openssl-made names)', () => {
    const wide = readCertificate(wideArc.der).subjectRdns.flat().find((a) => a.value === 'w');
    expect(wide?.oid).toBe(`1.2.3.${ARC_64}`);
    expect(encodeOid(OID_64_BYTES)).toHaveLength(64);
    const long = readCertificate(longOid.der).subjectRdns.flat().find((a) => a.value === 'l');
    expect(long?.oid).toBe(OID_64_BYTES);
  });

  it('refuses an OID of 65 content bytes and an arc wider than 64 bits with CEM_PKCS7_INVALID', () => {
    for (const dotted of [`${OID_64_BYTES}.1`, `1.2.3.${(1n << 64n).toString()}`]) {
      const run = timed(() => decodeCertsOnly(contentInfo(oid(encodeOid(dotted)))));
      expect(codeOf(run.error)).toBe('CEM_PKCS7_INVALID');
      expect((run.error as Error).message).not.toContain(dotted);
    }
  });
});

describe('PEM armour', () => {
  const unterminated = '-----BEGIN A-----\n'.repeat(50_000);

  it('answers 50 000 BEGIN lines without END lines in well under a second', () => {
    for (const [read, code] of [
      [readCertificates, 'CEM_CERT_INVALID'],
      [readCertificate, 'CEM_CERT_INVALID'],
      [decodeCertsOnly, 'CEM_PKCS7_INVALID'],
      [getSignerIdentifiers, 'CEM_CMS_INVALID'],
    ] as const) {
      const run = timed(() => read(unterminated));
      expect(codeOf(run.error)).toBe(code);
      expect(run.ms).toBeLessThan(FAST_MS);
    }
  });

  it('still reads the certificates of a bundle followed by an unterminated BEGIN line', () => {
    const text = `${leaf.pem}${leaf.issuer?.pem ?? ''}-----BEGIN TRAILER-----\nAAAA\n`;
    expect(readCertificates(text).map((c) => c.sha256)).toEqual(
      [leaf, leaf.issuer as TestCert].map((c) => readCertificate(c.der).sha256),
    );
  });

  it('skips blocks of other labels between certificates, as before', () => {
    const text = `-----BEGIN NOTE-----\nAAAA\n-----END NOTE-----\n${leaf.pem}`;
    expect(readCertificates(text)).toHaveLength(1);
  });
});

describe('distinguished names', () => {
  it('parses a value holding 60 000 newlines in well under a second', () => {
    const text = `CN=a${'\n'.repeat(60_000)}b`;
    const run = timed(() => parseDistinguishedName(text));
    expect(run.error).toBeUndefined();
    expect(run.ms).toBeLessThan(FAST_MS);
    expect(run.value?.flat().map((a) => a.value.length)).toEqual([text.length - 3]);
  });

  it('parses runs of mixed whitespace after separators in well under a second', () => {
    for (const text of [`CN=a${'\r\n\t'.repeat(21_000)}b`, `CN=a${',\u00a0\n'.repeat(21_000)}b`, `CN=a${'\n\f'.repeat(32_000)}b`]) {
      const run = timed(() => parseDistinguishedName(text));
      expect(run.error).toBeUndefined();
      expect(run.ms).toBeLessThan(FAST_MS);
    }
    // longer than any real name (64 KiB): refused before parsing
    expect((timed(() => parseDistinguishedName(`CN=a${'\r\n\t'.repeat(30_000)}b`)).error as { code?: string }).code).toBe('CEM_DN_INVALID');
  });

  it('still separates on a newline or comma followed by whitespace and type=', () => {
    expect(parseDistinguishedName('CN=a\n\n\n O=b').map((rdn) => rdn[0]?.value)).toEqual(['a', 'b']);
    expect(parseDistinguishedName('CN=a,\u00a0O=b').map((rdn) => rdn[0]?.value)).toEqual(['a', 'b']);
  });

  it('reads 21 000 \\HH escapes that are not UTF-8 as Latin-1, and refuses 200 000 (over the 64 KiB cap) with CEM_DN_INVALID', () => {
    const run = timed(() => parseDistinguishedName(`CN=${'\\ff'.repeat(21_000)}`));
    expect(run.error).toBeUndefined();
    expect(run.value?.[0]?.[0]?.value).toBe('\u00ff'.repeat(21_000));
    expect((timed(() => parseDistinguishedName(`CN=${'\\ff'.repeat(200_000)}`)).error as { code?: string }).code).toBe('CEM_DN_INVALID');
  });

  it('reads many short runs of invalid UTF-8 in linear time (no exception per run)', () => {
    // 12,000 runs `\E2` each followed by text: each run once cost a caught TypeError
    const text = `CN=${'\\E2N='.repeat(12_000)}`;
    const run = timed(() => parseDistinguishedName(text));
    expect(run.error).toBeUndefined();
    expect(run.value?.[0]?.[0]?.value).toBe('\u00e2N='.repeat(12_000));
  });

  it('answers issuerMatches false (no throw) for such a wire issuer', () => {
    const cert = readCertificate(leaf.der);
    expect(issuerMatches(`CN=${'\\ff'.repeat(200_000)}`, cert)).toBe(false);
  });
});
