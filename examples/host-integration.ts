/**
 * How an AS2 product embeds the engine: its own ports, and the four places its message flow calls
 * the engine.
 *
 * Ports of the host "Acme":
 * - store: `createFileStore` on a directory (here a temporary one) — a cluster would use a
 *   database adapter that passes `runStoreContract`;
 * - transport: CEM Requests and Responses go to the host's own AS2 stack (`ExampleAs2Stack`, a
 *   stand-in for the product's stack), e-mails to the SMTP adapter (here against a loopback SMTP
 *   server);
 * - notifier: the host's log; clock: the system clock; ids: random UUIDs.
 *
 * The message flow (see `ExampleAs2Stack`):
 * - outbound, every message: `resolve(partner)` → sign with `signOutbound`, encrypt to `encryptOutbound`;
 * - inbound, every message: `resolve(partner)` → decrypt with one of `decryptInbound`, verify with
 *   `verifyInbound` → `receive()` (CEM messages, EDIINT-Features) → `observeTraffic()` (first usage)
 *   → ordinary payloads go on to the translator;
 * - a timer: `tick()` every minute (deadlines, schedules, daily alerts, outbox retries).
 *
 * The run: Acme and Globex (another engine, on memory ports) exchange payloads, Acme sends new
 * certificates to Globex by CEM and to Initech (no CEM) by e-mail, then "restarts": a new engine
 * on the same store directory finds everything where it was.
 *
 * Run: `npx tsx examples/host-integration.ts`.
 *
 * @module
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localCertificate, partnerCertificate, type ExampleCertName } from './certs/index.js';
import {
  createCemEngine, createEmailNotifier, createFileStore, createMemoryPorts, createRandomIds, createSmtpEmailTransport, systemClock,
  type CemEngine, type CemPorts, type CemTransport, type Notifier, type ReceiveOutcome,
} from './sdk.js';
import { open, seal, type Envelope } from './support/as2-crypto.js';
import { isMain } from './support/parties.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { resolvedNames, type ResolvedNames } from './support/summaries.js';

/** One AS2 message on the wire: HTTP headers and the signed, encrypted body. */
export interface WireMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  readonly envelope: Envelope;
}

/** The host's AS2 stack, reduced to what touches CEM. Partner ids are lower-case AS2 names. */
export class ExampleAs2Stack {
  /** Messages posted and not yet delivered (the network). */
  readonly wire: WireMessage[] = [];
  /** What each inbound message's MDN said. */
  readonly mdns: string[] = [];
  /** Ordinary payloads handed to the translator. */
  readonly payloads: string[] = [];
  #engine: CemEngine | null = null;
  #count = 0;

  constructor(readonly as2Name: string) {}

  /** The engine, set once it exists (the engine needs this stack as its transport first). */
  attach(engine: CemEngine): void {
    this.#engine = engine;
  }

  /** The CEM half of the engine's transport port: CEM messages leave like any other AS2 message. */
  transport(): Pick<CemTransport, 'sendRequest' | 'sendResponse'> {
    return {
      sendRequest: (m) => this.post(m.partnerId, m.as2To, m.contentType, m.body),
      // A Response goes to the Request's ResponseURL (m.responseUrl); this stand-in routes by AS2-To.
      sendResponse: (m) => this.post(m.partnerId, m.as2To, m.contentType, m.body),
    };
  }

  /** Outbound: every message to a partner, EDI or CEM. */
  async post(partnerId: string, as2To: string, contentType: string, body: Uint8Array): Promise<void> {
    const engine = this.#need();
    // (1) resolve: the certificates to use with this partner now (cheap: one record, cached material).
    const r = await engine.resolve(partnerId);
    if (r?.signOutbound == null || r.encryptOutbound == null) throw new Error(`no certificates for ${partnerId}`);
    // Sign with our current certificate (private key by keyRef), encrypt to the partner's.
    const envelope = seal(body, r.signOutbound, r.encryptOutbound);
    const headers = {
      'AS2-Version': '1.2', 'AS2-From': this.as2Name, 'AS2-To': as2To,
      'Message-ID': `<${++this.#count}-${partnerId}@as2.${this.as2Name.toLowerCase()}.example>`,
      'EDIINT-Features': 'multiple-attachments, CEM', // tells partners we take CEM
    };
    this.wire.push({ headers, contentType, envelope });
  }

  /** Inbound: the AS2 listener's HTTP handler. Returns the MDN disposition. */
  async receiveHttp(message: WireMessage): Promise<string> {
    const engine = this.#need();
    const partnerId = (message.headers['AS2-From'] ?? '').toLowerCase();
    // (2) resolve: every certificate that may decrypt or verify this partner's messages (old and new during an overlap).
    const r = await engine.resolve(partnerId);
    const opened = r === null ? 'unknown partner' : open(message.envelope, r.decryptInbound, r.verifyInbound);
    if (typeof opened === 'string') return this.#mdn(`processed/error: ${opened}`);
    // (3) receive: CEM Requests/Responses are handled here; every message records EDIINT-Features.
    const outcome: ReceiveOutcome = await engine.receive({
      body: { contentType: message.contentType, body: opened.data },
      headers: message.headers,
      verifiedBy: message.envelope.signerDer,
    });
    // (4) observeTraffic: which of our certificates decrypted it, which of theirs verified it.
    await engine.observeTraffic({ relationshipId: partnerId, decryptedWith: opened.decryptedWith.der, verifiedWith: message.envelope.signerDer });
    if (outcome.kind === 'invalid') return this.#mdn(`processed/error: ${outcome.code}`);
    if (outcome.kind === 'ignored') this.payloads.push(new TextDecoder().decode(opened.data)); // to the translator
    return this.#mdn(`processed (${outcome.kind})`);
  }

  #mdn(disposition: string): string {
    this.mdns.push(disposition);
    return disposition;
  }

  #need(): CemEngine {
    if (this.#engine === null) throw new Error('attach the engine first');
    return this.#engine;
  }
}

/** Carries posted messages between stacks until none is left. */
async function pump(stacks: readonly ExampleAs2Stack[]): Promise<number> {
  let carried = 0;
  for (let moved = true; moved;) {
    moved = false;
    for (const from of stacks) {
      for (let m = from.wire.shift(); m !== undefined; m = from.wire.shift()) {
        const to = stacks.find((s) => s.as2Name === m?.headers['AS2-To']);
        if (to !== undefined) await to.receiveHttp(m);
        carried++;
        moved = true;
      }
    }
  }
  return carried;
}

/** What the host run did. */
export interface HostIntegrationSummary {
  /** The file store's layout marker (`format.json`) existed on disk after the run. */
  readonly storeFileWritten: boolean;
  readonly messagesCarried: number;
  readonly acmeMdns: readonly string[];
  readonly globexMdns: readonly string[];
  /** Ordinary payloads each side handed to its translator. */
  readonly payloadsDelivered: number;
  readonly smtp: { readonly messages: number; readonly rcptTo: readonly string[]; readonly certsOnlyAttachments: number };
  /** What the restarted engine (same store directory) answers. */
  readonly afterRestart: { readonly globex: string; readonly initech: string; readonly resolvedGlobex: ResolvedNames };
  /** Alert kinds the host's notifier logged. */
  readonly notices: readonly string[];
  /** The alert e-mails the PKI team received (raw messages), one per notice. */
  readonly alertEmails: readonly string[];
}

const ALERTS_TO = 'pki-team@acme.example';

/**
 * Runs the host sketch in a temporary directory (removed afterwards).
 *
 * @example
 * ```ts
 * const summary = await main({ log: console.log })
 * ```
 * @throws Error when a step is refused.
 */
export async function main(options: { readonly log?: (line: string) => void } = {}): Promise<HostIntegrationSummary> {
  const log = options.log ?? (() => undefined);
  const directory = await mkdtemp(join(tmpdir(), 'cem-host-'));
  const sink = await startSmtpSink();
  try {
    const notices: string[] = [];
    // Production: port 587 with startTls 'required' and auth (or XOAUTH2); here a loopback relay.
    const smtp = createSmtpEmailTransport({ host: '127.0.0.1', port: sink.port, from: 'AS2 Acme <as2@acme.example>', startTls: 'never', clock: systemClock, heloName: 'as2.acme.example' });
    // Alerts go to the log and, one e-mail each, to the PKI team (partner names from the host's configuration).
    const mailer = createEmailNotifier({ to: ALERTS_TO, transport: smtp, partner: { globex: { name: 'Globex Corporation' }, initech: { name: 'Initech', zone: { timeZone: 'America/Chicago' } } } });
    const notifier: Notifier = { notify: async (n) => (notices.push(n.kind), log(`[Acme cem ${n.severity}] ${n.kind}: ${n.message}`), mailer.notify(n)) };
    const acmeStack = new ExampleAs2Stack('Acme');
    const makeAcme = (): CemEngine => {
      const ports: CemPorts = {
        clock: systemClock,
        ids: createRandomIds({ domain: 'as2.acme.example' }),
        store: createFileStore({ directory }),
        transport: { ...acmeStack.transport(), sendEmail: smtp.sendEmail },
        notifier,
      };
      return createCemEngine(ports, { engineId: 'acme-node-1' });
    };
    const acme = makeAcme();
    acmeStack.attach(acme);
    // The partner Globex runs the engine too (memory ports here), behind its own stack.
    const globexStack = new ExampleAs2Stack('Globex');
    const globex = createCemEngine({ ...createMemoryPorts({ start: systemClock.now() }), clock: systemClock, transport: globexStack.transport() }, { engineId: 'globex', settings: { autoAccept: true } });
    globexStack.attach(globex);
    const stacks = [acmeStack, globexStack];

    type Pair = readonly [ExampleCertName, ExampleCertName];
    const link = async (engine: CemEngine, id: string, self: string, partner: string, [sign, enc]: Pair, [psign, penc]: Pair): Promise<void> => {
      const result = await engine.addRelationship({
        id, localName: self, partnerName: partner, protocol: 'AS2', responseUrl: `https://as2.${self.toLowerCase()}.example/as2`, partnerEmail: `edi@${id}.example`,
        local: { signing: localCertificate(sign), encryption: localCertificate(enc) },
        partner: { signing: partnerCertificate(psign), encryption: partnerCertificate(penc) },
      });
      if (!result.applied) throw new Error(`addRelationship ${id}: ${result.refusal?.reason ?? ''}`);
    };
    await link(acme, 'globex', 'Acme', 'Globex', ['acme-sign-1', 'acme-enc-1'], ['globex-sign-1', 'globex-enc-1']);
    await link(acme, 'initech', 'Acme', 'Initech', ['acme-sign-1', 'acme-enc-1'], ['initech-as2', 'initech-as2']);
    await link(globex, 'acme', 'Globex', 'Acme', ['globex-sign-1', 'globex-enc-1'], ['acme-sign-1', 'acme-enc-1']);

    log('Ordinary EDI traffic both ways; each side learns that the other takes CEM');
    await acmeStack.post('globex', 'Globex', 'application/edifact', new TextEncoder().encode("UNB+UNOC:3+ACME+GLOBEX'"));
    await globexStack.post('acme', 'Acme', 'application/edifact', new TextEncoder().encode("UNB+UNOC:3+GLOBEX+ACME'"));
    let carried = await pump(stacks);

    log('Acme sends new certificates to Globex (CEM) and to Initech (e-mail: Initech never advertised CEM)');
    const selection = { signing: localCertificate('acme-sign-2'), encryption: localCertificate('acme-enc-2') };
    for (const id of ['globex', 'initech']) {
      const sent = await acme.sendCertificates(id, selection);
      log(`  ${id}: ${sent.channel ?? `refused (${sent.refusal?.reason ?? ''})`}`);
    }
    carried += await pump(stacks);
    // (5) The host's timer; here once.
    await acme.tick();

    log('The host restarts: a new engine on the same store directory');
    const restarted = makeAcme();
    const [g] = await restarted.status('globex');
    const [i] = await restarted.status('initech');
    const resolvedGlobex = await resolvedNames({ name: 'Acme', engine: restarted }, 'globex');
    log(`  globex ${g?.status ?? '?'}, initech ${i?.status ?? '?'}, signing with ${resolvedGlobex.sign ?? '-'}`);
    const toPartners = sink.messages.filter((m) => !m.rcptTo.includes(ALERTS_TO));
    const storeFileWritten = (await stat(join(directory, 'format.json')).catch(() => null))?.isFile() ?? false;
    return Object.freeze({
      storeFileWritten,
      messagesCarried: carried,
      acmeMdns: Object.freeze([...acmeStack.mdns]),
      globexMdns: Object.freeze([...globexStack.mdns]),
      payloadsDelivered: acmeStack.payloads.length + globexStack.payloads.length,
      smtp: {
        messages: toPartners.length,
        rcptTo: Object.freeze(toPartners.flatMap((m) => m.rcptTo)),
        certsOnlyAttachments: toPartners.reduce((n, m) => n + (m.raw.match(/smime-type=certs-only/gi)?.length ?? 0), 0),
      },
      alertEmails: Object.freeze(sink.messages.filter((m) => m.rcptTo.includes(ALERTS_TO)).map((m) => m.raw)),
      afterRestart: { globex: g?.status ?? 'missing', initech: i?.status ?? 'missing', resolvedGlobex },
      notices: Object.freeze(notices),
    });
  } finally {
    await sink.close();
    await rm(directory, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const summary = await main({ log: console.log });
  console.log(JSON.stringify(summary, null, 2));
}
