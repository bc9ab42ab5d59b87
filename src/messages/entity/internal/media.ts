/**
 * The media types of CEM entities and how parts are recognised (draft-14 §2.1, §9; RFC 8551 §3.2.2).
 *
 * @module
 */
import type { MediaType, MimeEntity } from '../../mime/types.js';

/** The CEM XML media type (draft-14 §9), lower-case. */
export const CEM_XML_MEDIA_TYPE = 'application/ediint-cert-exchange+xml';

/** The certs-only media type as written (RFC 8551 §3.2.2). */
export const CERTS_ONLY_MEDIA_TYPE = 'application/pkcs7-mime; smime-type=certs-only';

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const PKCS7_CERTS = new Set(['application/pkcs7-certificates', 'application/x-pkcs7-certificates']);
const GENERIC_XML = new Set(['application/xml', 'text/xml']);

/** True for the CEM XML media type (any case). */
export function isCemXmlType(type: MediaType | null): boolean {
  return type?.essence === CEM_XML_MEDIA_TYPE;
}

/**
 * True for a part that may carry a certs-only P7C: `application/pkcs7-mime` (or `x-`) with
 * `smime-type=certs-only` or without `smime-type`, and the `.p7c` file types
 * `application/(x-)pkcs7-certificates`.
 */
export function isCertsOnlyType(type: MediaType | null): boolean {
  if (!type) return false;
  if (PKCS7_CERTS.has(type.essence)) return true;
  if (!PKCS7_MIME.has(type.essence)) return false;
  const smime = type.params['smime-type'];
  return smime === undefined || smime.toLowerCase() === 'certs-only';
}

/** True for a part whose type could hold CEM XML under a generic label (`application/xml`, `text/xml`, none). */
export function isGenericXmlType(type: MediaType | null): boolean {
  return type === null || GENERIC_XML.has(type.essence);
}

/** The body parts of a multipart entity, `[]` otherwise. */
export function partsOf(entity: MimeEntity): readonly MimeEntity[] {
  return entity.parts ?? [];
}
