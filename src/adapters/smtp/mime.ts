/**
 * Builds the RFC 5322 / MIME text of an {@link OutboundEmail}: a `text/plain` body alone, or a
 * `multipart/mixed` (RFC 2046 §5.1.3) of the text and base64 attachments with file names.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { CemArgumentError } from '../../errors.js';
import type { OutboundEmail } from '../../ports/transport.js';
import { formatMailbox, parseMailbox } from './address.js';
import type { Mailbox } from './address.js';
import { base64Lines, encodeHeaderText, encodeQuotedPrintable, isSevenBitText, mimeParameter, rfc5322Date, toCrlf } from './encoding.js';

/**
 * What {@link buildEmailMessage} needs besides the e-mail.
 *
 * @example
 * ```ts
 * buildEmailMessage(email, { from: 'as2@example.com', date: clock.now() })
 * ```
 */
export interface EmailMessageContext {
  /** The sender when the e-mail names none. */
  readonly from: string;
  /** The `Date` header's instant. */
  readonly date: Date;
}

/**
 * A built message: its envelope and its CRLF text (not yet dot-stuffed).
 *
 * @example
 * ```ts
 * const built: BuiltEmailMessage = buildEmailMessage(email, context)
 * built.recipients.map((r) => r.address)
 * ```
 */
export interface BuiltEmailMessage {
  readonly from: Mailbox;
  readonly recipients: readonly Mailbox[];
  readonly messageId: string;
  readonly text: string;
}

const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[\x20\x21\x23-\x7e]*"))*\s*$/;

function textPart(text: string): string[] {
  const sevenBit = isSevenBitText(text);
  return [
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${sevenBit ? '7bit' : 'quoted-printable'}`,
    '',
    sevenBit ? toCrlf(text) : encodeQuotedPrintable(text),
  ];
}

function attachmentPart(a: OutboundEmail['attachments'][number]): string[] {
  if (!MEDIA_TYPE.test(a.contentType)) throw new CemArgumentError(`invalid attachment content type ${JSON.stringify(a.contentType)}`);
  if (a.filename.trim() === '') throw new CemArgumentError('an attachment needs a file name');
  const type = a.contentType.trim().replace(/;\s*$/, '');
  const hasName = /;\s*name\*?=/i.test(type);
  return [
    `Content-Type: ${type}${hasName ? '' : mimeParameter('name', a.filename)}`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment${mimeParameter('filename', a.filename)}`,
    '',
    base64Lines(a.content),
  ];
}

/**
 * Builds the message text: headers `From`, `To`, `Subject`, `Date`, `Message-ID`, `MIME-Version`
 * and the body. Lines end with CRLF and stay under 998 octets.
 *
 * @example
 * ```ts
 * const { text } = buildEmailMessage(
 *   { to: 'edi@acme.test', subject: 'New certificate', text: 'Attached.', attachments: [certificateAttachment('me.p7c', p7c)] },
 *   { from: 'as2@example.com', date: new Date() },
 * )
 * await myMailer.sendRaw(text)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for invalid addresses, no recipient, an attachment
 *   without a file name or with an invalid content type.
 */
export function buildEmailMessage(email: OutboundEmail, context: EmailMessageContext): BuiltEmailMessage {
  const from = parseMailbox(email.from ?? context.from);
  const recipients = (typeof email.to === 'string' ? [email.to] : email.to).map(parseMailbox);
  if (recipients.length === 0) throw new CemArgumentError('an e-mail needs at least one recipient');
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
  const messageId = `${randomBytes(16).toString('hex')}@${domain}`;
  const headers = [
    `From: ${formatMailbox(from)}`,
    `To: ${recipients.map(formatMailbox).join(',\r\n ')}`,
    `Subject: ${encodeHeaderText(email.subject)}`,
    `Date: ${rfc5322Date(context.date)}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
  ];
  let body: string[];
  if (email.attachments.length === 0) {
    body = textPart(email.text);
  } else {
    // `=_` never occurs in base64 or quoted-printable; the check covers 7bit text.
    let boundary = `=_cem_${randomBytes(12).toString('hex')}`;
    while (email.text.includes(boundary)) boundary = `=_cem_${randomBytes(12).toString('hex')}`;
    const parts = [textPart(email.text), ...email.attachments.map(attachmentPart)];
    body = [
      `Content-Type: multipart/mixed${mimeParameter('boundary', boundary)}`,
      '',
      'This is a multi-part message in MIME format.',
      ...parts.flatMap((p) => [`--${boundary}`, ...p]),
      `--${boundary}--`,
    ];
  }
  return Object.freeze({ from, recipients: Object.freeze(recipients), messageId, text: `${[...headers, ...body].join('\r\n')}\r\n` });
}

/**
 * The message as sent after `DATA`: lines starting with `.` get a second `.` (RFC 5321 §4.5.2),
 * followed by the `CRLF . CRLF` terminator.
 *
 * @example
 * ```ts
 * dotStuff('a\r\n.b\r\n') // 'a\r\n..b\r\n.\r\n'
 * ```
 */
export function dotStuff(text: string): string {
  const body = text.endsWith('\r\n') ? text : `${text}\r\n`;
  return `${body.replace(/(^|\r\n)\./g, '$1..')}.\r\n`;
}
