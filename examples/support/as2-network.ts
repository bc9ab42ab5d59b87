/**
 * A small stand-in for the AS2 stacks of the example parties and the network between them.
 *
 * The sending side does what a host's AS2 layer does with `engine.resolve()`: it signs the body
 * with the private key behind `signOutbound.keyRef` and encrypts it to `encryptOutbound`. The
 * receiving side decrypts with the key of whichever of its `decryptInbound` certificates the
 * message names, checks the signature against `verifyInbound`, hands the body to `receive()` and
 * reports the certificates it used with `observeTraffic()` (first usage). Real RSA keys and real
 * signatures (RSA-OAEP key transport, AES-256-GCM, RSA SHA-256 signatures); only the S/MIME
 * packaging is left out, so a message no live certificate can open fails here as it would in AS2.
 *
 * CEM messages leave each engine through its memory transport; `deliver()` carries them, in the
 * order sent, until no party has anything left to send.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { certificatePem, nameOf, type ExampleCertName } from '../certs/index.js';
import { fingerprintOfDer, open, seal, type Keyed } from './as2-crypto.js';
import type { ReceiveOutcome, ResolvedCertificate } from '../sdk.js';
import type { EngineParty, Party } from './parties.js';

/** What happened to one AS2 message. */
export interface Delivery {
  readonly from: string;
  readonly to: string;
  readonly kind: 'request' | 'response' | 'payload';
  readonly messageId: string;
  /** The CEM requestId, for CEM messages. */
  readonly requestId: string | null;
  /** Example certificate names (or fingerprint prefixes). */
  readonly signedWith: string | null;
  readonly encryptedTo: string | null;
  /** `null` when the receiver could not decrypt or verify: the message was refused. */
  readonly outcome: ReceiveOutcome | null;
  /** Why the receiving AS2 layer refused the message. */
  readonly failure: string | null;
}

const derOf = (name: ExampleCertName): Uint8Array => new Uint8Array(new X509Certificate(certificatePem(name)).raw);

/** Our side's certificates for one message: engine parties resolve them, plain parties use what their admin set. */
async function outboundCertificates(from: Party, to: Party): Promise<{ signer: Keyed; recipient: Keyed }> {
  if (from.kind === 'plain') {
    return {
      signer: { der: derOf(from.signing), fingerprint: fingerprintOfDer(derOf(from.signing)), keyRef: from.signing },
      recipient: { der: derOf(from.encryptTo), fingerprint: fingerprintOfDer(derOf(from.encryptTo)) },
    };
  }
  const resolved = await from.engine.resolve(to.id);
  const signer: ResolvedCertificate | null | undefined = resolved?.signOutbound;
  const recipient = resolved?.encryptOutbound;
  if (signer == null || recipient == null) throw new Error(`${from.name} has no certificates for ${to.name}`);
  return { signer, recipient };
}

/** The network between the parties. */
export interface As2Network {
  /** Every delivery so far, in order. */
  readonly deliveries: readonly Delivery[];
  /** Carries the CEM messages the engines sent (and those sent in reply) until quiet, or `limit` of them. */
  deliver(limit?: number): Promise<readonly Delivery[]>;
  /** An ordinary EDI payload from `from` to `to`. */
  sendPayload(from: Party, to: Party, text?: string): Promise<Delivery>;
  /** Called before each message is carried and after it was received (the timeline prints it). */
  observe(observer: DeliveryObserver): void;
}

/** Hooks around each delivery. */
export interface DeliveryObserver {
  before?(): Promise<void>;
  after?(delivery: Delivery): Promise<void>;
}

/**
 * Connects the parties.
 *
 * @example
 * ```ts
 * const net = createAs2Network([acme, globex])
 * await acme.engine.sendCertificates('globex', selection)
 * await net.deliver() // the Request to Globex, its Response back to Acme
 * ```
 */
export function createAs2Network(parties: readonly Party[]): As2Network {
  const deliveries: Delivery[] = [];
  const observers: DeliveryObserver[] = [];
  const cursors = new Map<string, number>();
  const counters = new Map<string, number>();
  const byName = (name: string): Party => {
    const p = parties.find((x) => x.name === name);
    if (p === undefined) throw new Error(`no party named ${name}`);
    return p;
  };

  async function carry(from: Party, to: Party, kind: Delivery['kind'], contentType: string, body: Uint8Array, requestId: string | null): Promise<Delivery> {
    for (const o of observers) await o.before?.();
    const n = (counters.get(from.id) ?? 0) + 1;
    counters.set(from.id, n);
    const messageId = `<${String(n).padStart(4, '0')}@as2.${from.id}.example>`;
    const { signer, recipient } = await outboundCertificates(from, to);
    const envelope = seal(body, signer, recipient);
    let outcome: ReceiveOutcome | null = null;
    let failure: string | null = null;
    if (to.kind === 'engine') {
      const resolved = await to.engine.resolve(from.id);
      const opened = resolved === null ? `${to.name} has no relationship with ${from.name}` : open(envelope, resolved.decryptInbound, resolved.verifyInbound);
      if (typeof opened === 'string') failure = opened;
      else {
        outcome = await receiveOn(to, from, { contentType, body: opened.data }, messageId, envelope.signerDer);
        await to.engine.observeTraffic({ relationshipId: from.id, decryptedWith: opened.decryptedWith.der, verifiedWith: envelope.signerDer });
      }
    }
    const delivery: Delivery = Object.freeze({
      from: from.name, to: to.name, kind, messageId, requestId,
      signedWith: nameOf(signer.fingerprint), encryptedTo: nameOf(recipient.fingerprint), outcome, failure,
    });
    deliveries.push(delivery);
    for (const o of observers) await o.after?.(delivery);
    return delivery;
  }

  return {
    deliveries,
    observe: (observer) => void observers.push(observer),
    async deliver(limit = Number.POSITIVE_INFINITY) {
      const done: Delivery[] = [];
      for (let moved = true; moved && done.length < limit;) {
        moved = false;
        for (const from of parties) {
          if (from.kind !== 'engine') continue;
          const sent = from.ports.transport.sent;
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
    sendPayload: (from, to, text = `UNB+UNOC:3+${from.name}+${to.name}'`) =>
      carry(from, to, 'payload', 'application/edifact', new TextEncoder().encode(text), null),
  };
}

/** Hands a decrypted, verified message to the receiving engine with its AS2 headers. */
function receiveOn(to: EngineParty, from: Party, body: { contentType: string; body: Uint8Array }, messageId: string, signerDer: Uint8Array): Promise<ReceiveOutcome> {
  const headers: Record<string, string> = { 'AS2-Version': '1.2', 'AS2-From': from.name, 'AS2-To': to.name, 'Message-ID': messageId };
  if (from.features !== null) headers['EDIINT-Features'] = from.features;
  return to.engine.receive({ body, headers, verifiedBy: signerDer });
}

/**
 * One line about a delivery, for timelines.
 *
 * @example
 * ```ts
 * describeDelivery(d) // "Globex receives Acme's CEM Request acme-req-000001 (signed with acme-sign-1, encrypted to globex-enc-1): ..."
 * ```
 */
export function describeDelivery(d: Delivery): string {
  const what = d.kind === 'payload' ? 'EDI payload' : d.kind === 'request' ? `CEM Request ${d.requestId ?? ''}` : `CEM Response ${d.requestId ?? ''}`;
  const head = `${d.to} receives ${d.from}'s ${what} (signed with ${d.signedWith ?? '-'}, encrypted to ${d.encryptedTo ?? '-'})`;
  if (d.failure !== null) return `${head}: REFUSED by its AS2 layer: ${d.failure}`;
  const o = d.outcome;
  if (o === null) return `${head}: processed by a product without CEM`;
  switch (o.kind) {
    case 'ignored':
      return `${head}: ordinary payload`;
    case 'request':
      return `${head}: ${o.certificates.map((c) => `${nameOf(c.fingerprint)} ${c.decision}`).join(', ')}`;
    case 'response':
      return `${head}: ${o.items.map((i) => `${nameOf(i.fingerprint)} ${i.status}${i.reason === null ? '' : ` (${i.reason})`}`).join(', ')}`;
    case 'duplicate':
      return `${head}: duplicate (${o.detail})`;
    case 'refused':
      return `${head}: refused (${o.reason}: ${o.detail})`;
    case 'invalid':
      return `${head}: invalid (${o.code}: ${o.message})`;
  }
}

/**
 * Prints every delivery of `network` on `timeline`, with its consequences after it.
 *
 * @example
 * ```ts
 * printDeliveries(net, timeline)
 * ```
 */
export function printDeliveries(network: As2Network, timeline: { flush(): Promise<void>; event(text: string): Promise<void> }): void {
  network.observe({ before: () => timeline.flush(), after: (d) => timeline.event(`>> ${describeDelivery(d)}`) });
}
