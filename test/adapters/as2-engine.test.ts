/**
 * The AS2 transport and inbound path with real engines over real HTTP on 127.0.0.1: the
 * transport contract, a CEM exchange whose Response and first usage travel as signed and
 * encrypted AS2 messages, and messages that fail to decrypt or verify, which get error MDNs and
 * change nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAs2Message, createAs2Handler, createAs2Transport, createCemAs2Receiver, sendAs2Message, type As2ReceiveReport,
} from '../../src/adapters/as2/index.js';
import { createCemEngine, type CemEngine } from '../../src/engine/engine.js';
import { isCemError } from '../../src/errors.js';
import { createMemoryPorts, runTransportContract } from '../../src/testing/index.js';
import { makePki, type TestCert } from '../helpers/pki.js';

const pki = makePki('As2Engine');
const certs = {
  aliceSign1: pki.leaf({ subject: '/O=Alice/CN=alice-sign-1' }),
  aliceEnc1: pki.leaf({ subject: '/O=Alice/CN=alice-enc-1' }),
  aliceSign2: pki.leaf({ subject: '/O=Alice/CN=alice-sign-2' }),
  aliceEnc2: pki.leaf({ subject: '/O=Alice/CN=alice-enc-2' }),
  bobSign: pki.leaf({ subject: '/O=Bob/CN=bob-sign' }),
  bobEnc: pki.leaf({ subject: '/O=Bob/CN=bob-enc' }),
  mallory: pki.leaf({ subject: '/O=Mallory/CN=mallory' }),
};
type Name = keyof typeof certs;
const keys = (ref: string): string | undefined => (ref in certs ? readFileSync(certs[ref as Name].keyPath, 'utf8') : undefined);
const local = (name: Name) => ({ certificate: certs[name].pem, chain: [pki.intermediate.pem], keyRef: name });
const partner = (c: TestCert) => ({ certificate: c.pem, chain: [pki.intermediate.pem] });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2` };
}

describe('AS2 transport contract', () => {
  let contractServer: { server: Server; url: string };
  beforeAll(async () => {
    contractServer = await listen(createAs2Handler({
      trust: async (from, to) => (from === 'CEM-CONTRACT-ME' && to === 'CEM-CONTRACT-PARTNER'
        ? { decrypt: [{ certificate: certs.bobEnc.der, key: (await import('node:crypto')).createPrivateKey(keys('bobEnc') ?? '') }], verify: [certs.aliceSign1.der], signMdn: { certificate: certs.bobSign.der, key: keys('bobSign') ?? '' } }
        : null),
      process: async () => undefined,
    }));
  });
  afterAll(() => new Promise<void>((r) => contractServer.server.close(() => r())));
  const material = async () => ({
    signOutbound: { der: certs.aliceSign1.der, chain: [], keyRef: 'aliceSign1', fingerprint: 'a' },
    encryptOutbound: { der: certs.bobEnc.der, chain: [], fingerprint: 'b' },
    verifyMdn: [{ der: certs.bobSign.der, chain: [], fingerprint: 'c' }],
  });
  runTransportContract({ describe, it }, {
    name: 'createAs2Transport',
    // the contract's ResponseURL (as2.ediint-cem.test) is routed to the local test partner
    create: () => createAs2Transport({ material, keys, partnerUrl: () => contractServer.url, responseUrl: () => contractServer.url }),
    createFailing: () => createAs2Transport({ material, keys, partnerUrl: () => 'http://127.0.0.1:9/as2', http: { timeoutMs: 2000 } }),
  });
  it('rejects with CEM_AS2_MDN when the MDN reports an error (the partner cannot decrypt)', async () => {
    const wrong = async () => ({ ...(await material()), encryptOutbound: { der: certs.mallory.der, chain: [], fingerprint: 'm' } });
    const transport = createAs2Transport({ material: wrong, keys, partnerUrl: () => contractServer.url });
    const error = await transport.sendRequest({ kind: 'request', partnerId: 'p', as2From: 'CEM-CONTRACT-ME', as2To: 'CEM-CONTRACT-PARTNER', requestId: 'r', contentType: 'text/plain', body: new Uint8Array([65]) }).catch((e: unknown) => e);
    expect(isCemError(error, 'CEM_AS2_MDN')).toBe(true);
    expect(String((error as Error).message)).toMatch(/decryption-failed/);
  });
});

describe('two engines over AS2', () => {
  const start = new Date();
  let alice: CemEngine;
  let bob: CemEngine;
  let aliceNet: { server: Server; url: string };
  let bobNet: { server: Server; url: string };
  const bobReports: As2ReceiveReport[] = [];
  const urls = { alice: '', bob: '' };
  beforeAll(async () => {
    const aliceMemory = createMemoryPorts({ start, ids: { prefix: 'alice', domain: 'alice.test' } });
    const bobMemory = createMemoryPorts({ start, ids: { prefix: 'bob', domain: 'bob.test' } });
    alice = createCemEngine({ ...aliceMemory, transport: createAs2Transport({ material: (id) => alice.resolve(id), keys, partnerUrl: () => urls.bob }) }, { settings: { autoAccept: false } });
    bob = createCemEngine({ ...bobMemory, transport: createAs2Transport({ material: (id) => bob.resolve(id), keys, partnerUrl: () => urls.alice }) }, { settings: { autoAccept: true } });
    aliceNet = await listen(createAs2Handler(createCemAs2Receiver({ engine: alice, keys })));
    bobNet = await listen(createAs2Handler({ ...createCemAs2Receiver({ engine: bob, keys }), onReport: (r) => bobReports.push(r) }));
    urls.alice = aliceNet.url;
    urls.bob = bobNet.url;
    await alice.addRelationship({ id: 'bob', localName: 'ALICE', partnerName: 'BOB', protocol: 'AS2', responseUrl: urls.alice,
      local: { signing: local('aliceSign1'), encryption: local('aliceEnc1') }, partner: { signing: partner(certs.bobSign), encryption: partner(certs.bobEnc) } });
    await bob.addRelationship({ id: 'alice', localName: 'BOB', partnerName: 'ALICE', protocol: 'AS2', responseUrl: urls.bob,
      local: { signing: local('bobSign'), encryption: local('bobEnc') }, partner: { signing: partner(certs.aliceSign1), encryption: partner(certs.aliceEnc1) } });
  });
  afterAll(async () => {
    await new Promise<void>((r) => aliceNet.server.close(() => r()));
    await new Promise<void>((r) => bobNet.server.close(() => r()));
  });

  async function payload(from: CemEngine, fromName: string, toName: string, partnerId: string, url: string, tamper?: { encryptTo?: TestCert; signWith?: Name }) {
    const r = await from.resolve(partnerId);
    if (r?.signOutbound == null || r.encryptOutbound === null) throw new Error('no material');
    const signer = tamper?.signWith === undefined ? r.signOutbound : { der: certs[tamper.signWith].der, keyRef: tamper.signWith };
    const message = await buildAs2Message({
      as2From: fromName, as2To: toName, contentType: 'application/edi-x12', body: new TextEncoder().encode('ISA*00*'),
      sign: { certificate: signer.der, key: keys(signer.keyRef ?? '') ?? '' }, encrypt: { certificate: tamper?.encryptTo?.der ?? r.encryptOutbound.der },
    });
    return sendAs2Message(url, message, { verifyMdn: r.verifyMdn.map((c) => c.der) });
  }

  it('a CEM Request, its Response and first usage travel as real AS2 messages with verified MDNs', async () => {
    // ordinary traffic first: each learns from EDIINT-Features that the other takes CEM
    expect((await payload(alice, 'ALICE', 'BOB', 'bob', urls.bob)).problem).toBeNull();
    expect((await payload(bob, 'BOB', 'ALICE', 'alice', urls.alice)).problem).toBeNull();
    const sent = await alice.sendCertificates('bob', { signing: local('aliceSign2'), encryption: local('aliceEnc2') });
    expect(sent.channel).toBe('cem');
    // Bob auto-accepted; its Response came back over AS2 to Alice
    const request = bobReports.find((r) => r.read?.contentType.startsWith('multipart/related'));
    expect(request?.disposition).toBe('processed');
    const aliceView = await alice.inspect();
    expect(aliceView.outbound[sent.requestId ?? '']?.status).toBe('accepted');
    // Bob now encrypts to Alice's new certificate: Alice decrypts with it (first usage retires the old one)
    const bobSide = await bob.resolve('alice');
    expect(bobSide?.encryptOutbound?.fingerprint).toBe((await alice.resolve('bob'))?.decryptInbound.find((c) => c.subject.includes('alice-enc-2'))?.fingerprint);
    expect((await payload(bob, 'BOB', 'ALICE', 'alice', urls.alice)).problem).toBeNull();
    const after = await alice.resolve('bob');
    expect(after?.decryptInbound.map((c) => c.subject)).toEqual([expect.stringContaining('alice-enc-2')]);
    expect(after?.signOutbound?.subject).toContain('alice-sign-2');
  });

  it('messages that fail to decrypt or verify get error MDNs and change no state', async () => {
    const before = JSON.stringify(await alice.inspect());
    const undecryptable = await payload(bob, 'BOB', 'ALICE', 'alice', urls.alice, { encryptTo: certs.mallory });
    expect(undecryptable.mdn?.disposition.modifier).toBe('decryption-failed');
    expect(undecryptable.problem).toMatch(/decryption-failed/);
    const forged = await payload(bob, 'BOB', 'ALICE', 'alice', urls.alice, { signWith: 'mallory' });
    expect(forged.mdn?.disposition.modifier).toBe('authentication-failed');
    // a well signed and encrypted but broken CEM message: receive() says invalid, the MDN says processed/error
    const r = await bob.resolve('alice');
    const boundary = 'b1';
    const broken = await buildAs2Message({
      as2From: 'BOB', as2To: 'ALICE', contentType: `multipart/related; type="application/ediint-cert-exchange+xml"; boundary="${boundary}"`,
      body: new TextEncoder().encode(`--${boundary}\r\nContent-Type: application/ediint-cert-exchange+xml\r\nContent-ID: <x@bob>\r\n\r\n<EDIINTCertificateExchangeRequest><broken\r\n--${boundary}--\r\n`),
      sign: { certificate: r?.signOutbound?.der ?? new Uint8Array(), key: keys(r?.signOutbound?.keyRef ?? '') ?? '' }, encrypt: { certificate: r?.encryptOutbound?.der ?? new Uint8Array() },
    });
    const invalid = await sendAs2Message(urls.alice, broken, { verifyMdn: r?.verifyMdn.map((c) => c.der) ?? [] });
    expect(invalid.mdn?.disposition).toMatchObject({ type: 'processed', modifierKind: 'error', modifier: 'unexpected-processing-error' });
    expect(invalid.mdn?.verifiedWith).not.toBeNull();
    expect(JSON.stringify(await alice.inspect())).toBe(before);
  });
});

describe('asynchronous MDNs', () => {
  it('a negative asynchronous MDN reports the Request failed; the good MDN of the retried Request is matched', async () => {
    const start = new Date();
    const urls = { alice: '', bob: '' };
    const aliceMemory = createMemoryPorts({ start, ids: { prefix: 'alice', domain: 'alice.test' } });
    const bobMemory = createMemoryPorts({ start, ids: { prefix: 'bob', domain: 'bob.test' } });
    let wrongRecipient = true;
    let alice: CemEngine | null = null;
    const transport = createAs2Transport({
      material: async (id) => {
        const r = (await alice?.resolve(id)) ?? null;
        return r === null || !wrongRecipient ? r : { ...r, encryptOutbound: { der: certs.mallory.der, chain: [], fingerprint: 'm' } };
      },
      keys,
      partnerUrl: () => urls.bob,
      mdn: {
        get asyncUrl() {
          return urls.alice; // Alice's own AS2 server takes the MDNs
        },
      },
    });
    alice = createCemEngine({ ...aliceMemory, transport }, { settings: { autoAccept: false } });
    const aliceEngine = alice;
    const bob = createCemEngine({ ...bobMemory, transport: createAs2Transport({ material: (id) => bob.resolve(id), keys, partnerUrl: () => urls.alice }) }, { settings: { autoAccept: false } });
    const matches: (string | null)[] = [];
    let arrived: () => void = () => undefined;
    const waitMdn = (): Promise<void> => new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const aliceNet = await listen(createAs2Handler(createCemAs2Receiver({
      engine: aliceEngine, keys, transport,
      onMdn: (_mdn, match) => {
        matches.push(match === null ? 'unmatched' : match.problem);
        arrived();
      },
    })));
    const bobNet = await listen(createAs2Handler(createCemAs2Receiver({ engine: bob, keys })));
    urls.alice = aliceNet.url;
    urls.bob = bobNet.url;
    try {
      await aliceEngine.addRelationship({ id: 'bob', localName: 'ALICE', partnerName: 'BOB', protocol: 'AS2', responseUrl: urls.alice, cemOverride: 'capable',
        local: { signing: local('aliceSign1'), encryption: local('aliceEnc1') }, partner: { signing: partner(certs.bobSign), encryption: partner(certs.bobEnc) } });
      await bob.addRelationship({ id: 'alice', localName: 'BOB', partnerName: 'ALICE', protocol: 'AS2', responseUrl: urls.bob,
        local: { signing: local('bobSign'), encryption: local('bobEnc') }, partner: { signing: partner(certs.aliceSign1), encryption: partner(certs.aliceEnc1) } });
      // Bob cannot decrypt it: HTTP 200 at once, then an MDN saying decryption-failed
      let next = waitMdn();
      const sent = await aliceEngine.sendCertificates('bob', { signing: local('aliceSign2') });
      expect(sent.channel).toBe('cem');
      await next;
      expect(matches[0]).toMatch(/decryption-failed/);
      expect((await aliceEngine.inspect()).outbound[sent.requestId ?? '']?.status).toBe('sendFailed');
      // retried to the right certificate: a good, matched MDN, and Bob has the Request
      wrongRecipient = false;
      next = waitMdn();
      expect((await aliceEngine.retry(sent.requestId ?? '')).applied).toBe(true);
      await next;
      expect(matches[1]).toBeNull();
      expect(Object.values((await bob.inspect()).inbound).map((x) => x.status)).toEqual(['awaitingDecision']);
    } finally {
      await new Promise<void>((r) => aliceNet.server.close(() => r()));
      await new Promise<void>((r) => bobNet.server.close(() => r()));
    }
  });
});

describe('AS2 over HTTPS', () => {
  it('the client posts over TLS with the partner CA, and the handler serves node:https', async () => {
    const { createServer: createHttpsServer } = await import('node:https');
    const tls = pki.leaf({ subject: '/O=Bob/CN=localhost', extendedKeyUsage: 'serverAuth', extensions: ['subjectAltName=IP:127.0.0.1'] });
    const server = createHttpsServer({ cert: tls.pem + pki.intermediate.pem, key: readFileSync(tls.keyPath, 'utf8') }, createAs2Handler({
      trust: async () => ({ decrypt: [{ certificate: certs.bobEnc.der, key: (await import('node:crypto')).createPrivateKey(keys('bobEnc') ?? '') }], verify: [certs.aliceSign1.der], signMdn: { certificate: certs.bobSign.der, key: keys('bobSign') ?? '' } }),
      process: async () => undefined,
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
    try {
      const message = await buildAs2Message({ as2From: 'ALICE', as2To: 'BOB', contentType: 'text/plain', body: new TextEncoder().encode('hi'),
        sign: { certificate: certs.aliceSign1.der, key: keys('aliceSign1') ?? '' }, encrypt: { certificate: certs.bobEnc.der } });
      const result = await sendAs2Message(url, message, { verifyMdn: [certs.bobSign.der], tls: { ca: pki.root.pem } });
      expect(result.problem).toBeNull();
      await expect(sendAs2Message(url, message, { verifyMdn: [certs.bobSign.der] })).rejects.toMatchObject({ code: 'CEM_AS2_HTTP' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
