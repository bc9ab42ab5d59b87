/**
 * Mail addresses as the SMTP adapter accepts them: `addr@domain` or `Display Name <addr@domain>`,
 * ASCII addresses only (no SMTPUTF8), display names in any script.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';
import { encodeHeaderText } from './encoding.js';

/** A parsed mailbox. */
export interface Mailbox {
  /** The display name, `''` when none. */
  readonly name: string;
  /** The addr-spec, for the SMTP envelope. */
  readonly address: string;
}

// Dot-atom local part or quoted string without controls; a domain name or an address literal.
const ADDR_SPEC = /^(?:[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[\x21-\x5a\x5e-\x7e]+\])$/;

/**
 * Parses `text` into a mailbox.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` when the address is missing, malformed or not ASCII.
 */
export function parseMailbox(text: string): Mailbox {
  // eslint-disable-next-line no-control-regex
  if (typeof text !== 'string' || /[\x00-\x1f\x7f]/.test(text)) throw new CemArgumentError(`invalid e-mail address ${JSON.stringify(text)}`);
  const angled = /^\s*(.*?)\s*<([^<>]*)>\s*$/s.exec(text);
  const name = angled ? (angled[1] ?? '').replace(/^"(.*)"$/s, '$1') : '';
  const address = (angled ? (angled[2] ?? '') : text).trim();
  if (address.length > 254 || !ADDR_SPEC.test(address)) {
    throw new CemArgumentError(`invalid e-mail address ${JSON.stringify(text)}`);
  }
  return Object.freeze({ name, address });
}

/** The mailbox as a header value, the display name quoted or encoded as needed. */
export function formatMailbox(mailbox: Mailbox): string {
  if (mailbox.name === '') return mailbox.address;
  const encoded = encodeHeaderText(mailbox.name);
  if (encoded !== mailbox.name.replace(/[\x00-\x1f\x7f]/g, ' ')) return `${encoded} <${mailbox.address}>`;
  const atoms = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(encoded);
  return `${atoms ? encoded : `"${encoded.replace(/["\\]/g, '\\$&')}"`} <${mailbox.address}>`;
}
