/**
 * `cem request`: builds a CEM Request entity (headers + body) from PEM certificate files.
 *
 * @module
 */
import { readCertificates } from '../crypto/certificate.js';
import { isCemError } from '../errors.js';
import { cemDateTime, parseCemDateTime } from '../messages/datetime.js';
import { buildCemRequest } from '../messages/entity/build-request-items.js';
import { serializeCemEntity } from '../messages/entity/serialize.js';
import type { CemDateTime } from '../messages/model.js';
import { isCertUsage } from '../types.js';
import type { CertUsage } from '../types.js';
import { UsageError, parseArgs } from './args.js';
import { contentIdDomain } from './domain.js';
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

function respondByOption(value: string | undefined): CemDateTime | null {
  if (value === undefined) return null;
  try {
    return parseCemDateTime(value);
  } catch (e) {
    if (isCemError(e)) throw new UsageError(`--respond-by ${value}: not an xs:dateTime (e.g. 2026-12-31T12:00:00+01:00)`);
    throw e;
  }
}

/** Runs `cem request`; returns the bytes written. @throws UsageError, CemError */
export function runRequest(argv: readonly string[], io: CliIo, readFile: (path: string) => Uint8Array): void {
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
  const responseUrl = args.values.get('response-url');
  const certs = args.repeats.get('cert') ?? [];
  if (!from) throw new UsageError('--from is required');
  if (!responseUrl) throw new UsageError('--response-url is required');
  if (certs.length === 0) throw new UsageError('at least one --cert FILE=USAGE is required');
  const encoding = args.values.get('transfer-encoding') ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'binary') throw new UsageError('--transfer-encoding is base64 or binary');

  const respondBy = respondByOption(args.values.get('respond-by'));
  const now = io.now();
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const requestId = args.values.get('request-id') ?? `${stamp}-${io.randomHex(8)}`;
  const domain = contentIdDomain(from);
  const contentId = (n: string) => `${stamp}-${io.randomHex(6)}-${n}@${domain}`;

  const items = certs.map((value, i) => {
    const { file, usages } = parseCertOption(value);
    const ders = readCertificates(readFile(file)).map((c) => c.der);
    return { usages, respondBy, responseUrl, certificates: ders, contentId: contentId(`cert${i + 1}`) };
  });
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
