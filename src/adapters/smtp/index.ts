/**
 * `ediint-cem/adapters/smtp`: sends the engine's e-mails (certificates for partners without CEM,
 * admin notices) through an SMTP relay, with a small built-in client (RFC 5321, 3207, 4954) and
 * MIME builder (RFC 2045–2047, 2231). No mail library is needed.
 *
 * @module
 */
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { CemArgumentError } from '../../errors.js';
import { systemClock } from '../../ports/clock.js';
import type { Clock } from '../../ports/clock.js';
import type { CemTransport, OutboundEmail } from '../../ports/transport.js';
import { parseMailbox } from './address.js';
import { buildEmailMessage, dotStuff } from './mime.js';
import { deliver } from './session.js';
import type { SessionSettings } from './session.js';

export type { SmtpFailure } from './connection.js';
export { buildEmailMessage } from './mime.js';
export type { BuiltEmailMessage, EmailMessageContext } from './mime.js';
export type { Mailbox } from './address.js';

/**
 * Options of {@link createSmtpEmailTransport}.
 *
 * @example
 * ```ts
 * const options: SmtpTransportOptions = { host: 'smtp.example.com', port: 587, from: 'as2@example.com',
 *   startTls: 'required', auth: { user: 'as2', pass } }
 * ```
 */
export interface SmtpTransportOptions {
  /** The relay's host name or IP address. */
  readonly host: string;
  /** The relay's port: 587 (submission, STARTTLS), 465 (`secure: true`) or 25. */
  readonly port: number;
  /** TLS from the first byte (SMTPS, port 465); `false` by default. */
  readonly secure?: boolean;
  /** The sender (`addr` or `Name <addr>`) when an e-mail names none. The envelope sender (MAIL FROM) is the sender used. */
  readonly from: string;
  /** Credentials for AUTH PLAIN (preferred) or LOGIN. */
  readonly auth?: { readonly user: string; readonly pass: string; readonly method?: 'PLAIN' | 'LOGIN' };
  /** The name given in EHLO; the host name by default (`localhost` when it is not a domain). */
  readonly heloName?: string;
  /** Upgrade with STARTTLS when offered (`ifOffered`, the default), insist on it, or never. */
  readonly startTls?: 'ifOffered' | 'required' | 'never';
  /** TLS settings for STARTTLS and `secure` (trusted `ca`, `servername`, `rejectUnauthorized`, ...). */
  readonly tls?: ConnectionOptions;
  /** Allow AUTH over an unencrypted connection; `false` by default. */
  readonly allowInsecureAuth?: boolean;
  /** Longest wait for the connection and for each reply; 30 000 ms by default. */
  readonly timeoutMs?: number;
  /** The clock for the `Date` header; the system clock by default. */
  readonly clock?: Clock;
}

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function heloNameOf(value: string | undefined): string {
  if (value !== undefined) {
    if (!DOMAIN.test(value) && !/^\[[\x21-\x5a\x5e-\x7e]+\]$/.test(value)) throw new CemArgumentError(`invalid heloName ${JSON.stringify(value)}`);
    return value;
  }
  const own = hostname();
  return DOMAIN.test(own) ? own : 'localhost';
}

function settingsOf(options: SmtpTransportOptions): SessionSettings {
  if (typeof options.host !== 'string' || options.host === '' || /[\s/]/.test(options.host)) throw new CemArgumentError('createSmtpEmailTransport: invalid host');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new CemArgumentError('createSmtpEmailTransport: invalid port');
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new CemArgumentError('createSmtpEmailTransport: invalid timeoutMs');
  const auth = options.auth ?? null;
  if (auth !== null && (/[\r\n\0]/.test(auth.user) || /[\r\n\0]/.test(auth.pass))) throw new CemArgumentError('createSmtpEmailTransport: invalid credentials');
  return Object.freeze({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    startTls: options.startTls ?? 'ifOffered',
    tls: { ...(isIP(options.host) === 0 ? { servername: options.host } : {}), ...options.tls },
    heloName: heloNameOf(options.heloName),
    auth,
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    timeoutMs,
  });
}

/**
 * Creates the `sendEmail` half of a {@link CemTransport}: merge it into the host's transport.
 * Each e-mail travels over its own connection; a refusal, timeout or network error rejects with
 * `CEM_PORT_FAILED` whose `cause` is an {@link SmtpFailure} (phase, reply code and text).
 *
 * @example
 * ```ts
 * import { createSmtpEmailTransport } from 'ediint-cem/adapters/smtp'
 * const transport: CemTransport = {
 *   ...myAs2Transport,
 *   ...createSmtpEmailTransport({ host: 'smtp.example.com', port: 587, from: 'AS2 <as2@example.com>',
 *     auth: { user: 'as2', pass: process.env.SMTP_PASS ?? '' } }),
 * }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for invalid options (host, port, sender, EHLO name,
 *   timeout, credentials); `sendEmail` rejects with `CEM_ARGUMENT` for an invalid e-mail and
 *   `CEM_PORT_FAILED` when delivery fails.
 */
export function createSmtpEmailTransport(options: SmtpTransportOptions): Required<Pick<CemTransport, 'sendEmail'>> {
  const settings = settingsOf(options);
  parseMailbox(options.from);
  const clock = options.clock ?? systemClock;
  return Object.freeze({
    async sendEmail(email: OutboundEmail): Promise<void> {
      const message = buildEmailMessage(email, { from: options.from, date: clock.now() });
      await deliver(settings, {
        mailFrom: message.from.address,
        rcptTo: message.recipients.map((r) => r.address),
        data: dotStuff(message.text),
      });
    },
  });
}
