/**
 * The email fallback: the same certificates, sent to the partner's address when CEM cannot be
 * used, or announced with a schedule. Built only from stored data, so a retry is identical.
 *
 * @module
 */
import type { CemEffect } from '../effects.js';
import type { OutboundExchange, Relationship } from '../model.js';

/**
 * The `sendEmail` effect of an email exchange (the engine attaches each certificate's material
 * by fingerprint).
 *
 * @example
 * ```ts
 * emailEffect(rel, exchange).subject // 'New certificates from US for PARTNER'
 * ```
 * @throws never.
 */
export function emailEffect(rel: Relationship, exchange: OutboundExchange): Extract<CemEffect, { type: 'sendEmail' }> {
  const lines = [
    `${rel.localName} is changing the certificates it uses with ${rel.partnerName}.`,
    exchange.activateAt === null
      ? 'Please install the attached certificates and confirm to your trading partner.'
      : `They are scheduled to become active at ${exchange.activateAt}.`,
    '',
  ];
  exchange.items.forEach((item, index) => {
    lines.push(
      `Certificate ${index + 1} (${item.usages.join(', ')}):`,
      `  Subject: ${item.cert.subject}`,
      `  Issuer: ${item.cert.issuer}`,
      `  Serial: ${item.cert.serial}`,
      `  Valid: ${item.cert.notBefore} to ${item.cert.notAfter}`,
      `  SHA-256: ${item.fingerprint}`,
      '',
    );
  });
  return {
    type: 'sendEmail',
    relationshipId: rel.id,
    exchangeId: exchange.id,
    to: exchange.emailTo ?? rel.partnerEmail ?? '',
    subject: `New certificates from ${rel.localName} for ${rel.partnerName}`,
    text: lines.join('\n'),
    fingerprints: exchange.items.map((i) => i.fingerprint),
  };
}

/**
 * The `sendRequest` effect of a CEM exchange: everything needed to rebuild the identical
 * Request (same requestId, `MessageOriginated`, Content-IDs, respond-by, ResponseURL).
 *
 * @example
 * ```ts
 * requestEffect(rel, exchange).requestId === exchange.id
 * ```
 * @throws never.
 */
export function requestEffect(rel: Relationship, exchange: OutboundExchange): Extract<CemEffect, { type: 'sendRequest' }> {
  return {
    type: 'sendRequest',
    relationshipId: rel.id,
    requestId: exchange.id,
    from: rel.localName,
    to: rel.partnerName,
    originated: exchange.originated,
    respondBy: exchange.respondBy,
    responseUrl: exchange.responseUrl ?? rel.responseUrl ?? '',
    xmlContentId: exchange.xmlContentId,
    items: exchange.items.map((i) => ({ fingerprint: i.fingerprint, usages: i.usages, contentId: i.contentId })),
  };
}
