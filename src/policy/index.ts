/**
 * `ediint-cem/policy`: the pure decisions the lifecycle is made of — certificate resolution (the
 * AS2 hot path), first usage, auto-accept, deadlines, server-certificate consensus and checks of
 * received certificates.
 *
 * @module
 */
export { resolveCertificates } from './resolution.js';
export type { ResolvedCertificates } from './resolution.js';
export { firstUsages, activatesOnUse } from './first-usage.js';
export type { TrafficObservation, FirstUsage } from './first-usage.js';
export { autoAcceptSetting, decideReceivedCertificate } from './auto-accept.js';
export type { AutoAcceptSource, ReceiptDecision, ReceiptDecisionCause, ReceiptFacts } from './auto-accept.js';
export { respondByFor, alertDay, expiresWithin } from './deadlines.js';
export { assessServerConsensus, isBlocked, partnerStance, partnersOn } from './server-consensus.js';
export type { ServerConsensus, PartnerServerStance } from './server-consensus.js';
export { checkReceivedCertificate, identifierMatches, serialsEqual } from './cert-checks.js';
export type { ReceivedCertificateCheck } from './cert-checks.js';
export { claimDaily } from './alerts.js';
export type { DailyClaim } from './alerts.js';
