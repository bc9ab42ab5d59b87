/**
 * Scheduling certificates for future use with an AS2 partner without CEM (Cleo's "Schedule
 * certificates for future use").
 *
 * 1. Acme and Globex (whose product has no CEM in this example) agree by e-mail to switch all
 *    four certificates on 15 March. Acme schedules its new signing and encryption certificates
 *    (and e-mails them to Globex) and Globex's new signing and encryption certificates.
 * 2. Until then Acme keeps signing with its old certificate and encrypting to Globex's old one,
 *    but already decrypts with its old and new keys and verifies Globex's old and new signatures:
 *    with a partner without CEM, first usage applies to scheduled local encryption and partner
 *    signing certificates.
 * 3. On 5 March Globex switches early: its message is encrypted to Acme's new certificate and
 *    signed with its new one. Those two activate now (first usage), their old ones are archived.
 * 4. On 15 March `tick()` activates the rest: Acme signs with its new certificate and encrypts to
 *    Globex's new one.
 *
 * Run: `npx tsx examples/scheduled-rollover.ts`.
 *
 * @module
 */
import { localCertificate, nameOf, partnerCertificate } from './certs/index.js';
import { createManualClock } from './sdk.js';
import { createAs2Network, printDeliveries } from './support/as2-network.js';
import { addRelationship, createEngineParty, createPlainParty, isMain, tickAll } from './support/parties.js';
import { alertCounts, resolvedNames, sentCounts, statusView, type ResolvedNames, type StatusView } from './support/summaries.js';
import { createTimeline } from './timeline.js';

/** One stage of the rollover. */
export interface Stage {
  readonly stage: string;
  readonly at: string;
  readonly resolved: ResolvedNames;
  readonly status: StatusView;
}

/** What the scheduled rollover did. */
export interface ScheduledRolloverSummary {
  readonly stages: readonly Stage[];
  /** Whether every message Globex sent could be decrypted and verified. */
  readonly allDelivered: boolean;
  readonly sent: ReturnType<typeof sentCounts>;
  readonly alerts: Readonly<Record<string, number>>;
  readonly timelineLines: number;
}

/** The agreed switch-over time. */
export const ACTIVATE_AT = new Date('2027-03-15T06:00:00Z');

/**
 * Runs the example.
 *
 * @example
 * ```ts
 * const { stages } = await main()
 * stages.at(-1)?.resolved.sign // 'acme-sign-2'
 * ```
 * @throws Error when a step is refused.
 */
export async function main(options: { readonly log?: (line: string) => void } = {}): Promise<ScheduledRolloverSummary> {
  const clock = createManualClock(new Date('2027-03-01T09:00:00Z'));
  const acme = createEngineParty({ name: 'Acme', clock });
  const globex = createPlainParty({ name: 'Globex', signing: 'globex-sign-1', encryptTo: 'acme-enc-1' });
  const net = createAs2Network([acme, globex]);
  const timeline = createTimeline({ clock, parties: [acme], write: options.log ?? (() => undefined), label: nameOf });
  printDeliveries(net, timeline);
  const stages: Stage[] = [];
  const stage = async (name: string): Promise<void> => {
    await timeline.flush();
    stages.push(Object.freeze({ stage: name, at: clock.now().toISOString(), resolved: await resolvedNames(acme, 'globex'), status: await statusView(acme, 'globex') }));
  };
  const check = (what: string, result: { applied: boolean; refusal: { reason: string } | null }): void => {
    if (!result.applied) throw new Error(`${what} refused: ${result.refusal?.reason ?? 'nothing changed'}`);
  };

  await timeline.step('Acme trades with Globex over AS2; Globex has no CEM');
  await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, globex, { signing: 'globex-sign-1', encryption: 'globex-enc-1' });
  await net.sendPayload(globex, acme);

  await timeline.step(`Both sides schedule their new certificates for ${ACTIVATE_AT.toISOString()}`);
  const base = { relationshipId: 'globex', activateAt: ACTIVATE_AT } as const;
  check('schedule local signing', await acme.engine.schedule({ ...base, side: 'local', usage: 'signing', certificate: localCertificate('acme-sign-2'), emailPartner: true }));
  check('schedule local encryption', await acme.engine.schedule({ ...base, side: 'local', usage: 'encryption', certificate: localCertificate('acme-enc-2'), emailPartner: true }));
  check('schedule partner signing', await acme.engine.schedule({ ...base, side: 'partner', usage: 'signing', certificate: partnerCertificate('globex-sign-2') }));
  check('schedule partner encryption', await acme.engine.schedule({ ...base, side: 'partner', usage: 'encryption', certificate: partnerCertificate('globex-enc-2') }));
  await stage('scheduled');

  await timeline.step('Four days later Globex switches early: new signing key, encrypts to our new certificate');
  for (let day = 1; day <= 4; day++) {
    clock.advance({ days: 1 });
    await tickAll([acme]);
  }
  globex.signing = 'globex-sign-2';
  globex.encryptTo = 'acme-enc-2';
  await net.sendPayload(globex, acme);
  await net.sendPayload(acme, globex);
  await stage('partner switched early');

  await timeline.step('The scheduled time comes: tick() activates the rest');
  clock.set(new Date(ACTIVATE_AT.getTime() - 60_000));
  await tickAll([acme]);
  await stage('a minute before');
  clock.set(ACTIVATE_AT);
  await tickAll([acme]);
  await stage('activation time');
  await net.sendPayload(acme, globex);
  await net.sendPayload(globex, acme);
  await timeline.flush();

  return Object.freeze({
    stages: Object.freeze(stages),
    allDelivered: net.deliveries.every((d) => d.failure === null),
    sent: sentCounts(acme),
    alerts: alertCounts(acme),
    timelineLines: timeline.lineCount(),
  });
}

if (isMain(import.meta.url)) {
  const summary = await main({ log: console.log });
  console.log('');
  for (const s of summary.stages) console.log(`${s.stage.padEnd(24)} ${JSON.stringify(s.resolved)}`);
}
