/**
 * Mail addresses as the SMTP adapter accepts them: `addr@domain` or `Display Name <addr@domain>`,
 * display names in any script, and internationalized addresses (RFC 6531: UTF-8 local parts,
 * sent with SMTPUTF8 when the relay offers it; domains in Unicode go out as punycode). Checked
 * before nodemailer sees them, so a malformed address is a `CEM_ARGUMENT` rather than a guess by
 * a lenient parser.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';

/**
 * A parsed mailbox, in the `{ name, address }` form nodemailer takes.
 *
 * @example
 * ```ts
 * const box: Mailbox = { name: 'AS2 Gateway', address: 'as2@example.com' }
 * ```
 */
export interface Mailbox {
  /** The display name, `''` when none. */
  readonly name: string;
  /** The addr-spec, for the SMTP envelope. */
  readonly address: string;
}

// Dot-atom local part (RFC 6531 adds UTF-8) or quoted string without controls; a domain name
// (labels of letters and digits in any script) or an address literal.
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u00a0-\\u2027\\u202a-\\u{10ffff}";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}\\p{M}-]*[\\p{L}\\p{N}\\p{M}])?';
const ADDR_SPEC = new RegExp(`^(?:[${ATEXT}]+(?:\\.[${ATEXT}]+)*|"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*")@(?:${LABEL}(?:\\.${LABEL})*|\\[[\\x21-\\x5a\\x5e-\\x7e]+\\])$`, 'u');

/**
 * Parses `text` (`addr` or `Name <addr>`) into a mailbox.
 *
 * @example
 * ```ts
 * parseMailbox('AS2 <as2@example.com>') // { name: 'AS2', address: 'as2@example.com' }
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` when the address is missing or malformed.
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
