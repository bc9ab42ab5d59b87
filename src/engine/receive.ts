/**
 * `receive`: one inbound AS2 message. Records the partner's EDIINT-Features, recognises CEM
 * Requests and Responses, and returns a typed outcome; it never throws for bad input.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../errors.js';
import { parseEdiintFeatures } from '../messages/features.js';
import { parseCemEntity } from '../messages/entity/parse.js';
import { mayBeCem } from '../messages/entity/internal/locate.js';
import { parseMediaType } from '../messages/mime/media-type.js';
import { isRecord } from '../state/validate.js';
import type { ParsedCemEntity } from '../messages/entity/types.js';
import type { CemEffect } from '../state/effects.js';
import type { CemEvent } from '../state/events.js';
import { inboundKey } from '../state/exchange/inbound-request.js';
import { featuresChange, type NameEntry } from '../state/indexes/name-entry.js';
import { findByNames, getInbound, getOutbound } from '../state/lookup.js';
import type { CemState } from '../state/model.js';
import type { RelationshipAggregate, SeenEntry, Slice } from './aggregates.js';
import { type Applied, type Plan } from './commit.js';
import { storeCall, type EngineContext } from './context.js';
import { as2Name, fingerprintOf, headerValues } from './headers.js';
import { digest, keys } from './keys.js';
import { ensureLayout, type Scope } from './slice.js';
import { createMaterialSet } from './material.js';
import { runOperation } from './run.js';
import type { InboundMessage, ReceiveOutcome } from './types.js';

function invalid(error: unknown): ReceiveOutcome {
  if (isCemError(error)) return Object.freeze({ kind: 'invalid', code: error.code, message: error.message });
  return Object.freeze({ kind: 'invalid', code: 'CEM_MIME_MALFORMED', message: error instanceof Error ? error.message : String(error) });
}

/** False when the Content-Type alone says the body is an ordinary payload (no parse needed). */
function mayCarryCem(body: unknown): boolean {
  const contentType = isRecord(body) ? body['contentType'] : undefined;
  if (typeof contentType !== 'string') return true;
  try {
    return mayBeCem(parseMediaType(contentType).essence);
  } catch {
    return true; // let the entity parser report it
  }
}

function parse(ctx: EngineContext, message: InboundMessage): ParsedCemEntity | null {
  if (!mayCarryCem(message.body)) return null;
  try {
    return parseCemEntity(message.body, ctx.parse);
  } catch (error) {
    if (isCemError(error, 'CEM_MIME_NOT_CEM')) return null;
    throw error;
  }
}

function cemEvent(parsed: ParsedCemEntity, as2From: string, as2To: string, verifiedBy: string | null, messageId: string | null): CemEvent {
  if (parsed.kind === 'response') return { type: 'responseReceived', as2From, as2To, verifiedBy, messageId, response: parsed.response };
  const certificates = parsed.certificates.map((c) => ({ contentId: c.contentId, endEntity: c.endEntity, chain: c.chain }));
  return { type: 'requestReceived', as2From, as2To, verifiedBy, messageId, request: parsed.request, certificates };
}

/** What a duplicate outcome names: the exchange of a repeated Request, the requestId of a repeated Response. */
function duplicateOf(parsed: ParsedCemEntity, relationshipId: string | null, messageId: string | null): { exchangeKey?: string; requestId?: string } {
  if (parsed.kind === 'response') return parsed.response.requestId === null ? {} : { requestId: parsed.response.requestId };
  return relationshipId === null ? {} : { exchangeKey: inboundKey(relationshipId, parsed.request, messageId) };
}

function outcomeOf(parsed: ParsedCemEntity | null, applied: Applied, relationshipId: string | null, messageId: string | null, duplicateMessage: boolean): ReceiveOutcome {
  if (parsed === null) return Object.freeze({ kind: 'ignored', relationshipId });
  if (duplicateMessage) return Object.freeze({ kind: 'duplicate', relationshipId, detail: `message ${messageId ?? ''} was already processed`, ...duplicateOf(parsed, relationshipId, messageId) });
  const effects: readonly CemEffect[] = applied.results.at(-1) ?? [];
  const ignored = effects.find((e): e is Extract<CemEffect, { type: 'ignored' }> => e.type === 'ignored');
  if (ignored !== undefined) {
    return ignored.reason === 'duplicate'
      ? Object.freeze({ kind: 'duplicate', relationshipId, detail: ignored.detail, ...duplicateOf(parsed, relationshipId, messageId) })
      : Object.freeze({ kind: 'refused', relationshipId, reason: ignored.reason, detail: ignored.detail });
  }
  const relId = relationshipId ?? '';
  if (parsed.kind === 'response') {
    const ex = getOutbound(applied.state, parsed.response.requestId);
    return Object.freeze({
      kind: 'response',
      relationshipId: relId,
      requestId: parsed.response.requestId ?? '',
      status: ex?.status ?? 'pending',
      items: Object.freeze((ex?.items ?? []).map((i) => Object.freeze({ fingerprint: i.fingerprint, status: i.status, reason: i.reason }))),
    });
  }
  const key = inboundKey(relId, parsed.request, messageId);
  if (getInbound(applied.before, key) !== undefined) {
    // A Request we already had: the lifecycle may have sent its Responses again (a partner resending it).
    const again = effects.some((e) => e.type === 'sendResponse');
    return Object.freeze({ kind: 'duplicate', relationshipId, detail: `request ${key} was already received${again ? '; its Response was sent again' : ''}`, exchangeKey: key });
  }
  const ex = getInbound(applied.state, key);
  return Object.freeze({
    kind: 'request',
    relationshipId: relId,
    exchangeKey: key,
    requestId: parsed.request.requestId,
    status: ex?.status ?? 'awaitingDecision',
    certificates: Object.freeze((ex?.items ?? []).map((i) => Object.freeze({
      fingerprint: i.cert.fingerprint, subject: i.cert.subject, usages: i.usages, decision: i.decision, reason: i.reason, problems: i.problems,
    }))),
  });
}

/**
 * Handles one inbound message (see {@link InboundMessage}).
 *
 * Every message from a known relationship that carries an `EDIINT-Features` (or legacy
 * `X-EDIINT-Features`) header and is verified by an accepted partner signing certificate
 * (`verifiedBy`) records it (`featuresObserved`): a header without `CEM` means the partner no
 * longer takes CEM. An unsigned or otherwise unverified message changes no capability (anyone can
 * post one with the partner's AS2 names); nothing of it is kept. An ordinary (non-CEM) message
 * costs one store read (the name index, whose entry says what the observation would change) and
 * no write unless its verified features change the capability. A message without the header changes nothing: RFC 6017 §3 wants
 * it on every message, but some products leave it off synchronous MDNs, and one such message
 * must not switch a CEM-capable partner to e-mail. A CEM Request or Response is applied in the
 * same commit, with its Message-ID remembered in the relationship's aggregate so a repeated
 * message is a `duplicate`, and the certificates of a Request stored as material. A Request
 * without a `requestId` is also remembered by a digest of its XML document: the same document
 * delivered again under another Message-ID (the header is not covered by the S/MIME signature)
 * is the same exchange, not a new one. Other payloads give `ignored`.
 *
 * It throws `CEM_PORT_FAILED` only, and only when a port failed (the store, also when it kept
 * changing under every retry, or the clock or id port): nothing was changed, so the host must not
 * acknowledge the message and the partner sends it again. Any other failure while handling the
 * message changed nothing either and is returned as `invalid` with its code (the host answers
 * with an error MDN instead of letting the partner retry a message that fails every time).
 *
 * @example
 * ```ts
 * const outcome = await receive(ctx, { body, headers, verifiedBy })
 * if (outcome.kind === 'invalid') sendMdn('processed/error: unexpected-processing-error')
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` (a port failed: let the partner resend); never for bad input.
 */
export async function receive(ctx: EngineContext, message: InboundMessage): Promise<ReceiveOutcome> {
  try {
    return await receiveMessage(ctx, message);
  } catch (error) {
    if (isCemError(error, 'CEM_PORT_FAILED')) throw error;
    if (isCemError(error, 'CEM_STORE_CONFLICT')) throw new CemEngineError('CEM_PORT_FAILED', `store failed: ${error.message}`, { cause: error });
    return invalid(error);
  }
}

const RECEIVE_HEADERS = ['AS2-From', 'AS2-To', 'Message-ID', 'EDIINT-Features', 'X-EDIINT-Features'] as const;

async function receiveMessage(ctx: EngineContext, message: InboundMessage): Promise<ReceiveOutcome> {
  const [from = [], to = [], ids = [], ediint = [], legacy = []] = headerValues(message?.headers, RECEIVE_HEADERS);
  const as2From = as2Name(from);
  const as2To = as2Name(to);
  if (as2From === null || as2To === null) return Object.freeze({ kind: 'invalid', code: 'CEM_ARGUMENT', message: 'AS2-From and AS2-To are required' });
  const messageId = ids[0]?.trim() || null;
  const featureHeaders = legacy.length === 0 ? ediint : [...ediint, ...legacy];
  const features = featureHeaders.length === 0 ? null : parseEdiintFeatures(featureHeaders.join(','));
  let parsed: ParsedCemEntity | null;
  let verifiedBy: string | null;
  try {
    parsed = parse(ctx, message);
    verifiedBy = message.verifiedBy === undefined || message.verifiedBy === null ? null : fingerprintOf(message.verifiedBy);
  } catch (error) {
    return invalid(error);
  }
  if (parsed === null) return ordinary(ctx, as2From, as2To, features, verifiedBy);
  const material = createMaterialSet();
  if (parsed.kind === 'request') {
    for (const c of parsed.certificates) material.add({ info: c.endEntity, chain: c.chain.map((x) => x.der) });
  }
  const documentKey = parsed.kind === 'request' && parsed.request.requestId === null ? `d:${digest(parsed.xml)}` : null;
  let relationshipId: string | null = null;
  let duplicateMessage = false;
  let keyMessageId = messageId;
  const plan = (state: CemState, now: Date, slice: Slice): Plan => {
    const rel = findByNames(state, as2From, as2To);
    relationshipId = rel?.id ?? null;
    duplicateMessage = false;
    keyMessageId = messageId;
    const events: CemEvent[] = rel === undefined || features === null ? [] : [{ type: 'featuresObserved', relationshipId: rel.id, features, verifiedBy }];
    const seen = rel === undefined ? undefined : slice.relationships.get(rel.id)?.value.seen;
    const remember: Record<string, SeenEntry> = {};
    if (messageId !== null && seen !== undefined) {
      const messageKey = `m:${digest(messageId)}`;
      if (Object.hasOwn(seen, messageKey)) {
        duplicateMessage = true;
        return { events };
      }
      remember[messageKey] = { at: now.toISOString() };
    }
    if (documentKey !== null && seen !== undefined) {
      const first = Object.hasOwn(seen, documentKey) ? seen[documentKey] : undefined;
      if (first !== undefined) keyMessageId = first.messageId ?? messageId;
      else remember[documentKey] = { at: now.toISOString(), messageId };
    }
    const event = cemEvent(parsed, as2From, as2To, verifiedBy, keyMessageId);
    return { events: [...events, event], material, ...(rel === undefined ? {} : { remember: { relationshipId: rel.id, seen: remember } }) };
  };
  // A partner's Request never touches our listener; a Response may answer our server certificate.
  const scope: Scope = parsed.kind === 'request' ? { kind: 'names', as2From, as2To, listener: false } : { kind: 'names', as2From, as2To };
  const { applied } = await runOperation(ctx, scope, plan);
  return outcomeOf(parsed, await afterPerforming(ctx, applied, parsed, relationshipId, keyMessageId), relationshipId, keyMessageId, duplicateMessage);
}

/**
 * An ordinary (non-CEM) message: one read, of the name index, whose entry says whether the
 * message's features would change anything (see `featuresChange`); only then is the relationship
 * loaded and the observation committed.
 */
async function ordinary(ctx: EngineContext, as2From: string, as2To: string, features: readonly string[] | null, verifiedBy: string | null): Promise<ReceiveOutcome> {
  await ensureLayout(ctx);
  const index = await storeCall(() => ctx.ports.store.get(keys.name(as2From, as2To)));
  const entry = index?.value as Partial<NameEntry> | undefined;
  const id = typeof entry?.relationshipId === 'string' ? entry.relationshipId : null;
  if (id === null) return Object.freeze({ kind: 'ignored', relationshipId: null });
  if (features === null) return Object.freeze({ kind: 'ignored', relationshipId: id });
  // An entry without the summary (not written by this engine) is decided by the relationship itself.
  const known = typeof entry?.cem === 'boolean' && Array.isArray(entry.signers);
  if (known && !featuresChange(entry as NameEntry, features, verifiedBy)) return Object.freeze({ kind: 'ignored', relationshipId: id });
  await runOperation(ctx, { kind: 'relationship', id, listener: false }, () => ({ events: [{ type: 'featuresObserved', relationshipId: id, features, verifiedBy }] }));
  return Object.freeze({ kind: 'ignored', relationshipId: id });
}

/** The applied state with the exchange re-read after its effects were performed (e.g. `answered`), when the store answers. */
async function afterPerforming(ctx: EngineContext, applied: Applied, parsed: ParsedCemEntity | null, relationshipId: string | null, messageId: string | null): Promise<Applied> {
  if (parsed === null || relationshipId === null || !applied.committed) return applied;
  try {
    const agg = (await ctx.ports.store.get(keys.relationship(relationshipId)))?.value as unknown as RelationshipAggregate | undefined;
    if (agg === undefined) return applied;
    if (parsed.kind === 'request') {
      const key = inboundKey(relationshipId, parsed.request, messageId);
      const value = agg.inbound[key];
      return value === undefined ? applied : { ...applied, state: { ...applied.state, inbound: { ...applied.state.inbound, [key]: value } } };
    }
    const id = parsed.response.requestId;
    const value = id === null ? undefined : agg.outbound[id];
    return value === undefined || id === null ? applied : { ...applied, state: { ...applied.state, outbound: { ...applied.state.outbound, [id]: value } } };
  } catch {
    return applied;
  }
}
