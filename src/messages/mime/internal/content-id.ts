/**
 * Content-IDs written by the builders (RFC 2045 §7). Reading is lenient and lives in
 * `normalizeCemContentId` (`../content-id.ts`).
 *
 * @module
 */
import { CemArgumentError } from '../../../errors.js';
import { quote } from '../../../quote.js';

// Printable ASCII without whitespace and without the characters that delimit a msg-id or a
// header parameter. `@`, `.`, `-`, `_`, `$`, `[` and `]` are allowed.
const CONTENT_ID = /^[!#$%&'*+\-./0-9=?@A-Z[\]^_`a-z{|}~]{1,250}$/;

/**
 * Checks a Content-ID given to a builder and returns it bare (without brackets). Accepts the bare
 * form or the `<...>` form.
 *
 * @example
 * ```ts
 * checkContentId('<xml@example.org>'); // 'xml@example.org'
 * checkContentId('has space');         // throws CEM_ARGUMENT
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an empty identifier, more than 250 characters, or a
 *   character outside printable ASCII or among whitespace `< > ( ) , ; : \ "`.
 */
export function checkContentId(value: string): string {
  const id = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value;
  if (!CONTENT_ID.test(id)) throw new CemArgumentError(`not a usable Content-ID: ${quote(value)}`);
  return id;
}
