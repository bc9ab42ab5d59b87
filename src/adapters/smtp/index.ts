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
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
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

/**
 * Notes when the message body has been read to its end by the SMTP connection, which happens
 * only after the relay's 354 reply to DATA: a connection that then goes silent or closes failed
 * in phase DATA (nodemailer does not say). Installed on transports the adapter creates without
 * DKIM (whose signing reads the body ahead of DATA).
 */
function trackBodies(transporter: Transporter<unknown>): Map<string, boolean> {
  const sent = new Map<string, boolean>();
  transporter.use('stream', (mail, done) => {
    const id = mail.data.messageId;
    if (typeof id === 'string' && sent.has(id)) {
      // The last stage of the message stream, the one the connection reads after DATA.
      mail.message.processFunc((input) => {
        const watch = new PassThrough();
        watch.on('end', () => {
          if (sent.has(id)) sent.set(id, true);
        });
        input.on('error', (error) => watch.destroy(error));
        return input.pipe(watch);
      });
    }
    done();
  });
  return sent;
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
  const bodySent = settings !== null && settings.dkim === undefined ? trackBodies(transporter) : null;
  return Object.freeze({
    transporter,
    async sendEmail(email: OutboundEmail): Promise<void> {
      const mail = toMailOptions(email, { from: options.from, date: clock.now() });
      const from = mail.envelope !== undefined && typeof mail.envelope.from === 'string' ? mail.envelope.from : '';
      const messageId = `<${randomUUID()}@${from.slice(from.lastIndexOf('@') + 1) || 'localhost'}>`;
      let info: unknown;
      bodySent?.set(messageId, false);
      try {
        info = await transporter.sendMail({ ...mail, messageId });
      } catch (error) {
        throw smtpError(error, secure, bodySent?.get(messageId) === true);
      } finally {
        bodySent?.delete(messageId);
      }
      const { rejected, errors } = sentTo(info);
      if (rejected.length > 0) throw rejectedRecipientsError(rejected, errors);
    },
    close(): void {
      if (own) transporter.close();
    },
  });
}
