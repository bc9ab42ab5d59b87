/**
 * Administrator alerts by e-mail: a {@link Notifier} that turns each {@link CemAlertNotice} into
 * one readable plain-text e-mail (the partner's name, the certificates involved, the dates in
 * the partner's offset) and sends it through an e-mail transport, typically the one
 * `createSmtpEmailTransport` returned. Needs nothing from nodemailer itself.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';
import { formatCemDateTime } from '../../messages/datetime.js';
import type { CemZone } from '../../messages/datetime.js';
import type { JsonValue } from '../../ports/json.js';
import type { AlertSeverity, CemAlertNotice, Notifier } from '../../ports/notifier.js';
import type { OutboundEmail } from '../../ports/transport.js';
import { parseMailbox } from './address.js';

/**
 * What the notifier shows of a partner.
 *
 * @example
 * ```ts
 * const globex: EmailNotifierPartner = { name: 'Globex Corporation', zone: { timeZone: 'America/Chicago' } }
 * ```
 */
export interface EmailNotifierPartner {
  /** The partner's display name. */
  readonly name: string;
  /** The partner's zone: dates in its alerts are shown at this offset. */
  readonly zone?: CemZone;
}

/**
 * Options of {@link createEmailNotifier}.
 *
 * @example
 * ```ts
 * const options: EmailNotifierOptions = { to: 'pki-team@acme.example', transport: smtp,
 *   partner: (id) => partners.get(id) }
 * ```
 */
export interface EmailNotifierOptions {
  /** The administrators' address(es). */
  readonly to: string | readonly string[];
  /** The sender; the transport's sender by default. */
  readonly from?: string;
  /** Where the e-mails go: `createSmtpEmailTransport(...)`, or any `{ sendEmail }`. */
  readonly transport: { sendEmail(email: OutboundEmail): Promise<void> };
  /**
   * The partner of a relationship id: a lookup (sync or async; `undefined` when unknown) or a
   * record by id. Without one, alerts name the relationship id only.
   */
  readonly partner?: ((relationshipId: string) => EmailNotifierPartner | undefined | Promise<EmailNotifierPartner | undefined>) | Readonly<Record<string, EmailNotifierPartner>>;
  /** The zone for dates of alerts without a partner (or a partner without a zone); UTC by default. */
  readonly zone?: CemZone;
  /** Notices below this severity are not mailed; `info` (everything) by default. */
  readonly minSeverity?: AlertSeverity;
  /** The subject's prefix; `[CEM]` by default. */
  readonly subjectPrefix?: string;
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };
const INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

const isInstant = (text: string): boolean => new RegExp(`^${INSTANT.source}$`).test(text);

function isRecord(value: JsonValue | undefined): value is Readonly<Record<string, JsonValue>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dateIn(zone: CemZone | undefined): (text: string) => string {
  return (text) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return text;
    try {
      return formatCemDateTime(new Date(ms), zone);
    } catch {
      return text;
    }
  };
}

function certificateLines(cert: Readonly<Record<string, JsonValue>>, date: (t: string) => string): string[] {
  const str = (k: string): string | null => (typeof cert[k] === 'string' ? (cert[k] as string) : null);
  const lines = [`  - ${str('subject') ?? str('fingerprint') ?? '(certificate)'}${str('serial') === null ? '' : ` (serial ${str('serial')})`}`];
  if (str('issuer') !== null) lines.push(`    issuer:      ${str('issuer')}`);
  if (str('notBefore') !== null && str('notAfter') !== null) lines.push(`    valid:       ${date(str('notBefore') as string)} to ${date(str('notAfter') as string)}`);
  if (Array.isArray(cert.usages) && cert.usages.length > 0) lines.push(`    usages:      ${cert.usages.join(', ')}`);
  if (str('status') !== null) lines.push(`    answer:      ${str('status')}${str('reason') === null ? '' : ` (${str('reason')})`}`);
  if (str('decision') !== null) lines.push(`    decision:    ${str('decision')}${str('cause') === null ? '' : ` (${str('cause')})`}${str('reason') === null ? '' : `: ${str('reason')}`}`);
  if (Array.isArray(cert.problems) && cert.problems.length > 0) lines.push(`    problems:    ${cert.problems.join(', ')}`);
  if (str('fingerprint') !== null) lines.push(`    fingerprint: ${str('fingerprint')}`);
  return lines;
}

function certificatesOf(details: Readonly<Record<string, JsonValue>>): Array<Readonly<Record<string, JsonValue>>> {
  const found: Array<Readonly<Record<string, JsonValue>>> = [];
  for (const key of ['certificate', 'certificates', 'restored', 'answers']) {
    const value = details[key];
    for (const item of Array.isArray(value) ? value : [value]) if (isRecord(item)) found.push(item);
  }
  if (Array.isArray(details.fingerprints)) for (const f of details.fingerprints) if (typeof f === 'string') found.push({ fingerprint: f });
  return found;
}

/**
 * The e-mail of one notice (what {@link createEmailNotifier} sends), for hosts that deliver it
 * their own way.
 *
 * @example
 * ```ts
 * const { subject, text } = alertEmailText(notice, { name: 'Globex Corporation', zone: { offsetMinutes: -300 } })
 * ```
 * @throws never.
 */
export function alertEmailText(notice: CemAlertNotice, partner: EmailNotifierPartner | undefined, options: { readonly zone?: CemZone; readonly subjectPrefix?: string } = {}): { subject: string; text: string } {
  const date = dateIn(partner?.zone ?? options.zone);
  const id = notice.relationshipId ?? undefined; // the engine's notices carry null for none
  const who = id === undefined ? null : partner === undefined ? id : `${partner.name} (relationship ${id})`;
  const details = notice.details;
  const lines = [notice.message.replace(INSTANT, date), ''];
  if (who !== null) lines.push(`Partner:      ${who}`);
  lines.push(`Alert:        ${notice.kind} (${notice.severity})`);
  if (typeof details.requestId === 'string') lines.push(`Request:      ${details.requestId}`);
  if (typeof details.respondBy === 'string') lines.push(`Respond by:   ${date(details.respondBy)}`);
  if (typeof details.reason === 'string') lines.push(`Reason:       ${details.reason}`);
  if (typeof details.error === 'string') lines.push(`Error:        ${details.error}`);
  const certs = certificatesOf(details);
  if (certs.length > 0) lines.push('Certificates:', ...certs.flatMap((c) => certificateLines(c, date)));
  const shown = (value: JsonValue): JsonValue =>
    typeof value === 'string' ? (isInstant(value) ? date(value) : value)
      : Array.isArray(value) ? value.map(shown)
        : isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shown(v)])) : value;
  lines.push('', `De-duplication key: ${notice.dedupeKey}`, '', 'Details:', JSON.stringify(shown(details), null, 2), '');
  const label = id === undefined ? 'all partners' : partner?.name ?? id;
  return { subject: `${options.subjectPrefix ?? '[CEM]'} ${notice.severity}: ${label}: ${notice.kind}`, text: lines.join('\n') };
}

/**
 * Creates a {@link Notifier} that e-mails each notice to the administrators: one e-mail per
 * notice, subject `[CEM] <severity>: <partner name>: <kind>`, a plain-text body with the
 * message, the partner's name and relationship id, the request, the respond-by date and every
 * certificate involved (subject, serial, issuer, validity, usages, decision, fingerprint),
 * dates in the partner's offset, then the notice's details as JSON. A failed send rejects, so
 * the engine keeps the notice and tries again.
 *
 * @example
 * ```ts
 * import { createEmailNotifier, createSmtpEmailTransport } from 'ediint-cem/adapters/smtp'
 * const smtp = createSmtpEmailTransport({ host: 'smtp.acme.example', port: 587, from: 'AS2 <as2@acme.example>', auth })
 * const notifier = createEmailNotifier({ to: 'pki-team@acme.example', transport: smtp,
 *   partner: { globex: { name: 'Globex Corporation', zone: { timeZone: 'America/Chicago' } } } })
 * const engine = createCemEngine({ ...ports, transport: { ...as2, sendEmail: smtp.sendEmail }, notifier })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid `to` or `from` address, no recipient,
 *   or a transport without `sendEmail`; `notify` rejects with what the transport rejects with
 *   (`CEM_PORT_FAILED` for the SMTP adapter).
 */
export function createEmailNotifier(options: EmailNotifierOptions): Notifier {
  const to = typeof options.to === 'string' ? [options.to] : [...options.to];
  if (to.length === 0) throw new CemArgumentError('createEmailNotifier: no recipient');
  to.forEach(parseMailbox);
  if (options.from !== undefined) parseMailbox(options.from);
  if (typeof options.transport?.sendEmail !== 'function') throw new CemArgumentError('createEmailNotifier: the transport has no sendEmail');
  const min = RANK[options.minSeverity ?? 'info'];
  if (min === undefined) throw new CemArgumentError('createEmailNotifier: invalid minSeverity');
  const lookup = options.partner;
  const partnerOf = async (id: string | undefined): Promise<EmailNotifierPartner | undefined> => {
    if (id === undefined || lookup === undefined) return undefined;
    if (typeof lookup === 'function') return lookup(id);
    return Object.hasOwn(lookup, id) ? lookup[id] : undefined;
  };
  const transport = options.transport;
  return Object.freeze({
    async notify(notice: CemAlertNotice): Promise<void> {
      if ((RANK[notice.severity] ?? 0) < min) return;
      const partner = await partnerOf(notice.relationshipId ?? undefined);
      const { subject, text } = alertEmailText(notice, partner, options);
      await transport.sendEmail({ to, ...(options.from === undefined ? {} : { from: options.from }), subject, text, attachments: [] });
    },
  });
}
