/**
 * Reading a CEM XML document of either kind: Request or Response (draft-14 §3).
 *
 * @module
 */
import { readCemRoot } from './xml/xml-cem-read.js';
import type { CemRequest, CemResponse } from './model.js';
import { readRequest } from './request-xml.js';
import { readResponse } from './response-xml.js';
import type { CemXmlParseOptions } from './xml-vocabulary.js';

/** A parsed CEM document, tagged by kind. */
export type CemDocument =
  | { readonly kind: 'request'; readonly request: CemRequest }
  | { readonly kind: 'response'; readonly response: CemResponse };

/**
 * Parses a CEM document whose kind is not known in advance (the XML part of an inbound CEM
 * message) and tells which it is. Same safety, tolerance and errors as `parseCemRequest` and
 * `parseCemResponse`.
 *
 * @example
 * ```ts
 * const doc = parseCemDocument(xmlPart)
 * if (doc.kind === 'request') handleRequest(doc.request)
 * else handleResponse(doc.response)
 * ```
 * @throws CemXmlError every `CEM_XML_*` code of the two parsers; `CEM_XML_ROOT` when the root
 * is neither `EDIINTCertificateExchangeRequest` nor `EDIINTCertificateExchangeResponse`.
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `maxBytes`.
 * @see draft-14 §3.1, §3.2.
 */
export function parseCemDocument(xml: string | Uint8Array, options?: CemXmlParseOptions): CemDocument {
  const root = readCemRoot(xml, options);
  return root.kind === 'request'
    ? Object.freeze({ kind: 'request', request: readRequest(root) })
    : Object.freeze({ kind: 'response', response: readResponse(root) });
}

/**
 * Tells whether a document is a CEM Request or Response from its root element alone, after the
 * same safety gate and well-formedness check as the parsers (the content is not validated).
 *
 * @example
 * ```ts
 * detectCemDocument(xml) // 'request'
 * ```
 * @throws CemXmlError `CEM_XML_TOO_LARGE`, `CEM_XML_DOCTYPE`, `CEM_XML_MALFORMED`,
 * `CEM_XML_ROOT`, `CEM_XML_NAMESPACE`.
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `maxBytes`.
 * @see draft-14 §3.
 */
export function detectCemDocument(xml: string | Uint8Array, options?: CemXmlParseOptions): 'request' | 'response' {
  return readCemRoot(xml, options).kind;
}
