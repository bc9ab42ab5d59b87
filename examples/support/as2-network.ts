/**
 * A small stand-in for the AS2 stacks of the example parties and the network between them: the
 * simulated AS2 network of `ediint-cem/testing` with the example certificates and keys.
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
import { certificatePem, isExampleCertName, nameOf, privateKey, type ExampleCertName } from '../certs/index.js';
import { createSimulatedAs2Network, type SimulatedAs2Delivery, type SimulatedAs2Party } from '../sdk.js';
import type { Party } from './parties.js';

/** What happened to one AS2 message (certificates named after the example certificates). */
export type Delivery = SimulatedAs2Delivery;

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

const derOf = (name: ExampleCertName): Uint8Array => new Uint8Array(new X509Certificate(certificatePem(name)).raw);

/**
 * Connects the parties through `ediint-cem/testing`'s simulated AS2 network, with the example
 * key store (key references are certificate names) and certificate names in deliveries.
 *
 * @example
 * ```ts
 * const net = createAs2Network([acme, globex])
 * await acme.engine.sendCertificates('globex', selection)
 * await net.deliver() // the Request to Globex, its Response back to Acme
 * ```
 */
export function createAs2Network(parties: readonly Party[]): As2Network {
  const simulated: SimulatedAs2Party[] = parties.map((p) =>
    p.kind === 'engine'
      ? { kind: 'engine', name: p.name, id: p.id, engine: p.engine, transport: p.ports.transport, features: p.features }
      : {
          kind: 'plain', name: p.name, id: p.id, features: p.features,
          // read on every message: the example's administrators change them by hand
          get signWith() {
            return { der: derOf(p.signing), keyRef: p.signing };
          },
          get encryptTo() {
            return derOf(p.encryptTo);
          },
        });
  const net = createSimulatedAs2Network({ parties: simulated, keys: (ref) => (isExampleCertName(ref) ? privateKey(ref) : undefined), label: nameOf });
  return {
    deliveries: net.deliveries,
    deliver: (limit) => net.deliver(limit),
    sendPayload: (from, to, text) => net.sendPayload(from.name, to.name, text),
    observe: (observer) => net.observe(observer),
  };
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
