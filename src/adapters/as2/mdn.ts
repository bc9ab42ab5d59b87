/**
 * AS2 MDNs (RFC 4130 §7, RFC 3798): `multipart/report; report-type=disposition-notification`,
 * signed or not, built and read.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { CemArgumentError, isCemError } from '../../errors.js';
import { verifyLeniently, micAlgorithm, signDetached, type MicAlgorithm } from './cms-signed.js';
import { as2EnvelopeHeaders, type As2HeaderInput, headerValue, newMessageId, parseAs2Name } from './headers.js';
import { certificateDer } from './keys.js';
import type { As2Signer } from './message-build.js';
import { buildMultipartSigned, entityBytes, newBoundary, readMultipartSigned, splitEntity } from './mime.js';
import { concatBytes, fromUtf8, utf8 } from '../../messages/mime/internal/bytes.js';
import { parseHeaderBlock } from '../../messages/mime/internal/header-block.js';
import { splitMultipart } from '../../messages/mime/internal/multipart.js';

/** A disposition (RFC 3798 §3.2.6, RFC 4130 §7.4.3): `processed`, optionally with an error or warning modifier. */
export interface As2Disposition {
  /** `processed` (or `failed` from older products). */
  readonly type: string;
  /** `error`, `warning` or `failure`, `null` for none. */
  readonly modifierKind: 'error' | 'warning' | 'failure' | null;
  /** The modifier text, e.g. `decryption-failed`. */
  readonly modifier: string | null;
  /** The whole `Disposition` value as written. */
  readonly raw: string;
}

/** The input of {@link buildMdn}. */
export interface As2MdnInput {
  /** Our AS2 name (the MDN's AS2-From): the original message's AS2-To. */
  readonly as2From: string;
  /** The original sender. */
  readonly as2To: string;
  readonly originalMessageId: string;
  readonly disposition: { readonly modifierKind?: 'error' | 'warning'; readonly modifier?: string };
  readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm } | null;
  /** Human-readable text of the first part. */
  readonly text?: string;
  /** `null` for an unsigned MDN. */
  readonly sign: As2Signer | null;
  readonly now?: Date;
}

/** A built MDN: HTTP headers and body. */
export interface As2MdnMessage {
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * Builds an MDN for a received message.
 *
 * @example
 * ```ts
 * const mdn = await buildMdn({ as2From: 'ME', as2To: 'ACME', originalMessageId: '<1@acme>', mic: read.mic,
 *   disposition: {}, sign: { certificate: myPem, key: myKey } })
 * res.writeHead(200, mdn.headers).end(mdn.body)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an unreadable certificate or key, or a header value with line breaks.
 */
export async function buildMdn(input: As2MdnInput): Promise<As2MdnMessage> {
  for (const v of [input.as2From, input.as2To, input.originalMessageId, input.disposition.modifier ?? '']) {
    if (/[\r\n]/.test(v)) throw new CemArgumentError('MDN header values must not contain line breaks');
  }
  const now = input.now ?? new Date();
  const m = input.disposition;
  const disposition = `automatic-action/MDN-sent-automatically; processed${m.modifierKind === undefined ? '' : `/${m.modifierKind}: ${m.modifier ?? 'unexpected-processing-error'}`}`;
  const fields = [
    'Reporting-UA: ediint-cem',
    `Original-Recipient: rfc822; ${input.as2From}`,
    `Final-Recipient: rfc822; ${input.as2From}`,
    `Original-Message-ID: ${input.originalMessageId}`,
    ...(input.mic === null ? [] : [`Received-Content-MIC: ${input.mic.value}, ${input.mic.algorithm}`]),
    `Disposition: ${disposition}`,
  ];
  const text = input.text ?? `The AS2 message ${input.originalMessageId} sent to ${input.as2From} was received: ${disposition.split('; ')[1] ?? ''}.`;
  const boundary = newBoundary('mdn');
  const report = concatBytes([
    utf8(`--${boundary}\r\n`),
    entityBytes([['Content-Type', 'text/plain; charset=utf-8'], ['Content-Transfer-Encoding', '8bit']], utf8(`${text}\r\n`)),
    utf8(`\r\n--${boundary}\r\n`),
    entityBytes([['Content-Type', 'message/disposition-notification'], ['Content-Transfer-Encoding', '7bit']], utf8(`${fields.join('\r\n')}\r\n`)),
    utf8(`\r\n--${boundary}--\r\n`),
  ]);
  let top = entityBytes([['Content-Type', `multipart/report; report-type=disposition-notification; boundary="${boundary}"`]], report);
  if (input.sign !== null) {
    const digest = input.sign.digest ?? 'sha-256';
    const signature = await signDetached(top, { certificate: certificateDer(input.sign.certificate), chain: (input.sign.chain ?? []).map(certificateDer), key: input.sign.key }, digest, now);
    const signed = buildMultipartSigned(top, signature, digest);
    top = entityBytes([['Content-Type', signed.contentType]], signed.body);
  }
  const outer = splitEntity(top);
  const messageId = newMessageId(input.as2From, now);
  const headers = as2EnvelopeHeaders({ as2From: input.as2From, as2To: input.as2To, messageId, contentType: outer.headers[0]?.value ?? '', subject: 'Message Disposition Notification', now });
  return Object.freeze({ messageId, headers: Object.freeze(headers), body: outer.rawBody });
}

/** A read MDN. */
export interface As2MdnRead {
  readonly ok: true;
  readonly as2From: string | null;
  readonly as2To: string | null;
  readonly messageId: string | null;
  readonly originalMessageId: string | null;
  readonly disposition: As2Disposition;
  readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm } | null;
  /** The partner certificate that verified the MDN's signature; `null` for an unsigned MDN. */
  readonly verifiedWith: Uint8Array | null;
  /** The `EDIINT-Features` the MDN carried. */
  readonly features: string | null;
  /** The human-readable text. */
  readonly text: string;
}

/**
 * Parses a `Disposition` value (RFC 3798 §3.2.6).
 *
 * @example
 * ```ts
 * parseDisposition('automatic-action/MDN-sent-automatically; processed/error: decryption-failed')
 * // { type: 'processed', modifierKind: 'error', modifier: 'decryption-failed', raw: ... }
 * ```
 * @throws never.
 */
export function parseDisposition(raw: string): As2Disposition {
  const after = raw.includes(';') ? raw.slice(raw.indexOf(';') + 1) : raw;
  const match = /^\s*([a-z-]+)\s*(?:\/\s*([a-z-]+)\s*:?\s*(.*))?$/i.exec(after.trim());
  const kind = match?.[2]?.toLowerCase();
  return Object.freeze({
    type: (match?.[1] ?? '').toLowerCase(),
    modifierKind: kind === 'error' || kind === 'warning' || kind === 'failure' ? kind : null,
    modifier: match?.[3]?.trim() || null,
    raw: raw.trim(),
  });
}

/**
 * Reads an MDN from its HTTP headers and body; a signed MDN must verify against one of `verify`.
 *
 * @example
 * ```ts
 * const mdn = await readMdn(response.headers, response.body, { verify: partnerSigningCerts })
 * if (mdn.ok && mdn.disposition.modifierKind === null) console.log('processed')
 * ```
 * @throws never: an unreadable or unverified MDN is `{ ok: false, detail }`.
 */
export async function readMdn(headers: As2HeaderInput, body: Uint8Array, options: { readonly verify: readonly Uint8Array[] }): Promise<As2MdnRead | { readonly ok: false; readonly detail: string }> {
  try {
    const contentType = headerValue(headers, 'content-type');
    if (contentType === undefined) return { ok: false, detail: 'the MDN has no Content-Type' };
    let entity = concatBytes([utf8(`Content-Type: ${contentType}\r\n\r\n`), body]);
    let split = splitEntity(entity);
    let verifiedWith: Uint8Array | null = null;
    if (split.contentType?.essence === 'multipart/signed') {
      const { signed, signature } = readMultipartSigned(split.contentType, split.rawBody);
      const { verification: v } = await verifyLeniently(signed, signature, options.verify);
      if (!v.ok) return { ok: false, detail: `the MDN's signature does not verify: ${v.detail}` };
      verifiedWith = v.signer;
      entity = signed;
      split = splitEntity(entity);
    }
    if (split.contentType?.essence !== 'multipart/report') return { ok: false, detail: `the MDN is ${split.contentType?.essence ?? 'untyped'}, not multipart/report` };
    const parts = splitMultipart(split.body(), split.contentType.params.boundary ?? '', 10).map(splitEntity);
    const notification = parts.find((p) => p.contentType?.essence === 'message/disposition-notification');
    if (notification === undefined) return { ok: false, detail: 'the MDN has no message/disposition-notification part' };
    const fields = parseHeaderBlock(concatBytes([notification.body(), utf8('\r\n\r\n')])).headers;
    const field = (name: string): string | undefined => fields.find((f) => f.name.toLowerCase() === name)?.value;
    const rawDisposition = field('disposition');
    if (rawDisposition === undefined) return { ok: false, detail: 'the MDN has no Disposition' };
    const micField = field('received-content-mic');
    const [micValue, micAlg] = (micField ?? '').split(',').map((s) => s.trim());
    const alg = micAlg === undefined ? null : micAlgorithm(micAlg);
    const textPart = parts.find((p) => p.contentType?.type === 'text');
    const as2From = headerValue(headers, 'as2-from');
    const as2To = headerValue(headers, 'as2-to');
    return Object.freeze({
      ok: true,
      as2From: as2From === undefined ? null : parseAs2Name(as2From),
      as2To: as2To === undefined ? null : parseAs2Name(as2To),
      messageId: headerValue(headers, 'message-id') ?? null,
      originalMessageId: field('original-message-id') ?? null,
      disposition: parseDisposition(rawDisposition),
      mic: micValue !== undefined && micValue.length > 0 && alg !== null ? { value: micValue, algorithm: alg } : null,
      verifiedWith,
      features: headerValue(headers, 'ediint-features') ?? null,
      text: textPart === undefined ? '' : fromUtf8(textPart.body()).trim(),
    });
  } catch (error) {
    return { ok: false, detail: `unreadable MDN (${isCemError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Checks an MDN against the message it answers: same Message-ID, signed when a signed receipt
 * was asked for, `processed` without an error, and the MIC we computed. Returns the problem, or
 * `null` when the MDN is good.
 *
 * @example
 * ```ts
 * const problem = mdnProblem(mdn, sent)
 * if (problem !== null) throw new Error(problem)
 * ```
 */
export function mdnProblem(mdn: As2MdnRead, sent: { readonly messageId: string; readonly micContent: Uint8Array; readonly mic: { readonly value: string; readonly algorithm: MicAlgorithm }; readonly signedReceipt: boolean }): string | null {
  if (mdn.originalMessageId !== null && mdn.originalMessageId !== sent.messageId) return `the MDN answers ${mdn.originalMessageId}, not ${sent.messageId}`;
  if (sent.signedReceipt && mdn.verifiedWith === null) return 'the MDN is not signed';
  const d = mdn.disposition;
  if (d.type !== 'processed' || d.modifierKind === 'error' || d.modifierKind === 'failure') return `the partner reports ${d.raw}`;
  if (mdn.mic === null) return 'the MDN returns no MIC';
  const expected = mdn.mic.algorithm === sent.mic.algorithm ? sent.mic.value : createHash(mdn.mic.algorithm.replace('-', '')).update(sent.micContent).digest('base64');
  if (mdn.mic.value !== expected) return `the MDN's MIC ${mdn.mic.value} (${mdn.mic.algorithm}) does not match ours ${expected}`;
  return null;
}
