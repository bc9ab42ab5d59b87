/**
 * The administrator's operations: relationships, settings, sending and scheduling certificates,
 * decisions, "set as active", retries and server certificates.
 *
 * @module
 */
import { CemArgumentError } from '../errors.js';
import type { CemEvent, CertificateSelection, LocalCertificateInput, RelationshipInit, RequestIds } from '../state/events.js';
import { getOutbound } from '../state/lookup.js';
import type { CemSettings, LocalUsage, PartnerUsage, ServerProtocol } from '../state/model.js';
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

/**
 * Adds a relationship with its active certificates (their material is stored).
 *
 * @example
 * ```ts
 * await addRelationship(ctx, { id: 'acme', localName: 'ME', partnerName: 'ACME', protocol: 'AS2', local: { signing: { certificate: pem, keyRef: 'k1' } } })
 * ```
 * @throws CemCryptoError `CEM_CERT_INVALID` for an unreadable certificate; engine codes of `runOperation`.
 */
export async function addRelationship(ctx: EngineContext, input: RelationshipInput): Promise<CemOperationResult> {
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
  return single(ctx, { type: 'relationshipAdded', relationship: init }, material);
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
export async function sendCertificates(ctx: EngineContext, relationshipId: string, input: CertificateSelectionInput): Promise<SendResult> {
  if (input === null || typeof input !== 'object' || input.signing === undefined) throw new CemArgumentError('a signing certificate is required');
  const material = createMaterialSet();
  const selection: { -readonly [K in keyof CertificateSelection]: CertificateSelection[K] } = { signing: local(input.signing, material) };
  if (input.encryption !== undefined) selection.encryption = local(input.encryption, material);
  if (input.tlsClient !== undefined) selection.tlsClient = local(input.tlsClient, material);
  if (input.tlsServer !== undefined) selection.tlsServer = local(input.tlsServer, material);
  let requestId = '';
  const { applied, result } = await runOperation(ctx, { kind: 'relationship', id: relationshipId, server: selection.tlsServer !== undefined }, () => {
    const ids = requestIds(ctx);
    requestId = ids.requestId;
    return { events: [{ type: 'sendCertificates', relationshipId, selection, includeActive: input.includeActive === true, ids }], material };
  });
  const exchange = result.applied ? getOutbound(applied.state, requestId) : undefined;
  return Object.freeze({ ...result, requestId: exchange?.id ?? null, channel: exchange?.channel ?? null });
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
  const { applied, result } = await runOperation(ctx, { kind: 'exchange', id: requestId, server: true }, () => {
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
export async function schedule(ctx: EngineContext, input: ScheduleInput): Promise<CemOperationResult> {
  const material = createMaterialSet();
  if (input.side === 'local') {
    const certificate = local(input.certificate, material);
    const email = input.emailPartner === true;
    return (await runOperation(ctx, { kind: 'relationship', id: input.relationshipId, server: input.usage === 'tlsServer' }, () => ({
      events: [{ type: 'schedule', relationshipId: input.relationshipId, side: 'local', usage: input.usage, certificate, activateAt: input.activateAt, emailPartner: email, ...(email ? { exchangeId: drawId(ctx.ports, 'requestId') } : {}) }],
      material,
    }))).result;
  }
  const read = readSource(input.certificate);
  material.add(read);
  return single(ctx, { type: 'schedule', relationshipId: input.relationshipId, side: 'partner', usage: input.usage, certificate: read.info, activateAt: input.activateAt }, material);
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
  respond: (ctx: EngineContext, exchangeKey: string, decisions: readonly DecisionInput[]) => single(ctx, { type: 'decide', exchangeKey, decisions }),
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
