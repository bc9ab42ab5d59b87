/**
 * Receiving AS2 messages: read (decrypt, verify), hand over, answer with an MDN (synchronous in
 * the HTTP response, or asynchronous to `Receipt-Delivery-Option`), and take asynchronous MDNs
 * partners post back. {@link createAs2Handler} wraps it as a `(req, res)` handler for node:http.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCemError } from '../../errors.js';
import type { DecryptionCandidate } from './cms-enveloped.js';
import { headerValue, parseAs2Name, parseDispositionOptions, type As2HeaderInput } from './headers.js';
import { postAs2, readBody, type As2HttpOptions } from './http.js';
import { buildMdn, readMdn, type As2MdnMessage, type As2MdnRead } from './mdn.js';
import type { As2Signer } from './message-build.js';
import { readAs2Message, type As2ReadSuccess } from './message-read.js';
import { readMultipartSigned, splitEntity } from './mime.js';
import { concatBytes, utf8 } from '../../messages/mime/internal/bytes.js';

/** What we hold for one partner: our keys, their trusted certificates, how we sign MDNs. */
export interface As2Trust {
  readonly decrypt: readonly DecryptionCandidate[];
  readonly verify: readonly Uint8Array[];
  readonly signMdn: As2Signer | null;
  readonly requireSigned?: boolean;
  readonly requireEncrypted?: boolean;
}

/** A message that was decrypted and verified. */
export interface As2InboundMessage {
  readonly as2From: string;
  readonly as2To: string;
  readonly messageId: string;
  readonly headers: As2HeaderInput;
  readonly read: As2ReadSuccess;
}

/** What processing reports for the MDN: nothing for `processed`, or an error or warning modifier. */
export type As2ProcessResult = { readonly modifierKind?: 'error' | 'warning'; readonly modifier?: string; readonly detail?: string } | undefined | void;

/** One line about one received message. */
export interface As2ReceiveReport {
  readonly as2From: string | null;
  readonly as2To: string | null;
  readonly messageId: string | null;
  /** `processed`, `processed/error: ...`, `mdn`, or `refused` (no MDN possible). */
  readonly disposition: string;
  readonly detail: string | null;
  readonly read: As2ReadSuccess | null;
  /** The MDN we answered with. */
  readonly mdn: As2MdnMessage | null;
  /** An async MDN posted to us. */
  readonly receivedMdn: As2MdnRead | null;
}

/** Options of {@link receiveAs2} and {@link createAs2Handler}. */
export interface As2ReceiverOptions {
  /** Our keys and the partner's certificates for AS2-From → AS2-To; `null` for an unknown partner. */
  trust(as2From: string, as2To: string): Promise<As2Trust | null>;
  /** Processes a decrypted, verified message. */
  process(message: As2InboundMessage): Promise<As2ProcessResult>;
  /** An asynchronous MDN a partner posted to us (verified against the partner's certificates). */
  onMdn?(mdn: As2MdnRead): Promise<void> | void;
  /** Called once per message, after the answer. */
  onReport?(report: As2ReceiveReport): void;
  /** An asynchronous MDN that could not be posted (the partner's URL failed). */
  onAsyncMdnFailure?(error: unknown, report: As2ReceiveReport): void;
  /** Largest request body, 16 MiB by default. */
  readonly maxBytes?: number;
  /** Reading the request body, 60 s by default. */
  readonly timeoutMs?: number;
  /** For posting asynchronous MDNs. */
  readonly http?: As2HttpOptions;
  readonly now?: () => Date;
}

/** The HTTP answer to one request, and the asynchronous MDN to post after it. */
export interface As2Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly report: As2ReceiveReport;
  /** Posts the asynchronous MDN (after the response went out), `null` when there is none. */
  readonly after: (() => Promise<void>) | null;
}

function isMdn(contentType: string, body: Uint8Array): boolean {
  const entity = splitEntity(concatBytes([utf8(`Content-Type: ${contentType}\r\n\r\n`), body]));
  if (entity.contentType?.essence === 'multipart/report') return true;
  if (entity.contentType?.essence !== 'multipart/signed') return false;
  const { signed } = readMultipartSigned(entity.contentType, entity.rawBody);
  return splitEntity(signed).contentType?.essence === 'multipart/report';
}

const text = (status: number, message: string, report: As2ReceiveReport): As2Answer => ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: utf8(`${message}\n`), report, after: null });

/**
 * Handles one inbound AS2 request (a message or an asynchronous MDN) and returns the answer.
 *
 * @example
 * ```ts
 * const answer = await receiveAs2(req.headers, body, { trust, process: async (m) => save(m.read.body) })
 * res.writeHead(answer.status, answer.headers).end(answer.body)
 * await answer.after?.()
 * ```
 * @throws never for bad input; a failure of `trust` or `process` becomes `processed/error: unexpected-processing-error`.
 */
export async function receiveAs2(headers: As2HeaderInput, body: Uint8Array, options: As2ReceiverOptions): Promise<As2Answer> {
  const rawFrom = headerValue(headers, 'as2-from');
  const rawTo = headerValue(headers, 'as2-to');
  const messageId = headerValue(headers, 'message-id') ?? null;
  const as2From = rawFrom === undefined ? null : parseAs2Name(rawFrom);
  const as2To = rawTo === undefined ? null : parseAs2Name(rawTo);
  const report = { as2From, as2To, messageId, read: null, mdn: null, receivedMdn: null };
  if (as2From === null || as2To === null || messageId === null) {
    return text(400, 'AS2-From, AS2-To and Message-ID are required', { ...report, disposition: 'refused', detail: 'missing AS2 headers' });
  }
  const contentType = headerValue(headers, 'content-type') ?? '';
  let trust: As2Trust | null;
  try {
    trust = await options.trust(as2From, as2To);
  } catch (error) {
    return text(500, 'the trading partner lookup failed', { ...report, disposition: 'refused', detail: error instanceof Error ? error.message : String(error) });
  }
  let mdnMessage = false;
  try {
    mdnMessage = isMdn(contentType, body);
  } catch {
    mdnMessage = false;
  }
  if (mdnMessage) {
    const mdn = await readMdn(headers, body, { verify: trust?.verify ?? [] });
    if (!mdn.ok) return text(400, mdn.detail, { ...report, disposition: 'refused', detail: mdn.detail });
    await options.onMdn?.(mdn);
    return { status: 200, headers: {}, body: new Uint8Array(0), report: { ...report, disposition: 'mdn', detail: mdn.disposition.raw, receivedMdn: mdn }, after: null };
  }
  const receipt = parseDispositionOptions(headerValue(headers, 'disposition-notification-options'));
  const wantsMdn = headerValue(headers, 'disposition-notification-to') !== undefined;
  const asyncUrl = headerValue(headers, 'receipt-delivery-option') ?? null;
  let read: As2ReadSuccess | null = null;
  let modifier: { modifierKind?: 'error' | 'warning'; modifier?: string };
  let detail: string | null = null;
  let mic: As2ReadSuccess['mic'] | null = null;
  if (trust === null) {
    modifier = { modifierKind: 'error', modifier: 'authentication-failed' };
    detail = `no trading partner ${as2From} -> ${as2To}`;
  } else {
    const result = await readAs2Message(headers, body, {
      decrypt: trust.decrypt, verify: trust.verify, micalgs: receipt.micalgs, maxBytes: options.maxBytes,
      ...(trust.requireSigned === undefined ? {} : { requireSigned: trust.requireSigned }),
      ...(trust.requireEncrypted === undefined ? {} : { requireEncrypted: trust.requireEncrypted }),
    });
    mic = result.mic;
    if (!result.ok) {
      modifier = { modifierKind: 'error', modifier: result.modifier };
      detail = result.detail;
    } else {
      read = result;
      try {
        const processed = (await options.process({ as2From, as2To, messageId, headers, read: result })) ?? {};
        modifier = processed;
        detail = processed.detail ?? null;
      } catch (error) {
        modifier = { modifierKind: 'error', modifier: 'unexpected-processing-error' };
        detail = isCemError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      }
    }
  }
  const disposition = `processed${modifier.modifierKind === undefined ? '' : `/${modifier.modifierKind}: ${modifier.modifier ?? 'unexpected-processing-error'}`}`;
  const base = { ...report, read, disposition, detail };
  if (!wantsMdn) return { status: 200, headers: {}, body: new Uint8Array(0), report: base, after: null };
  const signer = receipt.signed && trust !== null ? trust.signMdn : null;
  const mdn = await buildMdn({ as2From: as2To, as2To: as2From, originalMessageId: messageId, disposition: modifier, mic, sign: signer, ...(options.now === undefined ? {} : { now: options.now() }) });
  const done = { ...base, mdn };
  if (asyncUrl === null) return { status: 200, headers: mdn.headers, body: mdn.body, report: done, after: null };
  return {
    status: 200, headers: {}, body: new Uint8Array(0), report: done,
    after: async () => {
      const response = await postAs2(asyncUrl, mdn.headers, mdn.body, options.http);
      if (response.status < 200 || response.status > 299) throw new Error(`the asynchronous MDN to ${asyncUrl} got HTTP ${response.status}`);
    },
  };
}

/**
 * A `(req, res)` handler for node:http (or any framework passing node's request and response)
 * over {@link receiveAs2}: POST only, body bounded, one report per request.
 *
 * @example
 * ```ts
 * http.createServer(createAs2Handler({ trust, process })).listen(8080)
 * ```
 * @throws never: failures become HTTP answers (400, 405, 408, 413, 500) and reports.
 */
export function createAs2Handler(options: As2ReceiverOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('AS2 takes POST\n');
        return;
      }
      let body: Uint8Array;
      try {
        body = await readBody(req, options.maxBytes ?? 16 * 1024 * 1024, options.timeoutMs ?? 60_000);
      } catch (error) {
        // answer, then drop the connection; what the client still sends is discarded meanwhile
        const message = error instanceof Error ? error.message : 'unreadable body';
        req.resume();
        res.writeHead(/larger than/.test(message) ? 413 : 408, { 'Content-Type': 'text/plain', Connection: 'close' }).end(`${message}\n`, () => req.destroy());
        return;
      }
      const answer = await receiveAs2(req.headers, body, options);
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(answer.body.byteLength) });
      res.end(answer.body);
      options.onReport?.(answer.report);
      if (answer.after !== null) await answer.after().catch((error: unknown) => options.onAsyncMdnFailure?.(error, answer.report));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}
