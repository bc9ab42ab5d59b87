/**
 * Planning an outbound selection (Cleo's "Send certificates" dialog, decision 3 of
 * docs/lifecycle.md): which usages go out, grouped into one item per distinct certificate.
 *
 * @module
 */
import type { CertUsage } from '../../types.js';
import { toCertRef } from './cert-ref.js';
import type { IgnoredReason } from '../effects.js';
import type { CertificateSelection, LocalCertificateInput, RequestIds } from '../events.js';
import { getServer } from '../lookup.js';
import type { CemState, CertRef, LocalUsage, Relationship, SuccessorStatus } from '../model.js';
import { isLocalInput, isRecord, isText } from '../validate.js';

/** Successor statuses that block a new exchange for the same usage. */
export const BLOCKING_STATUSES: readonly string[] = Object.freeze(['pending', 'sendFailed', 'accepted', 'emailed']);

/** One usage of a planned exchange and the slot it fills. */
export interface PlannedUsage {
  readonly usage: CertUsage;
  /** Our slot, or `server` for the listener's shared certificate. */
  readonly slot: LocalUsage | 'server';
  readonly cert: CertRef;
}

/** One certificate of a planned exchange, with every usage it is sent for. */
export interface PlannedItem {
  readonly cert: CertRef;
  readonly usages: readonly CertUsage[];
}

/** A plan, or why there is none. */
export type SelectionPlan =
  | { readonly ok: true; readonly usages: readonly PlannedUsage[]; readonly items: readonly PlannedItem[] }
  | { readonly ok: false; readonly reason: IgnoredReason; readonly detail: string };

const refuse = (reason: IgnoredReason, detail: string): SelectionPlan => ({ ok: false, reason, detail });

/**
 * True when `ids` holds a requestId (1–255 characters, draft §3.1), an XML Content-ID and at
 * least `count` certificate Content-IDs.
 *
 * @example
 * ```ts
 * idsAreValid({ requestId: 'r1', xmlContentId: 'x@h', contentIds: ['c1@h'] }, 1) // true
 * ```
 * @throws never.
 */
export function idsAreValid(ids: unknown, count: number): ids is RequestIds {
  if (!isRecord(ids) || !isText(ids['requestId']) || ids['requestId'].length > 255 || !isText(ids['xmlContentId'])) return false;
  const contentIds = ids['contentIds'];
  return Array.isArray(contentIds) && contentIds.length >= count && contentIds.slice(0, count).every(isText);
}

function blockingStatus(status: SuccessorStatus | string | undefined): boolean {
  return status !== undefined && BLOCKING_STATUSES.includes(status);
}

/**
 * Plans a selection. Encryption defaults to the signing certificate; usages whose certificate is
 * already active are left out unless `includeActive`; a usage whose slot already has a pending,
 * failed, accepted or emailed successor refuses the whole selection (`alreadyPending`); a TLS
 * server certificate needs a listener (`noListener`) and must equal the listener's existing
 * candidate (`serverCertificateMismatch`). Nothing left → `nothingToSend`.
 *
 * @example
 * ```ts
 * const plan = planSelection(state, rel, { signing: { certificate: next } }, false)
 * if (plan.ok) plan.items[0]?.usages // ['digitalSignature', 'keyEncipherment']
 * ```
 * @throws never.
 */
export function planSelection(state: CemState, rel: Relationship, selection: CertificateSelection, includeActive: boolean): SelectionPlan {
  if (!isRecord(selection) || !isLocalInput(selection.signing)) return refuse('invalidEvent', 'a signing certificate is required');
  const optional: readonly (LocalCertificateInput | undefined)[] = [selection.encryption, selection.tlsClient, selection.tlsServer];
  if (optional.some((input) => input !== undefined && !isLocalInput(input))) return refuse('invalidEvent', 'a selected certificate is malformed');
  const wanted: readonly [CertUsage, LocalUsage | 'server', LocalCertificateInput | undefined][] = [
    ['digitalSignature', 'signing', selection.signing],
    ['keyEncipherment', 'encryption', selection.encryption ?? selection.signing],
    ['tlsClient', 'tlsClient', selection.tlsClient],
    ['tlsServer', 'server', selection.tlsServer],
  ];
  const usages: PlannedUsage[] = [];
  for (const [usage, slot, input] of wanted) {
    if (input === undefined) continue;
    const cert = toCertRef(input.certificate, input.keyRef);
    if (slot === 'server') {
      if (rel.listener === null) return refuse('noListener', `${rel.id} has no listener for a TLS server certificate`);
      const server = getServer(state, rel.listener);
      if (!includeActive && server.installed?.cert.fingerprint === cert.fingerprint) continue;
      if (blockingStatus(rel.serverReadiness?.status)) return refuse('alreadyPending', `a ${rel.listener} server certificate is already pending with ${rel.id}`);
      if (server.candidate !== null && server.candidate.cert.fingerprint !== cert.fingerprint && server.installed?.cert.fingerprint !== cert.fingerprint) {
        return refuse('serverCertificateMismatch', `the pending ${rel.listener} server certificate is ${server.candidate.cert.fingerprint}`);
      }
    } else {
      const current = rel.local[slot];
      if (!includeActive && current.active[0]?.cert.fingerprint === cert.fingerprint) continue;
      if (blockingStatus(current.successor?.status)) return refuse('alreadyPending', `the ${slot} certificate of ${rel.id} already has a ${current.successor?.status} successor`);
    }
    usages.push({ usage, slot, cert });
  }
  const items: { cert: CertRef; usages: CertUsage[] }[] = [];
  for (const planned of usages) {
    const item = items.find((i) => i.cert.fingerprint === planned.cert.fingerprint);
    if (item === undefined) items.push({ cert: planned.cert, usages: [planned.usage] });
    else item.usages.push(planned.usage);
  }
  if (items.length === 0) return refuse('nothingToSend', 'every selected certificate is already active');
  return { ok: true, usages, items };
}
