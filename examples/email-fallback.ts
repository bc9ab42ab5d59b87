/**
 * A partner without CEM: the certificates go by e-mail, and only the administrator's "set as
 * active" makes them active.
 *
 * 1. Acme trades with Initech, whose AS2 product never advertises `EDIINT-Features: CEM`.
 * 2. Acme "sends" its new signing and encryption certificates: the engine sees Initech cannot take
 *    CEM and e-mails them instead (two certs-only `.p7c` attachments). Status **Emailed**. Acme
 *    already decrypts with the new encryption certificate, but keeps signing with the old one.
 * 3. Initech's administrator imports the attachments; Initech's next message is encrypted to the
 *    new certificate. Acme decrypts it, and the status stays Emailed: an e-mailed certificate
 *    never activates by itself, nor expires (there is no respond-by date).
 * 4. A week later Acme's administrator confirms by phone and sets both certificates active.
 *
 * Run: `npx tsx examples/email-fallback.ts`.
 *
 * @module
 */
import { localCertificate, nameOf } from './certs/index.js';
import { createManualClock, readCertsOnly } from './sdk.js';
import { createAs2Network, printDeliveries } from './support/as2-network.js';
import { addRelationship, createEngineParty, createPlainParty, isMain, tickAll } from './support/parties.js';
import { alertCounts, resolvedNames, sentCounts, statusView, type ResolvedNames, type StatusView } from './support/summaries.js';
import { createTimeline } from './timeline.js';

/** What the e-mail fallback did. */
export interface EmailFallbackSummary {
  /** How `sendCertificates` sent them. */
  readonly channel: 'cem' | 'email' | null;
  /** Whether Acme considered CEM usable with Initech before sending. */
  readonly cemChannelBefore: boolean;
  readonly sent: ReturnType<typeof sentCounts>;
  /** The e-mail: recipient, subject, and the certificates its attachments carry (by name). */
  readonly email: { readonly to: string; readonly subject: string; readonly attachments: readonly string[] } | null;
  readonly afterEmail: { readonly status: StatusView; readonly resolved: ResolvedNames };
  /** After Initech encrypted to the new certificate and a week passed. */
  readonly afterPartnerSwitched: { readonly status: StatusView; readonly resolved: ResolvedNames; readonly decrypted: boolean };
  readonly afterSetActive: { readonly status: StatusView; readonly resolved: ResolvedNames };
  readonly alerts: Readonly<Record<string, number>>;
  readonly timelineLines: number;
}

/**
 * Runs the example.
 *
 * @example
 * ```ts
 * const summary = await main()
 * summary.channel // 'email'
 * ```
 * @throws Error when a step is refused.
 */
export async function main(options: { readonly log?: (line: string) => void } = {}): Promise<EmailFallbackSummary> {
  const clock = createManualClock(new Date('2027-03-01T09:00:00Z'));
  const acme = createEngineParty({ name: 'Acme', clock });
  const initech = createPlainParty({ name: 'Initech', signing: 'initech-as2', encryptTo: 'acme-enc-1' });
  const net = createAs2Network([acme, initech]);
  const timeline = createTimeline({ clock, parties: [acme], write: options.log ?? (() => undefined), label: nameOf });
  printDeliveries(net, timeline);

  await timeline.step('Acme trades with Initech, whose AS2 product has no CEM');
  await addRelationship(acme, { signing: 'acme-sign-1', encryption: 'acme-enc-1' }, initech, { signing: 'initech-as2', encryption: 'initech-as2' });
  await net.sendPayload(initech, acme);
  await net.sendPayload(acme, initech);
  const cemChannelBefore = (await acme.engine.status('initech'))[0]?.cemChannel ?? true;

  await timeline.step('Acme sends its new signing and encryption certificates');
  const sent = await acme.engine.sendCertificates('initech', { signing: localCertificate('acme-sign-2'), encryption: localCertificate('acme-enc-2') });
  if (!sent.applied) throw new Error(`sendCertificates refused: ${sent.refusal?.reason ?? ''}`);
  await timeline.flush();
  const mail = acme.ports.transport.emails[0];
  const attachments = (mail?.attachments ?? []).map((a) => nameOf(readCertsOnly(a.content).endEntity.sha256));
  const afterEmail = { status: await statusView(acme, 'initech'), resolved: await resolvedNames(acme, 'initech') };

  await timeline.step("Initech's administrator imports the attachments and encrypts to the new certificate");
  const encryption = attachments.find((name) => name.startsWith('acme-enc-'));
  if (encryption === undefined || encryption === 'acme-enc-1') throw new Error('the e-mail carried no new encryption certificate');
  initech.encryptTo = encryption as typeof initech.encryptTo;
  const switched = await net.sendPayload(initech, acme);
  await timeline.step('A week passes');
  for (let day = 1; day <= 7; day++) {
    clock.advance({ days: 1 });
    await tickAll([acme]);
  }
  await timeline.flush();
  const afterPartnerSwitched = { status: await statusView(acme, 'initech'), resolved: await resolvedNames(acme, 'initech'), decrypted: switched.failure === null };

  await timeline.step("Initech confirms by phone; Acme's administrator sets the new certificates active");
  for (const usage of ['signing', 'encryption'] as const) {
    const result = await acme.engine.setActive('initech', 'local', usage);
    if (!result.applied) throw new Error(`setActive ${usage} refused: ${result.refusal?.reason ?? ''}`);
  }
  await net.sendPayload(acme, initech);
  await timeline.flush();

  return Object.freeze({
    channel: sent.channel,
    cemChannelBefore,
    sent: sentCounts(acme),
    email: mail === undefined ? null : Object.freeze({ to: typeof mail.to === 'string' ? mail.to : mail.to.join(', '), subject: mail.subject, attachments: Object.freeze(attachments) }),
    afterEmail,
    afterPartnerSwitched,
    afterSetActive: { status: await statusView(acme, 'initech'), resolved: await resolvedNames(acme, 'initech') },
    alerts: alertCounts(acme),
    timelineLines: timeline.lineCount(),
  });
}

if (isMain(import.meta.url)) {
  const summary = await main({ log: console.log });
  console.log('');
  console.log(JSON.stringify({ channel: summary.channel, email: summary.email, final: summary.afterSetActive }, null, 2));
}
