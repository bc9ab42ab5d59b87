/**
 * The CEM Response XML codec: `EDIINTCertificateExchangeResponse` (draft-14 §3.2, Appendix A.1).
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { CertStatus } from '../types.js';
import {
  childCursor,
  cemXmlError,
  invalid,
  readCemRoot,
  readIssuerSerial,
  readRequestId,
  readTradingPartnerInfo,
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
  indent,
  joinDocument,
  rootStartTag,
  textElement,
  writeIssuerSerial,
  writeTradingPartnerInfo,
} from './xml/xml-cem-write.js';
import { issuerSerialMeaningKey } from './xml/issuer-serial-key.js';
import type { XmlElement } from './xml/xml-tree.js';
import type { CemResponse, CemTrustResponse } from './model.js';
import type { CemXmlParseOptions } from './xml-vocabulary.js';
import { quote, clip } from '../quote.js';

const ROOT = 'EDIINTCertificateExchangeResponse';
const STATUSES: readonly CertStatus[] = ['Accepted', 'Rejected'];

/**
 * Parses a CEM Response document into frozen data.
 *
 * The same safety and tolerance as `parseCemRequest`: size cap, DOCTYPE refusal before parsing,
 * no entity expansion, bounded structure, namespace-aware, values trimmed, missing `requestId`
 * and `qualifier` accepted, extensions ignored. `ReasonForRejection` is kept verbatim (trimmed;
 * `null` when absent or empty) and is for humans only. Issuer and serial strings are kept
 * exactly as written (trimmed; a serial may carry `+` or leading zeros); compare them with the
 * Request's by meaning (`identifierMatches`). A Response with two `TrustResponse`s for one
 * certificate (issuer as a distinguished name, serial by value) is refused (draft-14 §2.5).
 *
 * @example
 * ```ts
 * const response = parseCemResponse(xml)
 * if (response.trustResponses.every((t) => t.status === 'Accepted')) activate()
 * ```
 * @throws CemXmlError `CEM_XML_TOO_LARGE`, `CEM_XML_DOCTYPE`, `CEM_XML_MALFORMED`,
 * `CEM_XML_ROOT` (not a Response), `CEM_XML_NAMESPACE`, `CEM_XML_INVALID`, `CEM_XML_STATUS`,
 * `CEM_XML_SERIAL`, `CEM_XML_DATE`, `CEM_XML_NO_TRUST_RESPONSE`.
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `maxBytes`.
 * @see draft-14 §2.5, §3.2, Appendix A.1, A.3.
 */
export function parseCemResponse(xml: string | Uint8Array, options?: CemXmlParseOptions): CemResponse {
  const root = readCemRoot(xml, options);
  if (root.kind !== 'response') {
    throw cemXmlError('CEM_XML_ROOT', `expected <${ROOT}>, found <${clip(root.element.local)}>`);
  }
  return readResponse(root);
}

/** Reads a checked Response root (shared with `parseCemDocument`). */
export function readResponse(root: CemRoot): CemResponse {
  const cursor = childCursor(root.element, root.ns);
  const partner = readTradingPartnerInfo(cursor.required('TradingPartnerInfo'), root.ns);
  const trustElements = cursor.many('TrustResponse');
  if (trustElements.length === 0) {
    if (cursor.remains('TrustResponse')) throw invalid('<TrustResponse> is out of schema order');
    throw cemXmlError('CEM_XML_NO_TRUST_RESPONSE', 'the Response has no <TrustResponse>');
  }
  cursor.optional('Extensions');
  cursor.end();
  const trustResponses = trustElements.map((element) => readTrustResponse(element, root.ns));
  uniqueKeys(trustResponses.map((t) => issuerSerialMeaningKey(t.certificate)), 'a CertificateReference');
  return Object.freeze({
    requestId: readRequestId(root.element),
    sender: partner.sender,
    originated: partner.originated,
    trustResponses: Object.freeze(trustResponses),
  });
}

function readTrustResponse(element: XmlElement, ns: string): CemTrustResponse {
  const cursor = childCursor(element, ns);
  const statusElement = cursor.required('CertStatus');
  const reasonElement = cursor.optional('ReasonForRejection');
  const certificate = readIssuerSerial(cursor.required('CertificateReference'));
  cursor.extensions();
  const status = simpleText(statusElement);
  if (!(STATUSES as readonly string[]).includes(status)) {
    throw cemXmlError('CEM_XML_STATUS', `CertStatus ${quote(status)} is not Accepted or Rejected`);
  }
  const reason = reasonElement === undefined ? null : simpleText(reasonElement);
  return Object.freeze({ status: status as CertStatus, reason: reason === '' ? null : reason, certificate });
}

/**
 * Writes a CEM Response, spec-exact (as `serializeCemRequest`): `requestId` echoes the Request's
 * (draft-14 §2.5); it is omitted only when `null`, the answer to a Request that carried none
 * (pre-draft-06 peers), since a Response must not invent one. One `TrustResponse` per certificate with `CertStatus`, the optional
 * `ReasonForRejection` and `CertificateReference` echoing the Request's issuer and serial strings
 * exactly as parsed (draft-14 §3.2).
 *
 * @example
 * ```ts
 * const xml = serializeCemResponse({
 *   requestId: request.requestId ?? 'req-1', sender: { name: 'PARTNER', qualifier: 'AS2' },
 *   originated: cemDateTime(now),
 *   trustResponses: [{ status: 'Rejected', reason: 'Key usage does not allow encryption',
 *     certificate: request.trustRequests[0].certificate }],
 * })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when `requestId` is not `null` and not 1–255 characters;
 * the status is not `Accepted`/`Rejected`; a name, qualifier, reason or issuer is empty, padded
 * with whitespace or holds a character XML 1.0 forbids; a serial is not an integer
 * `/^[+-]?[0-9]+$/`, at most 160 characters (any such form is written as given, so a Request's serial is echoed exactly);
 * a date is invalid; there is no TrustResponse; or two TrustResponses name the same certificate
 * (issuer by meaning, serial by value).
 * @see draft-14 §2.5, §3.2, Appendix A.1, A.3.
 */
export function serializeCemResponse(response: CemResponse): string {
  const checked = checkObject(response, 'response');
  const requestId = checked.requestId === null ? null : checkRequestId(checked.requestId);
  const partner = writeTradingPartnerInfo(checked.sender, checked.originated);
  const trustResponses = checkNonEmptyArray(checked.trustResponses, 'trustResponses');
  const body = trustResponses.flatMap((t, i) => writeTrustResponse(t, `trustResponses[${i}]`));
  checkUnique(trustResponses.map((t) => issuerSerialMeaningKey(t.certificate)), 'a certificate (issuer + serial)');
  return joinDocument([rootStartTag(ROOT, requestId), ...partner, ...body, `</${ROOT}>`]);
}

function writeTrustResponse(value: CemTrustResponse, what: string): string[] {
  const trust = checkObject(value, what);
  if (!(STATUSES as readonly unknown[]).includes(trust.status)) {
    throw new CemArgumentError(`${what}.status must be Accepted or Rejected`);
  }
  const reason = trust.reason == null ? null : checkValue(trust.reason, `${what}.reason`);
  const certificate = checkIssuerSerial(trust.certificate, `${what}.certificate`);
  return [
    `${indent(1)}<TrustResponse>`,
    textElement(2, 'CertStatus', trust.status),
    ...(reason === null ? [] : [textElement(2, 'ReasonForRejection', reason)]),
    ...writeIssuerSerial(2, 'CertificateReference', certificate),
    `${indent(1)}</TrustResponse>`,
  ];
}
