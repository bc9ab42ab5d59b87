/**
 * `ediint-cem/adapters/smtp`: sends the engine's e-mails (certificates for partners without CEM)
 * and administrator alerts through SMTP, on [nodemailer](https://nodemailer.com) (an optional
 * peer dependency, loaded only by this subpath: `npm install nodemailer`, and
 * `@types/nodemailer` for TypeScript). Everything nodemailer offers is available: XOAUTH2,
 * PLAIN/LOGIN/CRAM-MD5, pooling, SMTPUTF8/8BITMIME/SIZE, DSN, proxies, DKIM, logging, or a
 * transport the host built itself.
 *
 * @module
 */
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { systemClock } from '../../ports/clock.js';
import type { CemTransport, OutboundEmail } from '../../ports/transport.js';
import { parseMailbox } from './address.js';
import { rejectedRecipientsError, smtpError } from './failure.js';
import { toMailOptions } from './message.js';
import { nodemailerOptions } from './options.js';
import type { SmtpTransportOptions } from './options.js';

export type { SmtpFailure } from './failure.js';
export { toMailOptions } from './message.js';
export type { EmailMessageContext } from './message.js';
export type { Mailbox } from './address.js';
export type { SmtpCommonOptions, SmtpExistingTransportOptions, SmtpOAuth2Auth, SmtpPasswordAuth, SmtpRelayOptions, SmtpTransportOptions } from './options.js';
export { alertEmailText, createEmailNotifier } from './notifier.js';
export type { EmailNotifierOptions, EmailNotifierPartner } from './notifier.js';

/**
 * What {@link createSmtpEmailTransport} returns: the `sendEmail` half of a {@link CemTransport},
 * the nodemailer transport behind it, and `close`.
 *
 * @example
 * ```ts
 * const smtp: SmtpEmailTransport = createSmtpEmailTransport(options)
 * process.on('SIGTERM', () => smtp.close())
 * ```
 */
export interface SmtpEmailTransport extends Required<Pick<CemTransport, 'sendEmail'>> {
  /** The nodemailer transport in use. */
  readonly transporter: Transporter<unknown>;
  /** Closes the pooled connections of a transport the adapter created; a host's own transport is left open. */
  close(): void;
}

function sentTo(info: unknown): { rejected: string[]; errors: unknown[] } {
  const i = (typeof info === 'object' && info !== null ? info : {}) as { rejected?: unknown; rejectedErrors?: unknown };
  const rejected = Array.isArray(i.rejected) ? i.rejected.map((r: unknown) => (typeof r === 'object' && r !== null && 'address' in r ? String(r.address) : String(r))) : [];
  return { rejected, errors: Array.isArray(i.rejectedErrors) ? i.rejectedErrors : [] };
}

/**
 * Creates the `sendEmail` half of a {@link CemTransport}: merge it into the host's transport.
 * Without `pool`, each e-mail travels over its own connection. A refusal, timeout or network
 * error rejects with `CEM_PORT_FAILED` whose `cause` is an {@link SmtpFailure} (phase, reply
 * code and text, nodemailer's error). A recipient refused while others took the message also
 * rejects (phase `RCPT TO`, `rejected` naming it): the engine's retry then reaches the others a
 * second time, as the transport port's at-least-once delivery allows.
 *
 * @example
 * ```ts
 * import { createSmtpEmailTransport } from 'ediint-cem/adapters/smtp'
 * const smtp = createSmtpEmailTransport({ host: 'smtp.example.com', port: 587, from: 'AS2 <as2@example.com>',
 *   startTls: 'required', auth: { user: 'as2', pass: process.env.SMTP_PASS ?? '' } })
 * const transport: CemTransport = { ...myAs2Transport, sendEmail: smtp.sendEmail }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for invalid options (host, port, sender, EHLO name,
 *   timeout, credentials); `sendEmail` rejects with `CEM_ARGUMENT` for an invalid e-mail and
 *   `CEM_PORT_FAILED` when delivery fails.
 */
export function createSmtpEmailTransport(options: SmtpTransportOptions): SmtpEmailTransport {
  parseMailbox(options.from);
  const clock = options.clock ?? systemClock;
  const own = options.transport === undefined;
  const settings = options.transport === undefined ? nodemailerOptions(options) : null;
  const transporter: Transporter<unknown> = options.transport ?? createTransport(settings ?? {});
  const secure = settings?.secure === true;
  return Object.freeze({
    transporter,
    async sendEmail(email: OutboundEmail): Promise<void> {
      const mail = toMailOptions(email, { from: options.from, date: clock.now() });
      let info: unknown;
      try {
        info = await transporter.sendMail(mail);
      } catch (error) {
        throw smtpError(error, secure);
      }
      const { rejected, errors } = sentTo(info);
      if (rejected.length > 0) throw rejectedRecipientsError(rejected, errors);
    },
    close(): void {
      if (own) transporter.close();
    },
  });
}
