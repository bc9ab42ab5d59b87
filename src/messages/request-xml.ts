/**
 * The CEM Request XML codec: `EDIINTCertificateExchangeRequest` (draft-14 §3.1, Appendix A.1).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { isCertUsage, type CertUsage } from '../types.js';
import {
  childCursor,
  cemXmlError,
  invalid,
  readCemRoot,
  readDate,
  readIssuerSerial,
  readRequestId,
  readTradingPartnerInfo,
  requiredText,
  simpleText,
  uniqueKeys,
  type CemRoot,
} from './xml/xml-cem-read.js';
import {
  checkIssuerSerial,
  checkNonEmptyArray,
  checkObject,
  checkRequestId,
  checkUnique,
  checkValue,
  formatDate,
  indent,
  joinDocument,
  rootStartTag,
  textElement,
  writeIssuerSerial,
  writeTradingPartnerInfo,
} from './xml/xml-cem-write.js';
import { issuerSerialMeaningKey } from './xml/issuer-serial-key.js';
import type { XmlElement } from './xml/xml-tree.js';
import { isBareCemContentId, normalizeCemContentId } from './content-id.js';
import type { CemRequest, CemTrustRequest } from './model.js';
import type { CemXmlParseOptions } from './xml-vocabulary.js';
import { quote, clip } from '../quote.js';

const ROOT = 'EDIINTCertificateExchangeRequest';

/**
 * Parses a CEM Request document into frozen data.
 *
 * Safe on hostile input: the size is capped first (`maxBytes`, default 1 MiB), any DOCTYPE or
 * ENTITY declaration is refused before parsing, no entity is expanded, nesting and element
 * counts are bounded. Bytes are decoded by their byte order mark (UTF-8, or UTF-16 in either
 * order), else by the XML declaration (UTF-8 by default, ISO-8859-1, US-ASCII). Namespace-aware by URI (any prefixes; the pre-2006 namespaces are accepted
 * as aliases). Tolerant of real peers: values trimmed, `requestId`, `qualifier` and
 * `RespondByDate` may be missing, unknown attributes and extension elements are ignored,
 * `CertificateContentID` is normalised ({@link normalizeCemContentId}), duplicate `CertUsage`
 * values are merged. Issuer and serial strings are kept as written (trimmed; a serial may carry
 * `+` or leading zeros) so a Response can echo them exactly. A document that names one
 * certificate in two `TrustRequest`s is refused (draft-14 §2.3, §6): issuers compared as
 * distinguished names (`distinguishedNamesEqual`), serials by integer value, Content-IDs without
 * regard to case.
 *
 * @example
 * ```ts
 * const request = parseCemRequest(xmlBytes)
 * for (const t of request.trustRequests) console.log(t.usages, t.certificate.serial, t.contentId)
 * ```
 * @throws CemXmlError `CEM_XML_TOO_LARGE`, `CEM_XML_DOCTYPE`, `CEM_XML_MALFORMED`,
 * `CEM_XML_ROOT` (not a Request), `CEM_XML_NAMESPACE`, `CEM_XML_INVALID` (missing, misplaced
 * or duplicate elements, `X509IssuerName` outside the xmldsig namespace, empty values, one
 * certificate or Content-ID in two TrustRequests),
 * `CEM_XML_USAGE`, `CEM_XML_SERIAL`, `CEM_XML_DATE`, `CEM_XML_NO_TRUST_REQUEST`.
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `maxBytes`.
 * @see draft-14 §3, §3.1, Appendix A.1, A.2.
 */
export function parseCemRequest(xml: string | Uint8Array, options?: CemXmlParseOptions): CemRequest {
  const root = readCemRoot(xml, options);
  if (root.kind !== 'request') {
    throw cemXmlError('CEM_XML_ROOT', `expected <${ROOT}>, found <${clip(root.element.local)}>`);
  }
  return readRequest(root);
}

/** Reads a checked Request root (shared with `parseCemDocument`). */
export function readRequest(root: CemRoot): CemRequest {
  const cursor = childCursor(root.element, root.ns);
  const partner = readTradingPartnerInfo(cursor.required('TradingPartnerInfo'), root.ns);
  const trustElements = cursor.many('TrustRequest');
  if (trustElements.length === 0) {
    if (cursor.remains('TrustRequest')) throw invalid('<TrustRequest> is out of schema order');
    throw cemXmlError('CEM_XML_NO_TRUST_REQUEST', 'the Request has no <TrustRequest>');
  }
  cursor.optional('Extensions');
  cursor.end();
  const trustRequests = trustElements.map((element) => readTrustRequest(element, root.ns));
  // draft-14 §2.3, §6: each end-entity certificate once per Request, however it is written
  uniqueKeys(trustRequests.map((t) => issuerSerialMeaningKey(t.certificate)), 'a certificate (issuer + serial)');
  uniqueKeys(trustRequests.map((t) => t.contentId.toLowerCase()), 'a CertificateContentID');
  return Object.freeze({
    requestId: readRequestId(root.element),
    sender: partner.sender,
    originated: partner.originated,
    trustRequests: Object.freeze(trustRequests),
  });
}

function readTrustRequest(element: XmlElement, ns: string): CemTrustRequest {
  const cursor = childCursor(element, ns);
  const usageElements = cursor.many('CertUsage');
  if (usageElements.length === 0) cursor.required('CertUsage');
  const respondByElement = cursor.optional('RespondByDate');
  const responseUrl = requiredText(cursor.required('ResponseURL'));
  const endEntity = childCursor(cursor.required('EndEntity'), ns);
  cursor.extensions();
  const certificate = readIssuerSerial(endEntity.required('CertificateIdentifier'));
  const contentIdElement = endEntity.required('CertificateContentID');
  endEntity.extensions();
  const contentId = normalizeCemContentId(simpleText(contentIdElement));
  if (!isBareCemContentId(contentId)) {
    throw invalid(`CertificateContentID ${quote(contentId)} is not a usable Content-ID`);
  }
  const usages: CertUsage[] = [];
  for (const usageElement of usageElements) {
    const usage = simpleText(usageElement);
    if (!isCertUsage(usage)) throw cemXmlError('CEM_XML_USAGE', `CertUsage ${quote(usage)} is not defined`);
    if (!usages.includes(usage)) usages.push(usage);
  }
  return Object.freeze({
    usages: Object.freeze(usages),
    respondBy: respondByElement === undefined ? null : readDate(respondByElement),
    responseUrl,
    certificate,
    contentId,
  });
}

/**
 * Writes a CEM Request, spec-exact: UTF-8 declaration, default CEM namespace with `ds` for the
 * xmldsig children, schema order, `requestId` always present, `qualifier` (`AS2` when `null`),
 * dates re-formatted from `instant` + `offsetMinutes` as `yyyy-MM-ddTHH:mm:ss±hh:mm`, values
 * escaped and never padded with whitespace.
 *
 * @example
 * ```ts
 * const xml = serializeCemRequest({
 *   requestId: 'req-1', sender: { name: 'ACME', qualifier: 'AS2' }, originated: cemDateTime(now),
 *   trustRequests: [{ usages: ['keyEncipherment'], respondBy: null, responseUrl: 'https://acme.example/as2',
 *     certificate: { issuer: 'CN=ACME CA,O=ACME', serial: '4660' }, contentId: 'cert-1@acme.example' }],
 * })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `requestId` is missing or not 1–255 characters;
 * a name, qualifier, URL, issuer or Content-ID is empty, padded with whitespace or holds a
 * character XML 1.0 forbids; a Content-ID is not bare ({@link isBareCemContentId}); usages are
 * empty, unknown or repeated; a serial is not an integer `/^[+-]?[0-9]+$/` of at most 160 characters; a date is
 * invalid; there is no TrustRequest; or two TrustRequests share a certificate (issuer by meaning
 * + serial by value) or a Content-ID (without regard to case).
 * @see draft-14 §3.1, Appendix A.1, A.2.
 */
export function serializeCemRequest(request: CemRequest): string {
  const checked = checkObject(request, 'request');
  const requestId = checkRequestId(checked.requestId);
  const partner = writeTradingPartnerInfo(checked.sender, checked.originated);
  const trustRequests = checkNonEmptyArray(checked.trustRequests, 'trustRequests');
  const body = trustRequests.flatMap((t, i) => writeTrustRequest(t, `trustRequests[${i}]`));
  checkUnique(trustRequests.map((t) => issuerSerialMeaningKey(t.certificate)), 'a certificate (issuer + serial)');
  checkUnique(trustRequests.map((t) => t.contentId.toLowerCase()), 'a contentId');
  return joinDocument([rootStartTag(ROOT, requestId), ...partner, ...body, `</${ROOT}>`]);
}

function writeTrustRequest(value: CemTrustRequest, what: string): string[] {
  const trust = checkObject(value, what);
  const usages = checkNonEmptyArray(trust.usages, `${what}.usages`);
  for (const usage of usages) {
    if (typeof usage !== 'string' || !isCertUsage(usage)) {
      throw new CemArgumentError(`${what}.usages has ${quote(usage)}, not a CertUsage`);
    }
  }
  checkUnique(usages, `${what}.usages: a usage`);
  const respondBy = trust.respondBy == null ? null : formatDate(trust.respondBy, `${what}.respondBy`);
  const responseUrl = checkValue(trust.responseUrl, `${what}.responseUrl`);
  const certificate = checkIssuerSerial(trust.certificate, `${what}.certificate`);
  const contentId = checkValue(trust.contentId, `${what}.contentId`);
  if (!isBareCemContentId(contentId)) {
    throw new CemArgumentError(`${what}.contentId must be bare (no <>, no cid:, no whitespace)`);
  }
  return [
    `${indent(1)}<TrustRequest>`,
    ...usages.map((usage) => textElement(2, 'CertUsage', usage)),
    ...(respondBy === null ? [] : [textElement(2, 'RespondByDate', respondBy)]),
    textElement(2, 'ResponseURL', responseUrl),
    `${indent(2)}<EndEntity>`,
    ...writeIssuerSerial(3, 'CertificateIdentifier', certificate),
    textElement(3, 'CertificateContentID', contentId),
    `${indent(2)}</EndEntity>`,
    `${indent(1)}</TrustRequest>`,
  ];
}
