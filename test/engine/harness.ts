/**
 * Test harness for the engine: parties (an engine on memory ports), a shared manual clock, and a
 * network that carries each party's outbound CEM messages into the receiving party's `receive`,
 * playing both AS2 layers (sign with the sender's resolved certificate, verify and decrypt with
 * the receiver's, report first usage with `observeTraffic`).
 */
import { createHash } from 'node:crypto';
import { createCemEngine, type CemEngine } from '../../src/engine/engine.js';
import { storeUnderTest } from './store-under-test.js';
import type { CemEngineConfig } from '../../src/engine/context.js';
import type { ReceiveOutcome, ResolvedMaterial } from '../../src/engine/types.js';
import type { CemPorts } from '../../src/ports/ports.js';
import type { ServerCertificateInstall, ServerCertificateInstaller } from '../../src/ports/servers.js';
import type { ServerProtocol } from '../../src/state/model.js';
import {
  createManualClock, createMemoryAuditSink, createMemoryNotifier, createMemoryTransport, createSequentialIds,
  type ManualClock, type MemoryAuditSink, type MemoryNotifier, type MemoryStore, type MemoryTransport, type MemoryTransportEntry,
} from '../../src/testing/index.js';
import { makePki, type TestCert, type TestPki } from '../helpers/pki.js';

/** 09:00 UTC on the day after today: after the test certificates' notBefore (openssl issues them now). */
export const START = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 9 * 3_600_000);

/** A recording server-certificate installer. */
export interface RecordingInstaller extends ServerCertificateInstaller {
  readonly installs: { protocol: ServerProtocol; certificate: ServerCertificateInstall }[];
}

export function createInstaller(): RecordingInstaller {
  const installs: { protocol: ServerProtocol; certificate: ServerCertificateInstall }[] = [];
  return { installs, install: async (protocol, certificate) => void installs.push({ protocol, certificate }) };
}

/** The memory ports of one party, kept across engine restarts. */
export interface PartyPorts {
  readonly clock: ManualClock;
  readonly store: MemoryStore;
  readonly transport: MemoryTransport;
  readonly notifier: MemoryNotifier;
  readonly audit: MemoryAuditSink;
  readonly installer: RecordingInstaller;
  readonly ids: ReturnType<typeof createSequentialIds>;
}

export interface Party {
  readonly name: string;
  readonly host: string;
  readonly ports: PartyPorts;
  engine: CemEngine;
  /** A new engine instance on the same ports (a process restart). */
  restart(): CemEngine;
}

export interface PartyOptions {
  readonly name: string;
  readonly clock: ManualClock;
  readonly config?: CemEngineConfig;
  /** Wraps the ports the engine sees (fault injection). */
  readonly wrap?: (ports: CemPorts) => CemPorts;
  readonly store?: MemoryStore;
}

export function createParty(options: PartyOptions): Party {
  const host = options.name.toLowerCase();
  const ports: PartyPorts = {
    clock: options.clock,
    store: options.store ?? storeUnderTest(),
    transport: createMemoryTransport(),
    notifier: createMemoryNotifier(),
    audit: createMemoryAuditSink(),
    installer: createInstaller(),
    ids: createSequentialIds({ prefix: host, domain: `${host}.test` }),
  };
  const make = (): CemEngine => {
    const base: CemPorts = { clock: ports.clock, ids: ports.ids, store: ports.store, transport: ports.transport, notifier: ports.notifier, audit: ports.audit, servers: ports.installer };
    return createCemEngine(options.wrap ? options.wrap(base) : base, { engineId: host, ...options.config });
  };
  const party: Party = {
    name: options.name,
    host,
    ports,
    engine: make(),
    restart() {
      party.engine = make();
      return party.engine;
    },
  };
  return party;
}

/** A certificate as the engine takes it: PEM with its chain. */
export function source(cert: TestCert, pki: TestPki, keyRef?: string): { certificate: string; chain: string[]; keyRef?: string } {
  const chain = pki.chainOf(cert).slice(1).map((c) => c.pem);
  return keyRef === undefined ? { certificate: cert.pem, chain } : { certificate: cert.pem, chain, keyRef };
}

/** Adds the relationship between `a` and `b` on both sides (ids are the partner's host name). */
export async function link(a: Party, aCert: TestCert, aPki: TestPki, b: Party, bCert: TestCert, bPki: TestPki, extra: { protocol?: 'AS2' | 'AS3' } = {}): Promise<void> {
  for (const [self, own, ownPki, other, theirs, theirPki] of [[a, aCert, aPki, b, bCert, bPki], [b, bCert, bPki, a, aCert, aPki]] as const) {
    const result = await self.engine.addRelationship({
      id: other.host,
      localName: self.name,
      partnerName: other.name,
      protocol: extra.protocol ?? 'AS2',
      responseUrl: `https://${self.host}.test/as2`,
      partnerEmail: `edi@${other.host}.test`,
      local: { signing: source(own, ownPki, `key:${own.serial}`), encryption: source(own, ownPki, `key:${own.serial}`) },
      partner: { signing: source(theirs, theirPki), encryption: source(theirs, theirPki) },
    });
    if (!result.applied) throw new Error(`link failed: ${JSON.stringify(result.refusal)}`);
  }
}

/** What one delivery did. */
export interface Delivery {
  readonly from: string;
  readonly to: string;
  readonly kind: 'request' | 'response' | 'payload';
  readonly requestId: string | null;
  readonly decrypted: boolean;
  readonly verified: boolean;
  readonly outcome: ReceiveOutcome | null;
}

const has = (list: readonly { fingerprint: string }[], fp: string | undefined): boolean => fp !== undefined && list.some((c) => c.fingerprint === fp);

export interface Network {
  readonly parties: readonly Party[];
  readonly log: Delivery[];
  /** Delivers every CEM message sent so far (and those sent in reply) until quiet. */
  deliver(): Promise<Delivery[]>;
  /** An ordinary AS2 payload from `from` to `to`, with first-usage reporting. */
  payload(from: Party, to: Party): Promise<Delivery>;
  /** Delivers the n-th message `from` sent (again): an AS2 retransmission with the same Message-ID. */
  redeliver(from: Party, index: number): Promise<Delivery>;
  /** Loses every message sent so far (never delivered). */
  drop(): void;
  /** Loses, now and later, every CEM message for which `predicate` is true (a partner that never gets it). */
  block(predicate: (from: Party, entry: Exclude<MemoryTransportEntry, { kind: 'email' }>) => boolean): void;
}

/** Runs one engine call of a party (fault tests retry and restart here). */
export type Caller = <T>(party: Party, fn: (engine: CemEngine) => Promise<T>) => Promise<T>;

const direct: Caller = (party, fn) => fn(party.engine);

export function createNetwork(parties: readonly Party[], features = 'multiple-attachments, CEM', call: Caller = direct): Network {
  const cursor = new Map<string, number>();
  const log: Delivery[] = [];
  const byName = (name: string): Party => {
    const p = parties.find((x) => x.name === name);
    if (p === undefined) throw new Error(`no party ${name}`);
    return p;
  };

  async function carry(from: Party, to: Party, kind: Delivery['kind'], body: { contentType: string; body: Uint8Array }, requestId: string | null, messageId: string): Promise<Delivery> {
    const sent = (await call(from, (e) => e.resolve(to.host))) as ResolvedMaterial;
    const seen = (await call(to, (e) => e.resolve(from.host))) as ResolvedMaterial;
    const signer = sent.signOutbound ?? undefined;
    const encryptedTo = sent.encryptOutbound?.fingerprint;
    const decrypted = has(seen.decryptInbound, encryptedTo);
    const verified = has(seen.verifyInbound, signer?.fingerprint);
    let outcome: ReceiveOutcome | null = null;
    if (decrypted) {
      outcome = await call(to, (e) => e.receive({
        body,
        headers: { 'AS2-From': from.name, 'AS2-To': to.name, 'Message-ID': messageId, 'EDIINT-Features': features },
        verifiedBy: verified && signer !== undefined ? signer.der : null,
      }));
      await call(to, (e) => e.observeTraffic({ relationshipId: from.host, ...(encryptedTo ? { decryptedWith: encryptedTo } : {}), ...(verified && signer ? { verifiedWith: signer.fingerprint } : {}) }));
    }
    const delivery: Delivery = { from: from.name, to: to.name, kind, requestId, decrypted, verified, outcome };
    log.push(delivery);
    return delivery;
  }

  const messageIdOf = (from: Party, index: number): string => `<${index}@${from.host}.test>`;

  async function deliverOne(from: Party, index: number): Promise<Delivery> {
    const entry = from.ports.transport.sent[index];
    if (entry === undefined || entry.kind === 'email') throw new Error('not a CEM message');
    const m = entry.message;
    return carry(from, byName(m.as2To), entry.kind, { contentType: m.contentType, body: m.body }, m.requestId, messageIdOf(from, index));
  }

  let payloads = 0;
  const blocked: Array<(from: Party, entry: Exclude<MemoryTransportEntry, { kind: 'email' }>) => boolean> = [];
  return {
    parties,
    log,
    async deliver() {
      const done: Delivery[] = [];
      for (let moved = true; moved;) {
        moved = false;
        for (const from of parties) {
          const sent = from.ports.transport.sent;
          for (let i = cursor.get(from.name) ?? 0; i < sent.length; i = cursor.get(from.name) ?? 0) {
            cursor.set(from.name, i + 1);
            const entry = sent[i];
            if (entry === undefined || entry.kind === 'email' || blocked.some((b) => b(from, entry))) continue;
            done.push(await deliverOne(from, i));
            moved = true;
          }
        }
      }
      return done;
    },
    async payload(from, to) {
      payloads++;
      return carry(from, to, 'payload', { contentType: 'application/edi-x12', body: new TextEncoder().encode(`ISA*00*payload ${payloads}~`) }, null, `<payload-${payloads}@${from.host}.test>`);
    },
    redeliver: (from, index) => deliverOne(from, index),
    drop() {
      for (const p of parties) cursor.set(p.name, p.ports.transport.sent.length);
    },
    block(predicate) {
      blocked.push(predicate);
    },
  };
}

/** Makes the PKIs and certificates of a two-partner test once. */
export function twoPartnerPki(): { alpha: TestPki; beta: TestPki; a1: TestCert; a2: TestCert; b1: TestCert; b2: TestCert } {
  const alpha = makePki('Alpha');
  const beta = makePki('Beta');
  return { alpha, beta, a1: alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 1' }), a2: alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 2' }), b1: beta.leaf({ subject: '/O=Beta/CN=as2 beta 1' }), b2: beta.leaf({ subject: '/O=Beta/CN=as2 beta 2' }) };
}

export function newClock(): ManualClock {
  return createManualClock(START);
}

export interface Pair {
  readonly a: Party;
  readonly b: Party;
  readonly net: Network;
  readonly clock: ManualClock;
}

/** ALPHA and BETA linked with a1/b1; with `learn`, one payload each way teaches both that the other takes CEM. */
export async function setupPair(pki: ReturnType<typeof twoPartnerPki>, options: { a?: CemEngineConfig; b?: CemEngineConfig; learn?: boolean; wrapA?: PartyOptions['wrap']; features?: string } = {}): Promise<Pair> {
  const clock = newClock();
  const a = createParty({ name: 'ALPHA', clock, ...(options.a ? { config: options.a } : {}), ...(options.wrapA ? { wrap: options.wrapA } : {}) });
  const b = createParty({ name: 'BETA', clock, ...(options.b ? { config: options.b } : {}) });
  await link(a, pki.a1, pki.alpha, b, pki.b1, pki.beta);
  const net = createNetwork([a, b], options.features);
  if (options.learn !== false) {
    await net.payload(a, b);
    await net.payload(b, a);
  }
  return { a, b, net, clock };
}

/** SHA-256 of a test certificate, lowercase hex. */
export function fingerprint(cert: { der: Uint8Array }): string {
  return createHash('sha256').update(cert.der).digest('hex');
}

/** Ticks once a day for `days` days (at the same time of day), returning the clock's final time. */
export async function days(pair: { clock: ManualClock }, parties: readonly Party[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    pair.clock.advance({ days: 1 });
    for (const p of parties) await p.engine.tick();
  }
}
