/**
 * A shadow record, for the property tests, of which certificates have EARNED use: built only from
 * the events of a sequence (the initial certificates, the partner's Accepted and Rejected answers
 * per fingerprint, our decisions on received certificates, "set as active", schedules and their
 * times, delivered Requests whose respond-by time passed with `useAfterRespondBy`, what we
 * distributed) and what they sent, never from where the lifecycle put certificates in its slots.
 * The property tests check after every transition that resolution hands out, for signing,
 * encrypting and TLS, only certificates that earned that use.
 *
 * The record is deliberately generous where the lifecycle may legitimately allow more (a
 * schedule that was later cancelled still counts once due, an Accepted answer is never taken
 * back): it may let an unearned certificate pass in a rare sequence, but it never fails a correct
 * transition. A certificate the partner rejected, one we rejected, or one nobody accepted never
 * earns use through it.
 */
import { allowsEarlyFirstUsage } from '../../src/state/relationship/capability.js';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemState, Relationship, ServerProtocol } from '../../src/state/model.js';
import { localSlotOf, partnerSlotOf } from '../../src/state/relationship/usages.js';
import type { CertUsage } from '../../src/types.js';

/** Why a certificate earned use in a slot. */
type Reason =
  /** Configured with the relationship. */
  | 'initial'
  /** The partner accepted ours, or we accepted the partner's. */
  | 'accepted'
  /** "Set as active" while it was the slot's successor. */
  | 'manual'
  /** Ours, sent (or scheduled) for encryption: it decrypts from distribution on (decision 11). */
  | 'distributed'
  /** Ours for signing / TLS client: a delivered, unanswered Request passed its respond-by time with `useAfterRespondBy`. */
  | 'respondBy';

interface SentRequest {
  readonly relationshipId: string;
  readonly respondBy: number;
  readonly items: readonly { readonly fingerprint: string; readonly usages: readonly CertUsage[] }[];
  delivered: boolean;
  /** The partner's latest processed answer per fingerprint. */
  readonly answers: Map<string, 'accepted' | 'rejected'>;
}

/** The shadow record. */
export interface Shadow {
  /** `rel|side|slot|fingerprint` → reasons. */
  readonly earned: Map<string, Set<Reason>>;
  /** `rel|side|slot|fingerprint` → earliest scheduled activation (ms); `rel|server|fingerprint` for our server certificate. */
  readonly schedules: Map<string, number>;
  readonly requests: Map<string, SentRequest>;
  /** `rel|fingerprint`: the partner accepted our server certificate. */
  readonly serverAccepted: Set<string>;
  /** Per listener: certificates whose install was earned (consensus, set as active, configured, installed before). */
  readonly installAllowed: Map<ServerProtocol, Set<string>>;
  /** Per listener: every certificate it ever had installed. */
  readonly installedHistory: Map<ServerProtocol, Set<string>>;
  /** `issuer|serial` → fingerprint, for reading the partner's answers. */
  readonly catalogue: ReadonlyMap<string, string>;
}

/** A fresh shadow; `catalogue` maps `issuer|serial` to fingerprint for every certificate the sequence can name. */
export function createShadow(catalogue: ReadonlyMap<string, string>): Shadow {
  return { earned: new Map(), schedules: new Map(), requests: new Map(), serverAccepted: new Set(), installAllowed: new Map(), installedHistory: new Map(), catalogue };
}

const slotKey = (rel: string, side: 'local' | 'partner', slot: string, fp: string): string => `${rel}|${side}|${slot}|${fp}`;

function grant(sh: Shadow, rel: string, side: 'local' | 'partner', slot: string, fp: string, reason: Reason): void {
  const key = slotKey(rel, side, slot, fp);
  const reasons = sh.earned.get(key) ?? new Set<Reason>();
  reasons.add(reason);
  sh.earned.set(key, reasons);
}

function revoke(sh: Shadow, rel: string, side: 'local' | 'partner', slot: string, fp: string, reason: Reason): void {
  sh.earned.get(slotKey(rel, side, slot, fp))?.delete(reason);
}

function setOf<K>(map: Map<K, Set<string>>, key: K): Set<string> {
  const found = map.get(key);
  if (found !== undefined) return found;
  const created = new Set<string>();
  map.set(key, created);
  return created;
}

function schedule(sh: Shadow, key: string, at: number): void {
  sh.schedules.set(key, Math.min(sh.schedules.get(key) ?? Number.POSITIVE_INFINITY, at));
}

type AnyEvent = { readonly type?: unknown; readonly [key: string]: unknown } | null | undefined;

const isProtocol = (value: unknown): value is ServerProtocol => value === 'HTTP' || value === 'FTP' || value === 'OFTP' || value === 'SSH-FTP';

/** Partner certificates whose received item became `accepted` in this transition: all their usages earn use. */
function grantNewInboundAcceptances(sh: Shadow, before: CemState, after: CemState): void {
  for (const ex of Object.values(after.inbound)) {
    const old = before.inbound[ex.key];
    if (old === ex) continue;
    for (const [index, item] of ex.items.entries()) {
      if (item.decision !== 'accepted') continue;
      // The same item already accepted before (one certificate may come in several items, with other usages).
      const was = old?.items[index];
      if (was !== undefined && was.cert.fingerprint === item.cert.fingerprint && was.decision === 'accepted') continue;
      for (const usage of item.usages) grant(sh, ex.relationshipId, 'partner', partnerSlotOf(usage), item.cert.fingerprint, 'accepted');
    }
  }
}

/** A processed Response: each answer that changed the item's status earns use (Accepted) or takes back what respond-by or distribution gave (Rejected). */
function observeResponse(sh: Shadow, event: { readonly response?: { readonly requestId?: unknown; readonly trustResponses?: unknown } }): void {
  const requestId = event.response?.requestId;
  const request = typeof requestId === 'string' ? sh.requests.get(requestId) : undefined;
  const answers = event.response?.trustResponses;
  if (request === undefined || !Array.isArray(answers)) return;
  for (const tr of answers as { status?: unknown; certificate?: { issuer?: unknown; serial?: unknown } }[]) {
    const fp = sh.catalogue.get(`${String(tr.certificate?.issuer)}|${String(tr.certificate?.serial)}`);
    const item = request.items.find((i) => i.fingerprint === fp);
    if (fp === undefined || item === undefined || (tr.status !== 'Accepted' && tr.status !== 'Rejected')) continue;
    const status = tr.status === 'Accepted' ? 'accepted' : 'rejected';
    const previous = request.answers.get(fp);
    if (previous === status) continue;
    request.answers.set(fp, status);
    for (const usage of item.usages) {
      const slot = localSlotOf(usage);
      if (slot === 'server') {
        if (status === 'accepted') sh.serverAccepted.add(`${request.relationshipId}|${fp}`);
        continue;
      }
      if (status === 'accepted') grant(sh, request.relationshipId, 'local', slot, fp, 'accepted');
      else if (slot === 'encryption') {
        // A Rejected that contradicts an earlier Accepted is recorded, not undone (decision 5).
        if (previous !== 'accepted') revoke(sh, request.relationshipId, 'local', slot, fp, 'distributed');
      } else revoke(sh, request.relationshipId, 'local', slot, fp, 'respondBy');
    }
  }
}

/**
 * Records what one transition's event (and what it sent) means for earned use. `processed` is
 * false when the transition refused the event (an `ignored` effect): nothing is granted then.
 */
export function observe(sh: Shadow, before: CemState, rawEvent: unknown, after: CemState, effects: readonly CemEffect[], now: Date): void {
  const event = rawEvent as AnyEvent;
  const processed = !effects.some((e) => e.type === 'ignored');
  for (const e of effects) {
    if (e.type !== 'sendRequest') continue;
    if (!sh.requests.has(e.requestId)) {
      sh.requests.set(e.requestId, { relationshipId: e.relationshipId, respondBy: e.respondBy === null ? Number.POSITIVE_INFINITY : Date.parse(e.respondBy), items: e.items.map((i) => ({ fingerprint: i.fingerprint, usages: i.usages })), delivered: false, answers: new Map() });
    }
    for (const item of e.items) if (item.usages.includes('keyEncipherment')) grant(sh, e.relationshipId, 'local', 'encryption', item.fingerprint, 'distributed');
  }
  if (!processed || event === null || typeof event !== 'object') return;
  switch (event.type) {
    case 'relationshipAdded': {
      const init = event['relationship'] as { id: string; local?: Record<string, { certificate: { sha256: string } }>; partner?: Record<string, { sha256: string }> };
      for (const [slot, input] of Object.entries(init.local ?? {})) grant(sh, init.id, 'local', slot, input.certificate.sha256, 'initial');
      for (const [slot, info] of Object.entries(init.partner ?? {})) grant(sh, init.id, 'partner', slot, info.sha256, 'initial');
      return;
    }
    case 'sendCertificates': {
      const selection = event['selection'] as { signing: { certificate: { sha256: string } }; encryption?: { certificate: { sha256: string } } };
      grant(sh, String(event['relationshipId']), 'local', 'encryption', (selection.encryption ?? selection.signing).certificate.sha256, 'distributed');
      return;
    }
    case 'schedule': {
      const rel = String(event['relationshipId']);
      const at = (event['activateAt'] as Date).getTime();
      const usage = String(event['usage']);
      if (event['side'] === 'local') {
        const fp = (event['certificate'] as { certificate: { sha256: string } }).certificate.sha256;
        if (usage === 'tlsServer') schedule(sh, `${rel}|server|${fp}`, at);
        else schedule(sh, slotKey(rel, 'local', usage, fp), at);
        if (usage === 'encryption') grant(sh, rel, 'local', 'encryption', fp, 'distributed');
      } else {
        schedule(sh, slotKey(rel, 'partner', usage, (event['certificate'] as { sha256: string }).sha256), at);
      }
      return;
    }
    case 'requestDelivered': {
      const request = sh.requests.get(String(event['requestId']));
      if (request !== undefined) request.delivered = true;
      return;
    }
    case 'responseReceived':
      observeResponse(sh, event as { response?: { requestId?: unknown; trustResponses?: unknown } });
      return;
    case 'requestReceived':
      grantNewInboundAcceptances(sh, before, after);
      return;
    case 'decide': {
      // One decision per fingerprint (the last one given), for every item carrying that certificate.
      const ex = before.inbound[String(event['exchangeKey'])];
      const decisions = new Map(((event['decisions'] as { fingerprint: string; accept: boolean }[]) ?? []).map((d) => [d.fingerprint, d.accept]));
      for (const item of ex?.items ?? []) {
        if (decisions.get(item.cert.fingerprint) !== true || item.decision !== 'pending') continue;
        for (const usage of item.usages) grant(sh, ex?.relationshipId ?? '', 'partner', partnerSlotOf(usage), item.cert.fingerprint, 'accepted');
      }
      return;
    }
    case 'setActive': {
      const rel = before.relationships[String(event['relationshipId'])];
      if (rel === undefined) return;
      if (event['side'] === 'local' && event['usage'] === 'tlsServer') {
        const candidate = rel.listener === null ? undefined : before.servers[rel.listener]?.candidate?.cert.fingerprint;
        if (rel.listener !== null && candidate !== undefined) setOf(sh.installAllowed, rel.listener).add(candidate);
        return;
      }
      const side = event['side'] as 'local' | 'partner';
      const slots = side === 'local' ? (rel.local as Record<string, Relationship['local']['signing']>) : (rel.partner as Record<string, Relationship['partner']['signing']>);
      const successor = slots[String(event['usage'])]?.successor;
      if (successor != null) grant(sh, rel.id, side, String(event['usage']), successor.cert.fingerprint, 'manual');
      // A partner certificate still pending in a received Request is accepted with all its usages.
      grantNewInboundAcceptances(sh, before, after);
      return;
    }
    case 'setServerActive': {
      const protocol = event['protocol'];
      const candidate = isProtocol(protocol) ? before.servers[protocol]?.candidate?.cert.fingerprint : undefined;
      if (isProtocol(protocol) && candidate !== undefined) setOf(sh.installAllowed, protocol).add(candidate);
      return;
    }
    case 'serverCertificateConfigured': {
      // The host reports what its listener presents: a fact, not a decision of the lifecycle.
      const protocol = event['protocol'];
      const fp = (event['certificate'] as { certificate: { sha256: string } }).certificate.sha256;
      if (isProtocol(protocol)) setOf(sh.installAllowed, protocol).add(fp);
      return;
    }
    case 'serverCertificateInstalled': {
      // The host confirms its listener presents the candidate (also one it installed without being asked): a fact too.
      const protocol = event['protocol'];
      if (isProtocol(protocol) && typeof event['fingerprint'] === 'string') setOf(sh.installAllowed, protocol).add(event['fingerprint']);
      return;
    }
    case 'tick': {
      if (!after.settings.useAfterRespondBy) return;
      for (const request of sh.requests.values()) {
        if (!request.delivered || request.respondBy > now.getTime()) continue;
        for (const item of request.items) {
          if (request.answers.has(item.fingerprint)) continue;
          for (const usage of item.usages) {
            const slot = localSlotOf(usage);
            if (slot === 'signing' || slot === 'tlsClient') grant(sh, request.relationshipId, 'local', slot, item.fingerprint, 'respondBy');
          }
        }
      }
      return;
    }
    default:
      return;
  }
}

function has(sh: Shadow, rel: string, side: 'local' | 'partner', slot: string, fp: string, reasons: readonly Reason[]): boolean {
  const found = sh.earned.get(slotKey(rel, side, slot, fp));
  return found !== undefined && reasons.some((r) => found.has(r));
}

function scheduledBy(sh: Shadow, key: string, now: Date): boolean {
  const at = sh.schedules.get(key);
  return at !== undefined && at <= now.getTime();
}

/** True when the partner on `rel` is ready for our server certificate `fp` by the shadow: accepted, scheduled and due, or (useAfterRespondBy) a delivered unanswered Request past its respond-by. */
function serverReady(sh: Shadow, state: CemState, rel: string, fp: string, now: Date): boolean {
  if (sh.serverAccepted.has(`${rel}|${fp}`) || scheduledBy(sh, `${rel}|server|${fp}`, now)) return true;
  if (!state.settings.useAfterRespondBy) return false;
  for (const request of sh.requests.values()) {
    if (request.relationshipId !== rel || !request.delivered || request.respondBy > now.getTime()) continue;
    if (request.items.some((i) => i.fingerprint === fp && i.usages.includes('tlsServer') && !request.answers.has(fp))) return true;
  }
  return false;
}

/**
 * Checks the server side of one transition: every install it asks for is earned (set as active,
 * the previous certificate installed again after a late rejection, or every partner on the
 * listener ready), and every certificate a listener starts presenting was configured by the host
 * or its install was earned. Returns why not, or null.
 */
export function serverStepProblem(sh: Shadow, before: CemState, rawEvent: unknown, after: CemState, effects: readonly CemEffect[], now: Date): string | null {
  const event = rawEvent as AnyEvent;
  for (const e of effects) {
    if (e.type !== 'installServerCertificate') continue;
    const allowed = setOf(sh.installAllowed, e.protocol);
    const history = setOf(sh.installedHistory, e.protocol);
    const partners = Object.values(after.relationships).filter((r) => r.listener === e.protocol);
    const consensus = partners.length > 0 && partners.every((r) => serverReady(sh, after, r.id, e.fingerprint, now));
    if (!allowed.has(e.fingerprint) && !history.has(e.fingerprint) && !consensus) return `install of ${e.fingerprint} on ${e.protocol} not earned by ${String(event?.type)}`;
    allowed.add(e.fingerprint);
  }
  for (const protocol of ['HTTP', 'FTP', 'OFTP', 'SSH-FTP'] as const) {
    const next = after.servers[protocol]?.installed?.cert.fingerprint;
    const previous = before.servers[protocol]?.installed?.cert.fingerprint;
    if (next === undefined || next === previous) continue;
    const history = setOf(sh.installedHistory, protocol);
    if (!setOf(sh.installAllowed, protocol).has(next) && !history.has(next)) return `${next} installed on ${protocol} by ${String(event?.type)} without an earned install`;
    history.add(next);
  }
  return null;
}

/**
 * Why a certificate resolution returns for use has not earned that use, or null. Our own
 * encryption certificates may decrypt once distributed and not rejected (decision 11); a
 * scheduled certificate counts once due, and early (AS2/AS3 partner without CEM) for our
 * decryption and the partner's signature verification.
 */
export function unearnedInResolution(sh: Shadow, rel: Relationship, resolved: {
  signOutbound: { fingerprint: string } | null; signMdn: { fingerprint: string } | null; tlsClient: { fingerprint: string } | null;
  encryptOutbound: { fingerprint: string } | null; decryptInbound: readonly { fingerprint: string }[]; verifyInbound: readonly { fingerprint: string }[];
  verifyMdn: readonly { fingerprint: string }[]; tlsServerTrust: readonly { fingerprint: string }[]; tlsClientTrust: readonly { fingerprint: string }[];
}, now: Date): string | null {
  const early = allowsEarlyFirstUsage(rel);
  const ok = (side: 'local' | 'partner', slot: string, fp: string, reasons: readonly Reason[], earlySchedule: boolean): boolean =>
    has(sh, rel.id, side, slot, fp, reasons) || scheduledBy(sh, slotKey(rel.id, side, slot, fp), now) || (earlySchedule && sh.schedules.has(slotKey(rel.id, side, slot, fp)));
  const outbound = ['initial', 'accepted', 'manual', 'respondBy'] as const;
  const partner = ['initial', 'accepted', 'manual'] as const;
  for (const [name, c] of [['signOutbound', resolved.signOutbound], ['signMdn', resolved.signMdn]] as const) {
    if (c !== null && !ok('local', 'signing', c.fingerprint, outbound, false)) return `${name} ${c.fingerprint} has not earned signing`;
  }
  if (resolved.tlsClient !== null && !ok('local', 'tlsClient', resolved.tlsClient.fingerprint, outbound, false)) return `tlsClient ${resolved.tlsClient.fingerprint} has not earned TLS client use`;
  for (const c of resolved.decryptInbound) {
    if (!ok('local', 'encryption', c.fingerprint, ['initial', 'accepted', 'manual', 'distributed'], early)) return `decryptInbound ${c.fingerprint} was never distributed, or the partner rejected it`;
  }
  if (resolved.encryptOutbound !== null && !ok('partner', 'encryption', resolved.encryptOutbound.fingerprint, partner, false)) return `encryptOutbound ${resolved.encryptOutbound.fingerprint} was never accepted`;
  for (const c of [...resolved.verifyInbound, ...resolved.verifyMdn]) {
    if (!ok('partner', 'signing', c.fingerprint, partner, early)) return `verifyInbound ${c.fingerprint} was never accepted`;
  }
  for (const c of resolved.tlsServerTrust) if (!ok('partner', 'tlsServer', c.fingerprint, partner, false)) return `tlsServerTrust ${c.fingerprint} was never accepted`;
  for (const c of resolved.tlsClientTrust) if (!ok('partner', 'tlsClient', c.fingerprint, partner, false)) return `tlsClientTrust ${c.fingerprint} was never accepted`;
  return null;
}
