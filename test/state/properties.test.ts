import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemEvent } from '../../src/state/events.js';
import { deepFreeze } from '../../src/state/freeze.js';
import type { CemState, InboundExchange, OutboundExchange } from '../../src/state/model.js';
import { isFinishedInbound, isFinishedOutbound, lastActivity, retentionDays, retentionPassed } from '../../src/policy/retention.js';
import { dropFinishedExchanges, referencedExchanges } from '../../src/state/retention.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { resolveCertificates } from '../../src/policy/resolution.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import type { CertUsage } from '../../src/types.js';
import { cemDate, local, makeCert, makePki, relationshipInit, T0 } from './fixtures.js';
import { archivedByEffects, findableFingerprints, isDeepFrozen, liveFingerprints, lostFromSlots, overlapBroken, slotMembers, unacceptedInResolution } from './invariants.js';
import { createShadow, observe, serverStepProblem, unearnedInResolution, type Shadow } from './shadow.js';
import { checkDue } from './due-check.js';
import { checkSlice, sliceProbes } from './slice-check.js';

const POOL: readonly CertificateInfo[] = [
  ...Array.from({ length: 9 }, (_, i) => makeCert({ label: `pool-${i}` })),
  makeCert({ label: 'pool-weak', keySize: 1024 }),
  makeCert({ label: 'pool-sign-only', keyUsage: ['digitalSignature'], extendedKeyUsage: ['emailProtection'] }),
];
const PKI = { acme: makePki(), bolt: makePki(), cora: makePki() };
/** acme and bolt (AS2) share the HTTP listener; cora (AS3, no CEM: email and early first usage) is on FTP. Relationships can move between listeners. */
const RELS = ['acme', 'bolt', 'cora'] as const;
const NAMES = { acme: 'ACME', bolt: 'BOLT', cora: 'CORA' } as const;
const USAGES: readonly CertUsage[] = ['digitalSignature', 'keyEncipherment', 'tlsClient', 'tlsServer'];
const PROTOCOLS = ['HTTP', 'FTP'] as const;
const SERVER_CERTS = { HTTP: makeCert({ label: 'server-http-0' }), FTP: makeCert({ label: 'server-ftp-0' }) };

/** Every certificate a sequence can name, by issuer and serial (how the partner's answers name them). */
const CATALOGUE: ReadonlyMap<string, string> = new Map([...POOL, ...Object.values(SERVER_CERTS), ...Object.values(PKI).flatMap((p) => Object.values(p))].map((c) => [`${c.issuer}|${c.serial}`, c.sha256]));

/** The events that build the initial state. A short retention, so random sequences really drop finished exchanges (far ticks pass the default too). */
const INITIAL_EVENTS: readonly CemEvent[] = [
  { type: 'relationshipAdded', relationship: relationshipInit('acme', PKI.acme) },
  { type: 'relationshipAdded', relationship: relationshipInit('bolt', PKI.bolt, { cemOverride: 'auto' }) },
  { type: 'relationshipAdded', relationship: relationshipInit('cora', PKI.cora, { protocol: 'AS3', cemOverride: 'auto' }) },
  { type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(SERVER_CERTS.HTTP) },
  { type: 'serverCertificateConfigured', protocol: 'FTP', certificate: local(SERVER_CERTS.FTP) },
];

/** The initial state and its shadow record (built from the same events). */
function initialState(extra: readonly CemEvent[] = []): { state: CemState; shadow: Shadow } {
  const shadow = createShadow(CATALOGUE);
  let state = createInitialState({ maxResponseDays: 3, retainFinishedDays: 2 });
  for (const event of [...INITIAL_EVENTS, ...extra]) {
    const result = transition(state, event, T0);
    observe(shadow, state, event, result.state, result.effects, T0);
    state = result.state;
  }
  return { state: deepFreeze(state), shadow };
}

type Rel = 0 | 1 | 2;

/** An abstract command; it becomes an event against the current state when run. */
type Command =
  | { readonly kind: 'tick'; readonly hours: number }
  | { readonly kind: 'send'; readonly rel: Rel; readonly sign: number; readonly enc: number | null; readonly tlsClient: number | null; readonly tlsServer: number | null; readonly includeActive: boolean; readonly deliver: boolean }
  | { readonly kind: 'delivery'; readonly pick: number; readonly what: 'requestDelivered' | 'requestFailed' | 'retry' | 'resend' | 'emailFailed' | 'emailDelivered' }
  | { readonly kind: 'respond'; readonly pick: number; readonly accept: readonly boolean[]; readonly signer: 'current' | 'stranger' }
  | { readonly kind: 'request'; readonly rel: Rel; readonly certs: readonly { readonly cert: number; readonly usages: readonly number[] }[]; readonly signer: 'current' | 'stranger'; readonly requestId: number }
  | { readonly kind: 'decide'; readonly pick: number; readonly accept: readonly boolean[] }
  | { readonly kind: 'inboundDelivery'; readonly pick: number; readonly what: 'responseDelivered' | 'responseFailed' | 'retry' }
  | { readonly kind: 'traffic'; readonly rel: Rel; readonly cert: number; readonly field: 'decryptedWith' | 'verifiedWith' | 'partnerTlsServer' | 'partnerTlsClient' }
  | { readonly kind: 'schedule'; readonly rel: Rel; readonly side: 'local' | 'partner'; readonly usage: number; readonly cert: number; readonly inHours: number; readonly email: boolean }
  | { readonly kind: 'cancel'; readonly rel: Rel; readonly side: 'local' | 'partner'; readonly usage: number }
  | { readonly kind: 'setActive'; readonly rel: Rel; readonly side: 'local' | 'partner'; readonly usage: number }
  | { readonly kind: 'server'; readonly protocol: 0 | 1; readonly what: 'setServerActive' | 'installed' | 'withdraw' }
  | { readonly kind: 'config'; readonly rel: Rel; readonly what: 'autoOn' | 'autoOff' | 'cemSeen' | 'cemGone' | 'useAfter' | 'manualUnsuitable' | 'retention' | 'remove' | 'listener' }
  | { readonly kind: 'garbage'; readonly n: number };

const rel01 = fc.constantFrom<Rel>(0, 1, 2);
const certIndex = fc.nat({ max: POOL.length + 6 });
const side = fc.constantFrom<'local' | 'partner'>('local', 'partner');

const arb = {
  tick: fc.record({ kind: fc.constant('tick' as const), hours: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 20, max: 100 })) }),
  // Far into the future: past any retention (also a config-set 400 days), respond-by and schedule.
  farTick: fc.record({ kind: fc.constant('tick' as const), hours: fc.integer({ min: 24 * 30, max: 24 * 450 }) }),
  send: fc.record({ kind: fc.constant('send' as const), rel: rel01, sign: certIndex, enc: fc.option(certIndex), tlsClient: fc.option(certIndex), tlsServer: fc.option(fc.nat({ max: 2 })), includeActive: fc.boolean(), deliver: fc.boolean() }),
  delivery: fc.record({ kind: fc.constant('delivery' as const), pick: fc.nat(), what: fc.constantFrom('requestDelivered', 'requestDelivered', 'requestDelivered', 'requestFailed', 'retry', 'resend', 'emailFailed', 'emailDelivered') }),
  respond: fc.record({ kind: fc.constant('respond' as const), pick: fc.nat(), accept: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), signer: fc.constantFrom('current', 'current', 'stranger') }),
  request: fc.record({ kind: fc.constant('request' as const), rel: rel01, certs: fc.array(fc.record({ cert: certIndex, usages: fc.uniqueArray(fc.nat({ max: 3 }), { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 3 }), signer: fc.constantFrom('current', 'current', 'stranger'), requestId: fc.nat({ max: 8 }) }),
  respondAccepting: fc.record({ kind: fc.constant('respond' as const), pick: fc.nat(), accept: fc.array(fc.constantFrom(true, true, true, false), { minLength: 4, maxLength: 4 }), signer: fc.constant('current' as const) }),
  decide: fc.record({ kind: fc.constant('decide' as const), pick: fc.nat(), accept: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }),
  inboundDelivery: fc.record({ kind: fc.constant('inboundDelivery' as const), pick: fc.nat(), what: fc.constantFrom('responseDelivered', 'responseFailed', 'retry') }),
  traffic: fc.record({ kind: fc.constant('traffic' as const), rel: rel01, cert: certIndex, field: fc.constantFrom('decryptedWith', 'verifiedWith', 'partnerTlsServer', 'partnerTlsClient') }),
  schedule: fc.record({ kind: fc.constant('schedule' as const), rel: rel01, side, usage: fc.nat({ max: 3 }), cert: certIndex, inHours: fc.integer({ min: -10, max: 200 }), email: fc.boolean() }),
  cancel: fc.record({ kind: fc.constant('cancel' as const), rel: rel01, side, usage: fc.nat({ max: 3 }) }),
  setActive: fc.record({ kind: fc.constant('setActive' as const), rel: rel01, side, usage: fc.nat({ max: 3 }) }),
  server: fc.record({ kind: fc.constant('server' as const), protocol: fc.constantFrom<0 | 1>(0, 1), what: fc.constantFrom('setServerActive', 'installed', 'installed', 'withdraw') }),
  config: fc.record({ kind: fc.constant('config' as const), rel: rel01, what: fc.constantFrom('autoOn', 'autoOff', 'cemSeen', 'cemGone', 'useAfter', 'manualUnsuitable', 'retention', 'remove', 'listener') }),
  garbage: fc.record({ kind: fc.constant('garbage' as const), n: fc.nat({ max: 3 }) }),
  // Server-heavy commands: a new server certificate (one of three) with the current signing certificate, delivered;
  // our server certificate scheduled; a relationship moving to the other listener.
  sendServer: fc.record({ kind: fc.constant('send' as const), rel: rel01, sign: fc.constant(POOL.length + 6), enc: fc.constant(null), tlsClient: fc.constant(null), tlsServer: fc.nat({ max: 2 }), includeActive: fc.constant(false), deliver: fc.constant(true) }),
  scheduleServer: fc.record({ kind: fc.constant('schedule' as const), rel: rel01, side: fc.constant('local' as const), usage: fc.constant(3), cert: fc.nat({ max: 2 }), inHours: fc.integer({ min: -10, max: 100 }), email: fc.boolean() }),
  moveListener: fc.record({ kind: fc.constant('config' as const), rel: rel01, what: fc.constant('listener' as const) }),
};

/** Commands with their weights. */
function commands(weights: { readonly [K in keyof typeof arb]: number }): fc.Arbitrary<Command> {
  return fc.oneof(...(Object.keys(arb) as (keyof typeof arb)[]).filter((k) => weights[k] > 0).map((k) => ({ weight: weights[k], arbitrary: arb[k] as fc.Arbitrary<Command> })));
}

const command = commands({
  tick: 5, farTick: 1, send: 4, delivery: 6, respond: 4, respondAccepting: 0, request: 4, decide: 3, inboundDelivery: 2, traffic: 4, schedule: 3, cancel: 1, setActive: 2, server: 1, config: 2, garbage: 1,
  sendServer: 0, scheduleServer: 0, moveListener: 0,
});

/** Rich in answered exchanges, first usage and far ticks: sequences where retention drops a lot. */
const retentionCommand = commands({
  tick: 4, farTick: 3, send: 5, delivery: 3, respond: 2, respondAccepting: 5, request: 4, decide: 4, inboundDelivery: 5, traffic: 6, schedule: 1, cancel: 1, setActive: 3, server: 1, config: 1, garbage: 0,
  sendServer: 0, scheduleServer: 0, moveListener: 0,
});

/** Rich in server certificates on both listeners: sends, answers, schedules, installs, withdrawals, listener moves. */
const serverCommand = commands({
  tick: 4, farTick: 0, send: 1, delivery: 2, respond: 1, respondAccepting: 5, request: 1, decide: 1, inboundDelivery: 0, traffic: 1, schedule: 0, cancel: 1, setActive: 1, server: 4, config: 1, garbage: 0,
  sendServer: 6, scheduleServer: 3, moveListener: 2,
});

/** Certificates a relationship knows (so traffic and requests often name them), then the pool. */
function knownCerts(state: CemState, relId: string): string[] {
  const rel = state.relationships[relId];
  if (rel === undefined) return [];
  return [...Object.values(rel.local), ...Object.values(rel.partner)].flatMap((s) => [...s.active.map((a) => a.cert.fingerprint), ...(s.successor ? [s.successor.cert.fingerprint] : [])]);
}

function poolCert(state: CemState, relId: string, index: number): CertificateInfo {
  const known = knownCerts(state, relId);
  const all = [...POOL, ...Object.values(PKI).flatMap((p) => Object.values(p))];
  if (index >= POOL.length && known.length > 0) {
    const fp = known[index % known.length];
    return all.find((c) => c.sha256 === fp) ?? POOL[0]!;
  }
  return POOL[index % POOL.length]!;
}

let sequence = 0;

/** One of the last three items (the newest most often named by `pick` 0). */
function recent<T>(items: readonly T[], pick: number): T | undefined {
  return items[items.length - 1 - (pick % Math.min(3, Math.max(items.length, 1)))];
}
const LOCAL_SLOTS = ['signing', 'encryption', 'tlsClient', 'tlsServer'] as const;

function toEvent(state: CemState, cmd: Command, now: Date): CemEvent | unknown {
  sequence += 1;
  const outbound = Object.values(state.outbound);
  const inbound = Object.values(state.inbound);
  switch (cmd.kind) {
    case 'tick':
      return { type: 'tick' };
    case 'send': {
      const relId = RELS[cmd.rel];
      const pick = (i: number | null) => (i === null ? undefined : local(poolCert(state, relId, i)));
      const server = cmd.tlsServer === null ? undefined : local(POOL[cmd.tlsServer]!);
      return { type: 'sendCertificates', relationshipId: relId, includeActive: cmd.includeActive, ids: { requestId: `req-${sequence}`, xmlContentId: `x-${sequence}`, contentIds: [1, 2, 3, 4].map((i) => `c-${sequence}-${i}`) },
        selection: { signing: local(poolCert(state, relId, cmd.sign)), encryption: pick(cmd.enc), tlsClient: pick(cmd.tlsClient), tlsServer: server } };
    }
    case 'delivery': {
      const email = cmd.what === 'emailFailed' || cmd.what === 'emailDelivered';
      const ex = recent(outbound.filter((x) => (x.channel === 'email') === email), cmd.pick);
      const id = ex?.id ?? 'none';
      if (cmd.what === 'retry') return { type: 'retry', exchangeId: id };
      if (cmd.what === 'resend') return { type: 'resend', requestId: id, ids: { requestId: `req-${sequence}`, xmlContentId: `x-${sequence}`, contentIds: [1, 2, 3, 4].map((i) => `c-${sequence}-${i}`) } };
      if (cmd.what === 'requestDelivered' || cmd.what === 'requestFailed') return { type: cmd.what, requestId: id, error: 'transport' };
      return { type: cmd.what, exchangeId: id, error: 'smtp' };
    }
    case 'respond': {
      const ex = recent(outbound.filter((x) => x.channel === 'cem'), cmd.pick);
      if (ex === undefined) return { type: 'tick' };
      const relId = ex.relationshipId as (typeof RELS)[number];
      const signer = cmd.signer === 'current' ? state.relationships[relId]?.partner.signing.active[0]?.cert.fingerprint ?? null : POOL[0]!.sha256;
      return { type: 'responseReceived', as2From: NAMES[relId], as2To: 'US', verifiedBy: signer, messageId: `m-${sequence}`,
        response: { requestId: ex.id, sender: { name: NAMES[relId], qualifier: 'AS2' }, originated: cemDate(now),
          trustResponses: ex.items.map((item, i) => ({ status: cmd.accept[i % 4] ? 'Accepted' : 'Rejected', reason: cmd.accept[i % 4] ? null : 'no', certificate: { issuer: item.cert.issuer, serial: item.cert.serial } })) } };
    }
    case 'request': {
      const relId = RELS[cmd.rel];
      const rel = state.relationships[relId];
      const signer = cmd.signer === 'current' ? rel?.partner.signing.active[0]?.cert.fingerprint ?? null : POOL[1]!.sha256;
      const certs = cmd.certs.map((c) => ({ cert: poolCert(state, relId, c.cert), usages: c.usages.map((u) => USAGES[u]!) }));
      return { type: 'requestReceived', as2From: NAMES[relId], as2To: 'US', verifiedBy: signer, messageId: `m-${sequence}`,
        request: { requestId: `in-${cmd.requestId}`, sender: { name: NAMES[relId], qualifier: 'AS2' }, originated: cemDate(now),
          trustRequests: certs.map((c, i) => ({ usages: c.usages, respondBy: cemDate(new Date(now.getTime() + 2 * 86_400_000)), responseUrl: 'https://p.example/as2', certificate: { issuer: c.cert.issuer, serial: c.cert.serial }, contentId: `p${i}@x` })) },
        certificates: certs.map((c, i) => ({ contentId: `p${i}@x`, endEntity: c.cert, chain: [] })) };
    }
    case 'decide': {
      const ex = recent(inbound, cmd.pick);
      return { type: 'decide', exchangeKey: ex?.key ?? 'none', decisions: (ex?.items ?? []).slice(0, 3).map((item, i) => ({ fingerprint: item.cert.fingerprint, accept: cmd.accept[i] ?? true, reason: 'manual' })) };
    }
    case 'inboundDelivery': {
      const ex = recent(inbound, cmd.pick);
      if (cmd.what === 'retry') return { type: 'retry', exchangeId: ex?.key ?? 'none' };
      return { type: cmd.what, exchangeKey: ex?.key ?? 'none', error: 'http' };
    }
    case 'traffic':
      return { type: 'trafficObserved', relationshipId: RELS[cmd.rel], [cmd.field]: poolCert(state, RELS[cmd.rel], cmd.cert).sha256 };
    case 'schedule': {
      const usage = LOCAL_SLOTS[cmd.usage]!;
      const cert = poolCert(state, RELS[cmd.rel], cmd.cert);
      const activateAt = new Date(now.getTime() + cmd.inHours * 3_600_000);
      return cmd.side === 'local'
        ? { type: 'schedule', relationshipId: RELS[cmd.rel], side: 'local', usage, certificate: local(cert), activateAt, emailPartner: cmd.email, exchangeId: `mail-${sequence}` }
        : { type: 'schedule', relationshipId: RELS[cmd.rel], side: 'partner', usage, certificate: cert, activateAt };
    }
    case 'cancel':
      return { type: 'cancelSchedule', relationshipId: RELS[cmd.rel], side: cmd.side, usage: LOCAL_SLOTS[cmd.usage] };
    case 'setActive':
      return { type: 'setActive', relationshipId: RELS[cmd.rel], side: cmd.side, usage: LOCAL_SLOTS[cmd.usage] };
    case 'server': {
      const protocol = PROTOCOLS[cmd.protocol];
      if (cmd.what === 'setServerActive') return { type: 'setServerActive', protocol };
      if (cmd.what === 'withdraw') return { type: 'withdrawServerCandidate', protocol };
      return { type: 'serverCertificateInstalled', protocol, fingerprint: state.servers[protocol]?.candidate?.cert.fingerprint ?? 'none' };
    }
    case 'config': {
      const relationshipId = RELS[cmd.rel];
      switch (cmd.what) {
        case 'autoOn':
        case 'autoOff':
          return { type: 'relationshipUpdated', relationshipId, changes: { autoAccept: cmd.what === 'autoOn' ? 'on' : 'off' } };
        case 'cemSeen':
        case 'cemGone':
          return { type: 'featuresObserved', relationshipId, features: cmd.what === 'cemSeen' ? ['CEM'] : [] };
        case 'useAfter':
          return { type: 'settingsChanged', settings: { useAfterRespondBy: !state.settings.useAfterRespondBy } };
        case 'manualUnsuitable':
          return { type: 'settingsChanged', settings: { unsuitable: state.settings.unsuitable === 'reject' ? 'manual' : 'reject' } };
        case 'retention':
          return { type: 'settingsChanged', settings: { retainFinishedDays: state.settings.retainFinishedDays === 2 ? 400 : 2 } };
        case 'remove':
          return { type: 'relationshipRemoved', relationshipId };
        case 'listener':
          return { type: 'relationshipUpdated', relationshipId, changes: { listener: state.relationships[relationshipId]?.listener === 'HTTP' ? 'FTP' : 'HTTP' } };
      }
      return { type: 'tick' };
    }
    case 'garbage':
      return [null, { type: 'nope' }, { type: 'decide', exchangeKey: 7, decisions: [{}] }, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: 3 }][cmd.n];
  }
}

/**
 * The events after which a certificate that was active (the "old" one of an overlap) may stop
 * being acceptable inbound, and in which lists: first usage (trafficObserved) and "set as active"
 * retire the older ones; a tick or a schedule due now activates a scheduled certificate; the
 * partner's Rejected takes our encryption certificate out of use when it decrypts without the
 * partner's acceptance (first usage before the answer, or kept after being displaced). A removed
 * relationship is not checked at all. Nothing else (failed sends, capability or listener changes,
 * decisions, server events) may retire an active certificate.
 */
const MAY_RETIRE: ReadonlyMap<string, readonly string[]> = new Map([
  ['trafficObserved', ['verify', 'decrypt', 'tlsServerTrust', 'tlsClientTrust']],
  ['setActive', ['verify', 'decrypt', 'tlsServerTrust', 'tlsClientTrust']],
  ['tick', ['verify', 'decrypt', 'tlsServerTrust', 'tlsClientTrust']],
  ['schedule', ['verify', 'decrypt', 'tlsServerTrust', 'tlsClientTrust']],
  ['responseReceived', ['decrypt']],
]);

/** The inbound-acceptable certificates of a relationship as `rel:list:fingerprint`; with `activeOnly`, only those active in their slot (the "old" ones of an overlap). */
function acceptableInbound(state: CemState, relId: string, now: Date, activeOnly: boolean): Set<string> {
  const rel = state.relationships[relId];
  if (rel === undefined) return new Set();
  const r = resolveCertificates(state, relId, now);
  if (r === null) return new Set();
  const lists = [
    ['verify', r.verifyInbound, rel.partner.signing],
    ['decrypt', r.decryptInbound, rel.local.encryption],
    ['tlsServerTrust', r.tlsServerTrust, rel.partner.tlsServer],
    ['tlsClientTrust', r.tlsClientTrust, rel.partner.tlsClient],
  ] as const;
  const keys = new Set<string>();
  for (const [name, list, slot] of lists) {
    for (const c of list) if (!activeOnly || slot.active.some((a) => a.cert.fingerprint === c.fingerprint)) keys.add(`${relId}:${name}:${c.fingerprint}`);
  }
  return keys;
}

function checkStep(shadow: Shadow, before: CemState, event: unknown, now: Date, before_now: Date): { state: CemState; effects: readonly CemEffect[] } {
  const snapshot = JSON.stringify(before);
  const frozenEvent = deepFreeze(event);
  const result = transition(before, frozenEvent as CemEvent, now);
  const type = (event as { type?: string } | null)?.type ?? 'garbage';
  expect(JSON.stringify(before), `input mutated by ${type}`).toBe(snapshot);
  const internal = result.effects.find((e) => e.type === 'ignored' && e.detail.startsWith('internal error'));
  expect(internal, `internal error on ${type}`).toBeUndefined();
  if (result.effects.some((e) => e.type === 'ignored')) expect(result.state, `${type} ignored but changed the state`).toBe(before);
  expect(isDeepFrozen(result.state), `state not frozen after ${type}`).toBe(true);
  expect(isDeepFrozen(result.effects), `effects not frozen after ${type}`).toBe(true);
  expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
  observe(shadow, before, event, result.state, result.effects, now);
  // The engine's slice of this event (one relationship, its listener's other partners counted) decides the same.
  checkSlice(before, frozenEvent, result.state, result.effects, now);
  // A pending (or any live) certificate is never lost: it stays findable, or went to the engine's archive.
  const findable = findableFingerprints(result.state);
  const archived = archivedByEffects(result.effects);
  for (const fp of liveFingerprints(before)) expect(findable.has(fp) || archived.has(fp), `${fp} lost by ${type}`).toBe(true);
  for (const ex of Object.values(before.inbound)) {
    for (const item of ex.items) if (item.decision === 'pending') expect(findable.has(item.cert.fingerprint), `pending inbound lost by ${type}`).toBe(true);
  }
  // ... and it stays in its slot (successor, active or archived) unless a new successor legitimately displaced it.
  const removed = new Set(Object.keys(before.relationships).filter((id) => result.state.relationships[id] === undefined));
  expect(lostFromSlots(slotMembers(before), slotMembers(result.state), removed), `slot content after ${type}`).toBeNull();
  // Resolution hands out for use only certificates that earned it (by the shadow record of the events), never the old one missing.
  for (const rel of Object.values(result.state.relationships)) {
    const resolved = resolveCertificates(result.state, rel.id, now);
    expect(resolved, `resolution of ${rel.id}`).not.toBeNull();
    if (resolved === null) continue;
    expect(unearnedInResolution(shadow, rel, resolved, now), `resolution of ${rel.id} after ${type}`).toBeNull();
    expect(unacceptedInResolution(result.state, rel, now), `resolution after ${type}`).toBeNull();
    expect(overlapBroken(result.state, rel, now), `overlap after ${type}`).toBeNull();
  }
  expect(serverStepProblem(shadow, before, event, result.state, result.effects, now), `server certificates after ${type}`).toBeNull();
  for (const protocol of PROTOCOLS) {
    const server = result.state.servers[protocol];
    if (server?.candidate != null) expect(server.candidate.cert.fingerprint, `${protocol} candidate is the installed certificate`).not.toBe(server.installed?.cert.fingerprint);
  }
  const retiring = MAY_RETIRE.get(type) ?? [];
  const after = new Set(RELS.flatMap((id) => [...acceptableInbound(result.state, id, now, false)]));
  for (const key of RELS.flatMap((id) => [...acceptableInbound(before, id, before_now, true)])) {
    const [relId, list] = key.split(':') as [string, string];
    if (removed.has(relId) || retiring.includes(list)) continue;
    expect(after.has(key), `${key} stopped being acceptable after ${type}`).toBe(true);
  }
  // Once a received Request is answered its decisions never change, and every Response (first, retried or sent again
  // for a repeated Request) carries the exchange's fixed MessageOriginated.
  for (const ex of Object.values(before.inbound)) {
    const after = result.state.inbound[ex.key];
    if (ex.status === 'awaitingDecision' || ex.status === 'superseded' || after === undefined) continue;
    expect(after.items.map((i) => [i.decision, i.reason]), `decisions of ${ex.key} changed by ${type}`).toEqual(ex.items.map((i) => [i.decision, i.reason]));
  }
  for (const e of result.effects) {
    if (e.type === 'sendResponse') expect(e.originated, `Response of ${e.exchangeKey}`).toBe(result.state.inbound[e.exchangeKey]?.respondedAt);
  }
  checkRetention(before, result.state, type, now);
  countServerPaths(before, result.state, type, result.effects);
  // At most one install per listener, and (but for set as active) never a candidate's install requested twice.
  for (const protocol of PROTOCOLS) {
    const installs = result.effects.filter((e) => e.type === 'installServerCertificate' && e.protocol === protocol);
    expect(installs.length, `installs on ${protocol} by ${type}`).toBeLessThanOrEqual(1);
    const candidate = before.servers[protocol]?.candidate;
    if (installs[0]?.type === 'installServerCertificate' && installs[0].fingerprint === candidate?.cert.fingerprint && type !== 'setServerActive' && type !== 'setActive') {
      expect(candidate.installRequestedAt, `install on ${protocol} requested twice`).toBeNull();
    }
  }
  return result;
}

const exchangeOf = (state: CemState, id: string): OutboundExchange | InboundExchange | undefined => state.outbound[id] ?? state.inbound[id];
const isFinished = (ex: OutboundExchange | InboundExchange): boolean => ('key' in ex ? isFinishedInbound(ex.status) : isFinishedOutbound(ex.status));

/** How many exchanges the runs dropped. */
let droppedExchanges = 0;

/** Server events the runs exercised, per listener: install requests by consensus, installs confirmed, withdrawals. */
const serverPaths = new Map<string, number>();
function countServerPaths(before: CemState, after: CemState, type: string, effects: readonly CemEffect[]): void {
  const bump = (key: string): void => void serverPaths.set(key, (serverPaths.get(key) ?? 0) + 1);
  for (const e of effects) if (e.type === 'installServerCertificate' && type !== 'setServerActive' && type !== 'setActive') bump(`consensus:${e.protocol}`);
  for (const protocol of PROTOCOLS) {
    if (after.servers[protocol]?.installed?.cert.fingerprint !== before.servers[protocol]?.installed?.cert.fingerprint) bump(`installed:${protocol}`);
    if (before.servers[protocol]?.candidate != null && after.servers[protocol]?.candidate == null && type === 'withdrawServerCandidate') bump(`withdrawn:${protocol}`);
  }
}

/**
 * Retention: only a tick drops exchanges (besides removing their relationship), and only finished
 * ones past their retention that nothing refers to; `finishedAt` is set exactly on finished
 * exchanges; and dropping what is due changes no relationship, status or resolution.
 */
function checkRetention(before: CemState, after: CemState, type: string, now: Date): void {
  const removedRelationships = new Set(Object.keys(before.relationships).filter((id) => after.relationships[id] === undefined));
  const referenced = referencedExchanges(after);
  for (const ex of [...Object.values(before.outbound), ...Object.values(before.inbound)]) {
    const id = 'key' in ex ? ex.key : ex.id;
    if (exchangeOf(after, id) !== undefined || removedRelationships.has(ex.relationshipId)) continue;
    expect(type, `${id} dropped by ${type}`).toBe('tick');
    expect(isFinished(ex), `${id} dropped while ${ex.status}`).toBe(true);
    expect(referenced.has(id) || referencedExchanges(before).has(id), `${id} dropped while referred to`).toBe(false);
    expect(retentionPassed(lastActivity(ex), now, retentionDays(before.settings)), `${id} dropped before its retention passed`).toBe(true);
    droppedExchanges += 1;
  }
  for (const ex of [...Object.values(after.outbound), ...Object.values(after.inbound)]) {
    expect(ex.finishedAt !== undefined, `finishedAt of ${ex.status} exchange after ${type}`).toBe(isFinished(ex));
    if (ex.finishedAt !== undefined) expect(Date.parse(ex.finishedAt)).toBeLessThanOrEqual(now.getTime());
  }
  // Dropping everything due far in the future is invisible to the relationships.
  const far = new Date(now.getTime() + 3650 * 86_400_000);
  const pruned = dropFinishedExchanges(after, far);
  expect(pruned.relationships).toBe(after.relationships);
  for (const id of RELS) {
    expect(relationshipStatus(pruned, id), `status of ${id} after pruning`).toEqual(relationshipStatus(after, id));
    expect(certificateStatuses(pruned, id), `certificates of ${id} after pruning`).toEqual(certificateStatuses(after, id));
    expect(resolveCertificates(pruned, id, now)).toEqual(resolveCertificates(after, id, now));
  }
  for (const id of referencedExchanges(after)) expect(exchangeOf(pruned, id)).toBe(exchangeOf(after, id));
}

function runSequence(extra: readonly CemEvent[], commands: readonly Command[]): void {
  const initial = initialState(extra);
  const shadow = initial.shadow;
  let state = initial.state;
  let now = T0;
  for (const cmd of commands) {
    const previous = now;
    if (cmd.kind === 'tick') now = new Date(now.getTime() + cmd.hours * 3_600_000);
    const event = toEvent(state, cmd, now);
    const result = checkStep(shadow, state, event, now, previous);
    state = result.state;
    // Most Requests reach the partner: confirm delivery right away when the command says so.
    const sent = result.effects.find((e) => e.type === 'sendRequest');
    if (cmd.kind === 'send' && cmd.deliver && sent?.type === 'sendRequest') state = checkStep(shadow, state, { type: 'requestDelivered', requestId: sent.requestId }, now, now).state;
    // The due index: nothing happens before the earliest due instant.
    checkDue(state, now, (event as { type?: unknown } | null)?.type === 'tick');
  }
}

describe('lifecycle properties over random event sequences', () => {
  it('holds every invariant for a few hundred sequences of up to 40 events', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (cmds) => runSequence([], cmds)),
      { numRuns: Number(process.env['CEM_PROPERTY_RUNS'] ?? 300) },
    );

  }, 180_000);

  it('holds every invariant while finished exchanges are dropped (answers, first usage and far ticks)', () => {
    // Both partners take CEM here, so most exchanges are Requests that get answered.
    const cem: CemEvent = { type: 'featuresObserved', relationshipId: 'bolt', features: ['CEM'] };
    const before = droppedExchanges;
    fc.assert(
      fc.property(fc.array(retentionCommand, { minLength: 20, maxLength: 80 }), (cmds) => runSequence([cem], cmds)),
      { numRuns: Number(process.env['CEM_PROPERTY_RUNS'] ?? 300) },
    );
    // The property must really exercise retention.
    expect(droppedExchanges - before, 'no run dropped a finished exchange').toBeGreaterThan(0);
  }, 180_000);

  it('holds every invariant while server certificates roll over on two listeners (consensus, schedules, set as active, withdrawal, listener moves)', () => {
    const cem: CemEvent = { type: 'featuresObserved', relationshipId: 'bolt', features: ['CEM'] };
    const before = new Map(serverPaths);
    const counted = sliceProbes.counted;
    fc.assert(
      fc.property(fc.array(serverCommand, { minLength: 10, maxLength: 40 }), (cmds) => runSequence([cem], cmds)),
      { numRuns: Number(process.env['CEM_PROPERTY_RUNS'] ?? 200) },
    );
    // Both listeners must really see installs released by their partners and withdrawn candidates.
    for (const path of ['consensus:HTTP', 'consensus:FTP', 'installed:HTTP', 'installed:FTP', 'withdrawn:HTTP', 'withdrawn:FTP']) {
      expect((serverPaths.get(path) ?? 0) - (before.get(path) ?? 0), `no run exercised ${path}`).toBeGreaterThan(0);
    }
    // The slice rule must really have weighed counted partners (a listener's others in listenerOthers).
    expect(sliceProbes.counted - counted, 'no step checked a slice with counted partners').toBeGreaterThan(100);
  }, 180_000);
});
