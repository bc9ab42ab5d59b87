/**
 * Example parties: an AS2 product embedding the engine on memory ports (a shared manual clock so
 * every party sees the same simulated time), and a plain AS2 partner whose product has no CEM.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { localCertificate, partnerCertificate, type ExampleCertName } from '../certs/index.js';
import {
  createCemEngine, createMemoryPorts,
  type CemEngine, type CemEngineConfig, type CemStore, type CemSettings, type ManualClock, type MemoryPorts, type ServerCertificateInstall, type ServerCertificateInstaller, type ServerProtocol,
} from '../sdk.js';

/** One install the engine asked the host's listener for. */
export interface RecordedInstall {
  readonly protocol: ServerProtocol;
  readonly certificate: ServerCertificateInstall;
}

/** A party running the engine: its AS2 name, the id its partners know it by, its ports. */
export interface EngineParty {
  readonly kind: 'engine';
  /** AS2 name (AS2-From of its messages). */
  readonly name: string;
  /** The relationship id its partners use for it (lower-case name). */
  readonly id: string;
  /** The EDIINT-Features its AS2 stack advertises, `null` for none. */
  readonly features: string | null;
  readonly engine: CemEngine;
  /** Its ports (the store is the memory store, or the one given to {@link createEngineParty}). */
  readonly ports: Omit<MemoryPorts, 'store'> & { readonly store: CemStore };
  /** Server certificates installed on its listeners, in order. */
  readonly installs: readonly RecordedInstall[];
}

/** A trading partner whose AS2 product has no CEM: its administrator changes certificates by hand. */
export interface PlainParty {
  readonly kind: 'plain';
  readonly name: string;
  readonly id: string;
  readonly features: string | null;
  /** The certificate it signs with (a key it holds). */
  signing: ExampleCertName;
  /** Our certificate it encrypts to. */
  encryptTo: ExampleCertName;
}

/** Either kind of party. */
export type Party = EngineParty | PlainParty;

/** The features a CEM-capable AS2 stack advertises (RFC 6017, draft-14 §2.2). */
export const CEM_FEATURES = 'multiple-attachments, CEM';

/**
 * Creates a party with its own memory ports on the shared `clock`, and an installer that records
 * server-certificate installs.
 *
 * @example
 * ```ts
 * const acme = createEngineParty({ name: 'Acme', clock, settings: { maxResponseDays: 3 } })
 * ```
 */
export function createEngineParty(options: {
  readonly name: string;
  readonly clock: ManualClock;
  readonly settings?: Partial<CemSettings>;
  readonly features?: string | null;
  readonly config?: CemEngineConfig;
  /** A store instead of the memory store (the AS2 demo uses file stores). */
  readonly store?: CemStore;
}): EngineParty {
  const id = options.name.toLowerCase();
  const memory = createMemoryPorts({ start: options.clock.now(), ids: { prefix: id, domain: `${id}.example` } });
  const ports = Object.freeze({ ...memory, clock: options.clock, store: options.store ?? memory.store });
  const installs: RecordedInstall[] = [];
  const servers: ServerCertificateInstaller = { install: async (protocol, certificate) => void installs.push({ protocol, certificate }) };
  const engine = createCemEngine({ ...ports, servers }, { engineId: id, ...options.config, settings: { ...options.settings } });
  return Object.freeze({ kind: 'engine', name: options.name, id, features: options.features === undefined ? CEM_FEATURES : options.features, engine, ports, installs });
}

/**
 * Creates a partner without CEM.
 *
 * @example
 * ```ts
 * const initech = createPlainParty({ name: 'Initech', signing: 'initech-as2', encryptTo: 'acme-enc-1' })
 * ```
 */
export function createPlainParty(options: { readonly name: string; readonly signing: ExampleCertName; readonly encryptTo: ExampleCertName; readonly features?: string | null }): PlainParty {
  return { kind: 'plain', name: options.name, id: options.name.toLowerCase(), features: options.features ?? null, signing: options.signing, encryptTo: options.encryptTo };
}

/** The certificates one side of a relationship starts with. */
export interface LinkCertificates {
  readonly signing: ExampleCertName;
  readonly encryption: ExampleCertName;
}

/**
 * Adds the relationship `self` → `other` on `self`'s engine, with its certificates and the
 * partner's (ids are lower-case AS2 names; ResponseURL and email follow them).
 *
 * @example
 * ```ts
 * await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, globex, { signing: 'globex-sign-1', encryption: 'globex-enc-1' })
 * ```
 * @throws Error when the engine refuses the relationship.
 */
export async function addRelationship(self: EngineParty, own: LinkCertificates, other: Party, theirs: LinkCertificates, extra: { readonly protocol?: 'AS2' | 'AS3' } = {}): Promise<void> {
  const result = await self.engine.addRelationship({
    id: other.id,
    localName: self.name,
    partnerName: other.name,
    protocol: extra.protocol ?? 'AS2',
    responseUrl: `https://as2.${self.id}.example/as2`,
    partnerEmail: `edi@${other.id}.example`,
    local: { signing: localCertificate(own.signing), encryption: localCertificate(own.encryption) },
    partner: { signing: partnerCertificate(theirs.signing), encryption: partnerCertificate(theirs.encryption) },
  });
  if (!result.applied) throw new Error(`relationship ${self.id} -> ${other.id} refused: ${result.refusal?.reason ?? 'unknown'}`);
}

/**
 * Ticks every engine party (deadlines, expiry, schedules, installs, daily alerts).
 *
 * @example
 * ```ts
 * clock.advance({ days: 1 }); await tickAll([acme, globex])
 * ```
 */
export async function tickAll(parties: readonly Party[]): Promise<void> {
  for (const p of parties) if (p.kind === 'engine') await p.engine.tick();
}

/**
 * True when the module at `moduleUrl` is the script node (or tsx) was started with.
 *
 * @example
 * ```ts
 * if (isMain(import.meta.url)) await main({ log: console.log })
 * ```
 */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}
