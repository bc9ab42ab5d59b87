/**
 * `ediint-cem/messages`: CEM wire formats — Request/Response XML, xs:dateTime, the
 * multipart/related entities with their certs-only parts, generic MIME, and EDIINT-Features.
 *
 * @module
 */
export type { CemDateTime, CemTradingPartner, CemTrustRequest, CemRequest, CemTrustResponse, CemResponse } from './model.js';
export { parseCemDateTime, formatCemDateTime, cemDateTime } from './datetime.js';
export type { CemZone } from './datetime.js';
export { parseCemRequest, serializeCemRequest } from './request-xml.js';
export { parseCemResponse, serializeCemResponse } from './response-xml.js';
export { parseCemDocument, detectCemDocument } from './document-xml.js';
export type { CemDocument } from './document-xml.js';
export { CEM_NAMESPACE, XMLDSIG_NAMESPACE, CEM_LEGACY_NAMESPACES, CEM_XML_MAX_BYTES } from './xml-vocabulary.js';
export type { CemXmlParseOptions } from './xml-vocabulary.js';
export { normalizeCemContentId, isBareCemContentId } from './content-id.js';
export { EDIINT_FEATURES_HEADER, CEM_FEATURE, parseEdiintFeatures, formatEdiintFeatures, advertisesCem } from './features.js';
export type { HeaderSource } from './features.js';
export { buildCemRequest } from './entity/build-request-items.js';
export { buildCemRequestEntity } from './entity/build-request.js';
export { buildCemResponseEntity } from './entity/build-response.js';
export { serializeCemEntity } from './entity/serialize.js';
export { parseCemEntity, isCemEntity } from './entity/parse.js';
export type {
  CemEntity,
  CemTransferEncoding,
  CemEntityOptions,
  CemCertificateBundle,
  CemRequestEntityInput,
  CemResponseEntityInput,
  CemRequestItem,
  BuildCemRequestInput,
  BuiltCemRequest,
  CemEntityCertificate,
  ParsedCemEntity,
  ParseCemEntityOptions,
  CemEntityInput,
} from './entity/types.js';
export { parseMimeEntity, DEFAULT_MAX_MIME_BYTES } from './mime/parse.js';
export { getHeader, getHeaders } from './mime/headers.js';
export { parseMediaType, formatMediaType } from './mime/media-type.js';
export {
  buildMimeEntity,
  buildMultipartEntity,
  buildMultipartRelated,
  serializeMimeEntity,
  serializeMultipartRelated,
} from './mime/build.js';
export type { MimePartInput, MultipartInput, MultipartRelatedInput } from './mime/build.js';
export type { MimeEntity, MimeHeader, MediaType, ParseMimeOptions, MimeTransferEncoding } from './mime/types.js';
