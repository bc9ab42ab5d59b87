/**
 * An in-memory AS2 network between engines, for integrators' tests: what a host's AS2 layer does
 * with `resolve()`, without HTTP or S/MIME (the real one is `ediint-cem/adapters/as2`).
 *
 * The sender signs with the key behind `signOutbound.keyRef` and encrypts to `encryptOutbound`;
 * the receiver decrypts with whichever `decryptInbound` certificate the message names, checks the
 * signature against `verifyInbound`, hands the body to `receive()` and reports the certificates
 * it used with `observeTraffic()` (first usage). Real RSA keys and signatures, so a message no
 * live certificate can open fails here as it would in AS2. Engines send through memory
 * transports; `deliver()` carries their messages, in the order sent, until nobody has anything
 * left to send.
 *
 * @module
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { CemEngine } from '../engine/engine.js';
import type { ReceiveOutcome } from '../engine/types.js';
import { fingerprintOfDer, openMessage, sealMessage, type SimulatedKeyed } from './as2-seal.js';
import type { MemoryTransportEntry } from './memory-transport.js';

/** A party running an engine; its relationships name each partner by the partner's `id`. */
export interface SimulatedAs2EngineParty {
  readonly kind: 'engine';
  /** Its AS2 name (AS2-From of its messages). */
  readonly name: string;
  /** The relationship id its partners use for it. */
  readonly id: string;
  readonly engine: Pick<CemEngine, 'resolve' | 'receive' | 'observeTraffic'>;
  /** Its memory transport (`createMemoryTransport`), whose sends the network carries. */
  readonly transport: { readonly sent: readonly MemoryTransportEntry[] };
  /** The EDIINT-Features its AS2 stack advertises; `CEM, multiple-attachments` by default, `null` for none. */
  readonly features?: string | null;
}

/** A partner whose product has no CEM: it signs and encrypts with what its administrator set. */
export interface SimulatedAs2PlainParty {
  readonly kind: 'plain';
  readonly name: string;
  readonly id: string;
  readonly features?: string | null;
  /** The certificate it signs with and its key reference. */
  readonly signWith: { readonly der: Uint8Array; readonly keyRef: string };
  /** The certificate it encrypts to. */
  readonly encryptTo: Uint8Array;
}

/** Either kind of party. */
export type SimulatedAs2Party = SimulatedAs2EngineParty | SimulatedAs2PlainParty;

/** What happened to one message. */
export interface SimulatedAs2Delivery {
  readonly from: string;
  readonly to: string;
  readonly kind: 'request' | 'response' | 'payload';
  readonly messageId: string;
  /** The CEM requestId, for CEM messages. */
  readonly requestId: string | null;
  /** Labels (see `label`) of the signing and recipient certificates. */
  readonly signedWith: string | null;
  readonly encryptedTo: string | null;
  /** `null` when the receiver could not decrypt or verify (or has no engine). */
  readonly outcome: ReceiveOutcome | null;
  /** Why the receiving AS2 layer refused the message. */
  readonly failure: string | null;
}

/** Hooks around each delivery. */
export interface SimulatedAs2Observer {
  before?(): Promise<void>;
  after?(delivery: SimulatedAs2Delivery): Promise<void>;
}

/** The network. */
export interface SimulatedAs2Network {
  /** Every delivery so far, in order. */
  readonly deliveries: readonly SimulatedAs2Delivery[];
  /** Carries the CEM messages the engines sent (and those sent in reply) until quiet, or `limit` of them. */
  deliver(limit?: number): Promise<readonly SimulatedAs2Delivery[]>;
  /** An ordinary payload from the party named `from` to the party named `to`. */
  sendPayload(from: string, to: string, text?: string): Promise<SimulatedAs2Delivery>;
  observe(observer: SimulatedAs2Observer): void;
}

/** Options of {@link createSimulatedAs2Network}. */
export interface SimulatedAs2Options {
  readonly parties: readonly SimulatedAs2Party[];
  /** Private keys of every party by key reference (PEM or KeyObject). */
  keys(keyRef: string): KeyObject | string | undefined;
  /** A readable name for a certificate fingerprint (the fingerprint by default). */
  label?(fingerprint: string): string;
}

const CEM_FEATURES = 'CEM, multiple-attachments';

/**
 * Connects the parties.
 *
 * @example
 * ```ts
 * const net = createSimulatedAs2Network({ parties: [
 *   { kind: 'engine', name: 'ACME', id: 'acme', engine: acme, transport: acmePorts.transport },
 *   { kind: 'engine', name: 'GLOBEX', id: 'globex', engine: globex, transport: globexPorts.transport },
 * ], keys: (ref) => keyStore[ref] })
 * await acme.sendCertificates('globex', selection)
 * await net.deliver() // the Request to Globex, its Response back to Acme
 * ```
 * @throws Error from `deliver`/`sendPayload` for an unknown party name or a sender without certificates.
 */
export function createSimulatedAs2Network(options: SimulatedAs2Options): SimulatedAs2Network {
  const deliveries: SimulatedAs2Delivery[] = [];
  const observers: SimulatedAs2Observer[] = [];
  const cursors = new Map<string, number>();
  const counters = new Map<string, number>();
  const label = (fp: string): string => options.label?.(fp) ?? fp;
  const keyOf = (ref: string | undefined): KeyObject | undefined => {
    const k = ref === undefined ? undefined : options.keys(ref);
    return typeof k === 'string' ? createPrivateKey(k) : k;
  };
  const byName = (name: string): SimulatedAs2Party => {
    const p = options.parties.find((x) => x.name === name);
    if (p === undefined) throw new Error(`no party named ${name}`);
    return p;
  };

  async function outbound(from: SimulatedAs2Party, to: SimulatedAs2Party): Promise<{ signer: SimulatedKeyed; recipient: SimulatedKeyed }> {
    if (from.kind === 'plain') {
      return {
        signer: { der: from.signWith.der, fingerprint: fingerprintOfDer(from.signWith.der), keyRef: from.signWith.keyRef },
        recipient: { der: from.encryptTo, fingerprint: fingerprintOfDer(from.encryptTo) },
      };
    }
    const resolved = await from.engine.resolve(to.id);
    const signer = resolved?.signOutbound;
    const recipient = resolved?.encryptOutbound;
    if (signer == null || recipient == null) throw new Error(`${from.name} has no certificates for ${to.name}`);
    return { signer, recipient };
  }

  async function carry(from: SimulatedAs2Party, to: SimulatedAs2Party, kind: SimulatedAs2Delivery['kind'], contentType: string, body: Uint8Array, requestId: string | null): Promise<SimulatedAs2Delivery> {
    for (const o of observers) await o.before?.();
    const n = (counters.get(from.id) ?? 0) + 1;
    counters.set(from.id, n);
    const messageId = `<${String(n).padStart(4, '0')}@as2.${from.id}.example>`;
    const { signer, recipient } = await outbound(from, to);
    const signKey = keyOf(signer.keyRef);
    if (signKey === undefined) throw new Error(`no private key for ${label(signer.fingerprint)}`);
    const envelope = sealMessage(body, { der: signer.der, key: signKey }, recipient);
    let outcome: ReceiveOutcome | null = null;
    let failure: string | null = null;
    if (to.kind === 'engine') {
      const resolved = await to.engine.resolve(from.id);
      const opened = resolved === null ? `${to.name} has no relationship with ${from.name}` : openMessage(envelope, resolved.decryptInbound, resolved.verifyInbound, keyOf, label);
      if (typeof opened === 'string') failure = opened;
      else {
        const headers: Record<string, string> = { 'AS2-Version': '1.2', 'AS2-From': from.name, 'AS2-To': to.name, 'Message-ID': messageId };
        const features = from.features === undefined ? CEM_FEATURES : from.features;
        if (features !== null) headers['EDIINT-Features'] = features;
        outcome = await to.engine.receive({ body: { contentType, body: opened.data }, headers, verifiedBy: envelope.signerDer });
        await to.engine.observeTraffic({ relationshipId: from.id, decryptedWith: opened.decryptedWith.der, verifiedWith: envelope.signerDer });
      }
    }
    const delivery: SimulatedAs2Delivery = Object.freeze({
      from: from.name, to: to.name, kind, messageId, requestId,
      signedWith: label(signer.fingerprint), encryptedTo: label(recipient.fingerprint), outcome, failure,
    });
    deliveries.push(delivery);
    for (const o of observers) await o.after?.(delivery);
    return delivery;
  }

  return {
    deliveries,
    observe: (observer) => void observers.push(observer),
    async deliver(limit = Number.POSITIVE_INFINITY) {
      const done: SimulatedAs2Delivery[] = [];
      for (let moved = true; moved && done.length < limit;) {
        moved = false;
        for (const from of options.parties) {
          if (from.kind !== 'engine') continue;
          const sent = from.transport.sent;
          for (let i = cursors.get(from.id) ?? 0; i < sent.length && done.length < limit; i = cursors.get(from.id) ?? 0) {
            cursors.set(from.id, i + 1);
            const entry = sent[i];
            if (entry === undefined || entry.kind === 'email') continue;
            const m = entry.message;
            done.push(await carry(from, byName(m.as2To), entry.kind, m.contentType, m.body, m.requestId));
            moved = true;
          }
        }
      }
      return done;
    },
    sendPayload: (from, to, text = `UNB+UNOC:3+${from}+${to}'`) =>
      carry(byName(from), byName(to), 'payload', 'application/edifact', new TextEncoder().encode(text), null),
  };
}
