/**
 * `cem as2 send` and `cem as2 serve`: a test AS2 client and server for administrators checking
 * CEM with a partner, on `ediint-cem/adapters/as2`.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildAs2Message, createAs2Handler, sendAs2Message, type As2ReceiveReport, type ContentCipher } from '../adapters/as2/index.js';
import { privateKeyObject } from '../adapters/as2/keys.js';
import { splitEntity } from '../adapters/as2/mime.js';
import { CemAs2Error, CemError } from '../errors.js';
import { parseArgs, UsageError } from './args.js';
import { readCertificateFile } from './files.js';
import type { ServeControl } from './as2-usage.js';
import type { CliIo } from './io.js';

function required(values: ReadonlyMap<string, string>, name: string): string {
  const v = values.get(name);
  if (v === undefined || v.length === 0) throw new UsageError(`--${name} is required`);
  return v;
}

function pair(value: string, option: string, sep: string): [string, string] {
  const i = value.indexOf(sep);
  if (i <= 0 || i === value.length - 1) throw new UsageError(`--${option} takes ${sep === ',' ? 'CERT,KEY' : 'ID=CERT'}`);
  return [value.slice(0, i), value.slice(i + 1)];
}

function certificate(io: CliIo, path: string): Uint8Array {
  const [first] = readCertificateFile(io.readFile(path));
  if (first === undefined) throw new CemError('CEM_CERT_INVALID', `${path} holds no certificate`);
  return first.der;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The payload to send: a MIME entity file keeps its Content-Type (body decoded); other files need --content-type. */
function payload(bytes: Uint8Array, contentType: string | undefined): { contentType: string; body: Uint8Array } {
  if (contentType !== undefined) return { contentType, body: bytes };
  try {
    const entity = splitEntity(bytes);
    const type = entity.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
    if (type !== undefined) return { contentType: type, body: entity.body() };
  } catch {
    // not a MIME entity
  }
  throw new UsageError('FILE has no Content-Type header: give --content-type');
}

async function send(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { url: 'value', from: 'value', to: 'value', sign: 'value', encrypt: 'value', mdn: 'value', 'mdn-out': 'value', 'verify-mdn': 'value', 'content-type': 'value', cipher: 'value' });
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError('FILE is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const mode = args.values.get('mdn') ?? 'sync';
  if (mode !== 'sync' && mode !== 'none') throw new UsageError('--mdn takes sync or none');
  const cipher = args.values.get('cipher') ?? 'aes-256-cbc';
  if (!['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'].includes(cipher)) throw new UsageError('--cipher takes aes-128-cbc, aes-192-cbc or aes-256-cbc');
  const [certPath, keyPath] = pair(required(args.values, 'sign'), 'sign', ',');
  const partnerPath = required(args.values, 'encrypt');
  const url = required(args.values, 'url');
  const content = payload(io.readFile(file), args.values.get('content-type'));
  const key = privateKeyObject(text(io.readFile(keyPath)));
  const partnerCert = certificate(io, partnerPath);
  const verifyPath = args.values.get('verify-mdn');
  const message = await buildAs2Message({
    as2From: required(args.values, 'from'), as2To: required(args.values, 'to'), ...content,
    sign: { certificate: certificate(io, certPath), key },
    encrypt: { certificate: partnerCert, cipher: cipher as ContentCipher },
    mdn: mode === 'sync' ? { mode: 'sync', signed: true } : { mode: 'none' },
    now: io.now(),
  });
  const result = await sendAs2Message(url, message, { verifyMdn: [verifyPath === undefined ? partnerCert : certificate(io, verifyPath)], timeoutMs: 60_000 });
  const mdnOut = args.values.get('mdn-out');
  if (mdnOut !== undefined && result.response.body.byteLength > 0) {
    const head = Object.entries(result.response.headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\r\n`).join('');
    io.writeFile(mdnOut, new Uint8Array(Buffer.concat([Buffer.from(`${head}\r\n`), result.response.body])));
  }
  if (mode === 'none') {
    io.stdout(`sent ${message.messageId} to ${url}: HTTP ${result.status}, no MDN requested\n`);
    return 0;
  }
  if (result.problem !== null) throw new CemAs2Error('CEM_AS2_MDN', `${message.messageId}: ${result.problem}`);
  io.stdout(`sent ${message.messageId} to ${url}: MDN ${result.mdn?.disposition.raw.replace(/^.*;\s*/, '') ?? '?'}, signed and verified, MIC ${message.mic.value} (${message.mic.algorithm}) matches\n`);
  return 0;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
}

async function serve(argv: readonly string[], io: CliIo, control: ServeControl): Promise<number> {
  const args = parseArgs(argv, { port: 'value', host: 'value', 'as2-id': 'value', cert: 'repeat', partner: 'repeat', out: 'value' });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const port = Number(required(args.values, 'port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes 0-65535');
  const as2Id = required(args.values, 'as2-id');
  const out = required(args.values, 'out');
  const ours = (args.repeats.get('cert') ?? []).map((v) => pair(v, 'cert', ',')).map(([c, k]) => ({ certificate: certificate(io, c), key: privateKeyObject(text(io.readFile(k))) }));
  const [signer] = ours;
  if (signer === undefined) throw new UsageError('--cert is required');
  const partners = new Map<string, Uint8Array[]>();
  for (const v of args.repeats.get('partner') ?? []) {
    const [id, path] = pair(v, 'partner', '=');
    partners.set(id, [...(partners.get(id) ?? []), certificate(io, path)]);
  }
  if (partners.size === 0) throw new UsageError('--partner is required');
  mkdirSync(out, { recursive: true });
  let count = 0;
  const report = (r: As2ReceiveReport): void => {
    let saved = '';
    if (r.read !== null && r.disposition === 'processed') {
      const name = `${String(++count).padStart(4, '0')}-${safe(r.as2From ?? 'unknown')}-${safe((r.messageId ?? '').replace(/[<>]/g, ''))}.mime`;
      writeFileSync(join(out, name), r.read.entity);
      saved = ` -> ${join(out, name)}`;
    }
    io.stdout(`${io.now().toISOString()} ${r.as2From ?? '?'} -> ${r.as2To ?? '?'} ${r.messageId ?? '?'} ${r.disposition}${r.detail === null ? '' : ` (${r.detail})`}${saved}\n`);
  };
  const server = createServer(createAs2Handler({
    trust: async (from, to) => {
      const verify = partners.get(from);
      if (to !== as2Id || verify === undefined) return null;
      return { decrypt: ours, verify, signMdn: { certificate: signer.certificate, key: signer.key } };
    },
    process: async () => undefined,
    onReport: report,
  }));
  const host = args.values.get('host') ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  io.stdout(`cem as2 serve: ${as2Id} listening on http://${host}:${(server.address() as AddressInfo).port}/ (payloads to ${out})\n`);
  await control.stopped;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}

/**
 * Runs `cem as2 send|serve` and returns the exit code (0 only for a good, verified `processed`
 * MDN for `send`, or a clean stop for `serve`).
 *
 * @example
 * ```ts
 * const code = await runAs2(['send', 'request.mime', '--url', url, ...], processIo, { stopped: new Promise(() => {}) })
 * ```
 * @throws UsageError for bad arguments; CemError for unreadable files, HTTP failures (`CEM_AS2_HTTP`) or a bad MDN (`CEM_AS2_MDN`).
 */
export async function runAs2(argv: readonly string[], io: CliIo, control: ServeControl): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'send') return send(rest, io);
  if (sub === 'serve') return serve(rest, io, control);
  throw new UsageError(sub === undefined ? 'as2 needs send or serve' : `unknown as2 command ${sub}`);
}
