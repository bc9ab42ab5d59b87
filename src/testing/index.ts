/**
 * `ediint-cem/testing`: in-memory ports and the contract suites host adapters must pass.
 *
 * @module
 */
export { createMemoryStore } from './memory-store.js';
export type { MemoryStore } from './memory-store.js';
export { createManualClock } from './manual-clock.js';
export type { ManualClock, ClockStep } from './manual-clock.js';
export { createSequentialIds } from './sequential-ids.js';
export type { SequentialIdsOptions } from './sequential-ids.js';
export { createMemoryTransport } from './memory-transport.js';
export type { MemoryTransport, MemoryTransportEntry, MemoryTransportFailure } from './memory-transport.js';
export { createMemoryNotifier } from './memory-notifier.js';
export type { MemoryNotifier } from './memory-notifier.js';
export { createMemoryAuditSink } from './memory-audit.js';
export type { MemoryAuditSink } from './memory-audit.js';
export { createMemoryPorts } from './memory-ports.js';
export type { MemoryPorts, MemoryPortsOptions } from './memory-ports.js';
export type { ContractHarness } from './contract-harness.js';
export { runStoreContract } from './store-contract.js';
export type { StoreFactory, StoreContractOptions } from './store-contract.js';
export { runTransportContract } from './transport-contract.js';
export type { TransportContractSetup } from './transport-contract.js';
export { runClockContract, runIdSourceContract } from './clock-contract.js';
export { createSimulatedAs2Network } from './as2-network.js';
export type {
  SimulatedAs2Network, SimulatedAs2Options, SimulatedAs2Party, SimulatedAs2EngineParty, SimulatedAs2PlainParty, SimulatedAs2Delivery, SimulatedAs2Observer,
} from './as2-network.js';
