/**
 * The domain part of the Content-IDs the `cem` command makes, derived from `--from`.
 *
 * @module
 */

function isTrimmed(code: number): boolean {
  return code === 0x2d || code === 0x2e; // '-' or '.'
}

/**
 * `from` with every character outside `A-Za-z0-9.-` replaced by `-` and leading and trailing `-`
 * and `.` removed (index loops, linear); `cem` when nothing is left.
 *
 * @example
 * ```ts
 * contentIdDomain('Acme Corp.') // 'Acme-Corp'
 * ```
 * @throws never
 */
export function contentIdDomain(from: string): string {
  const safe = from.replace(/[^A-Za-z0-9.-]/g, '-');
  let start = 0;
  let end = safe.length;
  while (start < end && isTrimmed(safe.charCodeAt(start))) start++;
  while (end > start && isTrimmed(safe.charCodeAt(end - 1))) end--;
  return safe.slice(start, end) || 'cem';
}
