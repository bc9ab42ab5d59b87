/**
 * Namespaces and options shared by the CEM XML codecs (draft-14 §3, Appendix A.1).
 *
 * @module
 */
import { DEFAULT_XML_MAX_BYTES } from './xml/xml-input.js';

/** The CEM namespace (the schema's `targetNamespace`, draft-03 and later). */
export const CEM_NAMESPACE = 'urn:ietf:params:xml:ns:ediintcertificateexchange';

/** The XML-Signature namespace of `X509IssuerName` and `X509SerialNumber`. */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';

/**
 * Namespaces of pre-2006 drafts (-00 and -02), accepted on input as aliases of
 * {@link CEM_NAMESPACE} so that legacy peers can still be read. Never written.
 */
export const CEM_LEGACY_NAMESPACES: readonly string[] = Object.freeze([
  'http://www.ietf.org/schemas/EDIINTCertificateExchange.xsd',
  'EDIINTCertificateExchange.xsd',
]);

/** The default size cap of the CEM XML parsers: 1 MiB. */
export const CEM_XML_MAX_BYTES = DEFAULT_XML_MAX_BYTES;

/** Options of the CEM XML parsers. */
export interface CemXmlParseOptions {
  /** Largest accepted document in bytes (UTF-8 length of a string). Default 1 MiB. */
  readonly maxBytes?: number;
}
