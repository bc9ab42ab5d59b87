/**
 * The inbound path for an engine: AS2 messages are decrypted with the relationship's
 * `decryptInbound` certificates (each in turn; keys from the host by `keyRef`), verified against
 * `verifyInbound`, handed to `engine.receive`, and the certificates that really decrypted and
 * verified them are reported with `engine.observeTraffic` (first usage). A message that cannot be
 * decrypted or verified gets its error MDN and never reaches the engine.
 *
 * @module
 */
import type { CemEngine } from '../../engine/engine.js';
import type { ReceiveOutcome } from '../../engine/types.js';
import type { DecryptionCandidate } from './cms-enveloped.js';
import { privateKeyObject } from './keys.js';
import type { As2InboundMessage, As2ProcessResult, As2ReceiverOptions, As2Trust } from './receiver.js';
import type { As2KeyLookup, As2MdnMatch, As2Transport } from './transport.js';
import type { As2MdnRead } from './mdn.js';

/** What the inbound path uses of the engine. */
export type As2InboundEngine = Pick<CemEngine, 'resolve' | 'receive' | 'observeTraffic' | 'relationshipFor' | 'reportRequestFailed'>;

/** A message the engine did not take as CEM (an ordinary payload), or any message with its outcome. */
export interface CemAs2Delivery {
  readonly relationshipId: string;
  readonly message: As2InboundMessage;
  readonly outcome: ReceiveOutcome;
}

/** Options of {@link createCemAs2Receiver}. */
export interface CemAs2ReceiverOptions {
  readonly engine: As2InboundEngine;
  readonly keys: As2KeyLookup;
  /** The relationship of AS2-From → AS2-To; by default the engine's (`engine.relationshipFor`: one read of its name index). */
  relationshipFor?(as2From: string, as2To: string): Promise<string | null> | string | null;
  /** Every message after `receive` (an `ignored` outcome is an ordinary payload for the host). */
  onDelivery?(delivery: CemAs2Delivery): Promise<void> | void;
  /**
   * The transport that sent with asynchronous MDNs: each MDN posted to us is matched with its
   * message, and a CEM Request whose MDN reports a failure (or does not match) is reported with
   * `engine.reportRequestFailed`.
   */
  readonly transport?: As2Transport;
  /** Every asynchronous MDN posted to us, with its match (`null` when it answers nothing we wait for). */
  onMdn?(mdn: As2MdnRead, match: As2MdnMatch | null): Promise<void> | void;
  /** Also decrypt with archived certificates (old traffic); false by default. */
  readonly decryptArchive?: boolean;
}

async function defaultRelationship(engine: As2InboundEngine, as2From: string, as2To: string): Promise<string | null> {
  return engine.relationshipFor(as2From, as2To);
}

function modifierFor(outcome: ReceiveOutcome): As2ProcessResult {
  switch (outcome.kind) {
    case 'invalid':
      return { modifierKind: 'error', modifier: 'unexpected-processing-error', detail: `${outcome.code}: ${outcome.message}` };
    case 'refused':
      return { modifierKind: 'error', modifier: outcome.reason === 'notAuthenticated' ? 'authentication-failed' : 'unexpected-processing-error', detail: `${outcome.reason}: ${outcome.detail}` };
    default:
      return undefined;
  }
}

/**
 * The receiver options (for {@link receiveAs2} / {@link createAs2Handler}) that drive `engine`.
 *
 * @example
 * ```ts
 * const handler = createAs2Handler(createCemAs2Receiver({ engine, keys: (ref) => keyStore.get(ref),
 *   onDelivery: ({ outcome, message }) => { if (outcome.kind === 'ignored') edi.process(message.read.body) } }))
 * http.createServer(handler).listen(8080)
 * ```
 * @throws never itself; the returned callbacks report engine failures as `processed/error` MDNs.
 */
export function createCemAs2Receiver(options: CemAs2ReceiverOptions): As2ReceiverOptions {
  const { engine } = options;
  const lookup = async (as2From: string, as2To: string): Promise<string | null> =>
    options.relationshipFor === undefined ? defaultRelationship(engine, as2From, as2To) : options.relationshipFor(as2From, as2To);
  return {
    async trust(as2From, as2To): Promise<As2Trust | null> {
      const id = await lookup(as2From, as2To);
      const resolved = id === null ? null : await engine.resolve(id);
      if (resolved === null) return null;
      const decrypt: DecryptionCandidate[] = [];
      const certs = options.decryptArchive === true ? [...resolved.decryptInbound, ...resolved.decryptArchive] : resolved.decryptInbound;
      for (const c of certs) {
        const key = c.keyRef === undefined ? undefined : await options.keys(c.keyRef);
        if (key !== undefined) decrypt.push({ certificate: c.der, key: privateKeyObject(key) });
      }
      const signer = resolved.signMdn;
      const signKey = signer?.keyRef === undefined ? undefined : await options.keys(signer.keyRef);
      return {
        decrypt,
        verify: resolved.verifyInbound.map((c) => c.der),
        signMdn: signer === null || signKey === undefined ? null : { certificate: signer.der, chain: signer.chain, key: signKey },
      };
    },
    async process(message) {
      const relationshipId = await lookup(message.as2From, message.as2To);
      if (relationshipId === null) return { modifierKind: 'error', modifier: 'authentication-failed', detail: 'unknown trading partner' };
      const { read } = message;
      const outcome = await engine.receive({ body: read.entity, headers: message.headers, verifiedBy: read.verifiedWith });
      await engine.observeTraffic({
        relationshipId,
        ...(read.decryptedWith === null ? {} : { decryptedWith: read.decryptedWith }),
        ...(read.verifiedWith === null ? {} : { verifiedWith: read.verifiedWith }),
      });
      await options.onDelivery?.({ relationshipId, message, outcome });
      return modifierFor(outcome);
    },
    async onMdn(mdn) {
      const match = options.transport?.matchMdn(mdn) ?? null;
      if (match !== null && match.problem !== null && match.kind === 'request' && match.requestId !== null) {
        await engine.reportRequestFailed(match.requestId, `negative MDN: ${match.problem}`);
      }
      await options.onMdn?.(mdn, match);
    },
  };
}
