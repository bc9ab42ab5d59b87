/**
 * A small cursor-based lexer for structured header values (RFC 2045 §5.1, RFC 5322 §3.2):
 * tokens, quoted strings with `\` escapes, and `( )` comments. Every function advances in one
 * pass, so lexing is linear in the length of the value (internal).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';

/** A position in a header value. */
export interface Cursor {
  readonly text: string;
  pos: number;
}

const TSPECIALS = '()<>@,;:\\"/[]?=';

/** True when `ch` is an RFC 2045 token character. */
export function isTokenChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !TSPECIALS.includes(ch);
}

/** True when every character of a non-empty `text` is a token character. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (const ch of text) if (!isTokenChar(ch)) return false;
  return true;
}

/** A cursor at the start of `text`. */
export function cursor(text: string): Cursor {
  return { text, pos: 0 };
}

/** Skips whitespace (including stray line breaks) and comments, which may nest. */
export function skipCfws(cur: Cursor): void {
  const { text } = cur;
  while (cur.pos < text.length) {
    const ch = text[cur.pos];
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      cur.pos += 1;
    } else if (ch === '(') {
      let depth = 0;
      while (cur.pos < text.length) {
        const c = text[cur.pos];
        if (c === '\\') cur.pos += 1;
        else if (c === '(') depth += 1;
        else if (c === ')') depth -= 1;
        cur.pos += 1;
        if (depth === 0) break;
      }
    } else {
      return;
    }
  }
}

/** Reads a (possibly empty) run of token characters. */
export function readToken(cur: Cursor): string {
  const start = cur.pos;
  while (cur.pos < cur.text.length && isTokenChar(cur.text[cur.pos] ?? ' ')) cur.pos += 1;
  return cur.text.slice(start, cur.pos);
}

/**
 * Reads a quoted string starting at the opening `"`, returning its unescaped content.
 *
 * @throws CemMimeError `CEM_MIME_MALFORMED` when the closing quote is missing.
 */
export function readQuoted(cur: Cursor): string {
  const { text } = cur;
  let out = '';
  let runStart = cur.pos + 1;
  for (let i = cur.pos + 1; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\') {
      out += text.slice(runStart, i);
      runStart = i + 1;
      i += 1;
    } else if (ch === '"') {
      out += text.slice(runStart, i);
      cur.pos = i + 1;
      return out;
    }
  }
  throw new CemMimeError('CEM_MIME_MALFORMED', 'a quoted string in a header has no closing quote');
}

/**
 * Reads an unquoted parameter value leniently: everything up to `;`, whitespace, `"` or `(`.
 * Real peers write bare values holding tspecials (`boundary=----=_Part_1`, `type=a/b`).
 */
export function readBareValue(cur: Cursor): string {
  const start = cur.pos;
  const { text } = cur;
  while (cur.pos < text.length) {
    const ch = text[cur.pos];
    if (ch === ';' || ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '"' || ch === '(') break;
    cur.pos += 1;
  }
  return text.slice(start, cur.pos);
}

/** The first token of a simple structured value (`Content-Transfer-Encoding`), lower-cased. */
export function firstToken(value: string): string {
  const cur = cursor(value);
  skipCfws(cur);
  return readToken(cur).toLowerCase();
}
