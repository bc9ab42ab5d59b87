/**
 * Bounded quoting of untrusted input in error messages: an error never carries more than a
 * couple of hundred characters of what a peer sent, however long the value was (a 10 MB serial
 * number, a megabyte-long element name).
 *
 * @module
 */

/** Most characters of an input value an error message quotes. */
export const MAX_QUOTED_CHARS = 200;

/**
 * `text` cut to `max` characters (code units; a surrogate pair is not split), with `…` and the
 * full length when cut.
 */
export function clip(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${head(text, max)}… (${text.length} characters)`;
}

function head(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * {@link clip}ped text in double quotes, with JSON escapes for quotes and control characters; a
 * value that is not a string is shown as its JSON (or `String()` when it has none), clipped too.
 */
export function quote(value: unknown, max = MAX_QUOTED_CHARS): string {
  if (typeof value !== 'string') return clip(json(value) ?? String(value), max);
  const text = value;
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(head(text, max))}… (${text.length} characters)`;
}

function json(value: unknown): string | undefined {
  try {
    return JSON.stringify(value) as string | undefined;
  } catch {
    return undefined;
  }
}
