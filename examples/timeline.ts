/**
 * A readable timeline of what CEM engines do: the messages they send (with the XML of CEM
 * messages exactly as sent), every change of a relationship's or a certificate's status, every
 * alert, e-mails, server-certificate installs, and the simulated days passing.
 *
 * The timeline watches the engines' memory ports and queries `status()`: call `flush()` after
 * anything happened (the example network calls it around each delivery) and it prints what is new.
 *
 * @module
 */
import { formatCemDateTime, parseCemEntity, type CemEngine, type CemZone, type Clock, type OutboundCemMessage, type OutboundEmail } from './sdk.js';

/** What the timeline needs of one party. */
export interface TimelineParty {
  readonly name: string;
  readonly engine: CemEngine;
  readonly ports: {
    readonly transport: { readonly sent: readonly ({ readonly kind: 'request' | 'response'; readonly message: OutboundCemMessage } | { readonly kind: 'email'; readonly email: OutboundEmail })[] };
    readonly notifier: { readonly notices: readonly { readonly kind: string; readonly severity: string; readonly message: string }[] };
  };
  readonly installs?: readonly { readonly protocol: string; readonly certificate: { readonly fingerprint: string } }[];
  /** The party's zone (its engine's `zone`): dates in its alerts are printed at this offset, like its CEM XML. UTC by default. */
  readonly zone?: CemZone;
}

const INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
/** `text` with every date in it printed at the party's offset, in the CEM XML's form. */
const inZone = (text: string, zone: CemZone | undefined): string => text.replace(INSTANT, (d) => formatCemDateTime(new Date(d), zone));

/** Options of {@link createTimeline}. */
export interface TimelineOptions {
  readonly clock: Clock;
  readonly parties: readonly TimelineParty[];
  /** Where lines go (`console.log`, or an array's `push`). */
  readonly write: (line: string) => void;
  /** Print the XML of CEM messages and the text of e-mails (default true). */
  readonly xml?: boolean;
  /** A readable name for a certificate fingerprint (default: its first 12 hex digits). */
  readonly label?: (fingerprint: string) => string;
}

/** The printer. */
export interface Timeline {
  /** Prints what happened since the last flush, then a step heading. */
  step(title: string): Promise<void>;
  /** Prints what happened since the last flush, then `text` as a remark. */
  note(text: string): Promise<void>;
  /**
   * Prints `text` as something that just happened (a delivery), then what followed from it: call
   * `flush()` before the thing happens so earlier changes are not attributed to it.
   */
  event(text: string): Promise<void>;
  /** Prints what happened since the last flush: a new day, messages, e-mails, installs, status changes, alerts. */
  flush(): Promise<void>;
  /** How many lines were written so far. */
  lineCount(): number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Cursor {
  sent: number;
  notices: number;
  installs: number;
  /** `relationship` → status, `relationship side usage fingerprint` → certificate status. */
  statuses: Map<string, string>;
}

/**
 * Creates a timeline over the given parties, starting on the clock's current day (day 0).
 *
 * @example
 * ```ts
 * const timeline = createTimeline({ clock, parties: [acme, globex], write: console.log, label: nameOf })
 * await timeline.step('Acme sends new certificates')
 * await acme.engine.sendCertificates('globex', selection)
 * await timeline.flush()
 * ```
 */
export function createTimeline(options: TimelineOptions): Timeline {
  const label = options.label ?? ((fp: string) => fp.slice(0, 12));
  const showXml = options.xml ?? true;
  const start = Math.floor(options.clock.now().getTime() / DAY_MS);
  let shownDay = -1;
  let lines = 0;
  const write = (line: string): void => {
    lines++;
    options.write(line);
  };
  const cursors = new Map<string, Cursor>(options.parties.map((p) => [p.name, { sent: 0, notices: 0, installs: 0, statuses: new Map() }]));

  function day(): void {
    const now = options.clock.now();
    const index = Math.floor(now.getTime() / DAY_MS);
    if (index === shownDay) return;
    shownDay = index;
    write('');
    write(`=== Day ${index - start}: ${WEEKDAYS[now.getUTCDay()] ?? ''} ${now.toISOString().slice(0, 10)} ===`);
  }

  function message(party: TimelineParty, m: OutboundCemMessage): void {
    const what = m.kind === 'request' ? 'CEM Request' : 'CEM Response';
    const where = m.kind === 'response' && m.responseUrl !== null ? ` at ${m.responseUrl}` : '';
    write(`  ${party.name} sends ${what} ${m.requestId} to ${m.as2To}${where}`);
    if (!showXml) return;
    try {
      const parsed = parseCemEntity({ contentType: m.contentType, body: m.body });
      for (const line of parsed.xml.replace(/\s+$/, '').split('\n')) write(`    | ${line}`);
    } catch (error) {
      write(`    (unreadable entity: ${error instanceof Error ? error.message : String(error)})`);
    }
  }

  function email(party: TimelineParty, e: OutboundEmail): void {
    const to = typeof e.to === 'string' ? e.to : e.to.join(', ');
    write(`  ${party.name} e-mails ${to}: "${e.subject}" with ${e.attachments.length} attachment(s): ${e.attachments.map((a) => a.filename).join(', ')}`);
    if (showXml) for (const line of e.text.replace(/\s+$/, '').split('\n')) write(`    | ${line}`);
  }

  function describe(key: string): string {
    const [rel = '', side, usage, fp] = key.split(' ');
    return fp === undefined ? `relationship ${rel}` : `${rel} ${side} ${usage} ${label(fp)}`;
  }

  async function statuses(party: TimelineParty, cursor: Cursor): Promise<void> {
    const next = new Map<string, string>();
    const order: string[] = [];
    for (const entry of await party.engine.status()) {
      next.set(entry.relationshipId, entry.status);
      order.push(entry.relationshipId);
      for (const c of entry.certificates) {
        const key = `${entry.relationshipId} ${c.side} ${c.usage} ${c.fingerprint}`;
        next.set(key, c.reason !== null && c.status !== 'Active' ? `${c.status} (${c.reason})` : c.status);
        order.push(key);
      }
    }
    for (const key of order) {
      const before = cursor.statuses.get(key);
      const after = next.get(key);
      if (before !== after) write(`  [${party.name}] ${describe(key)}: ${before === undefined ? 'new, ' : `${before} -> `}${after ?? 'gone'}`);
    }
    for (const [key, before] of cursor.statuses) {
      if (!next.has(key)) write(`  [${party.name}] ${describe(key)}: ${before} -> gone`);
    }
    cursor.statuses = next;
  }

  async function flush(): Promise<void> {
    day();
    for (const party of options.parties) {
      const cursor = cursors.get(party.name);
      if (cursor === undefined) continue;
      const sent = party.ports.transport.sent;
      for (; cursor.sent < sent.length; cursor.sent++) {
        const entry = sent[cursor.sent];
        if (entry === undefined) continue;
        if (entry.kind === 'email') email(party, entry.email);
        else message(party, entry.message);
      }
      const installs = party.installs ?? [];
      for (; cursor.installs < installs.length; cursor.installs++) {
        const i = installs[cursor.installs];
        if (i !== undefined) write(`  [${party.name}] installs ${label(i.certificate.fingerprint)} on its ${i.protocol} listener`);
      }
      await statuses(party, cursor);
      const notices = party.ports.notifier.notices;
      for (; cursor.notices < notices.length; cursor.notices++) {
        const n = notices[cursor.notices];
        if (n !== undefined) write(`  [${party.name}] ALERT ${n.kind} (${n.severity}): ${inZone(n.message, party.zone)}`);
      }
    }
  }

  return {
    async step(title: string) {
      await flush();
      write('');
      write(`--- ${title} ---`);
    },
    async note(text: string) {
      await flush();
      write(`  * ${text}`);
    },
    async event(text: string) {
      day();
      write(`  ${text}`);
      await flush();
    },
    flush,
    lineCount: () => lines,
  };
}
