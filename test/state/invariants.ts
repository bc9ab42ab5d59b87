/**
 * Invariants of the lifecycle, checked by the property tests after every transition.
 */
import { resolveCertificates } from '../../src/policy/resolution.js';
import { allowsEarlyFirstUsage } from '../../src/state/relationship/capability.js';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemState, CertSlot, Relationship } from '../../src/state/model.js';

/** Every fingerprint in a live position: active, successor (not rejected), server installed or candidate. */
export function liveFingerprints(state: CemState): Set<string> {
  const live = new Set<string>();
  const slot = (s: CertSlot): void => {
    for (const a of s.active) live.add(a.cert.fingerprint);
    if (s.successor !== null && s.successor.status !== 'rejected') live.add(s.successor.cert.fingerprint);
  };
  for (const rel of Object.values(state.relationships)) {
    Object.values(rel.local).forEach(slot);
    Object.values(rel.partner).forEach(slot);
  }
  for (const server of Object.values(state.servers)) {
    if (server?.installed) live.add(server.installed.cert.fingerprint);
    if (server?.candidate) live.add(server.candidate.cert.fingerprint);
  }
  return live;
}

/** Every fingerprint the state still knows: live, archived, or in an exchange. */
export function findableFingerprints(state: CemState): Set<string> {
  const found = liveFingerprints(state);
  const slot = (s: CertSlot): void => {
    for (const a of s.archive) found.add(a.cert.fingerprint);
    if (s.successor !== null) found.add(s.successor.cert.fingerprint);
  };
  for (const rel of Object.values(state.relationships)) {
    Object.values(rel.local).forEach(slot);
    Object.values(rel.partner).forEach(slot);
  }
  for (const server of Object.values(state.servers)) server?.archive.forEach((a) => found.add(a.cert.fingerprint));
  for (const ex of Object.values(state.outbound)) ex.items.forEach((i) => found.add(i.fingerprint));
  for (const ex of Object.values(state.inbound)) ex.items.forEach((i) => found.add(i.cert.fingerprint));
  return found;
}

/** Fingerprints handed to the engine's archive by `archiveCertificate` effects. */
export function archivedByEffects(effects: readonly CemEffect[]): Set<string> {
  return new Set(effects.flatMap((e) => (e.type === 'archiveCertificate' ? [e.fingerprint] : [])));
}

const isDue = (iso: string | null, now: Date): boolean => iso !== null && Date.parse(iso) <= now.getTime();

/** Why a resolved certificate is not allowed in a live list, or null when every one is. */
export function unacceptedInResolution(state: CemState, rel: Relationship, now: Date): string | null {
  const r = resolveCertificates(state, rel.id, now);
  if (r === null) return 'relationship not resolved';
  const activeOrDue = (slot: CertSlot, fp: string | undefined): boolean =>
    fp === undefined || slot.active[0]?.cert.fingerprint === fp || (slot.successor?.cert.fingerprint === fp && slot.successor.status === 'scheduled' && isDue(slot.successor.activateAt, now));
  const inList = (slot: CertSlot, fp: string, allowed: (status: string, activateAt: string | null) => boolean): boolean =>
    slot.active.some((a) => a.cert.fingerprint === fp) || (slot.successor?.cert.fingerprint === fp && allowed(slot.successor.status, slot.successor.activateAt));
  const early = allowsEarlyFirstUsage(rel);
  const scheduledOk = (status: string, at: string | null, earlyOk: boolean): boolean => status === 'scheduled' && (isDue(at, now) || earlyOk);
  if (!activeOrDue(rel.local.signing, r.signOutbound?.fingerprint) || !activeOrDue(rel.local.signing, r.signMdn?.fingerprint)) return 'signOutbound';
  if (!activeOrDue(rel.partner.encryption, r.encryptOutbound?.fingerprint)) return 'encryptOutbound';
  if (!activeOrDue(rel.local.tlsClient, r.tlsClient?.fingerprint)) return 'tlsClient';
  for (const c of r.decryptInbound) {
    if (!inList(rel.local.encryption, c.fingerprint, (s, at) => ['pending', 'accepted', 'expired', 'emailed', 'sendFailed'].includes(s) || scheduledOk(s, at, early))) return `decryptInbound ${c.fingerprint}`;
  }
  for (const c of [...r.verifyInbound, ...r.verifyMdn]) {
    if (!inList(rel.partner.signing, c.fingerprint, (s, at) => s === 'accepted' || scheduledOk(s, at, early))) return `verifyInbound ${c.fingerprint}`;
  }
  for (const c of r.tlsServerTrust) if (!inList(rel.partner.tlsServer, c.fingerprint, (s, at) => s === 'accepted' || scheduledOk(s, at, false))) return 'tlsServerTrust';
  for (const c of r.tlsClientTrust) if (!inList(rel.partner.tlsClient, c.fingerprint, (s, at) => s === 'accepted' || scheduledOk(s, at, false))) return 'tlsClientTrust';
  const installed = rel.listener === null ? null : state.servers[rel.listener]?.installed?.cert.fingerprint ?? null;
  if ((r.tlsServer?.fingerprint ?? null) !== installed) return 'tlsServer';
  const decrypting = new Set(r.decryptInbound.map((c) => c.fingerprint));
  const verifying = new Set(r.verifyInbound.map((c) => c.fingerprint));
  if (r.decryptArchive.some((c) => decrypting.has(c.fingerprint))) return 'archive mixed into decryptInbound';
  if (r.verifyArchive.some((c) => verifying.has(c.fingerprint))) return 'archive mixed into verifyInbound';
  return null;
}

/** Why an active (old) certificate is not acceptable inbound, or null. */
export function overlapBroken(state: CemState, rel: Relationship, now: Date): string | null {
  const r = resolveCertificates(state, rel.id, now);
  if (r === null) return 'relationship not resolved';
  const has = (list: readonly { fingerprint: string }[], slot: CertSlot): boolean => slot.active.every((a) => list.some((c) => c.fingerprint === a.cert.fingerprint));
  if (!has(r.verifyInbound, rel.partner.signing) || !has(r.verifyMdn, rel.partner.signing)) return 'partner signing';
  if (!has(r.decryptInbound, rel.local.encryption)) return 'local encryption';
  if (!has(r.tlsServerTrust, rel.partner.tlsServer)) return 'partner tlsServer';
  if (!has(r.tlsClientTrust, rel.partner.tlsClient)) return 'partner tlsClient';
  const successor = rel.partner.signing.successor;
  if (successor?.status === 'accepted' && !r.verifyInbound.some((c) => c.fingerprint === successor.cert.fingerprint)) return 'accepted partner signing successor';
  return null;
}

/** True when every object reachable from `value` is frozen. */
export function isDeepFrozen(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return true;
  seen.add(value);
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every((v) => isDeepFrozen(v, seen));
}

/** One slot's members: its successor (with status) and every certificate it holds. */
interface SlotMembers {
  readonly successor: { readonly fingerprint: string; readonly status: string } | null;
  readonly all: ReadonlySet<string>;
}

/** Every slot of the state (`rel|side|usage`, and `server|<protocol>`) with its members. */
export function slotMembers(state: CemState): Map<string, SlotMembers> {
  const slots = new Map<string, SlotMembers>();
  for (const rel of Object.values(state.relationships)) {
    for (const [side, group] of [['local', rel.local], ['partner', rel.partner]] as const) {
      for (const [usage, slot] of Object.entries(group) as [string, CertSlot][]) {
        const all = new Set([...slot.active.map((a) => a.cert.fingerprint), ...slot.archive.map((a) => a.cert.fingerprint)]);
        if (slot.successor !== null) all.add(slot.successor.cert.fingerprint);
        slots.set(`${rel.id}|${side}|${usage}`, { successor: slot.successor === null ? null : { fingerprint: slot.successor.cert.fingerprint, status: slot.successor.status }, all });
      }
    }
  }
  for (const server of Object.values(state.servers)) {
    if (server === undefined) continue;
    const all = new Set(server.archive.map((a) => a.cert.fingerprint));
    if (server.installed !== null) all.add(server.installed.cert.fingerprint);
    if (server.candidate !== null) all.add(server.candidate.cert.fingerprint);
    slots.set(`server|${server.protocol}`, { successor: null, all });
  }
  return slots;
}

/**
 * Why a certificate left a slot without an event that legitimately removes it, or null. A
 * certificate that entered a slot (as successor, active or archived) stays there, as successor,
 * active or archived, except: its relationship was removed; or it was the successor and a new
 * successor took its place (or entered the slot and was activated at once) while it was
 * `rejected` (never usable; also `pending` or `sendFailed` outside our encryption slot, where
 * those keep decrypting as active certificates), so it stays findable in its exchange only.
 */
export function lostFromSlots(before: Map<string, SlotMembers>, after: Map<string, SlotMembers>, removedRelationships: ReadonlySet<string>): string | null {
  for (const [key, members] of before) {
    if (removedRelationships.has(key.split('|')[0] ?? '')) continue;
    const next = after.get(key);
    for (const fp of members.all) {
      if (next?.all.has(fp) === true) continue;
      const previous = members.successor;
      const droppable = key.endsWith('|local|encryption') ? ['rejected'] : ['rejected', 'pending', 'sendFailed'];
      // A new certificate took its place: it is the successor now, or entered the slot and was activated at once.
      const replaced = next !== undefined && (next.successor?.fingerprint ?? fp) !== fp || [...(next?.all ?? [])].some((other) => !members.all.has(other));
      const displaced = previous !== null && previous.fingerprint === fp && replaced && droppable.includes(previous.status);
      if (!displaced) return `${fp} left ${key}${previous?.fingerprint === fp ? ` (successor ${previous.status})` : ''}`;
    }
  }
  return null;
}
