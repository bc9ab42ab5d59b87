/**
 * Splits the bytes an SMTP server sends into replies (RFC 5321 §4.2): `250-first`, `250-more`,
 * `250 last` make one reply with three lines. Bare LF line ends are tolerated.
 *
 * @module
 */

/** One SMTP reply. */
export interface SmtpReply {
  readonly code: number;
  /** The reply's lines without their codes, e.g. EHLO's extension keywords. */
  readonly lines: readonly string[];
  /** The reply as the server wrote it (lines joined by `\n`), for error messages. */
  readonly raw: string;
}

/** An incremental reply parser. */
export interface ReplyParser {
  /** Adds received text; returns a problem description when the input is not SMTP replies. */
  push(text: string): string | null;
  /** The oldest complete reply not yet taken. */
  take(): SmtpReply | undefined;
  /** True when nothing at all is buffered (no partial line, no partial or untaken reply). */
  isIdle(): boolean;
}

const MAX_BUFFER = 1 << 20;

/** Creates a parser for one connection. */
export function createReplyParser(): ReplyParser {
  let buffer = '';
  const replies: SmtpReply[] = [];
  let lines: string[] = [];
  let raw: string[] = [];
  return {
    push(text: string): string | null {
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
        if (m === null) return `malformed reply line ${JSON.stringify(line.slice(0, 200))}`;
        lines.push(m[3] ?? '');
        raw.push(line);
        if (m[2] !== '-') {
          replies.push(Object.freeze({ code: Number(m[1]), lines: Object.freeze(lines), raw: raw.join('\n') }));
          lines = [];
          raw = [];
        }
      }
      return buffer.length > MAX_BUFFER || raw.length > 1000 ? 'reply too long' : null;
    },
    take: () => replies.shift(),
    isIdle: () => buffer === '' && replies.length === 0 && lines.length === 0,
  };
}
