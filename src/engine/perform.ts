/**
 * Performing outbox entries through the host's ports, and recording their results. A port
 * failure never escapes: it becomes the lifecycle's failure event (`requestFailed`, ...) or, for
 * effects without one (notices, installs), the entry is kept and tried again later.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../errors.js';
import type { CemAlertNotice } from '../ports/notifier.js';
import type { Alert } from '../state/effects.js';
import type { CemEvent } from '../state/events.js';
import { audit, describeError } from './audit.js';
import { buildEmailMessage, buildRequestMessage, buildResponseMessage, type MessageOptions } from './build-messages.js';
import { applyEvents } from './commit.js';
import { storeCall, type EngineContext } from './context.js';
import { loadMaterial } from './material.js';
import { claimWrite, doneWrite, isClaimable, listOutbox, releaseWrite, type LoadedEntry, type OutboxEntry } from './outbox.js';
import { clockNow, drawId } from './port-calls.js';

/** What performing one entry gave. */
type Outcome =
  /** Done; apply this event (or none) and delete the entry. */
  | { readonly kind: 'done'; readonly event: CemEvent | null }
  /** Keep the entry and try again after the retry delay. */
  | { readonly kind: 'later'; readonly error: string };

/** The port failure as `CEM_PORT_FAILED` text: what the failure event and `lastError` carry. */
function portFailed(what: string, error: unknown): string {
  const wrapped = new CemEngineError('CEM_PORT_FAILED', `${what} failed: ${describeError(error)}`, { cause: error });
  return `${wrapped.code}: ${wrapped.message}`;
}

function notice(alert: Alert): CemAlertNotice {
  const base = { kind: alert.kind, dedupeKey: alert.dedupeKey, severity: alert.severity, message: alert.message, details: alert.details };
  return Object.freeze(alert.relationshipId === null ? base : { ...base, relationshipId: alert.relationshipId });
}

async function attemptPort(call: () => Promise<void>): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected without a reason');
  }
}

async function perform(ctx: EngineContext, entry: OutboxEntry): Promise<Outcome> {
  const { ports } = ctx;
  const options: MessageOptions = { zone: ctx.zone, transferEncoding: ctx.transferEncoding, allowIncompleteChain: ctx.allowIncompleteChain };
  const effect = entry.effect;
  switch (effect.type) {
    case 'sendRequest': {
      const error = await attemptPort(async () => ports.transport.sendRequest(await buildRequestMessage(ports.store, effect, options)));
      return { kind: 'done', event: error === undefined ? { type: 'requestDelivered', requestId: effect.requestId } : { type: 'requestFailed', requestId: effect.requestId, error: portFailed('sendRequest', error) } };
    }
    case 'sendResponse': {
      const error = await attemptPort(async () => ports.transport.sendResponse(buildResponseMessage(effect, entry.xmlContentId ?? drawId(ports, 'contentId'), options)));
      return { kind: 'done', event: error === undefined ? { type: 'responseDelivered', exchangeKey: effect.exchangeKey } : { type: 'responseFailed', exchangeKey: effect.exchangeKey, error: portFailed('sendResponse', error) } };
    }
    case 'sendEmail': {
      const send = ports.transport.sendEmail?.bind(ports.transport);
      const error = send === undefined
        ? new Error('the transport has no sendEmail')
        : await attemptPort(async () => send(await buildEmailMessage(ports.store, effect)));
      return { kind: 'done', event: error === undefined ? { type: 'emailDelivered', exchangeId: effect.exchangeId } : { type: 'emailFailed', exchangeId: effect.exchangeId, error: portFailed('sendEmail', error) } };
    }
    case 'notify': {
      const error = await attemptPort(() => ports.notifier.notify(notice(effect.alert)));
      return error === undefined ? { kind: 'done', event: null } : { kind: 'later', error: portFailed('notify', error) };
    }
    case 'installServerCertificate': {
      const installer = ports.servers;
      if (installer === undefined) {
        const alert: CemAlertNotice = {
          kind: 'serverCertificateInstallNeeded',
          dedupeKey: `serverCertificateInstallNeeded:${effect.protocol}:${effect.fingerprint}`,
          severity: 'warning',
          message: `Install the new ${effect.protocol} server certificate ${effect.fingerprint.slice(0, 16)}… and confirm it to the CEM engine`,
          details: { protocol: effect.protocol, fingerprint: effect.fingerprint, keyRef: effect.keyRef },
        };
        const error = await attemptPort(() => ports.notifier.notify(alert));
        return error === undefined ? { kind: 'done', event: null } : { kind: 'later', error: portFailed('notify', error) };
      }
      const error = await attemptPort(async () => {
        const material = await loadMaterial(ports.store, effect.fingerprint);
        await installer.install(effect.protocol, { fingerprint: material.fingerprint, der: material.der, chain: material.chain, keyRef: effect.keyRef });
      });
      return error === undefined
        ? { kind: 'done', event: { type: 'serverCertificateInstalled', protocol: effect.protocol, fingerprint: effect.fingerprint } }
        : { kind: 'later', error: portFailed('install', error) };
    }
    case 'archiveCertificate':
      return { kind: 'done', event: null };
  }
}

/**
 * Performs one entry this engine holds a claim on, then records the result: the result event and
 * the entry's deletion in one commit (new effects become new claimed entries, performed in turn),
 * or the entry released for a later attempt. Never throws: failures leave the entry in the outbox.
 *
 * @example
 * ```ts
 * await performClaimed(ctx, applied.entries)
 * ```
 * @throws never.
 */
export async function performClaimed(ctx: EngineContext, entries: readonly LoadedEntry[]): Promise<number> {
  const queue = [...entries];
  let performed = 0;
  while (queue.length > 0) {
    const loaded = queue.shift() as LoadedEntry;
    try {
      const outcome = await perform(ctx, loaded.entry);
      await audit(ctx.ports, `effect:${loaded.entry.effect.type}`, { effect: loaded.entry.effect, outcome });
      performed++;
      if (outcome.kind === 'later') {
        const later = new Date(clockNow(ctx.ports).getTime() + ctx.retryDelayMs);
        await storeCall(() => ctx.ports.store.commit([releaseWrite(loaded, outcome.error, later)]));
        continue;
      }
      const event = outcome.event;
      if (event === null) {
        // Nothing to apply: just remove the entry (a conflict means another engine took it over).
        await storeCall(() => ctx.ports.store.commit([doneWrite(loaded)])).catch((error: unknown) => {
          if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error;
        });
        continue;
      }
      const applied = await applyEvents(ctx, () => ({ events: [event] }), loaded);
      queue.push(...applied.entries);
    } catch (error) {
      // The entry stays in the outbox, claimed until its lease expires; a later drain performs it.
      await audit(ctx.ports, 'outboxError', { entry: loaded.entry.id, error: describeError(error) });
    }
  }
  return performed;
}

/**
 * Claims and performs every entry that is due: unclaimed, or whose claimant's lease expired (a
 * crashed engine). A claim held by another live engine is left alone; a lost claim race is
 * skipped. Returns how many entries were performed.
 *
 * @example
 * ```ts
 * await drainDue(ctx)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store cannot be listed or the clock fails.
 */
export async function drainDue(ctx: EngineContext): Promise<number> {
  const entries = await storeCall(() => listOutbox(ctx.ports.store));
  let performed = 0;
  for (const loaded of entries) {
    const now = clockNow(ctx.ports);
    if (!isClaimable(loaded.entry, now)) continue;
    const claim = { by: ctx.claimant, until: new Date(now.getTime() + ctx.leaseMs).toISOString() };
    try {
      await storeCall(() => ctx.ports.store.commit([claimWrite(loaded, claim)]));
    } catch {
      continue; // another engine claimed it first, or the store failed: leave it
    }
    const claimed: LoadedEntry = { key: loaded.key, version: loaded.version + 1, entry: { ...loaded.entry, claim } };
    performed += await performClaimed(ctx, [claimed]);
  }
  return performed;
}
