/**
 * Pure operations on one {@link CertSlot}: activating, placing a successor, retiring.
 *
 * Each returns the new slot and the certificates it moved to the archive, which callers turn into
 * `archiveCertificate` effects.
 *
 * @module
 */
import { toIso } from '../policy/deadlines.js';
import { assertNever } from './assert-never.js';
import { freeze } from './freeze.js';
import type { ActivationCause, ArchivedCert, CertRef, CertSlot, Fingerprint, Successor } from './model.js';

/** A slot after a change, with the certificates that change archived. */
export interface SlotChange {
  readonly slot: CertSlot;
  readonly archived: readonly CertRef[];
}

/** An empty slot. */
export const EMPTY_SLOT: CertSlot = freeze({ active: freeze([]), successor: null, archive: freeze([]) });

/**
 * A slot whose only active certificate is `cert` (cause `initial`), or the empty slot.
 *
 * @example
 * ```ts
 * initialSlot(ref, now).active[0]?.cause // 'initial'
 * ```
 * @throws never.
 */
export function initialSlot(cert: CertRef | null, now: Date): CertSlot {
  if (cert === null) return EMPTY_SLOT;
  return freeze({ active: freeze([freeze({ cert, since: toIso(now), cause: 'initial' as const })]), successor: null, archive: freeze([]) });
}

function appendArchive(archive: readonly ArchivedCert[], certs: readonly CertRef[], now: Date, reason: ArchivedCert['reason']): readonly ArchivedCert[] {
  if (certs.length === 0) return archive;
  const moved = new Set(certs.map((c) => c.fingerprint));
  const kept = archive.filter((a) => !moved.has(a.cert.fingerprint));
  const at = toIso(now);
  return freeze([...kept, ...certs.map((cert) => freeze({ cert, archivedAt: at, reason }))]);
}

/**
 * Makes `cert` the only active certificate; every other active one is archived with `reason`.
 * A successor with the same fingerprint is consumed; another successor stays. With cause
 * `respondByPassed` the new active entry lists the archived fingerprints in `replaced`, so a
 * later rejection can restore them.
 *
 * @example
 * ```ts
 * const { slot, archived } = activateOnly(old, next, now, 'cem', 'replaced')
 * ```
 * @throws never.
 */
export function activateOnly(slot: CertSlot, cert: CertRef, now: Date, cause: ActivationCause, reason: ArchivedCert['reason']): SlotChange {
  const retired = slot.active.filter((a) => a.cert.fingerprint !== cert.fingerprint).map((a) => a.cert);
  const successor = slot.successor !== null && slot.successor.cert.fingerprint === cert.fingerprint ? null : slot.successor;
  const revived = slot.archive.some((a) => a.cert.fingerprint === cert.fingerprint);
  const archive = appendArchive(revived ? freeze(slot.archive.filter((a) => a.cert.fingerprint !== cert.fingerprint)) : slot.archive, retired, now, reason);
  const entry = cause === 'respondByPassed' ? { cert, since: toIso(now), cause, replaced: freeze(retired.map((c) => c.fingerprint)) } : { cert, since: toIso(now), cause };
  const active = freeze([freeze(entry)]);
  return freeze({ slot: freeze({ active, successor, archive }), archived: freeze(retired) });
}

/**
 * Activates the slot's successor (see {@link activateOnly}); unchanged when there is none.
 *
 * @example
 * ```ts
 * activateSuccessor(slot, now, 'schedule', 'replaced')
 * ```
 * @throws never.
 */
export function activateSuccessor(slot: CertSlot, now: Date, cause: ActivationCause, reason: ArchivedCert['reason']): SlotChange {
  if (slot.successor === null) return freeze({ slot, archived: freeze([]) });
  return activateOnly(slot, slot.successor.cert, now, cause, reason);
}

/**
 * Places a new successor. The one it displaces (a different certificate) is handled by status:
 * `accepted` was promised to the partner, so it joins the active certificates (first, newest
 * first); `scheduled`, `emailed` and `expired` may have been used, so they are archived
 * (`replaced`); `pending`, `sendFailed` and `rejected` were never usable and stay findable in
 * their exchange.
 *
 * @example
 * ```ts
 * placeSuccessor(slot, { cert, status: 'pending', since, exchangeId, activateAt: null, reason: null }, now)
 * ```
 * @throws never.
 */
export function placeSuccessor(slot: CertSlot, successor: Successor, now: Date): SlotChange {
  const previous = slot.successor;
  const next = freeze({ ...slot, successor: freeze(successor) });
  if (previous === null || previous.cert.fingerprint === successor.cert.fingerprint) {
    return freeze({ slot: next, archived: freeze([]) });
  }
  switch (previous.status) {
    case 'accepted': {
      const promoted = freeze({ cert: previous.cert, since: toIso(now), cause: 'cem' as const });
      return freeze({ slot: freeze({ ...next, active: freeze([promoted, ...slot.active]) }), archived: freeze([]) });
    }
    case 'scheduled':
    case 'emailed':
    case 'expired':
      return freeze({ slot: freeze({ ...next, archive: appendArchive(slot.archive, [previous.cert], now, 'replaced') }), archived: freeze([previous.cert]) });
    case 'pending':
    case 'sendFailed':
    case 'rejected':
      return freeze({ slot: next, archived: freeze([]) });
    default:
      return assertNever(previous.status);
  }
}

/**
 * Changes the successor's status (and optionally its reason), when it is `fingerprint`.
 *
 * @example
 * ```ts
 * setSuccessorStatus(slot, fp, 'rejected', now, 'key too short')
 * ```
 * @throws never.
 */
export function setSuccessorStatus(
  slot: CertSlot,
  fingerprint: Fingerprint,
  status: Successor['status'],
  now: Date,
  reason: string | null = null,
): CertSlot {
  const current = slot.successor;
  if (current === null || current.cert.fingerprint !== fingerprint) return slot;
  if (current.status === status && current.reason === reason) return slot;
  return freeze({ ...slot, successor: freeze({ ...current, status, since: toIso(now), reason }) });
}

/**
 * Archives the successor with `reason` (a cancelled schedule), or drops it when `reason` is
 * `null` (it stays findable in its exchange).
 *
 * @example
 * ```ts
 * removeSuccessor(slot, now, 'cancelled')
 * ```
 * @throws never.
 */
export function removeSuccessor(slot: CertSlot, now: Date, reason: ArchivedCert['reason'] | null): SlotChange {
  const current = slot.successor;
  if (current === null) return freeze({ slot, archived: freeze([]) });
  if (reason === null) return freeze({ slot: freeze({ ...slot, successor: null }), archived: freeze([]) });
  return freeze({
    slot: freeze({ ...slot, successor: null, archive: appendArchive(slot.archive, [current.cert], now, reason) }),
    archived: freeze([current.cert]),
  });
}

/**
 * First usage of an active certificate: every active certificate listed after it (active
 * certificates are kept newest first, so these are older) is archived with reason `firstUsage`.
 *
 * @example
 * ```ts
 * retireOlderThan(slot, newFingerprint, now)
 * ```
 * @throws never.
 */
export function retireOlderThan(slot: CertSlot, fingerprint: Fingerprint, now: Date): SlotChange {
  const index = slot.active.findIndex((a) => a.cert.fingerprint === fingerprint);
  if (index < 0 || index === slot.active.length - 1) return freeze({ slot, archived: freeze([]) });
  const retired = slot.active.slice(index + 1).map((a) => a.cert);
  return freeze({
    slot: freeze({ ...slot, active: freeze(slot.active.slice(0, index + 1)), archive: appendArchive(slot.archive, retired, now, 'firstUsage') }),
    archived: freeze(retired),
  });
}
