/**
 * The example parties over real AS2: each engine party runs an HTTP server on 127.0.0.1 whose
 * handler is the AS2 adapter's inbound path (decrypt with `decryptInbound`, verify with
 * `verifyInbound`, `receive`, `observeTraffic`, signed MDN), and sends through the adapter's
 * transport (sign with `signOutbound`, encrypt to `encryptOutbound`, post, verify the MDN).
 *
 * Each engine's own transport is its memory queue (what the timeline prints); `deliver()` drains
 * the queues through the AS2 transport in the order sent, as a host's AS2 worker would, so the
 * steps of an example stay one message at a time. Same interface as the simulated network.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { EXAMPLE_CERTIFICATES, certificatePem, isExampleCertName, nameOf } from '../certs/index.js';
import {
  buildAs2Message, createAs2Handler, createAs2Transport, createCemAs2Receiver, sendAs2Message,
  type As2OutboundMessage, type CemAs2Delivery, type CemTransport, type ReceiveOutcome,
} from '../sdk.js';
import type { As2Network, Delivery, DeliveryObserver } from './as2-network.js';
import type { EngineParty, Party } from './parties.js';

/** The example key store: a key reference is the example certificate's name. */
export function exampleKey(ref: string): string | undefined {
  return isExampleCertName(ref) ? readFileSync(new URL(`../certs/keys/${ref}.key`, import.meta.url), 'utf8') : undefined;
}

/** The HTTP network, with its servers' URLs and a way to stop them. */
export interface HttpAs2Network extends As2Network {
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

interface Node {
  readonly party: EngineParty;
  readonly server: Server;
  readonly url: string;
  /** Outcomes of messages received, by Message-ID. */
  readonly received: Map<string, ReceiveOutcome>;
}

/** Example certificate names of a message: its signer, its recipient, the MDN's signer. */
interface Names {
  readonly signedWith: string;
  readonly encryptedTo: string;
  readonly mdnSignedWith: string;
}

const crlf = (headers: Readonly<Record<string, string | readonly string[] | undefined>>): string =>
  Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\r\n`).join('');

/**
 * Starts one HTTP server per party and connects them.
 *
 * @example
 * ```ts
 * const net = await createHttpAs2Network([acme, globex], { capture: '/tmp/cem-capture' })
 * await net.deliver()
 * await net.close()
 * ```
 * @throws Error when a party is not an engine party, or a server cannot listen.
 */
export async function createHttpAs2Network(parties: readonly Party[], options: { readonly capture?: string } = {}): Promise<HttpAs2Network> {
  const deliveries: Delivery[] = [];
  const observers: DeliveryObserver[] = [];
  const cursors = new Map<string, number>();
  const nodes = new Map<string, Node>();
  let captured = 0;
  if (options.capture !== undefined) {
    mkdirSync(join(options.capture, 'certs'), { recursive: true });
    for (const name of [...EXAMPLE_CERTIFICATES, 'issuing-ca', 'root-ca'] as const) {
      writeFileSync(join(options.capture, 'certs', `${name}.pem`), certificatePem(name));
      const key = exampleKey(name);
      if (key !== undefined) writeFileSync(join(options.capture, 'certs', `${name}.key`), key);
    }
  }
  const manifest: Record<string, unknown>[] = [];
  function capture(from: string, to: string, kind: string, message: As2OutboundMessage, mdn: { headers: Readonly<Record<string, string | readonly string[] | undefined>>; body: Uint8Array } | null, names: Names): void {
    if (options.capture === undefined) return;
    const base = `${String(++captured).padStart(3, '0')}-${from}-to-${to}-${kind}`.toLowerCase();
    writeFileSync(join(options.capture, `${base}.as2`), Buffer.concat([Buffer.from(`${crlf(message.headers)}\r\n`), message.body]));
    const entry: Record<string, unknown> = { file: `${base}.as2`, from, to, kind, messageId: message.messageId, ...names };
    if (mdn !== null && mdn.body.byteLength > 0) {
      writeFileSync(join(options.capture, `${base}.mdn`), Buffer.concat([Buffer.from(`${crlf(mdn.headers)}\r\n`), mdn.body]));
      entry.mdn = `${base}.mdn`;
    }
    manifest.push(entry);
    writeFileSync(join(options.capture, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const byName = (name: string): Node => {
    const node = [...nodes.values()].find((n) => n.party.name === name);
    if (node === undefined) throw new Error(`no AS2 node named ${name}`);
    return node;
  };
  for (const party of parties) {
    if (party.kind !== 'engine') throw new Error(`${party.name} has no engine: the HTTP network carries engine parties only`);
    const received = new Map<string, ReceiveOutcome>();
    const receiver = createCemAs2Receiver({
      engine: party.engine, keys: exampleKey,
      onDelivery: (d: CemAs2Delivery) => void received.set(d.message.messageId, d.outcome),
    });
    const server = createServer(createAs2Handler(receiver));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
    nodes.set(party.id, { party, server, url, received });
  }

  async function namesFor(from: Node, to: Node): Promise<Names> {
    const mine = await from.party.engine.resolve(to.party.id);
    const theirs = await to.party.engine.resolve(from.party.id);
    return {
      signedWith: nameOf(mine?.signOutbound?.fingerprint ?? ''),
      encryptedTo: nameOf(mine?.encryptOutbound?.fingerprint ?? ''),
      mdnSignedWith: nameOf(theirs?.signMdn?.fingerprint ?? ''),
    };
  }

  async function carry(from: Node, to: Node, kind: Delivery['kind'], requestId: string | null, send: (names: Names) => Promise<{ messageId: string; problem: string | null }>): Promise<Delivery> {
    for (const o of observers) await o.before?.();
    const names = await namesFor(from, to);
    const { messageId, problem } = await send(names);
    const delivery: Delivery = Object.freeze({
      from: from.party.name, to: to.party.name, kind, messageId, requestId, signedWith: names.signedWith, encryptedTo: names.encryptedTo,
      outcome: to.received.get(messageId) ?? null, failure: problem,
    });
    deliveries.push(delivery);
    for (const o of observers) await o.after?.(delivery);
    return delivery;
  }

  /** Sends one queued CEM message through the AS2 transport, noting its Message-ID. */
  async function sendCem(from: Node, m: Parameters<CemTransport['sendRequest']>[0] | Parameters<CemTransport['sendResponse']>[0], names: Names): Promise<{ messageId: string; problem: string | null }> {
    let messageId = '';
    const transport = createAs2Transport({
      material: (id) => from.party.engine.resolve(id), keys: exampleKey,
      partnerUrl: (id) => nodes.get(id)?.url ?? 'http://127.0.0.1:9/unknown',
      responseUrl: (url) => nodes.get(/^https?:\/\/as2\.([a-z0-9-]+)\.example\//.exec(url)?.[1] ?? '')?.url ?? url,
      onSent: (r) => {
        messageId = r.message.messageId;
        capture(r.cem.as2From, r.cem.as2To, r.cem.kind, r.message, r.result?.response ?? null, names);
      },
    });
    try {
      if (m.kind === 'request') await transport.sendRequest(m);
      else await transport.sendResponse(m);
      return { messageId, problem: null };
    } catch (error) {
      // a negative or bad MDN: the engine would retry from its outbox; the example reports it
      return { messageId, problem: error instanceof Error ? error.message : String(error) };
    }
  }

  return {
    deliveries,
    urls: Object.fromEntries([...nodes.values()].map((n) => [n.party.name, n.url])),
    observe: (observer) => void observers.push(observer),
    async deliver(limit = Number.POSITIVE_INFINITY) {
      const done: Delivery[] = [];
      for (let moved = true; moved && done.length < limit;) {
        moved = false;
        for (const from of nodes.values()) {
          const sent = from.party.ports.transport.sent;
          for (let i = cursors.get(from.party.id) ?? 0; i < sent.length && done.length < limit; i = cursors.get(from.party.id) ?? 0) {
            cursors.set(from.party.id, i + 1);
            const entry = sent[i];
            if (entry === undefined || entry.kind === 'email') continue;
            const m = entry.message;
            done.push(await carry(from, byName(m.as2To), entry.kind, m.requestId, (names) => sendCem(from, m, names)));
            moved = true;
          }
        }
      }
      return done;
    },
    async sendPayload(fromParty, toParty, text = `UNB+UNOC:3+${fromParty.name}+${toParty.name}'`) {
      const from = byName(fromParty.name);
      const to = byName(toParty.name);
      return carry(from, to, 'payload', null, async (names) => {
        const r = await from.party.engine.resolve(to.party.id);
        if (r?.signOutbound == null || r.encryptOutbound === null) throw new Error(`${from.party.name} has no certificates for ${to.party.name}`);
        const message = await buildAs2Message({
          as2From: from.party.name, as2To: to.party.name, contentType: 'application/edifact', body: new TextEncoder().encode(text),
          sign: { certificate: r.signOutbound.der, chain: r.signOutbound.chain, key: exampleKey(r.signOutbound.keyRef ?? '') ?? '' },
          encrypt: { certificate: r.encryptOutbound.der },
        });
        const result = await sendAs2Message(to.url, message, { verifyMdn: r.verifyMdn.map((c) => c.der) });
        capture(from.party.name, to.party.name, 'payload', message, result.response, names);
        return { messageId: message.messageId, problem: result.problem };
      });
    },
    async close() {
      await Promise.all([...nodes.values()].map((n) => new Promise<void>((resolve) => n.server.close(() => resolve()))));
    },
  };
}
