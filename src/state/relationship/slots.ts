/**
 * Pure operations on one {@link CertSlot}: activating, placing a successor, retiring.
 *
 * Each returns the new slot and the certificates it moved to the archive, which callers turn into
 * `archiveCertificate` effects.
 *
 * @module
 */
import { toIso } from '../../policy/deadlines.js';
import { assertNever } from '../assert-never.js';
import { freeze } from '../freeze.js';
import type { ActivationCause, ActiveCert, ArchivedCert, CertRef, CertSlot, Fingerprint, Successor } from '../model.js';

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

/** Activations a later rejection by the partner can undo: they record what they archived. */
const UNDOABLE: readonly ActivationCause[] = ['respondByPassed', 'firstUsage'];

/**
 * Makes `cert` the only active certificate; every other active one is archived with `reason`.
 * A successor with the same fingerprint is consumed; another successor stays. With cause
 * `respondByPassed` or `firstUsage` the new active entry lists the archived fingerprints in
 * `replaced`, so a later rejection can restore them.
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
  const entry = UNDOABLE.includes(cause) ? { cert, since: toIso(now), cause, replaced: freeze(retired.map((c) => c.fingerprint)) } : { cert, since: toIso(now), cause };
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

/** Successor statuses of our encryption certificate the partner may already encrypt to (see {@link placeSuccessor}). */
const MAY_BE_IN_USE: readonly Successor['status'][] = ['pending', 'sendFailed', 'emailed', 'expired', 'scheduled'];

/**
 * Places a new successor. The one it displaces (a different certificate) is handled by status:
 * `accepted` was promised to the partner, so it joins the active certificates (first, newest
 * first); `rejected` was never usable and stays findable in its exchange. The others depend on
 * `keepDecrypting` (our encryption slot: decision 11, our encryption certificate decrypts from
 * the moment it is distributed): `pending`, `sendFailed`, `emailed`, `expired` and `scheduled`
 * encryption certificates may already be in use by the partner (an Accepted Response may have
 * been lost, a failed send may have lost only its MDN, an email or a schedule announced it), so
 * they join the active certificates too (first, cause `distributed`): they keep decrypting until
 * the first usage of a newer certificate or "set as active" retires them, and are never used
 * for anything else (our encryption certificate only decrypts). Without `keepDecrypting`
 * (signing, TLS client, partner slots) `scheduled`, `emailed` and `expired` ones are archived
 * (`replaced`), and `pending` and `sendFailed` ones stay findable in their exchange.
 *
 * @example
 * ```ts
 * placeSuccessor(slot, { cert, status: 'pending', since, exchangeId, activateAt: null, reason: null }, now, false)
 * ```
 * @throws never.
 */
export function placeSuccessor(slot: CertSlot, successor: Successor, now: Date, keepDecrypting = false): SlotChange {
  const previous = slot.successor;
  const next = freeze({ ...slot, successor: freeze(successor) });
  if (previous === null || previous.cert.fingerprint === successor.cert.fingerprint) {
    return freeze({ slot: next, archived: freeze([]) });
  }
  const promote = (cause: 'cem' | 'distributed'): SlotChange => {
    const promoted = freeze({ cert: previous.cert, since: toIso(now), cause });
    const rest = slot.active.filter((a) => a.cert.fingerprint !== previous.cert.fingerprint);
    return freeze({ slot: freeze({ ...next, active: freeze([promoted, ...rest]) }), archived: freeze([]) });
  };
  if (previous.status === 'accepted') return promote('cem');
  if (keepDecrypting && MAY_BE_IN_USE.includes(previous.status)) return promote('distributed');
  switch (previous.status) {
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
 * A `distributed` encryption certificate used this way becomes a first-usage activation (cause
 * `firstUsage`, `replaced` naming what it retired), so a later rejection restores them.
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
  const used = slot.active[index] as ActiveCert;
  const kept = used.cause === 'distributed'
    ? [...slot.active.slice(0, index), freeze({ cert: used.cert, since: toIso(now), cause: 'firstUsage' as const, replaced: freeze(retired.map((c) => c.fingerprint)) })]
    : slot.active.slice(0, index + 1);
  return freeze({
    slot: freeze({ ...slot, active: freeze(kept), archive: appendArchive(slot.archive, retired, now, 'firstUsage') }),
    archived: freeze(retired),
  });
}
