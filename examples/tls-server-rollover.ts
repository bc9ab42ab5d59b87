/**
 * Rolling over the certificate of our HTTPS listener, which every AS2 partner on it sees.
 *
 * 1. Acme's HTTP listener presents `acme-tls-1`. Acme sends `acme-tls-2` (usage tlsServer) by CEM
 *    to its three partners on that listener: Initech, Umbrella and Hooli, each running the engine.
 * 2. Initech and Umbrella auto-accept. Hooli's administrator rejects it ("not on our approved
 *    list"). Nothing is installed: the new certificate waits for every partner, Acme is alerted
 *    daily that it is still pending, and once that Hooli rejected it.
 * 3. Then one of two ways out (option `resolution`):
 *    - `resend` (default): Acme resends the request to Hooli, whose administrator now accepts:
 *      every partner accepted, the engine installs the certificate on the listener.
 *    - `setServerActive`: Acme's administrator overrides Hooli's rejection and installs it.
 *    Either way it is installed exactly once: ticks and a later `setServerActive` change nothing.
 *
 * Run: `npx tsx examples/tls-server-rollover.ts [setServerActive]`.
 *
 * @module
 */
import { localCertificate, nameOf } from './certs/index.js';
import { createManualClock } from './sdk.js';
import { createAs2Network, printDeliveries } from './support/as2-network.js';
import { addRelationship, createEngineParty, isMain, tickAll, type EngineParty } from './support/parties.js';
import { alertCounts, resolvedNames, sentCounts } from './support/summaries.js';
import { createTimeline } from './timeline.js';

/** Options of {@link main}. */
export interface TlsRolloverOptions {
  readonly log?: (line: string) => void;
  /** How Hooli's rejection is overcome (default `resend`). */
  readonly resolution?: 'resend' | 'setServerActive';
  /** Print the XML of each CEM message (default false: six similar messages). */
  readonly xml?: boolean;
}

/** What the rollover did. */
export interface TlsRolloverSummary {
  readonly resolution: 'resend' | 'setServerActive';
  /** The server certificate Acme presents to each partner, before and after. */
  readonly presentedBefore: Readonly<Record<string, string | null>>;
  readonly presentedAfter: Readonly<Record<string, string | null>>;
  /** Installs on the listener while Hooli had rejected it (must be none). */
  readonly installsWhileRejected: number;
  /** Every install on Acme's listener, by certificate name. */
  readonly installs: readonly string[];
  /** What each partner answered last, by partner. */
  readonly answers: Readonly<Record<string, string>>;
  /** Whether a `setServerActive` after the install was refused (nothing left to install). */
  readonly laterSetServerActiveRefused: boolean;
  /** The TLS server certificates each partner trusts for Acme at the end. */
  readonly partnerTrust: Readonly<Record<string, readonly string[]>>;
  readonly sent: ReturnType<typeof sentCounts>;
  readonly alerts: Readonly<Record<string, number>>;
  readonly timelineLines: number;
}

/**
 * Runs the example.
 *
 * @example
 * ```ts
 * const { installs } = await main({ resolution: 'setServerActive' })
 * installs // ['acme-tls-2']
 * ```
 * @throws Error when a step is refused.
 */
export async function main(options: TlsRolloverOptions = {}): Promise<TlsRolloverSummary> {
  const resolution = options.resolution ?? 'resend';
  const clock = createManualClock(new Date('2027-03-01T09:00:00Z'));
  const acme = createEngineParty({ name: 'Acme', clock });
  const partners: EngineParty[] = [
    createEngineParty({ name: 'Initech', clock, settings: { autoAccept: true } }),
    createEngineParty({ name: 'Umbrella', clock, settings: { autoAccept: true } }),
    createEngineParty({ name: 'Hooli', clock, settings: { autoAccept: false } }),
  ];
  const [, , hooli] = partners as [EngineParty, EngineParty, EngineParty];
  const everyone = [acme, ...partners];
  const net = createAs2Network(everyone);
  const timeline = createTimeline({ clock, parties: everyone, write: options.log ?? (() => undefined), xml: options.xml ?? false, label: nameOf });
  printDeliveries(net, timeline);
  const check = (what: string, result: { applied: boolean; refusal: { reason: string } | null }): void => {
    if (!result.applied) throw new Error(`${what} refused: ${result.refusal?.reason ?? 'nothing changed'}`);
  };
  const presented = async (): Promise<Record<string, string | null>> => {
    const out: Record<string, string | null> = {};
    for (const p of partners) out[p.name] = (await resolvedNames(acme, p.id)).tlsServer;
    return out;
  };
  const decideHooli = async (accept: boolean): Promise<void> => {
    const waiting = Object.values((await hooli.engine.inspect()).inbound).find((ex) => ex.status === 'awaitingDecision');
    if (waiting === undefined) throw new Error('Hooli has no request to decide');
    const reason = accept ? undefined : 'not on our approved list of server certificates';
    check('respond', await hooli.engine.respond(waiting.key, waiting.items.map((i) => ({ fingerprint: i.cert.fingerprint, accept, ...(reason === undefined ? {} : { reason }) }))));
    await net.deliver();
  };

  await timeline.step("Acme's HTTP listener and its three AS2 partners");
  check('configureServer', await acme.engine.configureServer('HTTP', localCertificate('acme-tls-1')));
  for (const p of partners) {
    const cert = p.id === 'initech' ? 'initech-as2' : p.id === 'umbrella' ? 'umbrella-as2' : 'hooli-as2';
    await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, p, { signing: cert, encryption: cert });
    await addRelationship(p, { signing: cert, encryption: cert }, acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' });
    await net.sendPayload(p, acme);
  }
  const presentedBefore = await presented();

  await timeline.step('Acme sends its new listener certificate to all three');
  const requests = new Map<string, string>();
  for (const p of partners) {
    const sent = await acme.engine.sendCertificates(p.id, { signing: localCertificate('acme-sign-1'), encryption: localCertificate('acme-enc-1'), tlsServer: localCertificate('acme-tls-2') });
    check(`sendCertificates to ${p.name}`, sent);
    requests.set(p.id, sent.requestId ?? '');
  }
  await net.deliver();

  await timeline.step('A day later Hooli rejects it');
  clock.advance({ days: 1 });
  await tickAll(everyone);
  await timeline.flush();
  await decideHooli(false);
  clock.advance({ days: 1 });
  await tickAll(everyone);
  await timeline.flush();
  const installsWhileRejected = acme.installs.length;

  if (resolution === 'resend') {
    await timeline.step('Acme resends the request to Hooli, whose administrator accepts this time');
    check('resend', await acme.engine.resend(requests.get('hooli') ?? ''));
    await net.deliver();
    await decideHooli(true);
  } else {
    await timeline.step("Acme's administrator overrides Hooli's rejection: setServerActive('HTTP')");
    check('setServerActive', await acme.engine.setServerActive('HTTP'));
    await timeline.note('Hooli still has acme-tls-2 as Rejected: its TLS clients must trust it some other way (its issuing CA)');
  }
  await tickAll(everyone);
  await timeline.flush();

  await timeline.step('Later: ticks and another setServerActive change nothing');
  clock.advance({ days: 1 });
  await tickAll(everyone);
  const later = await acme.engine.setServerActive('HTTP');
  await timeline.flush();

  const answers: Record<string, string> = {};
  const partnerTrust: Record<string, readonly string[]> = {};
  for (const p of partners) {
    const outbound = Object.values((await acme.engine.inspect()).outbound).filter((ex) => ex.relationshipId === p.id);
    answers[p.name] = outbound.at(-1)?.items.find((i) => i.usages.includes('tlsServer'))?.status ?? 'none';
    const trust = (await p.engine.resolve('acme'))?.tlsServerTrust ?? [];
    partnerTrust[p.name] = trust.map((c) => nameOf(c.fingerprint));
  }
  return Object.freeze({
    resolution,
    presentedBefore,
    presentedAfter: await presented(),
    installsWhileRejected,
    installs: Object.freeze(acme.installs.map((i) => nameOf(i.certificate.fingerprint))),
    answers,
    laterSetServerActiveRefused: !later.applied,
    partnerTrust,
    sent: sentCounts(acme),
    alerts: alertCounts(acme),
    timelineLines: timeline.lineCount(),
  });
}

if (isMain(import.meta.url)) {
  const resolution = process.argv[2] === 'setServerActive' ? 'setServerActive' : 'resend';
  const summary = await main({ log: console.log, resolution });
  console.log('');
  console.log(JSON.stringify({ installs: summary.installs, presentedAfter: summary.presentedAfter, answers: summary.answers }, null, 2));
}
