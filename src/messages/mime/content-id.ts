/**
 * Content-IDs (RFC 2045 §7, RFC 2392): read leniently, write strictly.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';

/**
 * The bare identifier of a Content-ID as found in a header or in XML: surrounding whitespace,
 * a `cid:` prefix (whose `%XX` escapes are decoded, RFC 2392) and enclosing angle brackets are
 * removed. Returns `''` when nothing is left.
 *
 * @example
 * ```ts
 * bareContentId('<cert-1@example.org>');   // 'cert-1@example.org'
 * bareContentId('cid:cert-1%40example.org'); // 'cert-1@example.org'
 * bareContentId(' 202501311200-7 ');        // '202501311200-7' (mendelson writes no brackets)
 * ```
 */
export function bareContentId(value: string): string {
  let id = value.trim();
  if (id.slice(0, 4).toLowerCase() === 'cid:') {
    id = id.slice(4).trim();
    try {
      id = decodeURIComponent(id);
    } catch {
      // not percent-encoded after all: keep it as written
    }
  }
  if (id.startsWith('<') && id.endsWith('>')) id = id.slice(1, -1).trim();
  return id;
}

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
  if (!CONTENT_ID.test(id)) throw new CemArgumentError(`not a usable Content-ID: ${JSON.stringify(value)}`);
  return id;
}
