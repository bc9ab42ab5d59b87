/**
 * What the examples use of the SDK, in one place. In a host product these come from the package:
 * `ediint-cem` (the engine and port types), `ediint-cem/testing` (memory ports, manual clock),
 * `ediint-cem/adapters/fs-store`, `ediint-cem/adapters/smtp`, `ediint-cem/adapters/postgres` and
 * `ediint-cem/messages`. The
 * examples run from the repository, so they read the sources.
 *
 * @module
 */
export { createCemEngine } from '../src/engine/engine.js';
export type { CemEngine } from '../src/engine/engine.js';
export type { CemEngineConfig } from '../src/engine/context.js';
export type {
  CemOperationResult, InboundMessage, ReceiveOutcome, ResolvedCertificate, ResolvedMaterial, SendResult, StatusEntry, TickResult,
} from '../src/engine/types.js';
export type { CemPorts } from '../src/ports/ports.js';
export type { CemStore } from '../src/ports/store.js';
export type { CemTransport, OutboundCemMessage, OutboundCemRequest, OutboundCemResponse, OutboundEmail } from '../src/ports/transport.js';
export type { CemAlertNotice, Notifier } from '../src/ports/notifier.js';
export type { ServerCertificateInstall, ServerCertificateInstaller } from '../src/ports/servers.js';
export { systemClock } from '../src/ports/clock.js';
export type { Clock } from '../src/ports/clock.js';
export { createRandomIds } from '../src/ports/ids.js';
export type { CemSettings, ServerProtocol } from '../src/state/model.js';
export type { CertificateStatusEntry } from '../src/state/status.js';
export { createManualClock, createMemoryPorts, createSequentialIds } from '../src/testing/index.js';
export type { ManualClock, MemoryPorts } from '../src/testing/index.js';
export { createSimulatedAs2Network } from '../src/testing/index.js';
export type { SimulatedAs2Delivery, SimulatedAs2Party } from '../src/testing/index.js';
export { createFileStore } from '../src/adapters/fs-store/index.js';
export { createEmailNotifier, createSmtpEmailTransport } from '../src/adapters/smtp/index.js';
export { parseCemEntity } from '../src/messages/entity/parse.js';
export { formatCemDateTime } from '../src/messages/datetime.js';
export type { CemZone } from '../src/messages/datetime.js';
export { readCertsOnly } from '../src/crypto/certs-only.js';
export { createPostgresStore } from '../src/adapters/postgres/index.js';
export type { PostgresPool, PostgresStore } from '../src/adapters/postgres/index.js';

export {
  buildAs2Message, createAs2Handler, createAs2Transport, createCemAs2Receiver, sendAs2Message,
} from '../src/adapters/as2/index.js';
export type { As2OutboundMessage, As2SendResult, CemAs2Delivery } from '../src/adapters/as2/index.js';
