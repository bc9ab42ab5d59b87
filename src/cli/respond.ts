/**
 * `cem respond`: answers a CEM Request file with a Response entity, echoing its requestId and
 * each issuer/serial string exactly as the Request wrote them.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import { cemDateTime } from '../messages/datetime.js';
import { buildCemResponseEntity } from '../messages/entity/build-response.js';
import { serializeCemEntity } from '../messages/entity/serialize.js';
import type { CemRequest, CemTrustResponse } from '../messages/model.js';
import { UsageError, parseArgs } from './args.js';
import { contentIdDomain } from './domain.js';
import { readCemFile } from './files.js';
import type { CliIo } from './io.js';
import { clip } from '../quote.js';

export const RESPOND_USAGE =
  'cem respond REQUESTFILE --from AS2NAME (--accept-all | --reject-all | --accept SERIAL | --reject SERIAL)...\n' +
  '            [--reason TEXT] [--transfer-encoding base64|binary] [--out FILE]';

/** The Request of a CEM message file (MIME entity, headerless multipart body or bare XML). */
function readRequest(bytes: Uint8Array, io: CliIo): CemRequest {
  const { document, note } = readCemFile(bytes);
  if (document.kind !== 'request') throw new CemArgumentError('REQUESTFILE holds a CEM Response, not a Request');
  if (note !== null) io.stderr(`cem: note: ${note}\n`);
  return document.request;
}

/**
 * A serial number as a user types it: decimal (`-5`, `4096`), or hexadecimal as openssl prints it
 * (`0x1000` from `-text`, `10:00` colon pairs, `serial=1000` from `x509 -serial`).
 */
export function serialValue(text: string): bigint {
  const t = text.trim();
  const hex = /^serial=([0-9a-f]+)$/i.exec(t)?.[1] ?? /^0x([0-9a-f]+)$/i.exec(t)?.[1] ?? (/^[0-9a-f]{2}(?::[0-9a-f]{2})+$/i.test(t) ? t.replaceAll(':', '') : undefined);
  if (t.length <= 200 && hex !== undefined) return BigInt(`0x${hex}`);
  if (t.length <= 200 && /^-0x[0-9a-f]+$/i.test(t)) return -BigInt(t.slice(1));
  if (t.length <= 200 && /^[+-]?\d+$/.test(t)) return BigInt(t);
  throw new UsageError(`${clip(text, 80)} is not a serial number (decimal, or hexadecimal as 0x1f, 1f:2e or serial=1F2E)`);
}

/** Decides each TrustRequest from the options, in the order given (later options win). */
export function decide(request: CemRequest, sequence: readonly { name: string; value: string | null }[]): boolean[] {
  const decisions: (boolean | undefined)[] = request.trustRequests.map(() => undefined);
  const serials = request.trustRequests.map((t) => BigInt(t.certificate.serial));
  for (const { name, value } of sequence) {
    if (name === 'accept-all' || name === 'reject-all') decisions.fill(name === 'accept-all');
    if ((name === 'accept' || name === 'reject') && value !== null) {
      const wanted = serialValue(value);
      const index = serials.findIndex((s) => s === wanted);
      if (index === -1) throw new UsageError(`--${name} ${value}: the request has no certificate with that serial`);
      decisions[index] = name === 'accept';
    }
  }
  const missing = decisions.findIndex((d) => d === undefined);
  if (missing !== -1) {
    throw new UsageError(`no decision for serial ${request.trustRequests[missing]?.certificate.serial}: use --accept, --reject, --accept-all or --reject-all`);
  }
  return decisions as boolean[];
}

/** Runs `cem respond`. @throws UsageError, CemError */
export function runRespond(argv: readonly string[], io: CliIo): void {
  const args = parseArgs(argv, {
    from: 'value',
    'accept-all': 'flag',
    'reject-all': 'flag',
    accept: 'repeat',
    reject: 'repeat',
    reason: 'value',
    'transfer-encoding': 'value',
    out: 'value',
  });
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('REQUESTFILE is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const from = args.values.get('from');
  if (!from) throw new UsageError('--from is required');
  const encoding = args.values.get('transfer-encoding') ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'binary') throw new UsageError('--transfer-encoding is base64 or binary');
  const reason = args.values.get('reason') ?? null;
  if (args.flags.has('accept-all') && args.flags.has('reject-all')) {
    throw new UsageError('--accept-all and --reject-all exclude each other; combine one of them with --accept or --reject SERIAL');
  }

  // A Request without requestId (pre-draft-06 peers) is answered without one (draft-14 §2.5).
  const request = readRequest(io.readFile(file), io);
  const decisions = decide(request, args.sequence);
  const trustResponses: CemTrustResponse[] = request.trustRequests.map((t, i) => ({
    status: decisions[i] ? 'Accepted' : 'Rejected',
    reason: decisions[i] ? null : reason,
    certificate: { issuer: t.certificate.issuer, serial: t.certificate.serial },
  }));
  const now = io.now();
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const domain = contentIdDomain(from);
  const entity = buildCemResponseEntity({
    response: {
      requestId: request.requestId,
      sender: { name: from, qualifier: 'AS2' },
      originated: cemDateTime(now, { timeZone: io.timeZone() }),
      trustResponses,
    },
    xmlContentId: `${stamp}-${io.randomHex(6)}-xml@${domain}`,
    transferEncoding: encoding,
  });
  const bytes = serializeCemEntity(entity);
  const out = args.values.get('out');
  if (out) io.writeFile(out, bytes);
  else io.stdout(new TextDecoder().decode(bytes));
}
