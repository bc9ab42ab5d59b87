/**
 * Everything the engine needs from its host, in one object.
 *
 * @module
 */
import type { AuditSink } from './audit.js';
import type { Clock } from './clock.js';
import type { IdSource } from './ids.js';
import type { Notifier } from './notifier.js';
import type { ServerCertificateInstaller } from './servers.js';
import type { CemStore } from './store.js';
import type { CemTransport } from './transport.js';

/**
 * The host's ports. Tests build them with `createMemoryPorts` from `ediint-cem/testing`.
 *
 * @example
 * ```ts
 * const ports: CemPorts = {
 *   clock: systemClock,
 *   ids: createRandomIds({ domain: 'as2.example.com' }),
 *   store: createFileStore({ directory: '/var/lib/as2/cem' }),
 *   transport: { ...myAs2Transport, ...createSmtpEmailTransport(smtpOptions) },
 *   notifier: myNotifier,
 * }
 * ```
 */
export interface CemPorts {
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly store: CemStore;
  readonly transport: CemTransport;
  readonly notifier: Notifier;
  readonly audit?: AuditSink;
  /** Installs server certificates on the host's listeners; without it the engine notifies instead. */
  readonly servers?: ServerCertificateInstaller;
}
