// The scenario of the cluster test (postgres-cluster.test.ts), shared by the test and its worker
// processes (postgres-cluster-worker.ts): the certificates, the partners' messages, a clock all
// processes share (simulated time the test moves forward in steps, through a file), the
// operations, and ports that append what they were asked to do to one shared log file.
// Public API only: the engine comes from src/index.ts, the store from the postgres adapter.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createCemEngine } from '../../src/index.js';
import type { CemEngine, CemPorts, Clock, JsonValue } from '../../src/index.js';
import { createManualClock, createMemoryPorts } from '../../src/testing/index.js';
import { makePki } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';

/** The outbox claim of a node: 3 simulated hours (6 steps of the test's clock). */
export const LEASE_MS = 3 * 3_600_000;
export const PARTNERS = ['P1', 'P2', 'P3', 'P4'] as const;
export const TLS_PROTOCOL = 'HTTP' as const;

/** A certificate as the engine takes it. */
export interface CertSource {
  readonly certificate: string;
  readonly chain: string[];
  readonly keyRef?: string;
}

/** A message a partner sends to ALPHA, as `receive` takes it (body in base64). */
export interface InboundSpec {
  readonly partner: string;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly verifiedBy: string;
}

/** Everything a worker needs, written by the test as JSON. */
export interface Scenario {
  readonly url: string;
  readonly table: string;
  readonly log: string;
  /** The file holding the shared clock's time (epoch ms). */
  readonly clock: string;
  readonly start: number;
  readonly certs: { readonly a1: CertSource; readonly a2: CertSource; readonly s1: CertSource; readonly s2: CertSource; readonly partners: Record<string, CertSource> };
  readonly fingerprints: Record<string, string>;
  /** Each partner's CEM Request to ALPHA (new signing certificate), and an ordinary payload. */
  readonly requests: readonly InboundSpec[];
  readonly payloads: readonly InboundSpec[];
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function source(cert: TestCert, pki: TestPki, keyRef?: string): CertSource {
  const chain = pki.chainOf(cert).slice(1).map((c) => c.pem);
  return keyRef === undefined ? { certificate: cert.pem, chain } : { certificate: cert.pem, chain, keyRef };
}

/** Sets the shared clock (atomically: readers see the old or the new time, never a torn file). */
export function setSharedClock(path: string, at: number): void {
  writeFileSync(`${path}.tmp`, String(at));
  renameSync(`${path}.tmp`, path);
}

/**
 * The clock of every process: the time the test last wrote to `path`. Timers fire once that time
 * passed their due time (checked every 20 ms of wall-clock time).
 */
export function sharedClock(path: string): Clock {
  const read = (): number => Number(readFileSync(path, 'utf8'));
  return {
    now: () => new Date(read()),
    setTimer(delayMs, callback) {
      const due = read() + Math.max(0, delayMs);
      const timer = setInterval(() => {
        if (read() < due) return;
        clearInterval(timer);
        callback();
      }, 20);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/** One line of the shared log. */
export type LogEvent = Record<string, JsonValue>;

/** Appends one JSON line per event to `path` (O_APPEND: lines of several processes never mix). */
export function openLog(path: string, node: string): { write(event: LogEvent): void; close(): void } {
  const fd = openSync(path, 'a');
  return {
    write: (event) => void writeSync(fd, `${JSON.stringify({ node, pid: process.pid, ...event })}\n`),
    close: () => closeSync(fd),
  };
}

/**
 * Ports whose transport, notifier and installer only log what they were asked to do, then take
 * up to `latencyMs` (wall clock) to return, like a network call: a node killed meanwhile has
 * performed the effect without recording it.
 */
export function loggingPorts(log: { write(event: LogEvent): void }, clock: Clock, latencyMs = 0): Pick<CemPorts, 'transport' | 'notifier' | 'servers'> {
  const at = (): string => clock.now().toISOString();
  const done = (event: LogEvent): Promise<void> => {
    log.write({ ...event, at: at() });
    return latencyMs === 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, Math.random() * latencyMs));
  };
  return {
    transport: {
      sendRequest: (m) => done({ t: 'sendRequest', requestId: m.requestId, partner: m.partnerId, body: sha256(m.body) }),
      sendResponse: (m) => done({ t: 'sendResponse', requestId: m.requestId, partner: m.partnerId, body: sha256(m.body) }),
      sendEmail: (e) => done({ t: 'sendEmail', to: e.to, subject: e.subject }),
    },
    notifier: { notify: (n) => done({ t: 'notice', kind: n.kind, dedupeKey: n.dedupeKey, relationshipId: n.relationshipId ?? null, notice: sha256(JSON.stringify(n)) }) },
    servers: { install: (protocol, c) => done({ t: 'install', protocol, fingerprint: c.fingerprint, install: sha256(JSON.stringify({ ...c, der: sha256(c.der) })) }) },
  };
}

/** Makes the certificates (openssl) and the partners' messages to ALPHA. */
export async function buildScenario(base: Omit<Scenario, 'certs' | 'fingerprints' | 'requests' | 'payloads'>): Promise<Scenario> {
  const alpha = makePki('Alpha');
  const partners = makePki('Partners');
  const a1 = alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 1' });
  const a2 = alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 2', keyFrom: a1 });
  const s1 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test', extendedKeyUsage: 'serverAuth', keyFrom: a1 });
  const s2 = alpha.leaf({ subject: '/O=Alpha/CN=alpha.test 2', extendedKeyUsage: 'serverAuth', keyFrom: a1 });
  const old = new Map(PARTNERS.map((p) => [p, partners.leaf({ subject: `/O=${p}/CN=as2 ${p} 1` })]));
  const renewed = new Map(PARTNERS.map((p) => [p, partners.leaf({ subject: `/O=${p}/CN=as2 ${p} 2`, keyFrom: old.get(p) as TestCert })]));
  const requests: InboundSpec[] = [];
  const payloads: InboundSpec[] = [];
  for (const p of PARTNERS) {
    // The partner's own product (an engine on memory ports) sends ALPHA its new signing certificate.
    const clock = createManualClock(new Date(base.start - 60_000));
    const memory = createMemoryPorts({ start: clock.now(), ids: { prefix: p.toLowerCase(), domain: `${p.toLowerCase()}.test` } });
    const engine = createCemEngine({ ...memory, clock }, { engineId: p });
    const mine = old.get(p) as TestCert;
    await engine.addRelationship({
      id: 'alpha', localName: p, partnerName: 'ALPHA', protocol: 'AS2', responseUrl: `https://${p.toLowerCase()}.test/as2`, cemOverride: 'capable',
      local: { signing: source(mine, partners, 'key'), encryption: source(mine, partners, 'key') }, partner: { signing: source(a1, alpha), encryption: source(a1, alpha) },
    });
    const sent = await engine.sendCertificates('alpha', { signing: source(renewed.get(p) as TestCert, partners, 'key2') });
    if (!sent.applied) throw new Error(`${p} could not send its request`);
    const m = memory.transport.requests[0];
    if (m === undefined) throw new Error(`${p} sent nothing`);
    const headers = (id: string): Record<string, string> => ({ 'AS2-From': p, 'AS2-To': 'ALPHA', 'Message-ID': id, 'EDIINT-Features': 'multiple-attachments, CEM' });
    requests.push({ partner: p, contentType: m.contentType, body: Buffer.from(m.body).toString('base64'), headers: headers(`<request@${p}.test>`), verifiedBy: sha256(mine.der) });
    payloads.push({ partner: p, contentType: 'application/edi-x12', body: Buffer.from(`ISA*00*payload from ${p}~`).toString('base64'), headers: headers(`<payload@${p}.test>`), verifiedBy: sha256(mine.der) });
  }
  return {
    ...base,
    certs: { a1: source(a1, alpha, 'key:a1'), a2: source(a2, alpha, 'key:a2'), s1: source(s1, alpha, 'tls:s1'), s2: source(s2, alpha, 'tls:s2'), partners: Object.fromEntries(PARTNERS.map((p) => [p, source(old.get(p) as TestCert, partners)])) },
    fingerprints: { s1: sha256(s1.der), s2: sha256(s2.der), a2: sha256(a2.der) },
    requests,
    payloads,
  };
}

/** ALPHA's relationships with every partner and its HTTPS listener certificate. */
export async function setUp(engine: CemEngine, s: Scenario): Promise<void> {
  await engine.updateSettings({ autoAccept: true, maxResponseDays: 0.5 });
  for (const p of PARTNERS) {
    const partner = s.certs.partners[p] as CertSource;
    const added = await engine.addRelationship({
      id: p.toLowerCase(), localName: 'ALPHA', partnerName: p, protocol: 'AS2', responseUrl: 'https://alpha.test/as2', cemOverride: 'capable',
      local: { signing: s.certs.a1, encryption: s.certs.a1 }, partner: { signing: partner, encryption: partner },
    });
    if (!added.applied) throw new Error(`relationship ${p}: ${JSON.stringify(added.refusal)}`);
  }
  const configured = await engine.configureServer(TLS_PROTOCOL, s.certs.s1);
  if (!configured.applied) throw new Error(`configureServer: ${JSON.stringify(configured.refusal)}`);
}

/** The operations a node runs; `send:P1` rolls ALPHA's signing and HTTPS certificates with P1. */
export type Operation = 'tick' | 'drain' | 'serverActive' | `send:${string}` | `request:${string}` | `payload:${string}`;

function inbound(spec: InboundSpec): Parameters<CemEngine['receive']>[0] {
  return { body: { contentType: spec.contentType, body: Buffer.from(spec.body, 'base64') }, headers: spec.headers, verifiedBy: spec.verifiedBy };
}

/** Runs one operation and summarises its result for the log. */
export async function perform(engine: CemEngine, s: Scenario, op: Operation): Promise<LogEvent> {
  const [name, arg = ''] = op.split(':') as [string, string?];
  switch (name) {
    case 'tick':
      await engine.tick();
      return {};
    case 'drain':
      return { performed: await engine.drainOutbox() };
    case 'serverActive': {
      const r = await engine.setServerActive(TLS_PROTOCOL);
      return { applied: r.applied, refusal: r.refusal?.reason ?? null };
    }
    case 'send': {
      const r = await engine.sendCertificates(arg.toLowerCase(), { signing: s.certs.a2, tlsServer: s.certs.s2 });
      return { applied: r.applied, requestId: r.requestId, refusal: r.refusal?.reason ?? null };
    }
    case 'request':
    case 'payload': {
      const spec = (name === 'request' ? s.requests : s.payloads).find((m) => m.partner === arg);
      if (spec === undefined) throw new Error(`no message ${op}`);
      const r = await engine.receive(inbound(spec));
      return { kind: r.kind, ...('requestId' in r ? { requestId: r.requestId } : {}) };
    }
    default:
      throw new Error(`unknown operation ${op}`);
  }
}
