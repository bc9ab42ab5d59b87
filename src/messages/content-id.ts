/**
 * `CertificateContentID` values (draft-14 §3.1): the Content-ID of the MIME part holding a
 * certificate, in the bare `id@domain` form the draft's examples use.
 *
 * @module
 */

/**
 * Normalises a Content-ID as peers write it into the bare form: whitespace removed (a msg-id
 * has none, the draft's pretty-printed examples add some), one pair of enclosing `<…>` removed,
 * and a `cid:` URL prefix (any case) removed with its percent-encoding decoded (RFC 2392).
 * Percent sequences are left as they are when the value had no `cid:` prefix or does not
 * decode as UTF-8.
 *
 * @example
 * ```ts
 * normalizeCemContentId(' <SSLCert@example.org> ') // 'SSLCert@example.org'
 * normalizeCemContentId('cid:foo%40bar.example') // 'foo@bar.example'
 * ```
 * @throws never.
 * @see draft-14 §3.1 (CertificateContentID); RFC 2392 §2.
 */
export function normalizeCemContentId(value: string): string {
  let id = unbracket(value.replace(/[ \t\r\n]+/g, ''));
  if (/^cid:/i.test(id)) {
    id = id.slice(4);
    try {
      id = decodeURIComponent(id);
    } catch {
      // Not valid percent-encoding: keep the value as written.
    }
    id = unbracket(id.replace(/[ \t\r\n]+/g, ''));
  }
  return id;
}

/**
 * True when `id` is a bare Content-ID as CEM writes it: not empty, no whitespace, no `<`/`>`,
 * no `cid:` prefix. {@link normalizeCemContentId} returns such a value for any sane input.
 *
 * @example
 * ```ts
 * isBareCemContentId('cert-1@example.org') // true
 * isBareCemContentId('<cert-1@example.org>') // false
 * ```
 * @throws never.
 * @see draft-14 §3.1 (CertificateContentID).
 */
export function isBareCemContentId(id: string): boolean {
  return typeof id === 'string' && /^[^ \t\r\n<>]+$/.test(id) && !/^cid:/i.test(id);
}

function unbracket(id: string): string {
  return id.length >= 2 && id.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id;
}
