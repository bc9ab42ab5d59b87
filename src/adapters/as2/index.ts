/**
 * `ediint-cem/adapters/as2`: AS2 (RFC 4130) on pkijs and asn1js for CMS, node:crypto and
 * node:http(s): signed and encrypted messages, MDNs, an HTTP client and a request handler, the
 * engine's transport port and an inbound path that drives the engine with real cryptography.
 *
 * Only this subpath loads pkijs and asn1js.
 *
 * @module
 */
export { buildAs2Message, computeMic } from './message-build.js';
export type { As2MessageInput, As2OutboundMessage, As2Signer, As2Recipient, As2MdnRequest } from './message-build.js';
export { readAs2Message } from './message-read.js';
export type { As2ReadOptions, As2ReadSuccess, As2ReadFailure, As2FailureModifier } from './message-read.js';
export type { DecryptionCandidate, ContentCipher, KeyTransport } from './cms-enveloped.js';
export type { MicAlgorithm } from './cms-signed.js';
export { buildMdn, readMdn, parseDisposition, mdnProblem } from './mdn.js';
export type { As2MdnInput, As2MdnMessage, As2MdnRead, As2Disposition } from './mdn.js';
export { EDIINT_FEATURES, AS2_VERSION } from './headers.js';
export type { As2HeaderInput, ReceiptRequest } from './headers.js';
export { postAs2 } from './http.js';
export type { As2HttpOptions, As2HttpResponse } from './http.js';
export { sendAs2Message } from './client.js';
export type { As2SendResult } from './client.js';
export { receiveAs2, createAs2Handler } from './receiver.js';
export type { As2Trust, As2InboundMessage, As2ProcessResult, As2ReceiveReport, As2ReceiverOptions, As2Answer } from './receiver.js';
export { createAs2Transport } from './transport.js';
export type { As2KeyLookup, As2ResolvedCertificate, As2OutboundMaterial, As2SentRecord, As2TransportOptions, As2Transport, As2MdnMatch } from './transport.js';
export { createCemAs2Receiver } from './cem-inbound.js';
export type { As2InboundEngine, CemAs2Delivery, CemAs2ReceiverOptions } from './cem-inbound.js';
export type { As2CertificateInput, As2PrivateKeyInput } from './keys.js';
