/**
 * The small amount of MIME the AS2 adapter writes and reads itself: entities as exact bytes
 * (a signature covers the first body part byte for byte), `multipart/signed` (RFC 8551 §3.5.3)
 * and `application/pkcs7-mime` wrappers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { CemMimeError } from '../../errors.js';
import { concatBytes, utf8 } from '../../messages/mime/internal/bytes.js';
import { parseHeaderBlock } from '../../messages/mime/internal/header-block.js';
import { splitMultipart } from '../../messages/mime/internal/multipart.js';
import { decodeTransferEncoding, encodeBase64Lines } from '../../messages/mime/internal/transfer-encoding.js';
import { parseMediaType } from '../../messages/mime/media-type.js';
import type { MediaType, MimeHeader } from '../../messages/mime/types.js';

/** An entity split into its header fields and its body (a view, still transfer-encoded). */
export interface SplitEntity {
  readonly headers: readonly MimeHeader[];
  readonly contentType: MediaType | null;
  /** The raw body bytes as they follow the empty line. */
  readonly rawBody: Uint8Array;
  /** The body decoded per its Content-Transfer-Encoding. */
  body(): Uint8Array;
}

/** The value of the first header field named `name` (case-insensitive). */
export function header(headers: readonly MimeHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Splits an entity (header block, empty line, body). */
export function splitEntity(bytes: Uint8Array): SplitEntity {
  const block = parseHeaderBlock(bytes);
  const type = header(block.headers, 'content-type');
  const rawBody = bytes.subarray(block.bodyStart);
  const encoding = header(block.headers, 'content-transfer-encoding');
  return {
    headers: block.headers,
    contentType: type === undefined ? null : parseMediaType(type),
    rawBody,
    body: () => decodeTransferEncoding(rawBody, encoding),
  };
}

/** An entity's bytes from its header fields and body. */
export function entityBytes(headers: readonly (readonly [string, string])[], body: Uint8Array): Uint8Array {
  const head = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
  return concatBytes([utf8(`${head}\r\n`), body]);
}

/** A fresh boundary: random, so it cannot occur in the content. */
export function newBoundary(prefix: string): string {
  return `----=_${prefix}_${randomBytes(12).toString('hex')}`;
}

/** Builds `multipart/signed` around `signed` (the first part's exact bytes) and the detached signature. */
export function buildMultipartSigned(signed: Uint8Array, signatureDer: Uint8Array, micalg: string): { contentType: string; body: Uint8Array } {
  const boundary = newBoundary('signed');
  const signaturePart = entityBytes(
    [
      ['Content-Type', 'application/pkcs7-signature; name=smime.p7s; smime-type=signed-data'],
      ['Content-Transfer-Encoding', 'base64'],
      ['Content-Disposition', 'attachment; filename="smime.p7s"'],
    ],
    encodeBase64Lines(signatureDer),
  );
  const body = concatBytes([utf8(`--${boundary}\r\n`), signed, utf8(`\r\n--${boundary}\r\n`), signaturePart, utf8(`\r\n--${boundary}--\r\n`)]);
  return { contentType: `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg}; boundary="${boundary}"`, body };
}

/** The signed content (exact bytes) and the signature DER of a `multipart/signed` body. */
export function readMultipartSigned(type: MediaType, body: Uint8Array): { signed: Uint8Array; signature: Uint8Array } {
  const parts = splitMultipart(body, type.params.boundary ?? '', 2);
  const [signed, signaturePart] = parts;
  if (parts.length !== 2 || signed === undefined || signaturePart === undefined) {
    throw new CemMimeError('CEM_MIME_MALFORMED', 'multipart/signed must have exactly two parts');
  }
  const sig = splitEntity(signaturePart);
  const essence = sig.contentType?.essence;
  if (essence !== 'application/pkcs7-signature' && essence !== 'application/x-pkcs7-signature') {
    throw new CemMimeError('CEM_MIME_MALFORMED', `the second part of multipart/signed is ${essence ?? 'untyped'}, not application/pkcs7-signature`);
  }
  return { signed, signature: sig.body() };
}

/** The `application/pkcs7-mime` entity carrying CMS DER, sent binary (RFC 4130 §5.2). */
export function pkcs7MimeEntity(der: Uint8Array, smimeType: 'enveloped-data' | 'compressed-data'): { contentType: string; body: Uint8Array } {
  return { contentType: `application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`, body: der };
}
