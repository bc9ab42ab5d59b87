/**
 * Which aggregate owns a daily-alert subject of `state.alertLog`: the relationship whose exchange
 * or certificate the subject names, or the listener whose server certificate it names. The engine
 * stores each aggregate's part of the log with the aggregate, so the log of a slice is split back
 * by these owners.
 *
 * @module
 */
import { getInbound, getOutbound } from '../lookup.js';
import type { CemState, ServerProtocol } from '../model.js';

/** The owner of a subject. */
export type AlertOwner =
  | { readonly kind: 'relationship'; readonly id: string }
  | { readonly kind: 'listener'; readonly protocol: ServerProtocol };

function exchangeOwner(state: CemState, id: string): AlertOwner | null {
  const relationshipId = getOutbound(state, id)?.relationshipId ?? getInbound(state, id)?.relationshipId;
  return relationshipId === undefined ? null : { kind: 'relationship', id: relationshipId };
}

const SERVER_USAGE = / server$/;

/**
 * The owner of `subject` in `state`, or `null` when the subject names nothing in it (an exchange
 * already dropped).
 *
 * | subject | owner |
 * |---|---|
 * | `requestOverdue:<requestId>`, `retryNeeded:<what>:<exchange>` | the exchange's relationship |
 * | `requestAwaitingAnswer:<key>`, `responseOverdue:<key>` | the exchange's relationship |
 * | `certificateExpiring:<relationshipId>:<side>:<usage>:<fp>` | that relationship |
 * | `certificateExpiring:-:local:<protocol> server:<fp>` | that listener |
 * | `serverCertificateConflict:<protocol>`, `serverCertificatePending:<protocol>:<fp>` | that listener |
 *
 * @example
 * ```ts
 * alertOwner(state, 'requestOverdue:req-1') // { kind: 'relationship', id: 'acme' }
 * ```
 * @throws never.
 */
export function alertOwner(state: CemState, subject: string): AlertOwner | null {
  const colon = subject.indexOf(':');
  const kind = colon < 0 ? subject : subject.slice(0, colon);
  const rest = colon < 0 ? '' : subject.slice(colon + 1);
  switch (kind) {
    case 'requestOverdue':
    case 'requestAwaitingAnswer':
    case 'responseOverdue':
      return exchangeOwner(state, rest);
    case 'retryNeeded': {
      const at = rest.indexOf(':');
      return at < 0 ? null : exchangeOwner(state, rest.slice(at + 1));
    }
    case 'certificateExpiring': {
      // <relationshipId>:<side>:<usage>:<fingerprint>; the id may hold ':', the rest never does.
      const parts = rest.split(':');
      if (parts.length < 4) return null;
      const usage = parts[parts.length - 2] as string;
      const id = parts.slice(0, -3).join(':');
      if (id === '-' && SERVER_USAGE.test(usage)) return { kind: 'listener', protocol: usage.replace(SERVER_USAGE, '') as ServerProtocol };
      return { kind: 'relationship', id };
    }
    case 'serverCertificateConflict':
    case 'serverCertificatePending': {
      const at = rest.indexOf(':');
      return { kind: 'listener', protocol: (at < 0 ? rest : rest.slice(0, at)) as ServerProtocol };
    }
    default:
      return null;
  }
}
