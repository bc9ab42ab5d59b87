/**
 * `cem inspect FILE [--json]`: reads a CEM MIME entity (with its headers, or a multipart body
 * saved without them), a bare CEM XML document (UTF-8 or UTF-16), or a certificate / PKCS#7 file,
 * validates it fully and prints what it holds.
 *
 * @module
 */
import { splitCertificateBundle } from '../crypto/certs-only.js';
import { isCemError } from '../errors.js';
import { readCemFile, readCertificateFile, sniffFileKind } from './files.js';
import { requestJson, responseJson, certificatesJson } from './render.js';

export { sniffFileKind };
export type { FileKind } from './files.js';

/** What `cem inspect` found: the JSON value it prints, and a note for stderr (or `null`). */
export interface Inspection {
  readonly json: Record<string, unknown>;
  readonly note: string | null;
}

/** Reads and validates `bytes`. @throws CemError */
export function inspectBytes(bytes: Uint8Array): Inspection {
  const kind = sniffFileKind(bytes);
  if (kind === 'pem' || kind === 'der' || kind === 'base64') return { json: certificateFileJson(bytes), note: null };
  try {
    const { document, certificates, note } = readCemFile(bytes);
    return { json: document.kind === 'request' ? requestJson(document.request, certificates) : responseJson(document.response), note };
  } catch (e) {
    // a saved application/pkcs7-mime entity is a certificate file with MIME headers
    if (kind === 'mime' && isCemError(e, 'CEM_MIME_NOT_CEM')) {
      try {
        return { json: certificateFileJson(bytes), note: null };
      } catch {
        throw e;
      }
    }
    throw e;
  }
}

function certificateFileJson(bytes: Uint8Array): Record<string, unknown> {
  const bundle = splitCertificateBundle(readCertificateFile(bytes));
  return certificatesJson(bundle.endEntity, bundle.chain);
}
