/**
 * An {@link OutboundEmail} as nodemailer message options: validated addresses, a `text/plain`
 * body, and the attachments with their content types as given (certificates keep
 * `application/pkcs7-mime; smime-type=certs-only` or `application/pkix-cert`). nodemailer
 * writes the MIME (RFC 2045–2047, 2231): `multipart/mixed` with base64 attachments and file
 * names, quoted-printable text when it is not short ASCII lines, encoded headers.
 *
 * @module
 */
import type { SendMailOptions } from 'nodemailer';
import { CemArgumentError } from '../../errors.js';
import type { OutboundEmail } from '../../ports/transport.js';
import { parseMailbox } from './address.js';

/**
 * What {@link toMailOptions} needs besides the e-mail.
 *
 * @example
 * ```ts
 * toMailOptions(email, { from: 'as2@example.com', date: clock.now() })
 * ```
 */
export interface EmailMessageContext {
  /** The sender when the e-mail names none. */
  readonly from: string;
  /** The `Date` header's instant. */
  readonly date: Date;
}

const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[\x20\x21\x23-\x7e]*"))*\s*;?\s*$/;

// Header text: control characters (CR and LF among them) become spaces, so no header injection.
// eslint-disable-next-line no-control-regex
const headerText = (text: string): string => text.replace(/[\x00-\x1f\x7f]/g, ' ');

/**
 * The nodemailer message of `email`: `from`, `to`, `subject`, `date`, `text` and attachments.
 *
 * @example
 * ```ts
 * const mail = toMailOptions(
 *   { to: 'edi@acme.test', subject: 'New certificate', text: 'Attached.', attachments: [certificateAttachment('me.p7c', p7c)] },
 *   { from: 'as2@example.com', date: new Date() },
 * )
 * await nodemailerTransport.sendMail(mail)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for invalid addresses, no recipient, an attachment
 *   without a file name or with an invalid content type.
 */
export function toMailOptions(email: OutboundEmail, context: EmailMessageContext): SendMailOptions {
  const from = parseMailbox(email.from ?? context.from);
  const to = (typeof email.to === 'string' ? [email.to] : email.to).map(parseMailbox);
  if (to.length === 0) throw new CemArgumentError('an e-mail needs at least one recipient');
  const attachments = email.attachments.map((a) => {
    if (typeof a.contentType !== 'string' || !MEDIA_TYPE.test(a.contentType)) throw new CemArgumentError(`invalid attachment content type ${JSON.stringify(a.contentType)}`);
    if (typeof a.filename !== 'string' || a.filename.trim() === '') throw new CemArgumentError('an attachment needs a file name');
    return {
      filename: headerText(a.filename),
      contentType: a.contentType.trim().replace(/;\s*$/, ''),
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      contentTransferEncoding: 'base64' as const,
      contentDisposition: 'attachment' as const,
    };
  });
  return {
    from: { ...from },
    to: to.map((m) => ({ ...m })),
    subject: headerText(email.subject),
    date: context.date,
    text: email.text,
    attachments,
    // The envelope is exactly the parsed addresses (no Bcc or Sender rewriting).
    envelope: { from: from.address, to: to.map((m) => m.address) },
  };
}
