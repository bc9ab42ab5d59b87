/**
 * From a stored effect and stored certificate material to the exact message the transport gets.
 * Everything comes from the effect (ids, `MessageOriginated`, respond-by) and the material, so
 * building it again after a crash gives the same bytes.
 *
 * @module
 */
import { encodeCertsOnly } from '../crypto/certs-only.js';
import { cemDateTime, type CemZone } from '../messages/datetime.js';
import { buildCemRequest } from '../messages/entity/build-request-items.js';
import { buildCemResponseEntity } from '../messages/entity/build-response.js';
import type { CemTransferEncoding } from '../messages/entity/types.js';
import type { CemStore } from '../ports/store.js';
import { certificateAttachment, type OutboundCemRequest, type OutboundCemResponse, type OutboundEmail } from '../ports/transport.js';
import type { CemEffect } from '../state/effects.js';
import { loadMaterial } from './material.js';

/** How messages are written. */
export interface MessageOptions {
  /** The zone of `MessageOriginated` and `RespondByDate` (UTC by default). */
  readonly zone?: CemZone;
  readonly transferEncoding?: CemTransferEncoding;
  /** Send a certificate whose chain stops below a self-signed root (default true). */
  readonly allowIncompleteChain?: boolean;
}

type Effect<T extends CemEffect['type']> = Extract<CemEffect, { type: T }>;

/**
 * The CEM Request of a `sendRequest` effect: one certs-only part per certificate with its chain.
 *
 * @example
 * ```ts
 * await transport.sendRequest(await buildRequestMessage(store, effect, options))
 * ```
 * @throws CemEngineError `CEM_NOT_FOUND` when material is missing; `CEM_ARGUMENT` and crypto codes
 *   from the builders.
 */
export async function buildRequestMessage(store: CemStore, effect: Effect<'sendRequest'>, options: MessageOptions): Promise<OutboundCemRequest> {
  const respondBy = effect.respondBy === null ? null : cemDateTime(new Date(effect.respondBy), options.zone);
  const items = [];
  for (const item of effect.items) {
    const material = await loadMaterial(store, item.fingerprint);
    items.push({
      usages: item.usages,
      respondBy,
      responseUrl: effect.responseUrl,
      certificates: [material.der, ...material.chain],
      contentId: item.contentId,
    });
  }
  const { entity } = buildCemRequest({
    sender: effect.from,
    requestId: effect.requestId,
    originated: cemDateTime(new Date(effect.originated), options.zone),
    xmlContentId: effect.xmlContentId,
    items,
    ...(options.transferEncoding === undefined ? {} : { transferEncoding: options.transferEncoding }),
    allowIncompleteChain: options.allowIncompleteChain ?? true,
  });
  return Object.freeze({
    kind: 'request',
    partnerId: effect.relationshipId,
    as2From: effect.from,
    as2To: effect.to,
    requestId: effect.requestId,
    contentType: entity.contentType,
    body: entity.body,
  });
}

/**
 * The CEM Response of a `sendResponse` effect, with the XML part's Content-ID drawn when the
 * effect was stored.
 *
 * @example
 * ```ts
 * await transport.sendResponse(buildResponseMessage(effect, 'resp-1@as2.example', options))
 * ```
 * A Request that carried no requestId is answered without one (draft-14 §2.5).
 * @throws CemArgumentError `CEM_ARGUMENT` when a value cannot be written.
 */
export function buildResponseMessage(effect: Effect<'sendResponse'>, xmlContentId: string, options: MessageOptions): OutboundCemResponse {
  const entity = buildCemResponseEntity({
    response: {
      requestId: effect.requestId,
      sender: { name: effect.from, qualifier: 'AS2' },
      originated: cemDateTime(new Date(effect.originated), options.zone),
      trustResponses: effect.items.map((i) => ({ status: i.status, reason: i.reason, certificate: { issuer: i.issuer, serial: i.serial } })),
    },
    xmlContentId,
    ...(options.transferEncoding === undefined ? {} : { transferEncoding: options.transferEncoding }),
  });
  return Object.freeze({
    kind: 'response',
    partnerId: effect.relationshipId,
    as2From: effect.from,
    as2To: effect.to,
    requestId: effect.requestId,
    contentType: entity.contentType,
    body: entity.body,
    responseUrl: effect.responseUrl,
  });
}

/**
 * The email of a `sendEmail` effect: each certificate with its chain as a `.p7c` attachment.
 *
 * @example
 * ```ts
 * await transport.sendEmail?.(await buildEmailMessage(store, effect))
 * ```
 * @throws CemEngineError `CEM_NOT_FOUND` when material is missing.
 */
export async function buildEmailMessage(store: CemStore, effect: Effect<'sendEmail'>): Promise<OutboundEmail> {
  const attachments = [];
  for (const fingerprint of effect.fingerprints) {
    const material = await loadMaterial(store, fingerprint);
    attachments.push(certificateAttachment(`certificate-${fingerprint.slice(0, 16)}.p7c`, encodeCertsOnly([material.der, ...material.chain])));
  }
  return Object.freeze({ to: effect.to, subject: effect.subject, text: effect.text, attachments: Object.freeze(attachments) });
}
