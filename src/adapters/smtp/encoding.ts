/**
 * Transfer and header encodings for outgoing mail: base64 bodies (RFC 2045 §6.8), quoted-printable
 * (RFC 2045 §6.7), encoded-words (RFC 2047) and parameter values (RFC 2045 §5.1, RFC 2231 §4).
 * Every line produced stays within 76 characters (998 octets is the hard SMTP limit).
 *
 * @module
 */

const utf8 = new TextEncoder();

/** Base64 of `bytes`, in lines of 76 characters joined by CRLF. */
export function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/** `text` with every line break (CRLF, CR or LF) made CRLF. */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** True when `text` may travel as `7bit`: ASCII without controls other than tab, lines ≤ 998. */
export function isSevenBitText(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x20-\x7e\t\r\n]/.test(text) && toCrlf(text).split('\r\n').every((l) => l.length <= 998);
}

function qpLine(line: string): string {
  const bytes = utf8.encode(line);
  let out = '';
  let width = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const last = i === bytes.length - 1;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
    const piece = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    // Keep room for the soft break `=` unless this is the line's final piece.
    if (width + piece.length > (last ? 76 : 75)) {
      out += '=\r\n';
      width = 0;
    }
    out += piece;
    width += piece.length;
  }
  return out;
}

/** Quoted-printable of `text` as UTF-8; line breaks become hard CRLF breaks. */
export function encodeQuotedPrintable(text: string): string {
  return toCrlf(text).split('\r\n').map(qpLine).join('\r\n');
}

function chunkUtf8(text: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let current = '';
  let size = 0;
  for (const ch of text) {
    const n = utf8.encode(ch).length;
    if (size + n > maxBytes && current !== '') {
      chunks.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += n;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** `text` with control characters (CR and LF among them) turned into spaces. */
export function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, ' ');
}

/**
 * A header value: as is when short printable ASCII, else RFC 2047 `B` encoded-words of at most 75
 * characters, folded one per line. Control characters become spaces (no header injection).
 */
export function encodeHeaderText(text: string): string {
  const clean = stripControls(text);
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= 200 && !clean.includes('=?')) return clean;
  return chunkUtf8(clean, 45)
    .map((c) => `=?UTF-8?B?${Buffer.from(c, 'utf8').toString('base64')}?=`)
    .join('\r\n ');
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * One MIME parameter, `; name=value`: a token or quoted string for ASCII values, the RFC 2231
 * `name*=UTF-8''...` form otherwise.
 */
export function mimeParameter(name: string, value: string): string {
  const clean = stripControls(value);
  if (/^[\x20-\x7e]*$/.test(clean)) {
    return TOKEN.test(clean) ? `; ${name}=${clean}` : `; ${name}="${clean.replace(/["\\]/g, '\\$&')}"`;
  }
  const pieces = [...utf8.encode(clean)].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  // RFC 2231 §3 continuations keep each line short: name*0*=UTF-8''...; name*1*=...
  const sections: string[] = [''];
  for (const piece of pieces) {
    if ((sections[sections.length - 1] as string).length + piece.length > 60) sections.push('');
    sections[sections.length - 1] += piece;
  }
  if (sections.length === 1) return `;\r\n ${name}*=UTF-8''${sections[0]}`;
  return sections.map((sec, i) => `;\r\n ${name}*${i}*=${i === 0 ? "UTF-8''" : ''}${sec}`).join('');
}

/** An RFC 5322 date in UTC, e.g. `Tue, 25 Nov 2025 17:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
