/**
 * Turns the inputs the public functions accept (DER/BER bytes, PEM, bare base64, or a single
 * MIME entity with headers) into binary ASN.1.
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import { DerError } from './der.js';

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly bytes: Uint8Array;
}

const BEGIN = '-----BEGIN ';
const DASHES = '-----';
const HEADER_LINE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:/;

/** Bytes as a Latin-1 string (one character per byte). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Decodes base64 (whitespace ignored, padding optional); `null` when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** The label of a `-----BEGIN label-----` line whose `BEGIN ` ends at `at`, and where it ends. */
function labelAt(text: string, at: number): { label: string; end: number } | null {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2d || c === 0x0d || c === 0x0a) break;
    i++;
  }
  if (i === at || !text.startsWith(DASHES, i)) return null;
  return { label: text.slice(at, i), end: i + DASHES.length };
}

/**
 * Every PEM block of `text`, in order (RFC 7468; `Name: value` header lines are skipped).
 *
 * Linear in the text: each BEGIN line is matched with one search for its END line; the scan
 * stops at the first BEGIN line that has no END line after it.
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) break;
    const head = labelAt(text, begin + BEGIN.length);
    if (head === null) {
      from = begin + 1;
      continue;
    }
    const endLine = `-----END ${head.label}-----`;
    const end = text.indexOf(endLine, head.end);
    if (end < 0) break;
    const body = text.slice(head.end, end).split(/\r?\n/).filter((line) => !line.includes(':')).join('');
    const bytes = decodeBase64(body);
    if (!bytes) throw new DerError(`PEM block "${shortLabel(head.label)}" is not valid base64`);
    blocks.push({ label: head.label.trim(), bytes });
    from = end + endLine.length;
  }
  return blocks;
}

function shortLabel(label: string): string {
  return label.length > 40 ? `${label.slice(0, 40)}…` : label;
}

/** Base64 of `bytes` in lines of `lineLength` characters joined by `eol` (one line when `lineLength` is 0). */
export function base64Lines(bytes: Uint8Array, lineLength: number, eol: string): string {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  if (lineLength <= 0) return base64;
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += lineLength) lines.push(base64.slice(i, i + lineLength));
  return lines.join(eol);
}

/** PEM text (RFC 7468): `-----BEGIN label-----`, base64 in 64-character lines, `-----END label-----`, `\n` line ends. */
export function toPem(label: string, bytes: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${base64Lines(bytes, 64, '\n')}\n-----END ${label}-----\n`;
}

/** True when the text holds a PEM armour line. */
export function hasPem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

function fromMimeEntity(text: string): Uint8Array {
  const split = /\r?\n\r?\n/.exec(text);
  const headerText = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const headers = new Map<string, string>();
  for (const field of headerText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = field.indexOf(':');
    if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim().toLowerCase());
  }
  const type = headers.get('content-type') ?? '';
  if (type.startsWith('multipart/')) throw new DerError(`a ${type.split(';')[0] as string} entity: pass the PKCS #7 part itself`);
  const encoding = headers.get('content-transfer-encoding') ?? '';
  if (encoding !== 'base64' && body.charCodeAt(0) === 0x30) return new Uint8Array(Buffer.from(body, 'latin1'));
  const bytes = decodeBase64(body);
  if (!bytes) throw new DerError('the MIME body is neither base64 nor binary ASN.1');
  return bytes;
}

/**
 * Binary ASN.1 from bytes that start with a SEQUENCE, a PEM block with one of `labels`, a MIME
 * entity (headers, blank line, base64 or binary body), or bare base64.
 */
export function toAsn1Bytes(input: Uint8Array | string, labels: readonly string[]): Uint8Array {
  if (typeof input !== 'string' && input[0] === 0x30) return input;
  const text = typeof input === 'string' ? input : latin1(input);
  if (hasPem(text)) {
    const blocks = pemBlocks(text).filter((block) => labels.includes(block.label));
    if (blocks.length !== 1) throw new DerError(`expected one PEM block labelled ${labels.join(' or ')}, found ${blocks.length}`);
    return (blocks[0] as PemBlock).bytes;
  }
  const trimmed = text.replace(/^\s+/, '');
  if (HEADER_LINE.test(trimmed)) return fromMimeEntity(trimmed);
  const bytes = decodeBase64(trimmed);
  if (!bytes) throw new DerError('input is neither DER, PEM nor base64');
  return bytes;
}
