/**
 * Two AS2 products, Acme and Globex, each embedding the engine, roll their certificates over by
 * CEM in both directions.
 *
 * 1. Ordinary traffic both ways: each learns from `EDIINT-Features: CEM` that the other takes CEM.
 * 2. Acme sends new signing and encryption certificates. From that moment Acme decrypts with the
 *    old and the new key (draft-14 §1.4); it keeps signing with the old one.
 * 3. Globex auto-accepts: it encrypts to Acme's new certificate at once and verifies Acme's old
 *    and new signatures. Its Response (already encrypted to the new certificate) reaches Acme:
 *    Acme signs with its new certificate from acceptance on, and that first message encrypted to
 *    the new encryption certificate retires the old one (first usage).
 * 4. Acme's first message signed with the new certificate makes Globex retire the old one.
 * 5. Globex rotates its signing certificate with a 3-day respond-by. Acme does not auto-accept and
 *    its administrator is away: daily alerts on both sides, Globex's request expires (it keeps
 *    signing with the old certificate). On day 6 Acme's administrator accepts; the late Response
 *    activates Globex's new certificate, and its first signed message retires the old one at Acme.
 *
 * Run: `npx tsx examples/two-partner-exchange.ts` (prints the timeline), or `npm run demo`.
 *
 * @module
 */
import { localCertificate, nameOf } from './certs/index.js';
import { join } from 'node:path';
import { createFileStore, createManualClock, type CemStore, type ManualClock } from './sdk.js';
import { createHttpAs2Network } from './support/as2-http-network.js';
import { createAs2Network, printDeliveries, type As2Network } from './support/as2-network.js';
import { addRelationship, createEngineParty, isMain, tickAll, type EngineParty } from './support/parties.js';
import { alertCounts, resolvedNames, sentCounts, statusView, type ResolvedNames, type StatusView } from './support/summaries.js';
import { createTimeline } from './timeline.js';

/** Options of {@link main}. */
export interface TwoPartnerOptions {
  /** Where the timeline goes; nothing is printed without it. */
  readonly log?: (line: string) => void;
  /** Print the XML of each CEM message (default true). */
  readonly xml?: boolean;
  /**
   * Run over real AS2: each party on a file store in this directory, an HTTP server on
   * 127.0.0.1, signed and encrypted messages, signed MDNs. Simulated in memory when absent.
   */
  readonly as2?: { readonly directory: string; readonly capture?: string };
}

/** What each party resolves toward the other after one step. */
export interface StepView {
  readonly step: string;
  readonly acme: ResolvedNames;
  readonly globex: ResolvedNames;
}

/** What the exchange did. */
export interface TwoPartnerSummary {
  readonly steps: readonly StepView[];
  readonly sent: { readonly acme: ReturnType<typeof sentCounts>; readonly globex: ReturnType<typeof sentCounts> };
  readonly alerts: { readonly acme: Readonly<Record<string, number>>; readonly globex: Readonly<Record<string, number>> };
  /** Messages carried, and how many of them the receiving AS2 layer could not open (must be 0). */
  readonly deliveries: number;
  readonly undeliverable: number;
  /** Globex's signing request status on the days nobody answered it. */
  readonly globexRequestWhileWaiting: readonly string[];
  /** Alerts on the day after everything was answered (none expected). */
  readonly alertsOnQuietDay: number;
  readonly final: { readonly acme: StatusView; readonly globex: StatusView };
  /** Lines the timeline printed (0 without `log`). */
  readonly timelineLines: number;
}

/** Monday 1 March 2027, 09:00 UTC: the simulated start. */
export const START = new Date('2027-03-01T09:00:00Z');

/**
 * Runs the exchange.
 *
 * @example
 * ```ts
 * const summary = await main({ log: console.log })
 * summary.final.acme.relationship // 'Active'
 * ```
 * @throws Error when a step is refused (it is not).
 */
export async function main(options: TwoPartnerOptions = {}): Promise<TwoPartnerSummary> {
  const clock = createManualClock(START);
  const store = (id: string): { store?: CemStore } => (options.as2 === undefined ? {} : { store: createFileStore({ directory: join(options.as2.directory, id) }) });
  const acme = createEngineParty({ name: 'Acme', clock, settings: { autoAccept: false }, ...store('acme') });
  const globex = createEngineParty({ name: 'Globex', clock, settings: { autoAccept: true, maxResponseDays: 3 }, ...store('globex') });
  const http = options.as2 === undefined ? null : await createHttpAs2Network([acme, globex], { ...(options.as2.capture === undefined ? {} : { capture: options.as2.capture }) });
  try {
    return await exchange(options, clock, acme, globex, http ?? createAs2Network([acme, globex]));
  } finally {
    await http?.close();
  }
}

async function exchange(options: TwoPartnerOptions, clock: ManualClock, acme: EngineParty, globex: EngineParty, net: As2Network): Promise<TwoPartnerSummary> {
  const timeline = createTimeline({ clock, parties: [acme, globex], write: options.log ?? (() => undefined), xml: options.xml ?? true, label: nameOf });
  printDeliveries(net, timeline);
  const steps: StepView[] = [];
  const snapshot = async (step: string): Promise<void> => {
    steps.push(Object.freeze({ step, acme: await resolvedNames(acme, 'globex'), globex: await resolvedNames(globex, 'acme') }));
  };
  const check = (what: string, result: { applied: boolean; refusal: { reason: string } | null }): void => {
    if (!result.applied) throw new Error(`${what} refused: ${result.refusal?.reason ?? 'nothing changed'}`);
  };

  await timeline.step('Acme and Globex configure their trading relationship');
  await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, globex, { signing: 'globex-sign-1', encryption: 'globex-enc-1' });
  await addRelationship(globex, { signing: 'globex-sign-1', encryption: 'globex-enc-1' }, acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' });
  await timeline.step('Ordinary traffic both ways (EDIINT-Features: CEM)');
  await net.sendPayload(acme, globex);
  await net.sendPayload(globex, acme);
  await snapshot('start');

  await timeline.step('Acme sends its new signing and encryption certificates');
  check('sendCertificates', await acme.engine.sendCertificates('globex', { signing: localCertificate('acme-sign-2'), encryption: localCertificate('acme-enc-2') }));
  await timeline.flush();
  await snapshot('acme sent');
  await net.deliver(1);
  await snapshot('globex accepted');
  await net.deliver();
  await snapshot('acme got the response');

  await timeline.step("Acme's first message signed with its new certificate");
  await net.sendPayload(acme, globex);
  await snapshot('acme signed with the new certificate');

  clock.advance({ days: 1 });
  await tickAll([acme, globex]);
  await timeline.step('Globex rotates its signing certificate (respond by in 3 days); Acme decides by hand');
  check('sendCertificates', await globex.engine.sendCertificates('acme', { signing: localCertificate('globex-sign-2'), encryption: localCertificate('globex-enc-1') }));
  await net.deliver();
  await snapshot('globex sent');

  await timeline.step("Nobody at Acme answers: the days pass");
  const globexRequest = globex.ports.transport.requests[0]?.requestId ?? '';
  const waiting: string[] = [];
  for (let day = 2; day <= 6; day++) {
    clock.advance({ days: 1 });
    await tickAll([acme, globex]);
    await timeline.flush();
    const exchange = (await globex.engine.inspect()).outbound[globexRequest];
    waiting.push(exchange?.status ?? 'missing');
  }
  await snapshot('respond-by passed');

  await timeline.step("Acme's administrator accepts Globex's new signing certificate (late)");
  const pending = Object.values((await acme.engine.inspect()).inbound).find((ex) => ex.status === 'awaitingDecision');
  if (pending === undefined) throw new Error('Acme has no request awaiting a decision');
  check('respond', await acme.engine.respond(pending.key, pending.items.map((i) => ({ fingerprint: i.cert.fingerprint, accept: true }))));
  await net.deliver();
  await snapshot('acme accepted');

  await timeline.step("Globex's first message signed with its new certificate");
  await net.sendPayload(globex, acme);
  await net.sendPayload(acme, globex);
  await snapshot('globex signed with the new certificate');

  await timeline.step('A quiet day: every exchange is answered, nothing more to say');
  const noticesBefore = acme.ports.notifier.notices.length + globex.ports.notifier.notices.length;
  const sentBefore = acme.ports.transport.sent.length + globex.ports.transport.sent.length;
  clock.advance({ days: 1 });
  await tickAll([acme, globex]);
  const alertsOnQuietDay = acme.ports.notifier.notices.length + globex.ports.notifier.notices.length - noticesBefore;
  const sentOnQuietDay = acme.ports.transport.sent.length + globex.ports.transport.sent.length - sentBefore;
  // The day's header, what the ticks did (nothing, when all is well), and a line saying so.
  await timeline.note(`Both engines ticked: ${sentOnQuietDay} message(s) sent, ${alertsOnQuietDay} alert(s)`);

  return Object.freeze({
    steps: Object.freeze(steps),
    sent: { acme: sentCounts(acme), globex: sentCounts(globex) },
    alerts: { acme: alertCounts(acme), globex: alertCounts(globex) },
    deliveries: net.deliveries.length,
    undeliverable: net.deliveries.filter((d) => d.failure !== null).length,
    globexRequestWhileWaiting: Object.freeze(waiting),
    alertsOnQuietDay,
    final: { acme: await statusView(acme, 'globex'), globex: await statusView(globex, 'acme') },
    timelineLines: timeline.lineCount(),
  });
}

if (isMain(import.meta.url)) {
  const summary = await main({ log: console.log });
  console.log('');
  console.log(JSON.stringify(summary.final, null, 2));
}
