/**
 * The transport port: how the engine hands finished CEM messages to the host's AS2 stack, and
 * (optionally) sends e-mail to partners that cannot take CEM.
 *
 * The body is the complete multipart/related CEM payload (draft-14 §2.1); the host's AS2 stack
 * signs, encrypts, posts it and handles the MDN. A failure is any thrown error or rejection: the
 * engine wraps it as `CEM_PORT_FAILED` and retries from its outbox.
 *
 * @module
 */

/** Fields common to every outbound CEM message. */
interface OutboundCemBase {
  /** The host's id of the trading partner. */
  readonly partnerId: string;
  /** AS2-From: the host's own AS2 name (case-sensitive, RFC 4130 §6.2). */
  readonly as2From: string;
  /** AS2-To: the partner's AS2 name. */
  readonly as2To: string;
  /** The body's MIME type, `multipart/related; type="application/ediint-cert-exchange+xml"; ...`. */
  readonly contentType: string;
  /** The MIME body to send, unsigned and unencrypted. */
  readonly body: Uint8Array;
}

/**
 * A CEM Request for the partner (draft-14 §2.2), posted to the partner's configured AS2 URL.
 *
 * @example
 * ```ts
 * await transport.sendRequest({ kind: 'request', partnerId: 'acme', as2From: 'ME', as2To: 'ACME',
 *   requestId: 'req-1', contentType, body })
 * ```
 */
export interface OutboundCemRequest extends OutboundCemBase {
  readonly kind: 'request';
  /** The requestId this Request carries. */
  readonly requestId: string;
}

/**
 * A CEM Response (draft-14 §2.5): a new AS2 message, not an MDN, posted to the Request's
 * `ResponseURL`, or to the partner's configured URL when `responseUrl` is `null`.
 *
 * @example
 * ```ts
 * await transport.sendResponse({ kind: 'response', ..., responseUrl: 'https://as2.acme.test/as2' })
 * ```
 */
export interface OutboundCemResponse extends OutboundCemBase {
  readonly kind: 'response';
  /** The Request's requestId, echoed (draft-14 §2.5); `null` when the Request carried none. */
  readonly requestId: string | null;
  /** The `ResponseURL` of the Request being answered (draft-14 §3.1). */
  readonly responseUrl: string | null;
}

/**
 * Either outbound CEM message, discriminated by `kind`.
 *
 * @example
 * ```ts
 * const sent: OutboundCemMessage[] = [request, response]
 * sent.filter((m) => m.kind === 'response')
 * ```
 */
export type OutboundCemMessage = OutboundCemRequest | OutboundCemResponse;

/**
 * One e-mail attachment. For certificates see {@link certificateAttachment}.
 *
 * @example
 * ```ts
 * const a: EmailAttachment = { filename: 'notes.txt', contentType: 'text/plain', content }
 * ```
 */
export interface EmailAttachment {
  readonly filename: string;
  /** MIME type, parameters allowed (`application/pkcs7-mime; smime-type=certs-only`). */
  readonly contentType: string;
  readonly content: Uint8Array;
}

/**
 * An e-mail: the out-of-band fallback for partners without CEM, and admin notices.
 *
 * @example
 * ```ts
 * await transport.sendEmail?.({ to: 'edi@acme.test', subject: 'New certificate',
 *   text: 'Attached...', attachments: [certificateAttachment('me-2025.p7c', p7c)] })
 * ```
 */
export interface OutboundEmail {
  /** One address or several (`name <addr>` or bare `addr`). */
  readonly to: string | readonly string[];
  /** Overrides the transport's configured sender. */
  readonly from?: string;
  readonly subject: string;
  /** The plain-text body. */
  readonly text: string;
  readonly attachments: readonly EmailAttachment[];
}

/**
 * The host's outbound channel. `sendEmail` is optional: without it the engine reports partners
 * that need the certificate by e-mail through the notifier instead.
 *
 * Delivery is at least once: a message can be handed over again after a crash between the call
 * and the commit recording it, or in a cluster when a call outlasted the engine's `leaseMs` on
 * a clock without timers (or its node stalled past it) and another node took the entry over.
 * A repeat is byte-identical (same requestId, Content-IDs, `MessageOriginated` and body;
 * partners treat a repeated requestId as a duplicate). Give each call a timeout: a call that
 * never returns holds its outbox entry while its node keeps renewing the claim.
 *
 * @example
 * ```ts
 * const transport: CemTransport = {
 *   sendRequest: (m) => as2.post(m.as2To, m.contentType, m.body),
 *   sendResponse: (m) => as2.post(m.as2To, m.contentType, m.body, { url: m.responseUrl }),
 * }
 * ```
 */
export interface CemTransport {
  sendRequest(message: OutboundCemRequest): Promise<void>;
  sendResponse(message: OutboundCemResponse): Promise<void>;
  sendEmail?(email: OutboundEmail): Promise<void>;
}

/**
 * An attachment for a certificate: `.p7c`/`.p7b` names give a certs-only PKCS#7
 * (`application/pkcs7-mime; smime-type=certs-only`, RFC 8551 §3.2.2), anything else a single DER
 * certificate (`application/pkix-cert`, RFC 2585 §4.1; name it `.cer`).
 *
 * @example
 * ```ts
 * certificateAttachment('as2-2025.p7c', certsOnlyDer)
 * certificateAttachment('as2-2025.cer', certDer)
 * ```
 */
export function certificateAttachment(filename: string, content: Uint8Array): EmailAttachment {
  const certsOnly = /\.p7[bc]$/i.test(filename);
  return Object.freeze({
    filename,
    contentType: certsOnly ? 'application/pkcs7-mime; smime-type=certs-only' : 'application/pkix-cert',
    content,
  });
}
