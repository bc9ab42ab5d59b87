/**
 * Whether a received certificate is accepted automatically, rejected, or left to the
 * administrator (Cleo's "auto-accept" system setting with its per-partner override).
 *
 * @module
 */
import { freeze } from '../state/freeze.js';
import type { CemSettings, Relationship } from '../state/model.js';

/** Where the effective auto-accept setting came from. */
export type AutoAcceptSource = 'partner' | 'system';

/**
 * The effective auto-accept setting of a relationship: its override (`on`/`off`), else the
 * system setting.
 *
 * @example
 * ```ts
 * autoAcceptSetting({ ...DEFAULT_SETTINGS, autoAccept: true }, { autoAccept: 'off' })
 * // { enabled: false, source: 'partner' }
 * ```
 * @throws never.
 */
export function autoAcceptSetting(settings: Pick<CemSettings, 'autoAccept'>, relationship: Pick<Relationship, 'autoAccept'>): { readonly enabled: boolean; readonly source: AutoAcceptSource } {
  if (relationship.autoAccept === 'on') return freeze({ enabled: true, source: 'partner' as const });
  if (relationship.autoAccept === 'off') return freeze({ enabled: false, source: 'partner' as const });
  return freeze({ enabled: settings.autoAccept, source: 'system' as const });
}

/** Why a received certificate got its initial decision. */
export type ReceiptDecisionCause =
  /** Already accepted for every requested usage: answered Accepted (draft §2.4 MUST). */
  | 'alreadyAccepted'
  /** The request was not authenticated: never automatic (draft §8). */
  | 'unauthenticated'
  /** Failed the suitability checks and the policy rejects such certificates. */
  | 'unsuitableRejected'
  /** Failed the suitability checks and the policy leaves them to the administrator. */
  | 'unsuitableManual'
  /** Auto-accept is on. */
  | 'autoAccepted'
  /** Auto-accept is off. */
  | 'manual';

/** The initial decision on one received certificate. */
export interface ReceiptDecision {
  readonly decision: 'accepted' | 'rejected' | 'pending';
  readonly cause: ReceiptDecisionCause;
  /** `ReasonForRejection` for `rejected`. */
  readonly reason: string | null;
}

/** What {@link decideReceivedCertificate} looks at. */
export interface ReceiptFacts {
  /** Already active or accepted in every slot its usages name. */
  readonly alreadyAccepted: boolean;
  /** The Request was verified with the partner's currently accepted signing certificate. */
  readonly authenticated: boolean;
  /** Suitability problem messages (empty when suitable). */
  readonly problemMessages: readonly string[];
  readonly settings: Pick<CemSettings, 'autoAccept' | 'unsuitable'>;
  readonly relationship: Pick<Relationship, 'autoAccept'>;
}

/**
 * Decides a received certificate on receipt. In order: already accepted → Accepted (whatever
 * the settings); unauthenticated → manual; unsuitable → rejected with the problem messages
 * (`settings.unsuitable = 'reject'`) or manual, never automatic; then auto-accept or manual.
 *
 * @example
 * ```ts
 * decideReceivedCertificate({ alreadyAccepted: false, authenticated: true, problemMessages: [],
 *   settings: DEFAULT_SETTINGS, relationship: { autoAccept: 'on' } })
 * // { decision: 'accepted', cause: 'autoAccepted', reason: null }
 * ```
 * @throws never.
 * @see draft-14 §2.4 (already accepted), §8 (unauthenticated requests).
 */
export function decideReceivedCertificate(facts: ReceiptFacts): ReceiptDecision {
  if (facts.alreadyAccepted) return freeze({ decision: 'accepted' as const, cause: 'alreadyAccepted' as const, reason: null });
  if (!facts.authenticated) return freeze({ decision: 'pending' as const, cause: 'unauthenticated' as const, reason: null });
  if (facts.problemMessages.length > 0) {
    return facts.settings.unsuitable === 'reject'
      ? freeze({ decision: 'rejected' as const, cause: 'unsuitableRejected' as const, reason: facts.problemMessages.join('; ') })
      : freeze({ decision: 'pending' as const, cause: 'unsuitableManual' as const, reason: null });
  }
  return autoAcceptSetting(facts.settings, facts.relationship).enabled
    ? freeze({ decision: 'accepted' as const, cause: 'autoAccepted' as const, reason: null })
    : freeze({ decision: 'pending' as const, cause: 'manual' as const, reason: null });
}
