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
import { audit } from './audit.js';
import { buildEmailMessage, buildRequestMessage, buildResponseMessage, type MessageOptions } from './build-messages.js';
import { applyEvents } from './commit.js';
import { scopeOf } from './scope.js';
import { storeCall, type EngineContext } from './context.js';
import { holdLease, type Lease } from './lease.js';
import { loadMaterial } from './material.js';
import { claimWrite, doneWrite, dueEntries, isClaimable, isTakeover, releaseWrite, type LoadedEntry } from './outbox.js';
import { clockNow, describeError, drawId } from './port-calls.js';

/** What performing one entry gave. */
type Outcome =
  /** Done; apply this event (or none) and delete the entry. */
  | { readonly kind: 'done'; readonly event: CemEvent | null }
  /** Keep the entry and try again after the retry delay. */
  | { readonly kind: 'later'; readonly error: string }
  /**
   * Another engine took the entry over (our claim ran out): it performs the effect and records
   * the result; `called` tells whether we made the port call too (before we knew).
   */
  | { readonly kind: 'lost'; readonly called: boolean };

/** The port failure as `CEM_PORT_FAILED` text: what the failure event and `lastError` carry. */
function portFailed(what: string, error: unknown): string {
  const wrapped = new CemEngineError('CEM_PORT_FAILED', `${what} failed: ${describeError(error)}`, { cause: error });
  return `${wrapped.code}: ${wrapped.message}`;
}

function notice(alert: Alert): CemAlertNotice {
  const base = { kind: alert.kind, dedupeKey: alert.dedupeKey, severity: alert.severity, message: alert.message, details: alert.details };
  return Object.freeze(alert.relationshipId === null ? base : { ...base, relationshipId: alert.relationshipId });
}

/** The claim was lost before the port call: nothing was performed. */
const LOST = Symbol('lost');

/**
 * Prepares the port call's input (a failure there counts as the call's failure), makes sure the
 * claim runs for a full lease, then makes the call while renewing the claim. Resolves to the
 * call's error (`undefined` when it succeeded) or {@link LOST}.
 */
async function attemptPort<M>(lease: Lease, prepare: () => Promise<M> | M, call: (input: M) => Promise<void>): Promise<unknown> {
  let input: M;
  try {
    input = await prepare();
  } catch (error) {
    return error ?? new Error('rejected without a reason');
  }
  // A store or clock failure here escapes: the entry stays claimed and is performed later.
  if (!(await lease.ensure())) return LOST;
  try {
    await lease.during(() => call(input));
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected without a reason');
  }
}

/** `lost` when the claim was lost before the call (not made) or during it (made); `null` while it is ours. */
function lostOutcome(lease: Lease, error: unknown): Outcome | null {
  if (error === LOST) return { kind: 'lost', called: false };
  return lease.lost() ? { kind: 'lost', called: true } : null;
}

/** The outcome of a call whose result is an event, or `lost` when the claim was lost. */
function settled(lease: Lease, error: unknown, ok: () => CemEvent, failed: (error: unknown) => CemEvent): Outcome {
  return lostOutcome(lease, error) ?? { kind: 'done', event: error === undefined ? ok() : failed(error) };
}

/** The outcome of a call without a result event (notices, installs): kept for later on failure. */
function retried(lease: Lease, error: unknown, what: string, event: CemEvent | null): Outcome {
  return lostOutcome(lease, error) ?? (error === undefined ? { kind: 'done', event } : { kind: 'later', error: portFailed(what, error) });
}

async function perform(ctx: EngineContext, lease: Lease): Promise<Outcome> {
  const { ports } = ctx;
  const options: MessageOptions = { zone: ctx.zone, transferEncoding: ctx.transferEncoding, allowIncompleteChain: ctx.allowIncompleteChain };
  const entry = lease.current().entry;
  const effect = entry.effect;
  switch (effect.type) {
    case 'sendRequest': {
      const error = await attemptPort(lease, () => buildRequestMessage(ports.store, effect, options), (m) => ports.transport.sendRequest(m));
      return settled(lease, error, () => ({ type: 'requestDelivered', requestId: effect.requestId }), (e) => ({ type: 'requestFailed', requestId: effect.requestId, error: portFailed('sendRequest', e) }));
    }
    case 'sendResponse': {
      const error = await attemptPort(lease, () => buildResponseMessage(effect, entry.xmlContentId ?? drawId(ports, 'contentId'), options), (m) => ports.transport.sendResponse(m));
      return settled(lease, error, () => ({ type: 'responseDelivered', exchangeKey: effect.exchangeKey }), (e) => ({ type: 'responseFailed', exchangeKey: effect.exchangeKey, error: portFailed('sendResponse', e) }));
    }
    case 'sendEmail': {
      const send = ports.transport.sendEmail?.bind(ports.transport);
      const error = send === undefined
        ? new Error('the transport has no sendEmail')
        : await attemptPort(lease, () => buildEmailMessage(ports.store, effect), (m) => send(m));
      return settled(lease, error, () => ({ type: 'emailDelivered', exchangeId: effect.exchangeId }), (e) => ({ type: 'emailFailed', exchangeId: effect.exchangeId, error: portFailed('sendEmail', e) }));
    }
    case 'notify': {
      const error = await attemptPort(lease, () => notice(effect.alert), (n) => ports.notifier.notify(n));
      return retried(lease, error, 'notify', null);
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
        const error = await attemptPort(lease, () => alert, (n) => ports.notifier.notify(n));
        return retried(lease, error, 'notify', null);
      }
      const error = await attemptPort(
        lease,
        async () => {
          const material = await loadMaterial(ports.store, effect.fingerprint);
          return { fingerprint: material.fingerprint, der: material.der, chain: material.chain, keyRef: effect.keyRef };
        },
        (certificate) => installer.install(effect.protocol, certificate),
      );
      return retried(lease, error, 'install', { type: 'serverCertificateInstalled', protocol: effect.protocol, fingerprint: effect.fingerprint });
    }
    case 'archiveCertificate':
      return { kind: 'done', event: null };
  }
}

/**
 * Performs entries this engine holds a claim on, one after another, then records each result:
 * the result event and the entry's deletion in one commit (new effects become new claimed
 * entries, performed in turn), or the entry released for a later attempt. Before each port call
 * the claim is renewed to a full `leaseMs` (and, with clock timers, kept renewed during the
 * call); when another engine took the entry over meanwhile, nothing is recorded: the taker
 * performs the effect and records its result. Never throws: failures leave the entry in the
 * outbox.
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
    const claimed = queue.shift() as LoadedEntry;
    const lease = holdLease(ctx, claimed);
    try {
      const outcome = await perform(ctx, lease);
      await audit(ctx.ports, `effect:${claimed.entry.effect.type}`, { effect: claimed.entry.effect, outcome });
      if (outcome.kind === 'lost') {
        if (outcome.called) performed++;
        continue;
      }
      performed++;
      const loaded = lease.current();
      if (outcome.kind === 'later') {
        const later = new Date(clockNow(ctx.ports).getTime() + ctx.retryDelayMs);
        await storeCall(() => ctx.ports.store.commit(releaseWrite(loaded, outcome.error, later))).catch((error: unknown) => {
          if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error; // taken over meanwhile: the taker decides
        });
        continue;
      }
      const event = outcome.event;
      if (event === null) {
        // Nothing to apply: just remove the entry (a conflict means another engine took it over).
        await storeCall(() => ctx.ports.store.commit(doneWrite(loaded))).catch((error: unknown) => {
          if (!isCemError(error, 'CEM_STORE_CONFLICT')) throw error;
        });
        continue;
      }
      // Applied only while the entry is still ours (version-checked delete in the same commit).
      const applied = await applyEvents(ctx, scopeOf(event), () => ({ events: [event] }), loaded);
      queue.push(...applied.entries);
    } catch (error) {
      // The entry stays in the outbox, claimed until its lease expires; a later drain performs it.
      await audit(ctx.ports, 'outboxError', { entry: claimed.entry.id, error: describeError(error) });
    }
  }
  return performed;
}

/**
 * Claims and performs every entry that is due, read from the outbox's due index: unclaimed, or
 * whose claimant's lease expired (a crashed engine), or claimed by a previous run of this engine
 * id. A claim held by another live engine is left alone; a lost claim race is skipped. Returns
 * how many entries were performed.
 *
 * @example
 * ```ts
 * await drainDue(ctx)
 * ```
 * @throws CemEngineError `CEM_PORT_FAILED` when the store cannot be listed or the clock fails.
 */
export async function drainDue(ctx: EngineContext): Promise<number> {
  let performed = 0;
  let after: string | undefined;
  const previousRun = (claimant: string): boolean => claimant !== ctx.claimant && claimant.startsWith(`${ctx.engineId}.`);
  // The first drain of an engine instance reads the whole due index once, to take over at once
  // what a previous run of this engine id had claimed (a restart after a crash: the host
  // guarantees one live instance per engineId). Later drains read only what is due.
  const everything = ctx.firstDrain();
  for (;;) {
    const until = everything ? null : clockNow(ctx.ports).toISOString();
    const page = await storeCall(() => dueEntries(ctx.ports.store, until, 50, after));
    for (const loaded of page.entries) {
      const now = clockNow(ctx.ports);
      if (!isClaimable(loaded.entry, now, previousRun)) continue;
      const made = claimWrite(loaded, { by: ctx.claimant, until: new Date(now.getTime() + ctx.leaseMs).toISOString() }, isTakeover(loaded.entry, now, previousRun));
      try {
        await storeCall(() => ctx.ports.store.commit(made.writes));
      } catch {
        continue; // another engine claimed it first, or the store failed: leave it
      }
      performed += await performClaimed(ctx, [made.claimed]);
    }
    if (!page.full) return performed;
    after = page.last;
  }
}
