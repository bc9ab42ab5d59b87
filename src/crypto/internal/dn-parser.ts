/**
 * Tolerant parser for distinguished-name strings: RFC 4514 / RFC 2253, RFC 1779 and the
 * Java/Windows forms (`CN=x, O=y`, `;` separators, quoted values, `S=`, `E=`, `OID.2.5.4.3=`),
 * newline-separated lists (Node's `X509Certificate#subject`) and the openssl slash form
 * (`/C=US/O=x/CN=y`).
 *
 * Tolerance beyond RFC 4514: a `,` `;` `+` (or `/` in the slash form) that is not followed by
 * `type=` is read as part of the value (peers that do not escape, e.g. `O=Acme, Inc.,C=US`);
 * spaces around `=` and separators are ignored; a `#` not followed by one valid BER value is
 * literal text; `\HH` escapes that are not UTF-8 are read as Latin-1; `""` inside a quoted
 * value is one quote (Windows).
 *
 * @module
 */
import { Buffer } from 'node:buffer';
import type { DnAttribute, Rdn } from '../types.js';
import { fail } from './fail.js';
import { attributeName, keywordOid } from './dn-attributes.js';
import { attributeFromHex, attributeFromText } from './dn-value.js';
import { quote } from '../../quote.js';

const TYPE = /(?:(?:oid\.)?(\d+(?:\.\d+)*)|([a-z][a-z0-9_-]*))[ \t]*=/iy;
const SPACE = /\s/;
const HEX_RUN = /[0-9a-f]*/iy;
const utf8 = new TextDecoder('utf-8');
const SEPARATORS = ',;+\n\r';

/** Longest distinguished name read, in characters (real ones are well under 1,000). */
export const MAX_DN_CHARS = 65_536;

interface TypeMatch {
  readonly oid: string;
  readonly type: string;
  readonly end: number;
}

/** The first index at or after `i` that is not whitespace (`\s`), or `s.length`. */
function skipSpace(s: string, i: number): number {
  while (i < s.length && SPACE.test(s[i] as string)) i++;
  return i;
}

/** The `type=` at `i` (after any whitespace), or `null`. */
function typeAt(s: string, i: number): TypeMatch | null {
  TYPE.lastIndex = skipSpace(s, i);
  const m = TYPE.exec(s);
  if (!m) return null;
  const dotted = m[1];
  if (dotted !== undefined) return { oid: dotted, type: attributeName(dotted) ?? dotted, end: TYPE.lastIndex };
  const keyword = m[2] as string;
  const oid = keywordOid(keyword) ?? keyword.toUpperCase();
  return { oid, type: attributeName(oid) ?? keyword, end: TYPE.lastIndex };
}

function skipBlanks(s: string, i: number): number {
  while (s[i] === ' ' || s[i] === '\t') i++;
  return i;
}

/** True when `bytes` are well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
function isUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= bytes.length + (n === 0 ? 1 : 0)) return false;
    const next = bytes[i + 1] as number;
    if ((b === 0xe0 && next < 0xa0) || (b === 0xed && next > 0x9f) || (b === 0xf0 && next < 0x90) || (b === 0xf4 && next > 0x8f)) return false;
    for (let k = 1; k <= n; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return false;
    i += n + 1;
  }
  return true;
}

/** Collects text and `\HH` byte runs, then decodes the runs as UTF-8 (else Latin-1). */
class ValueBuilder {
  private text = '';
  private bytes: number[] = [];
  private significant = 0;

  char(c: string, significant: boolean): void {
    this.flush();
    this.text += c;
    if (significant) this.significant = this.text.length;
  }

  byte(b: number): void {
    this.bytes.push(b);
  }

  private flush(): void {
    if (this.bytes.length === 0) return;
    const run = Uint8Array.from(this.bytes);
    this.bytes = [];
    // checked, not caught: a thrown decoding error per run made a DN of many short invalid runs
    // cost milliseconds per kilobyte (no spread into fromCharCode: a long run would overflow the stack)
    this.text += isUtf8(run) ? utf8.decode(run) : Buffer.from(run.buffer, run.byteOffset, run.byteLength).toString('latin1');
    this.significant = this.text.length;
  }

  /** The value without unescaped trailing blanks. */
  result(): string {
    this.flush();
    return this.text.slice(0, this.significant);
  }
}

/**
 * Tells whether an unescaped separator at `i` really separates: followed, after whitespace, by
 * `type=` or the end. The answer is the same for every separator of one whitespace run (they all
 * look past it to the same place), so it is computed once per run: linear on runs of newlines.
 */
function separatorCheck(s: string): (i: number) => boolean {
  let knownBefore = -1;
  let known = false;
  return (i) => {
    if (i >= knownBefore) {
      const j = skipSpace(s, i + 1);
      known = j >= s.length || typeAt(s, j) !== null;
      knownBefore = j;
    }
    return known;
  };
}

function escapeAt(s: string, i: number, out: ValueBuilder): number {
  const pair = s.slice(i + 1, i + 3);
  if (/^[0-9a-f]{2}$/i.test(pair)) {
    out.byte(parseInt(pair, 16));
    return i + 3;
  }
  const c = s.codePointAt(i + 1);
  if (c === undefined) fail('CEM_DN_INVALID', 'distinguished name ends with a lone backslash');
  out.char(String.fromCodePoint(c), true);
  return i + 1 + (c > 0xffff ? 2 : 1);
}

function unquotedAt(s: string, i: number, stops: string): { value: string; end: number } {
  const out = new ValueBuilder();
  const separatesAt = separatorCheck(s);
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '\\') {
      i = escapeAt(s, i, out);
      continue;
    }
    if (stops.includes(c) && separatesAt(i)) break;
    out.char(c, c !== ' ' && c !== '\t');
    i++;
  }
  return { value: out.result(), end: i };
}

function quotedAt(s: string, i: number): { value: string; end: number } {
  const out = new ValueBuilder();
  for (i += 1; i < s.length; ) {
    const c = s[i] as string;
    if (c === '"' && s[i + 1] === '"') {
      // Windows doubles a quote inside a quoted value
      out.char('"', true);
      i += 2;
    } else if (c === '"') return { value: out.result(), end: i + 1 };
    else if (c === '\\') i = escapeAt(s, i, out);
    else {
      out.char(c, true);
      i++;
    }
  }
  return fail('CEM_DN_INVALID', 'distinguished name has an unterminated quoted value');
}

function valueAt(s: string, i: number, t: TypeMatch): { attribute: DnAttribute; end: number } {
  if (s[i] === '#') {
    HEX_RUN.lastIndex = i + 1;
    HEX_RUN.exec(s);
    const after = skipBlanks(s, HEX_RUN.lastIndex);
    const fromHex = after >= s.length || SEPARATORS.includes(s[after] as string)
      ? attributeFromHex(t.oid, t.type, s.slice(i + 1, HEX_RUN.lastIndex).toLowerCase())
      : null;
    if (fromHex) return { attribute: fromHex, end: HEX_RUN.lastIndex };
  }
  const read = s[i] === '"' ? quotedAt(s, i) : unquotedAt(s, i, SEPARATORS);
  return { attribute: attributeFromText(t.oid, t.type, read.value), end: read.end };
}

function parseCommaForm(s: string): Rdn[] {
  const rdns: Rdn[] = [];
  let current: DnAttribute[] = [];
  let i = 0;
  for (;;) {
    const t = typeAt(s, i);
    if (!t) fail('CEM_DN_INVALID', `expected "type=" at offset ${i} of the distinguished name`);
    const read = valueAt(s, skipBlanks(s, t.end), t);
    current.push(read.attribute);
    i = skipBlanks(s, read.end);
    const sep = s[i];
    if (sep === undefined || (SEPARATORS.includes(sep) && /^\s*$/.test(s.slice(i + 1)))) break;
    if (!SEPARATORS.includes(sep)) fail('CEM_DN_INVALID', `unexpected ${quote(sep)} at offset ${i} of the distinguished name`);
    if (sep !== '+') {
      rdns.push(Object.freeze(current));
      current = [];
    }
    i += 1;
  }
  rdns.push(Object.freeze(current));
  return rdns;
}

/** Splits on unescaped `sep`, joining back pieces that do not start with `type=`. */
function splitSlashForm(s: string, sep: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    // a lone trailing backslash stays in the last piece (slashAttribute refuses it), not skipped with it
    if (s[i] === '\\' && i + 1 < s.length) i++;
    else if (i === s.length || s[i] === sep) {
      const piece = s.slice(start, i);
      if (pieces.length > 0 && typeAt(piece, 0) === null) pieces[pieces.length - 1] += sep + piece;
      else pieces.push(piece);
      start = i + 1;
    }
  }
  return pieces;
}

function slashAttribute(text: string): DnAttribute {
  const t = typeAt(text, 0);
  if (!t) fail('CEM_DN_INVALID', `expected "type=" in ${quote(text)}`);
  const out = new ValueBuilder();
  for (let i = t.end; i < text.length; ) {
    if (text[i] === '\\' && /^x[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 4))) {
      out.byte(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      if (text[i] === '\\') i++;
      const c = text.codePointAt(i);
      if (c === undefined) fail('CEM_DN_INVALID', 'distinguished name ends with a lone backslash');
      out.char(String.fromCodePoint(c), true);
      i += c > 0xffff ? 2 : 1;
    }
  }
  return attributeFromText(t.oid, t.type, out.result().trim());
}

function parseSlashForm(s: string): Rdn[] {
  const trimmed = s.trimEnd();
  const body = trimmed.endsWith('/') ? trimmed.slice(1, -1) : s.slice(1);
  const rdns = splitSlashForm(body, '/').map((rdn) => Object.freeze(splitSlashForm(rdn, '+').map(slashAttribute)));
  return rdns.reverse();
}

/** Parses a distinguished name in any supported form; RDNs in RFC 4514 order (most significant last). */
export function parseDn(text: string): Rdn[] {
  if (text.length > MAX_DN_CHARS) fail('CEM_DN_INVALID', `a distinguished name of ${text.length} characters, more than ${MAX_DN_CHARS}`);
  // only leading blanks go here: a trailing space may be escaped (`CN=x\ `)
  const s = text.trimStart();
  if (s === '') return [];
  return s.startsWith('/') ? parseSlashForm(s) : parseCommaForm(s);
}
