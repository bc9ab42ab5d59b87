/**
 * `createCemEngine`: the embeddable engine. It is the only code that awaits the host's ports:
 * every operation loads the aggregates its event touches, applies the pure lifecycle transition,
 * commits the changed aggregates, their index entries and the effects as outbox intents in one
 * version-checked commit, then performs them.
 *
 * @module
 */
import type { CemPorts } from '../ports/ports.js';
import type { CemEvent } from '../state/events.js';
import type { CemSettings, CemState, LocalUsage, PartnerUsage, ServerProtocol } from '../state/model.js';
import { createContext, type CemEngineConfig } from './context.js';
import type { LocalCertificateSource } from './material.js';
import { addRelationship, resend, respond, schedule, sendCertificates, simple, type OperationOptions } from './operations.js';
import { drainDue } from './perform.js';
import { receive } from './receive.js';
import { inspectAll, outboxPage } from './admin-reads.js';
import { createMaterialCache, relationshipFor, resolve, status } from './resolve.js';
import { tickDue } from './tick.js';
import { observeTraffic } from './traffic.js';
import type {
  CemOperationResult, CertificateSelectionInput, DecisionInput, InboundMessage, ReceiveOutcome, RelationshipInput,
  OutboxPage, OutboxPageRequest, ResolvedMaterial, ScheduleInput, SendResult, StatusEntry, TickResult, TrafficInput,
} from './types.js';

/**
 * The engine. Operations return results with named refusals for business outcomes and throw
 * only `CemError`s: `CEM_PORT_FAILED` when the store, the clock or the id source fails (nothing
 * was changed; `cause` holds the port's error), `CEM_STORE_CONFLICT` when the store kept changing
 * under every retry (`receive` reports it as `CEM_PORT_FAILED`), `CEM_CERT_INVALID`/`CEM_ARGUMENT` for unreadable
 * inputs. Failures of the transport, notifier or installer never throw: they become failure
 * events or outbox retries.
 */
export interface CemEngine {
  /**
   * Adds a trading relationship with its active certificates. With `operationId` (also on
   * `sendCertificates`, `schedule` and `respond`), a retry of a call whose first attempt was
   * applied returns that attempt's result instead of a refusal (see {@link OperationOptions}).
   */
  addRelationship(input: RelationshipInput, options?: OperationOptions): Promise<CemOperationResult>;
  /** Changes a relationship's email, ResponseURL, auto-accept, CEM override, listener or protocol. */
  updateRelationship(relationshipId: string, changes: Extract<CemEvent, { type: 'relationshipUpdated' }>['changes']): Promise<CemOperationResult>;
  /** Removes a relationship without open exchanges. */
  removeRelationship(relationshipId: string): Promise<CemOperationResult>;
  /** Changes system-wide settings (auto-accept, response days, alert days, ...). */
  updateSettings(settings: Partial<CemSettings>): Promise<CemOperationResult>;
  /** Sends our new certificates by CEM (or by email to a partner without CEM). */
  sendCertificates(relationshipId: string, selection: CertificateSelectionInput, options?: OperationOptions): Promise<SendResult>;
  /** Schedules a local or partner certificate for future use. */
  schedule(input: ScheduleInput, options?: OperationOptions): Promise<CemOperationResult>;
  /** Withdraws a scheduled certificate. */
  cancelSchedule(relationshipId: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage): Promise<CemOperationResult>;
  /** Handles one inbound AS2 message; never throws for bad input. */
  receive(message: InboundMessage): Promise<ReceiveOutcome>;
  /** Accepts or rejects certificates of a received Request; the Response goes out when all are decided. */
  respond(exchangeKey: string, decisions: readonly DecisionInput[], options?: OperationOptions): Promise<CemOperationResult>;
  /** The administrator's "set as active". */
  setActive(relationshipId: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage | 'tlsServer'): Promise<CemOperationResult>;
  /** Installs a listener's candidate server certificate now, whatever the partners said. */
  setServerActive(protocol: ServerProtocol): Promise<CemOperationResult>;
  /**
   * Withdraws a listener's candidate server certificate (archived as `cancelled`; every partner's
   * readiness for it cleared; exchanges left with nothing to wait for closed), so a new server
   * certificate can be sent. Refused (`invalidState`) when the listener has no candidate.
   */
  withdrawServerCandidate(protocol: ServerProtocol): Promise<CemOperationResult>;
  /** The host's listener presents this certificate (initial configuration or an out-of-band change). */
  configureServer(protocol: ServerProtocol, certificate: LocalCertificateSource): Promise<CemOperationResult>;
  /** Confirms that a server certificate was installed (hosts without a `servers` port). */
  serverInstalled(protocol: ServerProtocol, fingerprint: string): Promise<CemOperationResult>;
  /** Sends a failed Request, email or Response again, identically. */
  retry(exchangeId: string): Promise<CemOperationResult>;
  /** Sends a new Request for what an expired or rejected one still waits for. */
  resend(requestId: string): Promise<SendResult>;
  /** Reports a negative MDN (or any late delivery failure) for a Request already handed to the transport. */
  reportRequestFailed(requestId: string, error: string): Promise<CemOperationResult>;
  /** Reports which certificates a partner's message used (first usage). */
  observeTraffic(input: TrafficInput): Promise<CemOperationResult>;
  /** The certificates to use with a partner now, with DER, chain and key references. */
  resolve(relationshipId: string): Promise<ResolvedMaterial | null>;
  /**
   * The relationship of inbound messages from `as2From` to `as2To` (AS2 names, case-sensitive),
   * `null` when none: one read of the name index, for the AS2 layer to find which certificates
   * to decrypt and verify a message with before it calls `receive`.
   */
  relationshipFor(as2From: string, as2To: string): Promise<string | null>;
  /**
   * Status per relationship and per certificate. With an id: that relationship, reading only its
   * records. Without: every relationship (an admin read that pages through all of them).
   */
  status(relationshipId?: string): Promise<readonly StatusEntry[]>;
  /**
   * Deadlines, expiry, scheduled activations, server installs, daily alerts, retention (finished
   * exchanges and remembered Message-IDs older than `retainFinishedDays` are dropped), then the
   * outbox. Reads the due index up to now and only the aggregates found there: an idle tick is
   * one range read of each index.
   */
  tick(): Promise<TickResult>;
  /** Performs outbox entries left over by failures or crashed engines; returns how many. */
  drainOutbox(): Promise<number>;
  /** The work waiting in the outbox, in the order it can be taken, with its next attempt time (paged). */
  outbox(page?: OutboxPageRequest): Promise<OutboxPage>;
  /** The whole lifecycle state as stored (frozen), for inspection and export: an admin read of every record. */
  inspect(): Promise<CemState>;
}

/**
 * Creates an engine over the host's ports.
 *
 * @example
 * ```ts
 * const engine = createCemEngine({ clock: systemClock, ids, store, transport, notifier }, { engineId: 'node-1' })
 * await engine.addRelationship({ id: 'acme', localName: 'ME', partnerName: 'ACME', protocol: 'AS2', responseUrl: 'https://me.example/as2',
 *   local: { signing: { certificate: myPem, keyRef: 'hsm:1' } }, partner: { signing: acmePem, encryption: acmePem } })
 * setInterval(() => void engine.tick(), 60_000)
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid configuration.
 */
export function createCemEngine(ports: CemPorts, config: CemEngineConfig = {}): CemEngine {
  const ctx = createContext(ports, config);
  const cache = createMaterialCache(ctx.materialCacheSize);
  return Object.freeze({
    addRelationship: (input: RelationshipInput, options?: OperationOptions) => addRelationship(ctx, input, options),
    updateRelationship: (id: string, changes: Extract<CemEvent, { type: 'relationshipUpdated' }>['changes']) => simple.updateRelationship(ctx, id, changes),
    removeRelationship: (id: string) => simple.removeRelationship(ctx, id),
    updateSettings: (settings: Partial<CemSettings>) => simple.updateSettings(ctx, settings),
    sendCertificates: (id: string, selection: CertificateSelectionInput, options?: OperationOptions) => sendCertificates(ctx, id, selection, options),
    schedule: (input: ScheduleInput, options?: OperationOptions) => schedule(ctx, input, options),
    cancelSchedule: (id: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage) => simple.cancelSchedule(ctx, id, side, usage),
    receive: (message: InboundMessage) => receive(ctx, message),
    respond: (key: string, decisions: readonly DecisionInput[], options?: OperationOptions) => respond(ctx, key, decisions, options),
    setActive: (id: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage | 'tlsServer') => simple.setActive(ctx, id, side, usage),
    setServerActive: (protocol: ServerProtocol) => simple.setServerActive(ctx, protocol),
    withdrawServerCandidate: (protocol: ServerProtocol) => simple.withdrawServerCandidate(ctx, protocol),
    configureServer: (protocol: ServerProtocol, certificate: LocalCertificateSource) => simple.configureServer(ctx, protocol, certificate),
    serverInstalled: (protocol: ServerProtocol, fingerprint: string) => simple.serverInstalled(ctx, protocol, fingerprint),
    retry: (id: string) => simple.retry(ctx, id),
    resend: (requestId: string) => resend(ctx, requestId),
    reportRequestFailed: (requestId: string, error: string) => simple.requestFailed(ctx, requestId, error),
    observeTraffic: (input: TrafficInput) => observeTraffic(ctx, input),
    resolve: (id: string) => resolve(ctx, cache, id),
    relationshipFor: (as2From: string, as2To: string) => relationshipFor(ctx, as2From, as2To),
    status: (id?: string) => status(ctx, id),
    async tick(): Promise<TickResult> {
      const result = await tickDue(ctx);
      const performed = await drainDue(ctx);
      return Object.freeze({ ...result, performed });
    },
    drainOutbox: () => drainDue(ctx),
    inspect: () => inspectAll(ctx),
    outbox: (page?: OutboxPageRequest) => outboxPage(ctx, page),
  });
}
