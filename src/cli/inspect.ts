/**
 * `cem inspect FILE [--json]`: reads a CEM MIME entity, a bare CEM XML document, or a
 * certificate / PKCS#7 file, validates it fully and prints what it holds.
 *
 * @module
 */
import { readCertificates } from '../crypto/certificate.js';
import { readCertsOnly, splitCertificateBundle } from '../crypto/certs-only.js';
import { CemCryptoError } from '../errors.js';
import { parseCemDocument } from '../messages/document-xml.js';
import { parseCemEntity } from '../messages/entity/parse.js';
import { requestJson, responseJson, entityJson, certificatesJson } from './render.js';

/** What kind of file the bytes look like. */
export type FileKind = 'xml' | 'pem' | 'der' | 'mime' | 'base64';

/** Sniffs the kind of `bytes` from its first characters. */
export function sniffFileKind(bytes: Uint8Array): FileKind {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  if (bytes[i] === 0x30) return 'der';
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i += 1;
  const head = new TextDecoder('latin1').decode(bytes.subarray(i, i + 200));
  if (head.startsWith('<')) return 'xml';
  if (head.startsWith('-----BEGIN')) return 'pem';
  if (/^[A-Za-z0-9-]+[ \t]*:/.test(head)) return 'mime';
  return 'base64';
}

/** Reads and validates `bytes`; returns the JSON value `cem inspect --json` prints. @throws CemError */
export function inspectBytes(bytes: Uint8Array): Record<string, unknown> {
  switch (sniffFileKind(bytes)) {
    case 'mime':
      return entityJson(parseCemEntity(bytes));
    case 'xml': {
      const doc = parseCemDocument(bytes);
      return doc.kind === 'request' ? requestJson(doc.request, null) : responseJson(doc.response);
    }
    case 'pem': {
      const text = new TextDecoder().decode(bytes);
      if (/-----BEGIN (PKCS7|CMS)-----/.test(text)) return bundleJson(readCertsOnly(text));
      return bundleJson(splitCertificateBundle(readCertificates(text)));
    }
    case 'der':
      return readDer(bytes);
    case 'base64':
      return bundleJson(readCertsOnly(new TextDecoder().decode(bytes)));
  }
}

function readDer(bytes: Uint8Array): Record<string, unknown> {
  try {
    return bundleJson(readCertsOnly(bytes));
  } catch (e) {
    if (!(e instanceof CemCryptoError) || e.code !== 'CEM_PKCS7_INVALID') throw e;
    return bundleJson(splitCertificateBundle(readCertificates(bytes)));
  }
}

function bundleJson(bundle: ReturnType<typeof readCertsOnly>): Record<string, unknown> {
  return certificatesJson(bundle.endEntity, bundle.chain);
}
