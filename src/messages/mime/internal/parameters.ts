/**
 * RFC 2231 parameter assembly: continuations (`name*0=`, `name*1*=`) and charset/language
 * encoded values (`name*=utf-8''%E2%82%AC`) (internal).
 *
 * @module
 */
import { CemMimeError } from '../../../errors.js';
import { concatBytes, utf8 } from './bytes.js';

/** One parameter as written: raw name (lower-cased) and unquoted value. */
export interface RawParam {
  readonly name: string;
  readonly value: string;
}

interface Section {
  readonly value: string;
  readonly encoded: boolean;
}

interface Slot {
  plain?: string;
  extended?: string;
  sections: Map<number, Section>;
}

// name, optional *N section number, optional trailing * (encoded). No nested quantifiers.
const RFC2231_NAME = /^([^*]+)(?:\*(\d{1,4}))?(\*)?$/;

function percentDecode(text: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let runStart = 0;
  for (let i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) continue;
    chunks.push(utf8(text.slice(runStart, i)), Uint8Array.of(Number.parseInt(hex, 16)));
    runStart = i + 3;
    i += 2;
  }
  chunks.push(utf8(text.slice(runStart)));
  return concatBytes(chunks);
}

function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.length > 0 ? charset : 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the best guess for modern peers.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function splitCharset(value: string): { charset: string; rest: string } {
  const first = value.indexOf("'");
  const second = first < 0 ? -1 : value.indexOf("'", first + 1);
  if (second < 0) return { charset: '', rest: value };
  return { charset: value.slice(0, first), rest: value.slice(second + 1) };
}

function assembleSections(sections: Map<number, Section>): string | undefined {
  const first = sections.get(0);
  if (!first) return undefined;
  let charset = '';
  const chunks: Uint8Array[] = [];
  for (let n = 0; sections.has(n); n += 1) {
    const section = sections.get(n) as Section;
    if (!section.encoded) {
      chunks.push(utf8(section.value));
      continue;
    }
    let text = section.value;
    if (n === 0) ({ charset, rest: text } = splitCharset(text));
    chunks.push(percentDecode(text));
  }
  const total = concatBytes(chunks);
  return decodeCharset(total, charset);
}

/**
 * Folds raw parameters into one value per lower-cased name. An RFC 2231 form (extended or
 * continued) wins over a plain one of the same name; continuations are joined from section 0
 * while the numbering is contiguous.
 *
 * @throws CemMimeError `CEM_MIME_MALFORMED` when the same raw parameter name appears twice
 *   (two `boundary` values would make the entity ambiguous).
 */
export function assembleParams(raw: readonly RawParam[]): Record<string, string> {
  const slots = new Map<string, Slot>();
  const seen = new Set<string>();
  for (const { name, value } of raw) {
    if (seen.has(name)) throw new CemMimeError('CEM_MIME_MALFORMED', `the parameter ${name} appears twice`);
    seen.add(name);
    const match = RFC2231_NAME.exec(name);
    const base = match?.[1] ?? name;
    const slot = slots.get(base) ?? { sections: new Map<number, Section>() };
    slots.set(base, slot);
    if (!match || (match[2] === undefined && match[3] === undefined)) slot.plain = value;
    else if (match[2] === undefined) slot.extended = value;
    else slot.sections.set(Number(match[2]), { value, encoded: match[3] !== undefined });
  }
  const entries: [string, string][] = [];
  for (const [base, slot] of slots) {
    let value = assembleSections(slot.sections);
    if (value === undefined && slot.extended !== undefined) {
      const { charset, rest } = splitCharset(slot.extended);
      value = decodeCharset(percentDecode(rest), charset);
    }
    value ??= slot.plain;
    if (value !== undefined) entries.push([base, value]);
  }
  return Object.fromEntries(entries);
}
