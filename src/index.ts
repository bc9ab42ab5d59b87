/**
 * ediint-cem: EDIINT Certificate Exchange Messaging (draft-meadors-certificate-exchange-14) for
 * AS2 products — wire formats, the certificate lifecycle and an embeddable engine.
 *
 * The public surface is listed here by name. Area subpaths (`ediint-cem/messages`, `/crypto`,
 * `/state`, `/policy`, `/testing`, `/adapters/fs-store`, `/adapters/smtp`) carry the rest.
 *
 * @module
 */

// Errors
export { CemError, CemXmlError, CemMimeError, CemCryptoError, CemArgumentError, CemEngineError, CemAs2Error, isCemError } from './errors.js';
export type {
  AnyCemError,
  CemErrorCode,
  CemXmlErrorCode,
  CemAs2ErrorCode,
  CemMimeErrorCode,
  CemCryptoErrorCode,
  CemArgumentErrorCode,
  CemEngineErrorCode,
  CemIoErrorCode,
} from './errors.js';

// Vocabulary
export { CERT_USAGES, isCertUsage } from './types.js';
export type { CertUsage, CertStatus, IssuerSerial } from './types.js';

// The engine
export { createCemEngine } from './engine/engine.js';
export type { CemEngine } from './engine/engine.js';
export type { CemEngineConfig } from './engine/context.js';
export type {
  CemRefusal,
  CemOperationResult,
  SendResult,
  RelationshipInput,
  CertificateSelectionInput,
  ScheduleInput,
  DecisionInput,
  InboundMessage,
  ReceivedCertificateOutcome,
  ReceiveOutcome,
  TrafficInput,
  ResolvedCertificate,
  ResolvedMaterial,
  StatusEntry,
  TickResult,
  CertificateSource,
  CertificateWithChain,
  LocalCertificateSource,
  OutboxPage,
  OutboxPageRequest,
  OutboxView,
} from './engine/types.js';
export type { OperationOptions } from './engine/operations.js';

// Ports the host implements
export type { CemPorts } from './ports/ports.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { IdSource } from './ports/ids.js';
export { createRandomIds, isRequestId, isContentId } from './ports/ids.js';
export type { CemStore, StoredRecord, StoreWrite, StoreListOptions } from './ports/store.js';
export { storeKey, isStoreKey, assertStoreWrites, assertStoreKey, assertListOptions, keyInRange, storeConflict } from './ports/store.js';
export type { CemTransport, OutboundCemRequest, OutboundCemResponse, OutboundCemMessage, OutboundEmail, EmailAttachment } from './ports/transport.js';
export { certificateAttachment } from './ports/transport.js';
export type { Notifier, CemAlertNotice, AlertSeverity } from './ports/notifier.js';
export type { AuditSink, AuditEvent } from './ports/audit.js';
export type { ServerCertificateInstall, ServerCertificateInstaller } from './ports/servers.js';
export type { JsonValue, JsonObject, JsonArray, JsonPrimitive } from './ports/json.js';
export { assertJsonValue, cloneJson } from './ports/json.js';

// Wire formats
export type { CemDateTime, CemTradingPartner, CemTrustRequest, CemRequest, CemTrustResponse, CemResponse } from './messages/model.js';
export { parseCemDateTime, formatCemDateTime, cemDateTime } from './messages/datetime.js';
export type { CemZone } from './messages/datetime.js';
export { parseCemRequest, serializeCemRequest } from './messages/request-xml.js';
export { parseCemResponse, serializeCemResponse } from './messages/response-xml.js';
export { parseCemDocument, detectCemDocument } from './messages/document-xml.js';
export type { CemDocument } from './messages/document-xml.js';
export { CEM_NAMESPACE, XMLDSIG_NAMESPACE } from './messages/xml-vocabulary.js';
export type { CemXmlParseOptions } from './messages/xml-vocabulary.js';
export { EDIINT_FEATURES_HEADER, CEM_FEATURE, parseEdiintFeatures, formatEdiintFeatures, advertisesCem } from './messages/features.js';
export type { HeaderSource } from './messages/features.js';
export { buildCemRequest } from './messages/entity/build-request-items.js';
export { buildCemRequestEntity } from './messages/entity/build-request.js';
export { buildCemResponseEntity } from './messages/entity/build-response.js';
export { serializeCemEntity } from './messages/entity/serialize.js';
export { parseCemEntity, isCemEntity } from './messages/entity/parse.js';
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
} from './messages/entity/types.js';

// Certificates
export { readCertificate, readCertificates, certificateToPem } from './crypto/certificate.js';
export type { CertificateInfo, KeyUsageName, KeyAlgorithm } from './crypto/certificate.js';
export { parseDistinguishedName, formatDistinguishedName, distinguishedNamesEqual, issuerMatches } from './crypto/dn.js';
export type { DnAttribute, Rdn, DistinguishedNameInput } from './crypto/dn.js';
export { encodeCertsOnly, certsOnlyToPem, certsOnlyToBase64, decodeCertsOnly, splitCertificateBundle, readCertsOnly } from './crypto/certs-only.js';
export type { CertificateBundle, CertsOnlyBase64Options } from './crypto/certs-only.js';
export type { CertificateCountOptions } from './crypto/internal/limits.js';
export { getSignerIdentifiers, getRecipientIdentifiers, certificateMatchesIdentifier } from './crypto/cms.js';
export type { SignerId, RecipientId } from './crypto/cms.js';
export { checkCertificateSuitability, checkCertificateSuitabilityForUsages } from './crypto/suitability.js';
export type { SuitabilityProblem, SuitabilityProblemCode, SuitabilityOptions } from './crypto/suitability.js';

// The lifecycle
export { transition, createInitialState } from './state/transition.js';
export type { TransitionResult } from './state/result.js';
export { freezeState } from './state/freeze.js';
export { relationshipStatus, certificateStatuses, RELATIONSHIP_STATUS_PRECEDENCE } from './state/status.js';
export type { RelationshipStatus, CertificateStatus, CertificateStatusEntry, RelationshipStatusReport } from './state/status.js';
export { DEFAULT_SETTINGS } from './state/model.js';
export type {
  IsoInstant,
  Fingerprint,
  PartnerProtocol,
  ServerProtocol,
  LocalUsage,
  PartnerUsage,
  Side,
  CertRef,
  ActiveCert,
  SuccessorStatus,
  Successor,
  ArchivedCert,
  CertSlot,
  CemCapability,
  Relationship,
  ServerReadiness,
  OutboundItem,
  OutboundStatus,
  OutboundExchange,
  InboundItem,
  InboundStatus,
  InboundExchange,
  ServerSlot,
  CemSettings,
  CemState,
} from './state/model.js';
export type { RelationshipInit, RequestIds, CertificateSelection, ReceivedCertificate, CertificateDecision, CemEvent } from './state/events.js';
export type { AlertKind, Alert, IgnoredReason, CemEffect } from './state/effects.js';
export { resolveCertificates } from './policy/resolution.js';
export type { ResolvedCertificates } from './policy/resolution.js';
