/**
 * The engine's transport port over AS2: each CEM Request and Response goes out signed with our
 * resolved signing certificate, encrypted to the partner's resolved encryption certificate, and
 * waits for a good, verified, MIC-matching MDN (synchronous) or hands over to an asynchronous one.
 *
 * @module
 */
import { CemAs2Error } from '../../errors.js';
import type { CemTransport, OutboundCemMessage, OutboundEmail } from '../../ports/transport.js';
import { sendAs2Message, type As2SendResult } from './client.js';
import type { ContentCipher, KeyTransport } from './cms-enveloped.js';
import type { MicAlgorithm } from './cms-signed.js';
import type { As2HttpOptions } from './http.js';
import type { As2PrivateKeyInput } from './keys.js';
import { mdnProblem, type As2MdnRead } from './mdn.js';
import { buildAs2Message, type As2OutboundMessage } from './message-build.js';

/** Looks up a private key by the `keyRef` the host gave with its certificate. */
export type As2KeyLookup = (keyRef: string) => As2PrivateKeyInput | undefined | Promise<As2PrivateKeyInput | undefined>;

/** A certificate the engine resolved: DER, chain and (ours) key reference. */
export interface As2ResolvedCertificate {
  readonly der: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly keyRef?: string;
  readonly fingerprint: string;
}

/** What the transport needs of `engine.resolve(partnerId)`. */
export interface As2OutboundMaterial {
  readonly signOutbound: As2ResolvedCertificate | null;
  readonly encryptOutbound: As2ResolvedCertificate | null;
  readonly verifyMdn: readonly As2ResolvedCertificate[];
}

/** One message the transport sent, with its outcome (for logs and captures). */
export interface As2SentRecord {
  readonly partnerId: string;
  readonly url: string;
  readonly cem: OutboundCemMessage;
  readonly message: As2OutboundMessage;
  /** `null` when the HTTP exchange failed. */
  readonly result: As2SendResult | null;
  readonly error: string | null;
}

/** An asynchronous MDN matched with the message it answers. */
export interface As2MdnMatch {
  readonly partnerId: string;
  readonly kind: 'request' | 'response';
  readonly requestId: string | null;
  readonly messageId: string;
  /** Why the MDN is not a good `processed` for the message, `null` when it is. */
  readonly problem: string | null;
}

/** The AS2 transport: the engine's port, and the matching of asynchronous MDNs. */
export interface As2Transport extends CemTransport {
  /**
   * Matches an asynchronous MDN (already verified against the partner's certificates, as
   * {@link receiveAs2} does) with the message it answers; `null` for an MDN that answers no
   * message still waiting (unknown, or matched before).
   */
  matchMdn(mdn: As2MdnRead): As2MdnMatch | null;
}

/** Options of {@link createAs2Transport}. */
export interface As2TransportOptions {
  /** Usually `(id) => engine.resolve(id)`. */
  material(partnerId: string): Promise<As2OutboundMaterial | null>;
  readonly keys: As2KeyLookup;
  /** The partner's AS2 URL (Requests, and Responses to Requests without a ResponseURL). */
  partnerUrl(partnerId: string): string | Promise<string>;
  /** `sync` (default): wait for the signed MDN; `none`; or an async MDN to this URL. */
  readonly mdn?: 'sync' | 'none' | { readonly asyncUrl: string };
  /** Rewrites a Request's `ResponseURL` before a Response is posted to it (a proxy, a test network); identity by default. */
  responseUrl?(url: string, partnerId: string): string;
  readonly digest?: Exclude<MicAlgorithm, 'sha-1'>;
  readonly cipher?: ContentCipher;
  readonly keyTransport?: KeyTransport;
  readonly http?: As2HttpOptions;
  /** Sends e-mails for partners without CEM (for example the SMTP adapter's `sendEmail`). */
  readonly sendEmail?: (email: OutboundEmail) => Promise<void>;
  /** Called after every message (sent or failed). */
  onSent?(record: As2SentRecord): void;
  /** Signing time and Message-ID source; now by default. */
  readonly now?: () => Date;
}

/**
 * Creates a {@link CemTransport} that sends CEM messages over AS2. A send fails (rejects) when
 * the partner cannot be reached, answers with a status other than 2xx, or its synchronous MDN is
 * missing, unverified, for another message, with another MIC or not `processed`.
 *
 * @example
 * ```ts
 * const transport = createAs2Transport({ material: (id) => engine.resolve(id), keys: (ref) => keyStore.get(ref),
 *   partnerUrl: (id) => partners[id].url })
 * const engine = createCemEngine({ ...ports, transport })
 * ```
 * @throws never itself; `sendRequest`/`sendResponse` reject with `CemAs2Error` (`CEM_AS2_HTTP`, `CEM_AS2_MDN`) or `CemArgumentError`.
 */
export function createAs2Transport(options: As2TransportOptions): As2Transport {
  const pending = new Map<string, { readonly cem: OutboundCemMessage; readonly message: As2OutboundMessage }>();
  async function send(m: OutboundCemMessage, url: string): Promise<void> {
    const material = await options.material(m.partnerId);
    if (material === null) throw new CemAs2Error('CEM_AS2_HTTP', `no relationship ${m.partnerId} to send to`);
    const signer = material.signOutbound;
    const recipient = material.encryptOutbound;
    if (signer === null || recipient === null) throw new CemAs2Error('CEM_AS2_HTTP', `no ${signer === null ? 'signing' : 'partner encryption'} certificate for ${m.partnerId}`);
    const key = signer.keyRef === undefined ? undefined : await options.keys(signer.keyRef);
    if (key === undefined) throw new CemAs2Error('CEM_AS2_HTTP', `no private key for key reference ${signer.keyRef ?? '(none)'}`);
    const mode = options.mdn ?? 'sync';
    const message = await buildAs2Message({
      as2From: m.as2From, as2To: m.as2To, contentType: m.contentType, body: m.body,
      sign: { certificate: signer.der, chain: signer.chain, key, digest: options.digest ?? 'sha-256' },
      encrypt: { certificate: recipient.der, cipher: options.cipher ?? 'aes-256-cbc', keyTransport: options.keyTransport ?? 'rsa' },
      mdn: mode === 'none' ? { mode: 'none' } : mode === 'sync' ? { mode: 'sync', signed: true } : { mode: 'async', url: mode.asyncUrl, signed: true },
      subject: m.kind === 'request' ? 'CEM Request' : 'CEM Response',
      ...(options.now === undefined ? {} : { now: options.now() }),
    });
    if (message.mdn.mode === 'async') {
      if (pending.size >= 10_000) pending.delete(pending.keys().next().value ?? '');
      pending.set(message.messageId, { cem: m, message });
    }
    let result: As2SendResult | null = null;
    try {
      result = await sendAs2Message(url, message, { ...options.http, verifyMdn: material.verifyMdn.map((c) => c.der) });
    } catch (error) {
      options.onSent?.({ partnerId: m.partnerId, url, cem: m, message, result: null, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    options.onSent?.({ partnerId: m.partnerId, url, cem: m, message, result, error: result.problem });
    if (result.problem !== null) throw new CemAs2Error('CEM_AS2_MDN', `${m.as2To}: ${result.problem}`);
  }
  const transport: As2Transport = {
    sendRequest: async (m) => send(m, await options.partnerUrl(m.partnerId)),
    sendResponse: async (m) => send(m, m.responseUrl === null ? await options.partnerUrl(m.partnerId) : (options.responseUrl?.(m.responseUrl, m.partnerId) ?? m.responseUrl)),
    matchMdn(mdn) {
      const sent = mdn.originalMessageId === null ? undefined : pending.get(mdn.originalMessageId);
      if (sent === undefined) return null;
      pending.delete(sent.message.messageId);
      const { message, cem } = sent;
      const problem = mdnProblem(mdn, { messageId: message.messageId, micContent: message.micContent, mic: message.mic, signedReceipt: true });
      return Object.freeze({ partnerId: cem.partnerId, kind: cem.kind, requestId: cem.requestId, messageId: message.messageId, problem });
    },
  };
  const sendEmail = options.sendEmail;
  return Object.freeze(sendEmail === undefined ? transport : { ...transport, sendEmail });
}
