/**
 * Media types: parse a `Content-Type` value, write one back (RFC 2045 §5.1, RFC 2231).
 *
 * @module
 */
import { CemArgumentError, CemMimeError } from '../../errors.js';
import { cursor, isToken, readBareValue, readQuoted, readToken, skipCfws, type Cursor } from './internal/header-lexer.js';
import { assembleParams, type RawParam } from './internal/parameters.js';
import type { MediaType } from './types.js';
import { quote } from '../../quote.js';

// Parameters whose values can never contain whitespace (a media type, a msg-id).
const MEDIA_TYPE_VALUED = new Set(['type', 'protocol']);
const MEDIA_TYPE_SHAPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function readParam(cur: Cursor): RawParam | undefined {
  const name = readToken(cur).toLowerCase();
  if (name.length === 0) throw new CemMimeError('CEM_MIME_MALFORMED', 'a media type parameter has no name');
  skipCfws(cur);
  if (cur.text[cur.pos] !== '=') return undefined; // a valueless parameter is ignored
  cur.pos += 1;
  skipCfws(cur);
  const value = cur.text[cur.pos] === '"' ? readQuoted(cur) : readBareValue(cur);
  return { name, value };
}

/**
 * Removes whitespace that line folding left inside values that cannot hold any: the draft's §2.1
 * example wraps `type="application/ediint-cert-\r\n exchange+xml"`, which unfolds to
 * `application/ediint-cert- exchange+xml`. For `type` and `protocol` the whitespace is removed when
 * what remains is a `type/subtype`; for `start` (a Content-ID) it is always removed.
 */
function repairFoldedValues(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...params };
  for (const name of MEDIA_TYPE_VALUED) {
    const value = out[name];
    if (value === undefined || !/\s/.test(value)) continue;
    const squeezed = value.replace(/\s+/g, '');
    if (MEDIA_TYPE_SHAPE.test(squeezed)) out[name] = squeezed;
  }
  if (out.start !== undefined) out.start = out.start.replace(/\s+/g, '');
  return out;
}

/**
 * Parses a media type such as a `Content-Type` value.
 *
 * Type, subtype and parameter names are lower-cased. Values may be bare tokens (read leniently:
 * a bare value runs to the next `;` or whitespace, so `boundary=----=_Part_1` works) or quoted
 * strings with `\` escapes. Comments `( )`, extra whitespace, empty parameters and a trailing `;`
 * are tolerated; a parameter without `=` is ignored. RFC 2231 continuations and charset-encoded
 * values are decoded. Whitespace left by folding inside `type`, `protocol` and `start` is removed
 * (see the draft's wrapped §2.1 example).
 *
 * @example
 * ```ts
 * const mt = parseMediaType('Multipart/Related; type="application/ediint-cert-exchange+xml"; boundary=b1;');
 * mt.essence;     // 'multipart/related'
 * mt.params.type; // 'application/ediint-cert-exchange+xml'
 * ```
 * @throws CemMimeError `CEM_MIME_MALFORMED` when there is no `type/subtype`, a quoted string is not
 *   closed, text follows a value without a `;`, or a parameter name repeats.
 * @see RFC 2045 §5.1, RFC 2231 §3-§4, RFC 2387 §3.1
 */
export function parseMediaType(value: string): MediaType {
  const cur = cursor(value);
  skipCfws(cur);
  const type = readToken(cur).toLowerCase();
  skipCfws(cur);
  if (type.length === 0 || cur.text[cur.pos] !== '/') {
    throw new CemMimeError('CEM_MIME_MALFORMED', 'the media type has no type/subtype');
  }
  cur.pos += 1;
  skipCfws(cur);
  const subtype = readToken(cur).toLowerCase();
  if (subtype.length === 0) throw new CemMimeError('CEM_MIME_MALFORMED', 'the media type has no subtype');
  const raw: RawParam[] = [];
  for (;;) {
    skipCfws(cur);
    if (cur.pos >= value.length) break;
    if (value[cur.pos] !== ';') throw new CemMimeError('CEM_MIME_MALFORMED', 'unexpected text in the media type');
    cur.pos += 1;
    skipCfws(cur);
    if (cur.pos >= value.length || value[cur.pos] === ';') continue;
    const param = readParam(cur);
    if (param) raw.push(param);
  }
  const params = Object.freeze(repairFoldedValues(assembleParams(raw)));
  return Object.freeze({ type, subtype, essence: `${type}/${subtype}`, params });
}

const ALWAYS_QUOTED = new Set(['boundary', 'type', 'start', 'protocol', 'filename', 'name']);

function formatParam(name: string, value: string): string {
  if (!isToken(name)) throw new CemArgumentError(`invalid media type parameter name: ${quote(name)}`);
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new CemArgumentError(`the parameter ${name} holds a control character`);
  }
  if (/[^\u0020-\u007e]/.test(value)) {
    // RFC 2231 §4: non-ASCII values are written as name*=utf-8''percent-encoded.
    const encoded = [...new TextEncoder().encode(value)]
      .map((b) => (isToken(String.fromCharCode(b)) && !"*'%".includes(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
    return `${name}*=utf-8''${encoded}`;
  }
  if (isToken(value) && !ALWAYS_QUOTED.has(name)) return `${name}=${value}`;
  return `${name}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Writes a media type with its parameters in the given order, separated by `"; "`.
 *
 * Values that are not tokens are quoted (with `\` escapes); `boundary`, `type`, `start`,
 * `protocol`, `filename` and `name` are always quoted, as the draft and common peers write them.
 * Non-ASCII values use RFC 2231 `name*=utf-8''…`.
 *
 * @example
 * ```ts
 * formatMediaType('application/pkcs7-mime', { 'smime-type': 'certs-only' });
 * // 'application/pkcs7-mime; smime-type=certs-only'
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an essence that is not `token/token`, a parameter name
 *   that is not a token, or a value holding control characters.
 */
export function formatMediaType(essence: string, params: Readonly<Record<string, string>> = {}): string {
  const [type, subtype, extra] = essence.split('/');
  if (type === undefined || subtype === undefined || extra !== undefined || !isToken(type) || !isToken(subtype)) {
    throw new CemArgumentError(`invalid media type: ${quote(essence)}`);
  }
  return [essence, ...Object.entries(params).map(([name, value]) => formatParam(name, value))].join('; ');
}
