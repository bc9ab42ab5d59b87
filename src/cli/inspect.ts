/**
 * `cem inspect FILE [--json]`: reads a CEM MIME entity (with its headers, or a multipart body
 * saved without them), a bare CEM XML document (UTF-8 or UTF-16), or a certificate / PKCS#7 file,
 * validates it fully and prints what it holds.
 *
 * @module
 */
import { splitCertificateBundle } from '../crypto/certs-only.js';
import { CemMimeError, isCemError } from '../errors.js';
import { readCemFile, readCertificateFile, sniffFileKind } from './files.js';
import { caCertificatesJson, requestJson, responseJson, certificatesJson } from './render.js';

export { sniffFileKind };
export type { FileKind } from './files.js';

/** What `cem inspect` found: the JSON value it prints, and a note for stderr (or `null`). */
export interface Inspection {
  readonly json: Record<string, unknown>;
  readonly note: string | null;
}

/** Reads and validates `bytes`; `now` dates the certificates' suitability check. @throws CemError */
export function inspectBytes(bytes: Uint8Array, now: Date): Inspection {
  const kind = sniffFileKind(bytes);
  if (kind === 'pem' || kind === 'der') return { json: certificateFileJson(bytes, now), note: null };
  if (kind === 'base64') {
    try {
      return { json: certificateFileJson(bytes, now), note: null };
    } catch (e) {
      // text that is not even base64 is no certificate in any form: say so in plain words
      if (isCemError(e, 'CEM_CERT_INVALID') && /neither PEM, DER nor base64|^no certificate found/.test(e.message)) throw notCemOrCertificate(e);
      throw e;
    }
  }
  try {
    const { document, certificates, note } = readCemFile(bytes);
    return { json: document.kind === 'request' ? requestJson(document.request, certificates, now) : responseJson(document.response), note };
  } catch (e) {
    // a saved application/pkcs7-mime entity is a certificate file with MIME headers
    if (kind === 'mime' && isCemError(e, 'CEM_MIME_NOT_CEM')) {
      try {
        return { json: certificateFileJson(bytes, now), note: null };
      } catch {
        throw notCemOrCertificate(e);
      }
    }
    throw e;
  }
}

function notCemOrCertificate(cause: unknown): CemMimeError {
  return new CemMimeError(
    'CEM_MIME_NOT_CEM',
    `this file is not a CEM message or a certificate: it is neither a CEM MIME entity, a CEM XML document, nor a certificate or PKCS#7 file${cause instanceof Error ? ` (${cause.message})` : ''}`,
    { cause },
  );
}

/**
 * A certificate file: its end-entity certificate and chain, or, when it holds no end-entity
 * certificate (an intermediate or root CA certificate, a CA bundle), each certificate as it is.
 */
function certificateFileJson(bytes: Uint8Array, now: Date): Record<string, unknown> {
  const certs = readCertificateFile(bytes);
  let bundle;
  try {
    bundle = splitCertificateBundle(certs);
  } catch (e) {
    if (isCemError(e, 'CEM_PKCS7_END_ENTITY') && certs.every((c) => c.isCA)) return caCertificatesJson(certs, now);
    throw e;
  }
  return certificatesJson(bundle.endEntity, bundle.chain, now);
}
