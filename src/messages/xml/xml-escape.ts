/**
 * Escaping for the hand-written CEM XML serializer.
 *
 * Values are checked before they are written: a character that XML 1.0 does not allow
 * (control characters other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) is refused, never
 * dropped or replaced. `& < > " '` are always escaped; CR (and in attributes tab and LF) is
 * written as a character reference so that it survives end-of-line and attribute normalisation.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';

const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const TEXT_SPECIAL = /[&<>"'\r]/g;
const ATTRIBUTE_SPECIAL = /[&<>"'\r\n\t]/g;
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};

/**
 * Refuses a value that cannot be written as XML 1.0 text.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` naming `what` and the offending character.
 */
export function assertXmlChars(value: string, what: string): void {
  const bad = INVALID_CHAR.exec(value);
  if (bad !== null) {
    const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw new CemArgumentError(`${what} contains U+${code}, which XML 1.0 does not allow`);
  }
}

/** Escapes character data (element content). The value must pass {@link assertXmlChars}. */
export function escapeXmlText(value: string): string {
  return value.replace(TEXT_SPECIAL, (char) => REPLACEMENTS[char] ?? char);
}

/** Escapes a double-quoted attribute value. The value must pass {@link assertXmlChars}. */
export function escapeXmlAttribute(value: string): string {
  return value.replace(ATTRIBUTE_SPECIAL, (char) => REPLACEMENTS[char] ?? char);
}
