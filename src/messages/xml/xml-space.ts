/**
 * XML whitespace (space, tab, CR, LF: XML 1.0 production `S`) around values, found with index
 * loops: a regular expression such as `/^[ \t\r\n]+|[ \t\r\n]+$/g` backtracks over every
 * internal whitespace run and takes quadratic time on long runs.
 *
 * @module
 */

/** True for the four XML whitespace characters. */
export function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/**
 * `text` without XML whitespace at either end, in time linear in the whitespace removed.
 *
 * @example
 * ```ts
 * trimXmlSpace('\n  CN=x  \t') // 'CN=x'
 * ```
 * @throws never
 */
export function trimXmlSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isXmlSpace(text.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
