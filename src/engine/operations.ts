/**
 * The administrator's operations: relationships, settings, sending and scheduling certificates,
 * decisions, "set as active", retries and server certificates.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { CemEvent, CertificateSelection, LocalCertificateInput, RelationshipInit, RequestIds } from '../state/events.js';
import { getInbound, getOutbound } from '../state/lookup.js';
import { deepFreeze } from '../state/freeze.js';
import type { CemEffect } from '../state/effects.js';
import type { JsonValue } from '../ports/json.js';
import type { Slice } from './aggregates.js';
import type { Applied, Plan } from './commit.js';
import type { Scope } from './slice.js';
import type { CemSettings, CemState, LocalUsage, PartnerUsage, ServerProtocol } from '../state/model.js';
import type { EngineContext } from './context.js';
import { createMaterialSet, readSource, type LocalCertificateSource, type MaterialSet } from './material.js';
import { drawId } from './port-calls.js';
import { runOperation } from './run.js';
import { scopeOf } from './scope.js';
import type { CemOperationResult, CertificateSelectionInput, DecisionInput, RelationshipInput, ScheduleInput, SendResult } from './types.js';

/** Ids for one Request, drawn from the id port (`CEM_PORT_FAILED` when it fails). */
function requestIds(ctx: EngineContext): RequestIds {
  const content = (): string => drawId(ctx.ports, 'contentId');
  return { requestId: drawId(ctx.ports, 'requestId'), xmlContentId: content(), contentIds: [content(), content(), content(), content()] };
}

function local(source: LocalCertificateSource, material: MaterialSet): LocalCertificateInput {
  const read = readSource(source);
  material.add(read);
  return source.keyRef === undefined ? { certificate: read.info } : { certificate: read.info, keyRef: source.keyRef };
}

async function single(ctx: EngineContext, event: CemEvent, material?: MaterialSet): Promise<CemOperationResult> {
  return (await runOperation(ctx, scopeOf(event), () => (material === undefined ? { events: [event] } : { events: [event], material }))).result;
}

/** Options of the host operations that take an idempotency key. */
export interface OperationOptions {
  /**
   * The host's idempotency key (1–200 characters), unique per operation it means: a call repeated
   * with the same key after its first attempt was applied (a retry after a crash or a timeout)
   * returns that attempt's result and changes nothing. Kept for `retainFinishedDays`.
   */
  readonly operationId?: string;
}

function operationIdOf(options: OperationOptions | undefined): string | undefined {
  const id = options?.operationId;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id.length < 1 || id.length > 200) throw new CemArgumentError('operationId must be a string of 1-200 characters');
  return id;
}

/** The result recorded for `operationId` in a relationship's aggregate of the slice, if any. */
function recorded(slice: Slice, relationshipId: string | undefined, operationId: string | undefined): JsonValue | undefined {
  if (operationId === undefined || relationshipId === undefined) return undefined;
  const operations = slice.relationships.get(relationshipId)?.value.operations;
  return operations !== undefined && Object.hasOwn(operations, operationId) ? operations[operationId]?.result : undefined;
}

/** The plain result of an applied operation (its last event's effects), as kept under its key. */
function appliedResult(effects: readonly CemEffect[], extra: Record<string, JsonValue> = {}): JsonValue {
  return JSON.parse(JSON.stringify({ applied: true, refusal: null, effects: effects.filter((e) => e.type !== 'ignored'), ...extra })) as JsonValue;
}

/**
 * Runs one host operation under an optional idempotency key: a key already recorded for the
 * relationship returns the recorded result, applying nothing.
 */
async function keyed<R>(
  ctx: EngineContext,
  scope: Scope,
  operationId: string | undefined,
  relationshipOf: (state: CemState) => string | undefined,
  plan: (state: CemState, now: Date) => Plan,
  result: (applied: Applied, summary: CemOperationResult) => R,
  recordedExtra: (next: CemState) => Record<string, JsonValue> = () => ({}),
): Promise<R> {
  let replay: JsonValue | undefined;
  const { applied, result: summary } = await runOperation(ctx, scope, (state, now, slice) => {
    const relationshipId = relationshipOf(state);
    replay = recorded(slice, relationshipId, operationId);
    if (replay !== undefined) return { events: [] };
    const planned = plan(state, now);
    if (operationId === undefined || relationshipId === undefined) return planned;
    return { ...planned, operation: { relationshipId, id: operationId, result: (next, effects) => appliedResult(effects, recordedExtra(next)) } };
  });
  if (replay !== undefined) return deepFreeze(replay) as unknown as R;
  return result(applied, summary);
}

/**
 * Adds a relationship with its active certificates (their material is stored).
 *
 * @example
 * ```ts
 * await addRelationship(ctx, { id: 'acme', localName: 'ME', partnerName: 'ACME', protocol: 'AS2', local: { signing: { certificate: pem, keyRef: 'k1' } } })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for an unreadable certificate; engine codes of `runOperation`.
 */
export async function addRelationship(ctx: EngineContext, input: RelationshipInput, options?: OperationOptions): Promise<CemOperationResult> {
  const operationId = operationIdOf(options);
  const material = createMaterialSet();
  const { local: localInput, partner: partnerInput, ...rest } = input;
  const init: { -readonly [K in keyof RelationshipInit]: RelationshipInit[K] } = { ...rest };
  if (localInput !== undefined) {
    init.local = Object.fromEntries(Object.entries(localInput).filter(([, v]) => v !== undefined).map(([usage, source]) => [usage, local(source, material)]));
  }
  if (partnerInput !== undefined) {
    init.partner = Object.fromEntries(Object.entries(partnerInput).filter(([, v]) => v !== undefined).map(([usage, source]) => {
      const read = readSource(source);
      material.add(read);
      return [usage, read.info];
    }));
  }
  const event: CemEvent = { type: 'relationshipAdded', relationship: init };
  return keyed(ctx, scopeOf(event), operationId, () => init.id, () => ({ events: [event], material }), (_applied, summary) => summary);
}

/**
 * Sends our new certificates by CEM, or by email when the partner cannot take CEM.
 *
 * @example
 * ```ts
 * const { requestId, channel } = await sendCertificates(ctx, 'acme', { signing: { certificate: pem, keyRef: 'k2' } })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for an unreadable certificate; engine codes of `runOperation`.
 */
export async function sendCertificates(ctx: EngineContext, relationshipId: string, input: CertificateSelectionInput, options?: OperationOptions): Promise<SendResult> {
  if (input === null || typeof input !== 'object' || input.signing === undefined) throw new CemArgumentError('a signing certificate is required');
  const operationId = operationIdOf(options);
  const material = createMaterialSet();
  const selection: { -readonly [K in keyof CertificateSelection]: CertificateSelection[K] } = { signing: local(input.signing, material) };
  if (input.encryption !== undefined) selection.encryption = local(input.encryption, material);
  if (input.tlsClient !== undefined) selection.tlsClient = local(input.tlsClient, material);
  if (input.tlsServer !== undefined) selection.tlsServer = local(input.tlsServer, material);
  let requestId = '';
  const exchangeOf = (next: CemState): Record<string, JsonValue> => {
    const exchange = getOutbound(next, requestId);
    return { requestId: exchange?.id ?? null, channel: exchange?.channel ?? null };
  };
  return keyed(
    ctx,
    { kind: 'relationship', id: relationshipId },
    operationId,
    () => relationshipId,
    () => {
      const ids = requestIds(ctx);
      requestId = ids.requestId;
      return { events: [{ type: 'sendCertificates', relationshipId, selection, includeActive: input.includeActive === true, ids }], material };
    },
    (applied, result) => {
      const exchange = result.applied ? getOutbound(applied.state, requestId) : undefined;
      return Object.freeze({ ...result, requestId: exchange?.id ?? null, channel: exchange?.channel ?? null });
    },
    exchangeOf,
  );
}

/**
 * Sends a new Request for what an expired or rejected one still waits for.
 *
 * @example
 * ```ts
 * await resend(ctx, 'me-req-000001')
 * ```
 * @throws engine codes of `runOperation`.
 */
export async function resend(ctx: EngineContext, requestId: string): Promise<SendResult> {
  let newId = '';
  const { applied, result } = await runOperation(ctx, { kind: 'exchange', id: requestId }, () => {
    const ids = requestIds(ctx);
    newId = ids.requestId;
    return { events: [{ type: 'resend', requestId, ids }] };
  });
  const exchange = result.applied ? getOutbound(applied.state, newId) : undefined;
  return Object.freeze({ ...result, requestId: exchange?.id ?? null, channel: exchange?.channel ?? null });
}

/**
 * Schedules a certificate for future use (optionally emailing ours to the partner).
 *
 * @example
 * ```ts
 * await schedule(ctx, { relationshipId: 'acme', side: 'local', usage: 'encryption', certificate: { certificate: pem, keyRef: 'k3' }, activateAt })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for an unreadable certificate; engine codes of `runOperation`.
 */
export async function schedule(ctx: EngineContext, input: ScheduleInput, options?: OperationOptions): Promise<CemOperationResult> {
  const operationId = operationIdOf(options);
  const material = createMaterialSet();
  const scope: Scope = { kind: 'relationship', id: input.relationshipId };
  const summary = (_applied: Applied, result: CemOperationResult): CemOperationResult => result;
  if (input.side === 'local') {
    const certificate = local(input.certificate, material);
    const email = input.emailPartner === true;
    return keyed(ctx, scope, operationId, () => input.relationshipId, () => ({
      events: [{ type: 'schedule', relationshipId: input.relationshipId, side: 'local', usage: input.usage, certificate, activateAt: input.activateAt, emailPartner: email, ...(email ? { exchangeId: drawId(ctx.ports, 'requestId') } : {}) }],
      material,
    }), summary);
  }
  const read = readSource(input.certificate);
  material.add(read);
  const event: CemEvent = { type: 'schedule', relationshipId: input.relationshipId, side: 'partner', usage: input.usage, certificate: read.info, activateAt: input.activateAt };
  return keyed(ctx, scope, operationId, () => input.relationshipId, () => ({ events: [event], material }), summary);
}

/**
 * Accepts or rejects certificates of a received Request, under an optional idempotency key.
 *
 * @example
 * ```ts
 * await respond(ctx, 'acme/req-1', [{ fingerprint, accept: true }], { operationId: 'ui-4711' })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for an invalid operationId; engine codes of `runOperation`.
 */
export async function respond(ctx: EngineContext, exchangeKey: string, decisions: readonly DecisionInput[], options?: OperationOptions): Promise<CemOperationResult> {
  const operationId = operationIdOf(options);
  const event: CemEvent = { type: 'decide', exchangeKey, decisions };
  return keyed(ctx, scopeOf(event), operationId, (state) => getInbound(state, exchangeKey)?.relationshipId, () => ({ events: [event] }), (_applied, result) => result);
}

/**
 * Operations that are one event without certificates to read.
 *
 * @example
 * ```ts
 * await simple.setActive(ctx, 'acme', 'local', 'encryption')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` / `CEM_STORE_CONFLICT` from `runOperation`; refusals are returned.
 */
export const simple = Object.freeze({
  updateRelationship: (ctx: EngineContext, relationshipId: string, changes: Extract<CemEvent, { type: 'relationshipUpdated' }>['changes']) =>
    single(ctx, { type: 'relationshipUpdated', relationshipId, changes }),
  removeRelationship: (ctx: EngineContext, relationshipId: string) => single(ctx, { type: 'relationshipRemoved', relationshipId }),
  updateSettings: (ctx: EngineContext, settings: Partial<CemSettings>) => single(ctx, { type: 'settingsChanged', settings }),
  setActive: (ctx: EngineContext, relationshipId: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage | 'tlsServer') =>
    single(ctx, { type: 'setActive', relationshipId, side, usage }),
  setServerActive: (ctx: EngineContext, protocol: ServerProtocol) => single(ctx, { type: 'setServerActive', protocol }),
  withdrawServerCandidate: (ctx: EngineContext, protocol: ServerProtocol) => single(ctx, { type: 'withdrawServerCandidate', protocol }),
  cancelSchedule: (ctx: EngineContext, relationshipId: string, side: 'local' | 'partner', usage: LocalUsage | PartnerUsage) =>
    single(ctx, { type: 'cancelSchedule', relationshipId, side, usage }),
  retry: (ctx: EngineContext, exchangeId: string) => single(ctx, { type: 'retry', exchangeId }),
  serverInstalled: (ctx: EngineContext, protocol: ServerProtocol, fingerprint: string) =>
    single(ctx, { type: 'serverCertificateInstalled', protocol, fingerprint }),
  requestFailed: (ctx: EngineContext, requestId: string, error: string) => single(ctx, { type: 'requestFailed', requestId, error }),
  configureServer: (ctx: EngineContext, protocol: ServerProtocol, source: LocalCertificateSource) => {
    const material = createMaterialSet();
    return single(ctx, { type: 'serverCertificateConfigured', protocol, certificate: local(source, material) }, material);
  },
});
