/**
 * A partner's late Rejected answer for one of our certificates that we already use without its
 * acceptance: because its respond-by time passed (`useAfterRespondBy`, draft §2.4 MAY), or, for
 * our encryption certificate, because the partner encrypted to it before answering (first usage)
 * or because it kept decrypting after a newer one displaced it. Resolution must never hand out a
 * certificate the partner rejected, so the certificate it replaced becomes active again (cause
 * `restored`), with a `certificateRestored` warning. Decisions 5, 6 and 11 of docs/lifecycle.md.
 *
 * @module
 */
import { restoredAlert } from '../../policy/alerts.js';
import { toIso } from '../../policy/deadlines.js';
import type { CemEffect } from '../effects.js';
import { freeze } from '../freeze.js';
import { getServer, putServer } from '../lookup.js';
import type { ActiveCert, ArchivedCert, CemState, CertRef, CertSlot, LocalUsage, OutboundItem, Relationship, ServerProtocol } from '../model.js';
import { changeSlot } from './relationship-slots.js';
import { notify } from '../result.js';

/** The certificates a `respondByPassed` or `firstUsage` activation archived (its `replaced`), from the archive. */
function predecessors(entry: ActiveCert, archive: readonly ArchivedCert[]): CertRef[] {
  return (entry.replaced ?? []).flatMap((fp) => archive.filter((a) => a.cert.fingerprint === fp).map((a) => a.cert));
}

/**
 * The slot without `entry` and with `restored` active again (cause `restored`, first): the
 * active list, and the archive without the restored certificates and without `entry`.
 */
function withRestored(slot: CertSlot, entry: ActiveCert, restored: readonly CertRef[], at: string): { active: readonly ActiveCert[]; archive: readonly ArchivedCert[] } {
  const back = new Set(restored.map((c) => c.fingerprint));
  const active = freeze([
    ...restored.map((cert) => freeze({ cert, since: at, cause: 'restored' as const })),
    ...slot.active.filter((a) => a !== entry && !back.has(a.cert.fingerprint)),
  ]);
  const archive = slot.archive.filter((a) => !back.has(a.cert.fingerprint) && a.cert.fingerprint !== entry.cert.fingerprint);
  return { active, archive };
}

/** What the partner said, for the alert and the rejected successor. */
export interface LateRejection {
  /** The relationship whose partner rejected it. */
  readonly relationshipId: string;
  /** Our Request that carried the certificate. */
  readonly requestId: string;
  readonly reason: string | null;
}

/**
 * Undoes the use of our signing or TLS client certificate `item` when it is active with cause
 * `respondByPassed` and the partner rejected it: the certificates it replaced are active again
 * (cause `restored`, taken out of the archive; none when the slot had none). The rejected
 * certificate becomes the slot's `rejected` successor (as if the answer had come in time), or,
 * when a newer successor already waits, is archived with reason `rejected` (an
 * `archiveCertificate` effect). Returns `null` (nothing to undo) for any other certificate.
 *
 * @example
 * ```ts
 * const undone = restoreLocalOnRejection(rel, 'signing', item, { relationshipId: rel.id, requestId: ex.id, reason: item.reason }, now)
 * ```
 * @throws never.
 */
export function restoreLocalOnRejection(rel: Relationship, usage: LocalUsage, item: OutboundItem, answer: LateRejection, now: Date): { rel: Relationship; effects: CemEffect[] } | null {
  const slot = rel.local[usage];
  const entry = slot.active.find((a) => a.cert.fingerprint === item.fingerprint && a.cause === 'respondByPassed');
  if (entry === undefined) return null;
  const at = toIso(now);
  const restored = predecessors(entry, slot.archive);
  const { active, archive } = withRestored(slot, entry, restored, at);
  const waiting = slot.successor !== null && !restored.some((c) => c.fingerprint === slot.successor?.cert.fingerprint) ? slot.successor : null;
  // Rejected as if the answer had come in time; archived when a newer successor already waits.
  const next: CertSlot = waiting === null
    ? freeze({ active, archive: freeze(archive), successor: freeze({ cert: entry.cert, status: 'rejected' as const, since: at, exchangeId: answer.requestId, activateAt: null, reason: answer.reason }) })
    : freeze({ active, successor: waiting, archive: freeze([...archive, freeze({ cert: entry.cert, archivedAt: at, reason: 'rejected' as const })]) });
  const change = changeSlot(rel, { side: 'local', usage }, () => freeze({ slot: next, archived: freeze(waiting === null ? [] : [entry.cert]) }));
  const alert = restoredAlert({ relationshipId: rel.id, side: 'local', usage }, entry.cert, restored, answer.requestId, answer.reason, 'active');
  return { rel: change.rel, effects: [...change.effects, notify(alert)] };
}

/**
 * A Rejected answer for our encryption certificate that already decrypts as an active one
 * without the partner's acceptance: it was activated by first usage while still `pending` or
 * `expired` (the partner encrypted to it before answering; cause `firstUsage`, and the item was
 * not accepted before), or it was kept decrypting after a newer certificate displaced it (cause
 * `distributed`). Resolution must not offer a certificate the partner refused for live use, so it
 * leaves the active certificates and is archived with reason `rejected` (an `archiveCertificate`
 * effect): it stays in `decryptArchive`, because the partner may already have encrypted messages
 * to it. For a first-usage activation, the certificates it replaced are active again (cause
 * `restored`, taken out of the archive) and a `certificateRestored` warning goes out. A waiting
 * successor is left alone. Returns `null` (nothing to undo) for any other certificate, and for
 * one the partner had accepted before (a later conflicting Rejected is recorded, not undone,
 * decision 5).
 *
 * @example
 * ```ts
 * const undone = restoreEncryptionOnRejection(rel, item, { relationshipId: rel.id, requestId: ex.id, reason: item.reason }, now)
 * ```
 * @throws never.
 */
export function restoreEncryptionOnRejection(rel: Relationship, item: OutboundItem, answer: LateRejection, now: Date): { rel: Relationship; effects: CemEffect[] } | null {
  const slot = rel.local.encryption;
  const entry = slot.active.find((a) => a.cert.fingerprint === item.fingerprint);
  if (entry === undefined) return null;
  const firstUsage = entry.cause === 'firstUsage' && item.previousStatus !== 'accepted';
  if (!firstUsage && entry.cause !== 'distributed') return null;
  const at = toIso(now);
  const restored = firstUsage ? predecessors(entry, slot.archive) : [];
  const { active, archive: kept } = withRestored(slot, entry, restored, at);
  const archive = freeze([...kept, freeze({ cert: entry.cert, archivedAt: at, reason: 'rejected' as const })]);
  const change = changeSlot(rel, { side: 'local', usage: 'encryption' }, () => freeze({ slot: freeze({ ...slot, active, archive }), archived: freeze([entry.cert]) }));
  if (!firstUsage) return { rel: change.rel, effects: [...change.effects] };
  const alert = restoredAlert({ relationshipId: rel.id, side: 'local', usage: 'encryption' }, entry.cert, restored, answer.requestId, answer.reason, 'active', 'firstUsage');
  return { rel: change.rel, effects: [...change.effects, notify(alert)] };
}

/**
 * Undoes the install of a listener's server certificate `fingerprint` when it was installed with
 * cause `respondByPassed` (a partner counted as ready only because its respond-by time passed)
 * and a partner on the listener rejected it: the certificate it replaced is installed again
 * (cause `restored`, an `installServerCertificate` effect so the listener presents it again; the
 * host's confirmation is then a duplicate), the rejected one archived with reason `rejected` (an
 * `archiveCertificate` effect). Without a previous certificate only the warning goes out. Returns
 * `null` (nothing to undo) for any other certificate.
 *
 * @example
 * ```ts
 * const undone = restoreServerOnRejection(state, 'HTTP', fp, { relationshipId: 'acme', requestId: 'r1', reason: null }, now)
 * ```
 * @throws never.
 */
export function restoreServerOnRejection(state: CemState, protocol: ServerProtocol, fingerprint: string, answer: LateRejection, now: Date): { state: CemState; effects: CemEffect[] } | null {
  const slot = getServer(state, protocol);
  const installed = slot.installed;
  if (installed === null || installed.cert.fingerprint !== fingerprint || installed.cause !== 'respondByPassed') return null;
  const [previous] = predecessors(installed, slot.archive);
  const where = { relationshipId: answer.relationshipId, side: 'local' as const, usage: `${protocol} server` };
  const alert = notify(restoredAlert(where, installed.cert, previous === undefined ? [] : [previous], answer.requestId, answer.reason, 'installed'));
  if (previous === undefined) return { state, effects: [alert] };
  const at = toIso(now);
  const archive = freeze([
    ...slot.archive.filter((a) => a.cert.fingerprint !== previous.fingerprint && a.cert.fingerprint !== fingerprint),
    freeze({ cert: installed.cert, archivedAt: at, reason: 'rejected' as const }),
  ]);
  const next = putServer(state, freeze({ ...slot, installed: freeze({ cert: previous, since: at, cause: 'restored' as const }), archive }));
  return {
    state: next,
    effects: [
      { type: 'installServerCertificate', protocol, fingerprint: previous.fingerprint, keyRef: previous.keyRef ?? null },
      { type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint },
      alert,
    ],
  };
}
