/**
 * The files the `cem` command reads: what kind of file some bytes are, CEM messages (a MIME
 * entity, a multipart body saved without its headers, bare CEM XML in UTF-8 or UTF-16) and
 * certificate files (PEM certificate lists, PKCS#7 bundles in DER, PEM or base64).
 *
 * @module
 */
import { readCertificate, readCertificates, type CertificateInfo } from '../crypto/certificate.js';
import { decodeCertsOnly } from '../crypto/certs-only.js';
import { decodeBase64, latin1 } from '../crypto/internal/input.js';
import { CemCryptoError, CemMimeError, isCemError, type CemMimeErrorCode } from '../errors.js';
import { utf16Encoding } from '../messages/xml/xml-input.js';
import { parseCemDocument, type CemDocument } from '../messages/document-xml.js';
import { parseCemEntity } from '../messages/entity/parse.js';
import type { CemEntityCertificate, ParsedCemEntity } from '../messages/entity/types.js';

/**
 * What kind of file the bytes look like: CEM XML, PEM, DER, a MIME entity with headers, a
 * multipart body without headers (its first line is a `--boundary` line), or base64 (anything
 * else: the last guess).
 */
export type FileKind = 'xml' | 'pem' | 'der' | 'mime' | 'multipart-body' | 'base64';

function isUtf32Bom(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  return (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) || (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff);
}

/**
 * Text saved as UTF-16 with a byte order mark (as Windows editors do) as UTF-8 bytes, so PEM and
 * base64 files read as usual; XML stays as it is (the XML reader decodes UTF-16 itself) and so
 * does every other file.
 */
function asUtf8Text(bytes: Uint8Array): Uint8Array {
  const utf16 = utf16Encoding(bytes);
  if (utf16 === null) return bytes;
  const text = new TextDecoder(utf16).decode(bytes);
  if (text.trimStart().startsWith('<')) return bytes;
  return new TextEncoder().encode(text);
}

const MIME_HEADER = /^[A-Za-z0-9-]+[ \t]*:/;

/** Sniffs the kind of `bytes` from its first characters (UTF-16 text is looked at decoded). */
export function sniffFileKind(bytes: Uint8Array): FileKind {
  if (utf16Encoding(bytes) !== null) {
    const text = asUtf8Text(bytes);
    return text === bytes ? 'xml' : sniffFileKind(text);
  }
  if (isUtf32Bom(bytes)) return 'xml'; // the XML reader names the encoding it does not read
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  if (bytes[i] === 0x30) return 'der';
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i += 1;
  const head = latin1(bytes.subarray(i, i + 200));
  if (head.startsWith('<')) return 'xml';
  if (head.startsWith('-----BEGIN')) return 'pem';
  if (head.startsWith('--')) return 'multipart-body';
  if (MIME_HEADER.test(head)) return 'mime';
  return 'base64';
}

/** A CEM message read from a file. */
export interface CemFile {
  readonly document: CemDocument;
  /** The certs-only parts of a Request entity; `null` for bare XML and for Responses. */
  readonly certificates: readonly CemEntityCertificate[] | null;
  /** Something the reader had to assume, worth telling the user; `null` when nothing. */
  readonly note: string | null;
}

/** RFC 2046 §5.1.1 `boundary`: 1 to 70 of these characters, not ending with a space. */
const BOUNDARY_LINE = /^--([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])[ \t]*\r?$/;

/** The boundary of a multipart body saved without its headers, from its first line. */
function headerlessBoundary(bytes: Uint8Array): string {
  const text = latin1(bytes.subarray(0, 1000)).replace(/^[\s]+/, '');
  const line = text.split('\n', 1)[0] as string;
  const m = BOUNDARY_LINE.exec(line);
  if (m === null) {
    throw new CemMimeError(
      'CEM_MIME_MALFORMED',
      'the file has no MIME headers and its first line is not a multipart boundary line (--boundary); save the entity with its Content-Type header',
    );
  }
  return m[1] as string;
}

function fromEntity(parsed: ParsedCemEntity, note: string | null): CemFile {
  return parsed.kind === 'request'
    ? { document: { kind: 'request', request: parsed.request }, certificates: parsed.certificates, note }
    : { document: { kind: 'response', response: parsed.response }, certificates: null, note };
}

/**
 * Reads a multipart body saved without its MIME headers (an AS2 HTTP body, whose Content-Type
 * travelled as an HTTP header) as `multipart/related` with the boundary of its first line.
 * Without the header, its `type` and `start` parameters cannot be checked: the note says so, and
 * every MIME error says the headers are missing.
 */
function readHeaderlessMultipart(bytes: Uint8Array): CemFile {
  const boundary = headerlessBoundary(bytes);
  const assumed = `the file has no MIME headers; it was read as multipart/related with the boundary "${boundary}" of its first line`;
  try {
    return fromEntity(parseCemEntity({ contentType: `multipart/related; boundary="${boundary}"`, body: bytes }), `${assumed} (its type and start parameters were not checked)`);
  } catch (e) {
    if (isCemError(e) && e.code.startsWith('CEM_MIME_')) throw new CemMimeError(e.code as CemMimeErrorCode, `${e.message} (${assumed})`, { cause: e });
    throw e;
  }
}

/**
 * Reads a CEM message file: a MIME entity with its headers, a multipart body without them, or
 * bare CEM XML (UTF-8, ISO-8859-1, US-ASCII or UTF-16 with a byte order mark).
 *
 * @throws CemError every code of `parseCemEntity` and `parseCemDocument`; `CEM_MIME_NOT_CEM`
 *   for a certificate, PKCS#7 or unrecognised file.
 */
export function readCemFile(bytes: Uint8Array): CemFile {
  const kind = sniffFileKind(bytes);
  switch (kind) {
    case 'xml':
      return { document: parseCemDocument(bytes), certificates: null, note: null };
    case 'mime':
      return fromEntity(parseCemEntity(bytes), null);
    case 'multipart-body':
      return readHeaderlessMultipart(bytes);
    case 'pem':
    case 'der':
    case 'base64':
      throw new CemMimeError('CEM_MIME_NOT_CEM', `the file holds ${kind === 'base64' ? 'neither MIME nor XML' : `${kind.toUpperCase()} data`}, not a CEM message`);
  }
}

/** True when DER/BER bytes are a ContentInfo (SEQUENCE whose first element is an OID), not a certificate. */
function isContentInfo(der: Uint8Array): boolean {
  if (der[0] !== 0x30 || der.length < 3) return false;
  const length = der[1] as number;
  const offset = length <= 0x80 ? 2 : 2 + (length & 0x7f);
  return der[offset] === 0x06;
}

function fromPkcs7(input: Uint8Array | string): CertificateInfo[] {
  return decodeCertsOnly(input).map((der) => readCertificate(der));
}

/**
 * The certificates of a certificate file, in file order: PEM certificates (one or a list), a
 * PKCS#7 certs-only bundle (`.p7c`/`.p7b`: DER, BER, PEM labelled PKCS7 or CMS, base64, or a saved
 * `application/pkcs7-mime` entity), a DER certificate or concatenated DER certificates, or one
 * certificate in base64. Text saved as UTF-16 with a byte order mark is read too.
 *
 * @throws CemCryptoError `CEM_CERT_INVALID` (no certificate, an unreadable one, or a CEM message
 *   given as a certificate file), `CEM_PKCS7_INVALID` (an unreadable PKCS#7 bundle).
 */
export function readCertificateFile(input: Uint8Array): CertificateInfo[] {
  const bytes = asUtf8Text(input);
  const kind = sniffFileKind(bytes);
  switch (kind) {
    case 'pem': {
      const text = new TextDecoder().decode(bytes);
      if (/-----BEGIN (PKCS7|CMS)-----/.test(text)) return fromPkcs7(text);
      if (!/-----BEGIN (X509 )?CERTIFICATE-----/.test(text)) {
        const labels = [...new Set([...text.matchAll(/-----BEGIN ([A-Z0-9 ]{1,40})-----/g)].map((m) => m[1]))];
        throw new CemCryptoError('CEM_CERT_INVALID', `no certificate found: the file holds ${labels.length > 0 ? `PEM ${labels.join(', ')}` : 'no PEM block'}, not a CERTIFICATE or PKCS7 block`);
      }
      return readCertificates(text);
    }
    case 'der':
      return isContentInfo(bytes) ? fromPkcs7(bytes) : readCertificates(bytes);
    case 'mime':
      return fromPkcs7(bytes);
    case 'base64': {
      const text = latin1(bytes);
      const der = decodeBase64(text.replace(/^\xEF\xBB\xBF/, ''));
      if (der === null) {
        throw new CemCryptoError('CEM_CERT_INVALID', 'not a certificate or PKCS#7 file: neither PEM, DER nor base64');
      }
      return isContentInfo(der) ? fromPkcs7(der) : readCertificates(der);
    }
    case 'xml':
    case 'multipart-body':
      throw new CemCryptoError('CEM_CERT_INVALID', `not a certificate or PKCS#7 file: it holds ${kind === 'xml' ? 'XML' : 'a multipart body'}`);
  }
}
