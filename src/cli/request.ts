/**
 * `cem request`: builds a CEM Request entity (headers + body) from certificate files: PEM
 * certificate lists or PKCS#7 bundles (DER, PEM or base64).
 *
 * @module
 */
import type { CertificateInfo } from '../crypto/certificate.js';
import { splitCertificateBundle } from '../crypto/certs-only.js';
import { CemArgumentError, CemError, isCemError } from '../errors.js';
import { cemDateTime, parseCemDateTime } from '../messages/datetime.js';
import { buildCemRequest } from '../messages/entity/build-request-items.js';
import { serializeCemEntity } from '../messages/entity/serialize.js';
import type { CemDateTime } from '../messages/model.js';
import { isCertUsage } from '../types.js';
import type { CertUsage } from '../types.js';
import { UsageError, parseArgs } from './args.js';
import { contentIdDomain } from './domain.js';
import { readCertificateFile } from './files.js';
import type { CliIo } from './io.js';

export const REQUEST_USAGE =
  'cem request --from AS2NAME --response-url URL [--respond-by DATETIME] [--request-id ID]\n' +
  '            --cert FILE=USAGE[,USAGE...] [--cert ...] [--transfer-encoding base64|binary] [--out FILE]';

/** A `--cert FILE=USAGE[,USAGE...]` value. */
export function parseCertOption(value: string): { file: string; usages: CertUsage[] } {
  const eq = value.lastIndexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new UsageError(`--cert ${value}: expected FILE=USAGE[,USAGE...]`);
  const usages = value.slice(eq + 1).split(',').map((u) => u.trim());
  for (const u of usages) {
    if (!isCertUsage(u)) {
      throw new UsageError(`--cert ${value}: ${JSON.stringify(u)} is not a CertUsage (tlsClient, tlsServer, keyEncipherment, digitalSignature)`);
    }
  }
  return { file: value.slice(0, eq), usages: usages as CertUsage[] };
}

/**
 * `--respond-by`: an `xs:dateTime` with an explicit offset (`±hh:mm` or `Z`). A value without
 * one is refused rather than guessed: the deadline would move by the difference between UTC
 * (what an offset-less `xs:dateTime` denotes here) and the zone the user had in mind.
 */
function respondByOption(value: string | undefined): CemDateTime | null {
  if (value === undefined) return null;
  let parsed: CemDateTime;
  try {
    parsed = parseCemDateTime(value);
  } catch (e) {
    if (isCemError(e)) throw new UsageError(`--respond-by ${value}: not an xs:dateTime (e.g. 2026-12-31T12:00:00+01:00)`);
    throw e;
  }
  if (parsed.offsetMinutes === null) {
    throw new UsageError(`--respond-by ${value}: give the UTC offset explicitly, e.g. ${value}+01:00 or ${value}Z`);
  }
  return parsed;
}

/** `--response-url`: an absolute http or https URL with a host. */
function responseUrlOption(value: string | undefined): string {
  if (!value) throw new UsageError('--response-url is required');
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '' || /\s/.test(value)) {
    throw new UsageError(`--response-url ${value}: not an absolute http or https URL (e.g. https://as2.example.com/as2)`);
  }
  return value;
}

/** A CemError about `file`, with the file name in front of its message (same code). */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (isCemError(e) && e.code !== 'CEM_IO') throw new CemError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * The certificates of one `--cert` file, end-entity first, then its issuers nearest first. The
 * end-entity is the one certificate of the set that issues no other and is not a CA; whatever is
 * off its issuer path is refused (a P7C holds exactly one end-entity certificate and its chain,
 * draft-14 §2.3).
 */
function certificatesOf(file: string, io: CliIo): Uint8Array[] {
  const bytes = io.readFile(file);
  return inFile(file, () => {
    const { endEntity, chain, unrelated } = splitCertificateBundle(readCertificateFile(bytes));
    if (unrelated.length > 0) {
      throw new CemArgumentError(
        `holds certificates off the issuer path of ${endEntity.subject}: ${unrelated.map((c: CertificateInfo) => c.subject).join('; ')} (one end-entity certificate and its chain only, draft-14 §2.3)`,
      );
    }
    return [endEntity.der, ...chain.map((c) => c.der)];
  });
}

/** Runs `cem request`. @throws UsageError, CemError */
export function runRequest(argv: readonly string[], io: CliIo): void {
  const args = parseArgs(argv, {
    from: 'value',
    'response-url': 'value',
    'respond-by': 'value',
    'request-id': 'value',
    cert: 'repeat',
    'transfer-encoding': 'value',
    out: 'value',
  });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const from = args.values.get('from');
  const certs = args.repeats.get('cert') ?? [];
  if (!from) throw new UsageError('--from is required');
  const responseUrl = responseUrlOption(args.values.get('response-url'));
  if (certs.length === 0) throw new UsageError('at least one --cert FILE=USAGE is required');
  const encoding = args.values.get('transfer-encoding') ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'binary') throw new UsageError('--transfer-encoding is base64 or binary');
  const certOptions = certs.map(parseCertOption);

  const respondBy = respondByOption(args.values.get('respond-by'));
  const now = io.now();
  if (respondBy !== null && respondBy.instant.getTime() <= now.getTime()) {
    io.stderr(`cem: warning: --respond-by ${respondBy.lexical} is in the past (now ${now.toISOString()}); the partner gets a deadline that has already passed\n`);
  }
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const requestId = args.values.get('request-id') ?? `${stamp}-${io.randomHex(8)}`;
  const domain = contentIdDomain(from);
  const contentId = (n: string) => `${stamp}-${io.randomHex(6)}-${n}@${domain}`;

  const items = certOptions.map(({ file, usages }, i) => ({
    usages,
    respondBy,
    responseUrl,
    certificates: certificatesOf(file, io),
    contentId: contentId(`cert${i + 1}`),
  }));
  const built = buildCemRequest({
    sender: from,
    requestId,
    originated: cemDateTime(now, { timeZone: io.timeZone() }),
    items,
    xmlContentId: contentId('xml'),
    transferEncoding: encoding,
  });
  const bytes = serializeCemEntity(built.entity);
  const out = args.values.get('out');
  if (out) io.writeFile(out, bytes);
  else io.stdout(new TextDecoder().decode(bytes));
}
