/**
 * AS2 header fields (RFC 4130 §6): names, Message-IDs, the MDN request options, and a
 * case-insensitive view of incoming headers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { micAlgorithm, type MicAlgorithm } from './cms-signed.js';

/** What we advertise on every message and MDN we send (RFC 6017; draft-14 §2.2). */
export const EDIINT_FEATURES = 'CEM, multiple-attachments';

/** The AS2 version we speak (RFC 6017 §5: 1.2 with multiple-attachments, CEM). */
export const AS2_VERSION = '1.2';

/** Incoming header fields, as node's `IncomingMessage.headers` or a plain record. */
export type As2HeaderInput = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The first value of a header, case-insensitively. */
export function headerValue(headers: As2HeaderInput, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return typeof v === 'string' ? v : v[0];
  }
  return undefined;
}

/** An AS2 name as written in AS2-From / AS2-To: quoted when it holds spaces or specials (RFC 4130 §6.2). */
export function formatAs2Name(name: string): string {
  return /^[!#-[\]-~]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** An AS2 name read from AS2-From / AS2-To (quotes removed). */
export function parseAs2Name(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** A new Message-ID `<time.random@domain>`, the domain made from the sender's AS2 name. */
export function newMessageId(as2From: string, now: Date): string {
  const d = as2From.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `<${now.getTime().toString(36)}.${randomBytes(10).toString('hex')}@${d.length > 0 ? d : 'as2'}>`;
}

/** The headers every AS2 message and MDN we send carries (RFC 4130 §6, RFC 6017 §3). */
export function as2EnvelopeHeaders(m: { readonly as2From: string; readonly as2To: string; readonly messageId: string; readonly contentType: string; readonly subject: string; readonly now: Date }): Record<string, string> {
  return {
    'AS2-Version': AS2_VERSION,
    'AS2-From': formatAs2Name(m.as2From),
    'AS2-To': formatAs2Name(m.as2To),
    'Message-ID': m.messageId,
    'EDIINT-Features': EDIINT_FEATURES,
    'Mime-Version': '1.0',
    'Content-Type': m.contentType,
    Subject: m.subject,
    Date: m.now.toUTCString(),
  };
}

/** The `Disposition-Notification-Options` asking for a signed receipt with these MIC algorithms. */
export function dispositionOptions(micalgs: readonly MicAlgorithm[]): string {
  return `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${micalgs.join(', ')}`;
}

/** What the sender asked for in `Disposition-Notification-Options`. */
export interface ReceiptRequest {
  /** A signed MDN was asked for. */
  readonly signed: boolean;
  /** The MIC algorithms asked for, in the sender's order (only those we know). */
  readonly micalgs: readonly MicAlgorithm[];
}

/** Reads `Disposition-Notification-Options` (RFC 4130 §7.3). */
export function parseDispositionOptions(value: string | undefined): ReceiptRequest {
  if (value === undefined) return { signed: false, micalgs: [] };
  let signed = false;
  const micalgs: MicAlgorithm[] = [];
  for (const param of value.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const values = param.slice(eq + 1).split(',').map((v) => v.trim().toLowerCase());
    if (name === 'signed-receipt-protocol') signed = values.slice(1).includes('pkcs7-signature');
    if (name === 'signed-receipt-micalg') {
      for (const v of values.slice(1)) {
        const alg = micAlgorithm(v);
        if (alg !== null && !micalgs.includes(alg)) micalgs.push(alg);
      }
    }
  }
  return { signed, micalgs };
}
