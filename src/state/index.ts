/**
 * `ediint-cem/state`: the certificate lifecycle as a pure, immutable state machine —
 * `transition(state, event, now) => { state, effects }` — with its model, events, effects and
 * status queries.
 *
 * @module
 */
export { transition, createInitialState } from './transition.js';
export type { TransitionResult } from './result.js';
export { freezeState } from './freeze.js';
export { relationshipStatus, certificateStatuses, certificateStatusOf, RELATIONSHIP_STATUS_PRECEDENCE } from './status.js';
export type { RelationshipStatus, CertificateStatus, CertificateStatusEntry, RelationshipStatusReport } from './status.js';
export { isEstablished, partnerTakesCem, usesCemChannel, allowsEarlyFirstUsage } from './relationship/capability.js';
export { DEFAULT_SETTINGS } from './model.js';
export type {
  IsoInstant,
  Fingerprint,
  PartnerProtocol,
  ServerProtocol,
  LocalUsage,
  PartnerUsage,
  Side,
  CertRef,
  ActivationCause,
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
} from './model.js';
export type {
  LocalCertificateInput,
  RelationshipInit,
  RequestIds,
  CertificateSelection,
  ReceivedCertificate,
  CertificateDecision,
  CemEvent,
  CemEventType,
} from './events.js';
export type {
  AlertKind,
  Alert,
  RequestItemEffect,
  ResponseItemEffect,
  IgnoredReason,
  CemEffect,
  CemEffectType,
} from './effects.js';
