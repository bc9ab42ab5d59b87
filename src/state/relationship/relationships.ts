/**
 * Relationship events: settings, adding, updating and removing trading relationships, and the
 * partner's observed CEM capability.
 *
 * @module
 */
import { assertNever } from '../assert-never.js';
import type { CemEffect } from '../effects.js';
import type { CemEvent, RelationshipInit } from '../events.js';
import { toCertRef } from './cert-ref.js';
import { freeze } from '../freeze.js';
import { acceptsPartnerSigner, findByNames, getRelationship } from '../lookup.js';
import { featuresIncludeCem } from '../indexes/name-entry.js';
import type { CemState, LocalUsage, PartnerProtocol, PartnerUsage, Relationship, ServerProtocol } from '../model.js';
import { ALL_SLOTS, slotAt } from './relationship-slots.js';
import { done, ignored, type TransitionResult } from '../result.js';
import { SERVER_PROTOCOLS, settleServer } from '../listener/servers.js';
import { mergeSettings, settingsProblem } from '../settings.js';
import { initialSlot } from './slots.js';
import { LOCAL_USAGES, PARTNER_USAGES } from './usages.js';
import { isCertificateInfo, isLocalInput, isOneOf, isRecord, isText } from '../validate.js';

/** Every partner protocol. */
export const PARTNER_PROTOCOLS: readonly PartnerProtocol[] = Object.freeze(['AS2', 'AS3', 'AS1', 'FTP', 'SFTP', 'OFTP', 'HTTP']);

/**
 * The listener a partner of this protocol reaches by default: AS2/HTTP → HTTP, AS3/FTP → FTP,
 * SFTP → SSH-FTP, OFTP → OFTP, AS1 (email) → none.
 *
 * @example
 * ```ts
 * defaultListener('AS2') // 'HTTP'
 * ```
 * @throws never.
 */
export function defaultListener(protocol: PartnerProtocol): ServerProtocol | null {
  switch (protocol) {
    case 'AS2':
    case 'HTTP':
      return 'HTTP';
    case 'AS3':
    case 'FTP':
      return 'FTP';
    case 'SFTP':
      return 'SSH-FTP';
    case 'OFTP':
      return 'OFTP';
    case 'AS1':
      return null;
    default:
      return assertNever(protocol);
  }
}

const optionalText = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function changesProblem(changes: Readonly<Record<string, unknown>>): string | null {
  if (!optionalText(changes['partnerEmail']) || !optionalText(changes['responseUrl'])) return 'partnerEmail/responseUrl must be strings or null';
  if (changes['autoAccept'] !== undefined && !isOneOf(changes['autoAccept'], ['inherit', 'on', 'off'])) return 'autoAccept is invalid';
  if (changes['cemOverride'] !== undefined && !isOneOf(changes['cemOverride'], ['auto', 'capable', 'incapable'])) return 'cemOverride is invalid';
  if (changes['listener'] !== undefined && changes['listener'] !== null && !isOneOf(changes['listener'], SERVER_PROTOCOLS)) return 'listener is invalid';
  if (changes['protocol'] !== undefined && !isOneOf(changes['protocol'], PARTNER_PROTOCOLS)) return 'protocol is invalid';
  return null;
}

function initProblem(init: unknown): string | null {
  if (!isRecord(init)) return 'relationship missing';
  if (!isText(init['id']) || !isText(init['localName']) || !isText(init['partnerName'])) return 'id, localName and partnerName are required';
  if (!isOneOf(init['protocol'], PARTNER_PROTOCOLS)) return 'protocol is invalid';
  const problem = changesProblem(init);
  if (problem !== null) return problem;
  const local = init['local'];
  const partner = init['partner'];
  if (local !== undefined && (!isRecord(local) || Object.entries(local).some(([k, v]) => !isOneOf(k, LOCAL_USAGES) || (v !== undefined && !isLocalInput(v))))) return 'local certificates are malformed';
  if (partner !== undefined && (!isRecord(partner) || Object.entries(partner).some(([k, v]) => !isOneOf(k, PARTNER_USAGES) || (v !== undefined && !isCertificateInfo(v))))) return 'partner certificates are malformed';
  return null;
}

function buildRelationship(init: RelationshipInit, now: Date): Relationship {
  const local = Object.fromEntries(LOCAL_USAGES.map((u: LocalUsage) => {
    const input = init.local?.[u];
    return [u, initialSlot(input === undefined ? null : toCertRef(input.certificate, input.keyRef), now)];
  })) as Record<LocalUsage, ReturnType<typeof initialSlot>>;
  const partner = Object.fromEntries(PARTNER_USAGES.map((u: PartnerUsage) => {
    const info = init.partner?.[u];
    return [u, initialSlot(info === undefined ? null : toCertRef(info), now)];
  })) as Record<PartnerUsage, ReturnType<typeof initialSlot>>;
  return freeze({
    id: init.id,
    localName: init.localName,
    partnerName: init.partnerName,
    protocol: init.protocol,
    listener: init.listener === undefined ? defaultListener(init.protocol) : init.listener,
    cem: freeze({ observed: false, observedAt: null, override: init.cemOverride ?? 'auto' }),
    autoAccept: init.autoAccept ?? 'inherit',
    partnerEmail: init.partnerEmail ?? null,
    responseUrl: init.responseUrl ?? null,
    local: freeze(local),
    partner: freeze(partner),
    serverReadiness: null,
  });
}

function withRelationships(state: CemState, relationships: Readonly<Record<string, Relationship>>): CemState {
  return freeze({ ...state, relationships: freeze(relationships) });
}

function onUpdated(state: CemState, event: Extract<CemEvent, { type: 'relationshipUpdated' }>, now: Date): TransitionResult {
  const rel = getRelationship(state, event.relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
  if (!isRecord(event.changes)) return ignored(state, 'invalidEvent', 'changes missing');
  const problem = changesProblem(event.changes);
  if (problem !== null) return ignored(state, 'invalidEvent', problem);
  const c = event.changes;
  const listener = c.listener === undefined ? rel.listener : c.listener;
  const next: Relationship = freeze({
    ...rel,
    partnerEmail: c.partnerEmail === undefined ? rel.partnerEmail : c.partnerEmail,
    responseUrl: c.responseUrl === undefined ? rel.responseUrl : c.responseUrl,
    autoAccept: c.autoAccept ?? rel.autoAccept,
    cem: c.cemOverride === undefined ? rel.cem : freeze({ ...rel.cem, override: c.cemOverride }),
    protocol: c.protocol ?? rel.protocol,
    listener,
    serverReadiness: listener === rel.listener ? rel.serverReadiness : null,
  });
  let current = withRelationships(state, { ...state.relationships, [rel.id]: next });
  const effects: CemEffect[] = [];
  const affected = listener === rel.listener ? [] : [rel.listener, listener];
  for (const protocol of affected) {
    if (protocol === null) continue;
    const step = settleServer(current, protocol, now, false);
    current = step.state;
    effects.push(...step.effects);
  }
  return done(current, effects);
}

function openExchange(state: CemState, relationshipId: string): string | null {
  for (const ex of Object.values(state.outbound)) {
    if (ex.relationshipId === relationshipId && (ex.status === 'sending' || ex.status === 'sendFailed' || ex.status === 'pending')) return ex.id;
  }
  for (const ex of Object.values(state.inbound)) {
    if (ex.relationshipId === relationshipId && ex.status !== 'answered' && ex.status !== 'superseded') return ex.key;
  }
  return null;
}

function onRemoved(state: CemState, relationshipId: unknown, now: Date): TransitionResult {
  const rel = getRelationship(state, relationshipId);
  if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(relationshipId)}`);
  const open = openExchange(state, rel.id);
  if (open !== null) return ignored(state, 'invalidState', `exchange ${open} is still open`);
  const effects: CemEffect[] = [];
  for (const address of ALL_SLOTS) {
    const slot = slotAt(rel, address);
    const certs = [...slot.active.map((a) => a.cert), ...(slot.successor === null ? [] : [slot.successor.cert])];
    for (const cert of certs) effects.push({ type: 'archiveCertificate', relationshipId: rel.id, side: address.side, usage: address.usage, fingerprint: cert.fingerprint });
  }
  const relationships = Object.fromEntries(Object.entries(state.relationships).filter(([id]) => id !== rel.id));
  let next: CemState = freeze({
    ...withRelationships(state, relationships),
    outbound: freeze(Object.fromEntries(Object.entries(state.outbound).filter(([, ex]) => ex.relationshipId !== rel.id))),
    inbound: freeze(Object.fromEntries(Object.entries(state.inbound).filter(([, ex]) => ex.relationshipId !== rel.id))),
  });
  if (rel.listener !== null) {
    const step = settleServer(next, rel.listener, now, false);
    next = step.state;
    effects.push(...step.effects);
  }
  return done(next, effects);
}

type RelationshipEvent = Extract<CemEvent, { type: 'settingsChanged' | 'relationshipAdded' | 'relationshipUpdated' | 'relationshipRemoved' | 'featuresObserved' }>;

/**
 * Handles `settingsChanged`, `relationshipAdded`, `relationshipUpdated`, `relationshipRemoved`
 * and `featuresObserved`.
 *
 * Removal is refused (`invalidState`) while the relationship has an open exchange (a Request
 * waiting to be sent or answered, a received Request not yet answered); otherwise every active
 * and successor certificate gets an `archiveCertificate` effect and the relationship and its
 * exchanges leave the state.
 *
 * `featuresObserved` records whether the partner's last message advertised `CEM` (RFC 6017 §3;
 * names compared case-insensitively), only for a message verified by an accepted partner signing
 * certificate (`verifiedBy`; otherwise `ignored` / `notAuthenticated`, nothing kept); `observedAt` is when the current value was first seen, so
 * repeated identical observations change nothing.
 *
 * @example
 * ```ts
 * onRelationshipEvent(state, { type: 'featuresObserved', relationshipId: 'acme', features: ['CEM'] }, now)
 * ```
 * @throws never.
 */
export function onRelationshipEvent(state: CemState, event: RelationshipEvent, now: Date): TransitionResult {
  switch (event.type) {
    case 'settingsChanged': {
      const problem = settingsProblem(event.settings);
      if (problem !== null) return ignored(state, 'invalidEvent', problem);
      return done(freeze({ ...state, settings: mergeSettings(state.settings, event.settings) }));
    }
    case 'relationshipAdded': {
      const problem = initProblem(event.relationship);
      if (problem !== null) return ignored(state, 'invalidEvent', problem);
      const init = event.relationship;
      if (getRelationship(state, init.id) !== undefined) return ignored(state, 'duplicate', `relationship ${init.id} exists`);
      if (findByNames(state, init.partnerName, init.localName) !== undefined) return ignored(state, 'duplicate', `a relationship ${init.localName} ↔ ${init.partnerName} exists`);
      return done(withRelationships(state, { ...state.relationships, [init.id]: buildRelationship(init, now) }));
    }
    case 'relationshipUpdated':
      return onUpdated(state, event, now);
    case 'relationshipRemoved':
      return onRemoved(state, event.relationshipId, now);
    case 'featuresObserved': {
      const rel = getRelationship(state, event.relationshipId);
      if (rel === undefined) return ignored(state, 'unknownRelationship', `no relationship ${String(event.relationshipId)}`);
      if (!Array.isArray(event.features)) return ignored(state, 'invalidEvent', 'features must be a list');
      if (event.verifiedBy !== undefined && !acceptsPartnerSigner(rel, event.verifiedBy)) {
        return ignored(state, 'notAuthenticated', 'EDIINT-Features of a message not verified by an accepted partner signing certificate change nothing');
      }
      const observed = featuresIncludeCem(event.features);
      if (observed === rel.cem.observed) return done(state);
      const next = freeze({ ...rel, cem: freeze({ ...rel.cem, observed, observedAt: now.toISOString() }) });
      return done(withRelationships(state, { ...state.relationships, [rel.id]: next }));
    }
    default:
      return assertNever(event);
  }
}
