/**
 * XSD validation against the draft-14 CEM schema with the real, pure-Python `xmlschema`
 * validator (`/usr/bin/python3`, Debian `python3-xmlschema`). Unlike libxml2 it accepts
 * `xs:integer` values of any length, as the XSD spec does (CEM serials have up to 49 digits).
 *
 * Many documents are validated by one Python process (a JSON list in, a JSON list out), so
 * property tests can check hundreds of documents quickly. Validation is offline: the xmldsig
 * schema sits next to the CEM schema and its DTD is never fetched.
 *
 * Also holds the small helpers the CEM XML tests share (fixtures, error codes, freeze checks).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The vendored draft-14 schema (imports `xmldsig-core-schema.xsd` from the same folder). */
export const CEM_XSD_PATH = fileURLToPath(
  new URL('../fixtures/draft14/schema/ediint-certificate-exchange-14.xsd', import.meta.url),
);

const VALIDATOR = String.raw`
import io, json, sys
import xmlschema
schema = xmlschema.XMLSchema10(sys.argv[1])
results = []
for doc in json.load(sys.stdin):
    try:
        errors = [str(e.reason or e.message) for e in schema.iter_errors(io.BytesIO(doc.encode('utf-8')))]
    except Exception as exc:
        errors = ['not well-formed: ' + str(exc)]
    results.append(errors)
json.dump(results, sys.stdout)
`;

/**
 * Validates each document (UTF-8 text) and returns its list of schema errors; an empty list
 * means valid.
 */
export function validateCemXsd(documents: readonly string[]): string[][] {
  if (documents.length === 0) return [];
  const output = execFileSync('/usr/bin/python3', ['-c', VALIDATOR, CEM_XSD_PATH], {
    input: JSON.stringify(documents),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const results = JSON.parse(output) as unknown;
  if (!Array.isArray(results) || results.length !== documents.length) {
    throw new Error('the XSD validator returned an unexpected answer');
  }
  return results as string[][];
}

/** Validates one document; returns its schema errors (empty when valid). */
export function xsdErrors(document: string): string[] {
  return validateCemXsd([document])[0] ?? [];
}

// --- Helpers shared by the CEM XML tests ---

/** A draft-14 example from `test/fixtures/draft14/examples/`, as text. */
export function draftExample(name: string): string {
  return readFileSync(new URL(`../fixtures/draft14/examples/${name}`, import.meta.url), 'utf8');
}

/** The `code` of the error `fn` throws, `undefined` when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

/** True when `value` and everything reachable from it is frozen. */
export function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(isDeeplyFrozen);
}

/** The text of every simple-content element in serializer output, by element name. */
export function textValues(xml: string): { name: string; text: string }[] {
  return [...xml.matchAll(/<([A-Za-z:]+)(?: [^>]*)?>([^<]*)<\/\1>/g)].map((m) => ({
    name: m[1] ?? '',
    text: m[2] ?? '',
  }));
}
