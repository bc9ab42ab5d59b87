/**
 * Building outbound AS2 messages (RFC 4130): the payload entity, signed (`multipart/signed`),
 * encrypted (`application/pkcs7-mime` EnvelopedData), both (sign then encrypt) or neither, with
 * the AS2 headers and the MIC the MDN must return (RFC 4130 §7.3.1).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { CemArgumentError } from '../../errors.js';
import { encryptEnveloped, type ContentCipher, type KeyTransport } from './cms-enveloped.js';
import { nodeHash, signDetached, type MicAlgorithm } from './cms-signed.js';
import { as2EnvelopeHeaders, dispositionOptions, newMessageId } from './headers.js';
import { certificateDer, type As2CertificateInput, type As2PrivateKeyInput } from './keys.js';
import { encodeBase64Lines } from '../../messages/mime/internal/transfer-encoding.js';
import { buildMultipartSigned, entityBytes, pkcs7MimeEntity, splitEntity } from './mime.js';

/** How we sign: our certificate, its chain (optional) and private key. */
export interface As2Signer {
  readonly certificate: As2CertificateInput;
  readonly chain?: readonly As2CertificateInput[];
  readonly key: As2PrivateKeyInput;
  /** `sha-256` by default. */
  readonly digest?: Exclude<MicAlgorithm, 'sha-1'>;
}

/** How we encrypt: the partner's certificate. */
export interface As2Recipient {
  readonly certificate: As2CertificateInput;
  /** `aes-256-cbc` by default. */
  readonly cipher?: ContentCipher;
  /** `rsa` (RSAES-PKCS1-v1_5) by default. */
  readonly keyTransport?: KeyTransport;
}

/** The MDN we ask for: synchronous (in the HTTP response), asynchronous (posted to `url`) or none. */
export type As2MdnRequest =
  | { readonly mode: 'none' }
  | { readonly mode: 'sync'; readonly signed?: boolean; readonly returnTo?: string }
  | { readonly mode: 'async'; readonly url: string; readonly signed?: boolean; readonly returnTo?: string };

/** The input of {@link buildAs2Message}. */
export interface As2MessageInput {
  readonly as2From: string;
  readonly as2To: string;
  /** The payload: its Content-Type and body (written binary). */
  readonly contentType: string;
  readonly body: Uint8Array;
  /** `null` for an unsigned message. */
  readonly sign: As2Signer | null;
  /** `null` for an unencrypted message. */
  readonly encrypt: As2Recipient | null;
  /** Signed synchronous MDN by default. */
  readonly mdn?: As2MdnRequest;
  /** Defaults to a new one under the AS2-From's name. */
  readonly messageId?: string;
  readonly subject?: string;
  /**
   * How the outer body travels: `binary` (RFC 4130 §5.2, the default) or `base64` with a
   * `Content-Transfer-Encoding: base64` header, for receivers that only read base64 bodies (libas2).
   */
  readonly transferEncoding?: 'binary' | 'base64';
  /** Signing time and Message-ID source; now by default. */
  readonly now?: Date;
}

/** A built message, ready to post. */
export interface As2OutboundMessage {
  readonly messageId: string;
  /** The HTTP header fields (Content-Type included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The MIC the receiver must return, base64, and its algorithm. */
  readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm };
  /** The bytes the MIC covers (to recompute it with another algorithm the MDN names). */
  readonly micContent: Uint8Array;
  readonly mdn: As2MdnRequest;
}

/**
 * The base64 MIC of `content` with `algorithm` (RFC 4130 §7.3.1), as `Received-Content-MIC` carries it.
 *
 * @example
 * ```ts
 * computeMic(signedEntityBytes, 'sha-256') // 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg='
 * ```
 * @throws never.
 */
export function computeMic(content: Uint8Array, algorithm: MicAlgorithm): string {
  return createHash(nodeHash(algorithm)).update(content).digest('base64');
}

/**
 * Builds a signed and/or encrypted AS2 message with its headers and MIC.
 *
 * @example
 * ```ts
 * const msg = await buildAs2Message({ as2From: 'ME', as2To: 'ACME', contentType: 'application/edi-x12', body,
 *   sign: { certificate: myPem, key: myKeyPem }, encrypt: { certificate: acmePem } })
 * await postAs2(url, msg)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an unreadable certificate or key, an empty AS2 name or a header value with line breaks.
 */
export async function buildAs2Message(input: As2MessageInput): Promise<As2OutboundMessage> {
  for (const [name, v] of [['as2From', input.as2From], ['as2To', input.as2To], ['contentType', input.contentType], ['subject', input.subject ?? 'x']] as const) {
    if (v.length === 0 || v.length > 1000 || /[\r\n]/.test(v)) throw new CemArgumentError(`${name} must be 1-1000 characters without line breaks`);
  }
  const now = input.now ?? new Date();
  const messageId = input.messageId ?? newMessageId(input.as2From, now);
  const mdn = input.mdn ?? { mode: 'sync', signed: true };
  const payload = entityBytes([['Content-Type', input.contentType], ['Content-Transfer-Encoding', 'binary']], input.body);
  let top = payload;
  let mic: { value: string; algorithm: MicAlgorithm };
  let micContent: Uint8Array;
  if (input.sign !== null) {
    const digest = input.sign.digest ?? 'sha-256';
    const signature = await signDetached(payload, {
      certificate: certificateDer(input.sign.certificate),
      chain: (input.sign.chain ?? []).map(certificateDer),
      key: input.sign.key,
    }, digest, now);
    const signed = buildMultipartSigned(payload, signature, digest);
    top = entityBytes([['Content-Type', signed.contentType]], signed.body);
    micContent = payload;
    mic = { value: computeMic(payload, digest), algorithm: digest };
  } else {
    // RFC 4130 §7.3.1: unsigned, encrypted: the decrypted entity with its headers; unsigned, unencrypted: the body alone.
    micContent = input.encrypt !== null ? payload : input.body;
    mic = { value: computeMic(micContent, 'sha-256'), algorithm: 'sha-256' };
  }
  if (input.encrypt !== null) {
    const der = encryptEnveloped(top, certificateDer(input.encrypt.certificate), input.encrypt.cipher ?? 'aes-256-cbc', input.encrypt.keyTransport ?? 'rsa');
    const p7m = pkcs7MimeEntity(der, 'enveloped-data');
    top = entityBytes([['Content-Type', p7m.contentType]], p7m.body);
  }
  const outer = splitEntity(top);
  const headers = as2EnvelopeHeaders({
    as2From: input.as2From, as2To: input.as2To, messageId, subject: input.subject ?? 'AS2 message', now,
    contentType: outer.headers.find((h) => h.name === 'Content-Type')?.value ?? input.contentType,
  });
  if (mdn.mode !== 'none') {
    headers['Disposition-Notification-To'] = mdn.returnTo ?? 'as2@ediint-cem.invalid';
    if (mdn.signed !== false) headers['Disposition-Notification-Options'] = dispositionOptions([mic.algorithm]);
    if (mdn.mode === 'async') headers['Receipt-Delivery-Option'] = mdn.url;
  }
  // products that parse the body as a MIME part (libas2) read it as binary only when it is an attachment
  if (input.encrypt !== null) headers['Content-Disposition'] = 'attachment; filename="smime.p7m"';
  let body = outer.rawBody;
  if (input.transferEncoding === 'base64') {
    headers['Content-Transfer-Encoding'] = 'base64';
    body = encodeBase64Lines(body);
  }
  return Object.freeze({ messageId, headers: Object.freeze(headers), body, mic: Object.freeze(mic), micContent, mdn });
}
