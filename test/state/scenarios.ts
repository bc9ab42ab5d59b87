/**
 * Scenario steps shared by the lifecycle tests.
 */
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import type { CemEvent, CertificateSelection, RequestIds } from '../../src/state/events.js';
import type { CemState } from '../../src/state/model.js';
import type { TransitionResult } from '../../src/state/result.js';
import { transition } from '../../src/state/transition.js';
import type { CertStatus } from '../../src/types.js';
import { cemResponse, ids, local, responseEvent, T0 } from './fixtures.js';

/** The result of sending a selection, with the ids used. */
export interface Sent extends TransitionResult {
  readonly ids: RequestIds;
}

/** `sendCertificates` for relationship `acme` (or another). */
export function send(state: CemState, selection: CertificateSelection, options: { includeActive?: boolean; at?: Date; relationshipId?: string } = {}): Sent {
  const requestIds = ids();
  const event: CemEvent = {
    type: 'sendCertificates',
    relationshipId: options.relationshipId ?? 'acme',
    selection,
    includeActive: options.includeActive ?? false,
    ids: requestIds,
  };
  return { ...transition(state, event, options.at ?? T0), ids: requestIds };
}

/** Sends a new signing certificate (encryption defaults to it) and confirms delivery. */
export function sendDelivered(state: CemState, selection: CertificateSelection, at = T0, relationshipId = 'acme'): Sent {
  const sent = send(state, selection, { at, relationshipId });
  const delivered = transition(sent.state, { type: 'requestDelivered', requestId: sent.ids.requestId }, at);
  return { ...delivered, ids: sent.ids };
}

/** A selection of one new local certificate for signing (and encryption by default). */
export function signingSelection(cert: CertificateInfo): CertificateSelection {
  return { signing: local(cert) };
}

/** The partner `from` answers request `requestId`, signed with `signer`. */
export function answer(state: CemState, requestId: string | null, answers: readonly { cert: CertificateInfo; status: CertStatus; reason?: string }[], signer: CertificateInfo, at: Date, from = 'ACME'): TransitionResult {
  return transition(state, responseEvent(cemResponse(requestId, from, answers), signer, from), at);
}
