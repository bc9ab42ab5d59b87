/**
 * The safety gate in front of the XML parser: size cap, DOCTYPE/ENTITY refusal, byte decoding.
 *
 * Order matters: the size is checked first (nothing is looked at beyond the cap), then any
 * `<!DOCTYPE` / `<!ENTITY` is refused before a single tag is parsed, so no entity is ever
 * declared, let alone expanded.
 *
 * @module
 */
import { CemArgumentError, CemXmlError } from '../../errors.js';

/** Default cap on a CEM XML document: 1 MiB. */
export const DEFAULT_XML_MAX_BYTES = 1024 * 1024;

const DTD_MARKUP = /<!\s*(?:DOCTYPE|ENTITY)/i;
const ENCODING_DECL = /^<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/;

/**
 * Turns the caller's input into checked text: within `maxBytes`, without DTD markup, decoded
 * (bytes: UTF-16 after a UTF-16 byte order mark, else UTF-8 unless the declaration names
 * ISO-8859-1 or US-ASCII), without a BOM.
 */
export function readXmlInput(xml: string | Uint8Array, maxBytes: number | undefined): string {
  const cap = checkedCap(maxBytes);
  if (typeof xml === 'string') {
    if (xml.length > cap || Buffer.byteLength(xml, 'utf8') > cap) throw tooLarge(cap);
    refuseDtd(xml);
    return xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  }
  if (!(xml instanceof Uint8Array)) {
    throw new CemXmlError('CEM_XML_MALFORMED', 'CEM XML must be a string or a Uint8Array');
  }
  if (xml.byteLength > cap) throw tooLarge(cap);
  const bytes = xml;
  const utf16 = utf16Encoding(bytes);
  if (utf16 !== null) {
    // Not ASCII-compatible: decode first, then look for DTD markup in the text.
    const text = decodeUtf16(bytes, utf16);
    refuseDtd(text);
    return text;
  }
  // Every supported encoding is ASCII-compatible, so the markup can be looked for byte-wise.
  refuseDtd(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  return decodeBytes(bytes);
}

function checkedCap(maxBytes: number | undefined): number {
  if (maxBytes === undefined) return DEFAULT_XML_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new CemArgumentError('maxBytes must be a positive integer');
  }
  return maxBytes;
}

function refuseDtd(text: string): void {
  if (DTD_MARKUP.test(text)) {
    throw new CemXmlError(
      'CEM_XML_DOCTYPE',
      'CEM XML must not contain a DOCTYPE or ENTITY declaration (refused before parsing)',
    );
  }
}

/** A UTF-16 byte order. */
export type Utf16 = 'utf-16le' | 'utf-16be';

/** The UTF-16 byte order of bytes that start with a UTF-16 byte order mark (not a UTF-32 one). */
export function utf16Encoding(bytes: Uint8Array): Utf16 | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe && !(bytes[2] === 0x00 && bytes[3] === 0x00)) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * UTF-16 text after its byte order mark (XML 1.0 §4.3.3: every processor reads UTF-16, and
 * UTF-16 entities begin with a byte order mark). An encoding declaration, if any, must name UTF-16.
 */
function decodeUtf16(bytes: Uint8Array, encoding: Utf16): string {
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CemXmlError('CEM_XML_MALFORMED', `CEM XML bytes are not valid ${encoding.toUpperCase()}`, { cause });
  }
  const declared = ENCODING_DECL.exec(text.slice(0, 200))?.[2]?.toLowerCase();
  if (declared !== undefined && declared !== 'utf-16' && declared !== encoding) {
    throw new CemXmlError('CEM_XML_MALFORMED', `a ${encoding.toUpperCase()} byte order mark contradicts encoding="${declared}"`);
  }
  return text;
}

function decodeBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe || bytes[0] === 0xff || bytes[0] === 0x00 || (bytes.length > 1 && bytes[1] === 0x00)) {
    throw new CemXmlError(
      'CEM_XML_MALFORMED',
      'CEM XML is read as UTF-8, UTF-16 with a byte order mark, ISO-8859-1 or US-ASCII; UTF-32 and UTF-16 without a byte order mark are not',
    );
  }
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  const head = Buffer.from(body.subarray(0, 200)).toString('latin1');
  const declared = ENCODING_DECL.exec(head)?.[2]?.toLowerCase();
  const encoding = hasBom ? 'utf-8' : normaliseEncoding(declared);
  if (hasBom && declared !== undefined && normaliseEncoding(declared) !== 'utf-8') {
    throw new CemXmlError('CEM_XML_MALFORMED', `a UTF-8 BOM contradicts encoding="${declared}"`);
  }
  if (encoding === 'us-ascii') {
    const bad = body.findIndex((byte) => byte > 0x7f);
    if (bad >= 0) throw new CemXmlError('CEM_XML_MALFORMED', `byte ${bad} is not US-ASCII`);
    return Buffer.from(body).toString('latin1');
  }
  if (encoding === 'iso-8859-1') return Buffer.from(body).toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch (cause) {
    throw new CemXmlError('CEM_XML_MALFORMED', 'CEM XML bytes are not valid UTF-8', { cause });
  }
}

function normaliseEncoding(declared: string | undefined): 'utf-8' | 'iso-8859-1' | 'us-ascii' {
  switch (declared) {
    case undefined:
    case 'utf-8':
    case 'utf8':
      return 'utf-8';
    case 'iso-8859-1':
    case 'iso8859-1':
    case 'latin1':
    case 'latin-1':
      return 'iso-8859-1';
    case 'us-ascii':
    case 'ascii':
      return 'us-ascii';
    default:
      throw new CemXmlError('CEM_XML_MALFORMED', `unsupported XML encoding "${declared}"`);
  }
}

function tooLarge(cap: number): CemXmlError {
  return new CemXmlError('CEM_XML_TOO_LARGE', `CEM XML is larger than ${cap} bytes`);
}
