/**
 * The optional server-certificate port: how the engine installs a new TLS/SSH server certificate
 * on one of the host's listeners once every partner on it accepted (or scheduled) it.
 *
 * @module
 */
import type { ServerProtocol } from '../state/model.js';

/**
 * What to install: the certificate, its chain and the host's opaque reference to its private key.
 *
 * @example
 * ```ts
 * const install: ServerCertificateInstall = { fingerprint, der, chain: [issuerDer], keyRef: 'vault:tls-2026' }
 * ```
 */
export interface ServerCertificateInstall {
  /** Lowercase hex SHA-256 of `der`. */
  readonly fingerprint: string;
  /** DER of the server certificate. */
  readonly der: Uint8Array;
  /** DER of its issuers, nearest first (may be empty). */
  readonly chain: readonly Uint8Array[];
  /** The private-key reference given with the certificate, `null` when none was given. */
  readonly keyRef: string | null;
}

/**
 * Installs server certificates on the host's listeners (HTTP, FTP, OFTP, SSH-FTP). Hosts without
 * it get a notice instead and confirm the install with the engine's `serverInstalled`.
 * A rejection means "not installed": the engine keeps the install in its outbox and tries again.
 *
 * **Installing the same certificate twice must be harmless** (an idempotent replace, not an
 * error and not a second listener): the engine calls `install` at least once per install, and
 * may call it again with the same `fingerprint`, `der`, `chain` and `keyRef` when a node crashed
 * after installing but before recording it, or, in a cluster, when an install took longer than
 * the engine's `leaseMs` on a clock without timers (or the node stalled past it) and another
 * node took the install over. Only one result is recorded. Keep calls bounded: a call that
 * never returns holds the install while its node keeps renewing the claim.
 *
 * @example
 * ```ts
 * const servers: ServerCertificateInstaller = {
 *   install: async (protocol, c) => listeners[protocol].reloadCertificate(c.der, c.chain, await keys.get(c.keyRef)),
 * }
 * ```
 */
export interface ServerCertificateInstaller {
  install(protocol: ServerProtocol, certificate: ServerCertificateInstall): Promise<void>;
}
