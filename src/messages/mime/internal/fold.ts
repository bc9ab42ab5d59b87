/**
 * Writes header fields, folded at 76 characters where possible (RFC 5322 §2.2.3) (internal).
 *
 * @module
 */
import { CemArgumentError } from '../../../errors.js';
import { quote } from '../../../quote.js';

const LINE = 76;

/** Offsets (in `line`) of whitespace outside quoted strings and comments, after `from`. */
function foldPoints(line: string, from: number): number[] {
  const points: number[] = [];
  let quoted = false;
  let comment = 0;
  for (let i = from; i < line.length; i += 1) {
    const ch = line[i];
    if (ch === '\\' && (quoted || comment > 0)) i += 1;
    else if (ch === '"' && comment === 0) quoted = !quoted;
    else if (ch === '(' && !quoted) comment += 1;
    else if (ch === ')' && !quoted && comment > 0) comment -= 1;
    else if ((ch === ' ' || ch === '\t') && !quoted && comment === 0) {
      const next = line[i + 1];
      if (next !== undefined && next !== ' ' && next !== '\t') points.push(i);
    }
  }
  return points;
}

/**
 * Checks a header name and value for writing.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` for a name outside printable ASCII or holding `:`, or a
 *   value holding a line break or another control character.
 */
export function checkHeader(name: string, value: string): void {
  if (!/^[!-9;-~]+$/.test(name)) throw new CemArgumentError(`invalid header name: ${quote(name)}`);
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new CemArgumentError(`the ${name} header value holds a line break or control character`);
  }
}

/**
 * `Name: value` with CRLF folds inserted before whitespace so that lines stay within 76
 * characters where a fold point exists; never inside a quoted string or comment. Unfolding the
 * result gives back exactly `Name: value`. No trailing CRLF.
 *
 * @throws CemArgumentError `CEM_ARGUMENT` via {@link checkHeader}.
 */
export function foldHeader(name: string, value: string): string {
  checkHeader(name, value);
  const line = `${name}: ${value}`;
  if (line.length <= LINE) return line;
  const points = foldPoints(line, name.length + 2);
  const out: string[] = [];
  let start = 0;
  let index = 0;
  while (line.length - start > LINE && index < points.length) {
    let chosen = -1;
    while (index < points.length && (points[index] ?? 0) - start <= LINE) chosen = points[index++] ?? -1;
    if (chosen <= start) chosen = points[index++] ?? -1; // no point close enough: take the next one
    if (chosen <= start) break;
    out.push(line.slice(start, chosen));
    start = chosen;
  }
  out.push(line.slice(start));
  return out.join('\r\n');
}
