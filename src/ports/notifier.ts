/**
 * The notifier port: how the engine tells the host's operators that something needs a human
 * (a Request to review, a partner past its respond-by date, a certificate about to expire).
 *
 * @module
 */
import type { JsonValue } from './json.js';

/**
 * How urgent a notice is.
 *
 * @example
 * ```ts
 * const severity: AlertSeverity = daysLeft < 7 ? 'critical' : 'warning'
 * ```
 */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * One notice. The lifecycle layer defines the `kind`s; this port keeps them open.
 *
 * `dedupeKey` names the condition, not the occurrence: the same condition raised again (after an
 * engine retry, or by a second cluster node) carries the same key, so hosts can drop repeats.
 *
 * @example
 * ```ts
 * const notice: CemAlertNotice = {
 *   kind: 'responseOverdue', dedupeKey: 'overdue/acme/req-1', severity: 'warning',
 *   relationshipId: 'acme', message: 'ACME has not answered req-1', details: { requestId: 'req-1' },
 * }
 * ```
 */
export interface CemAlertNotice {
  readonly kind: string;
  readonly dedupeKey: string;
  readonly severity: AlertSeverity;
  readonly relationshipId?: string;
  /** One human-readable sentence. */
  readonly message: string;
  readonly details: Readonly<Record<string, JsonValue>>;
}

/**
 * Delivers notices to people (e-mail, chat, the host's event bus). A rejection means "not
 * delivered": the engine keeps the notice in its outbox and tries again.
 *
 * @example
 * ```ts
 * const notifier: Notifier = { notify: async (n) => log.warn(n.message, n.details) }
 * ```
 */
export interface Notifier {
  notify(alert: CemAlertNotice): Promise<void>;
}
