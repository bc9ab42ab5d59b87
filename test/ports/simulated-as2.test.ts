/**
 * `createSimulatedAs2Network` (ediint-cem/testing): two engines on memory ports exchange a CEM
 * Request and Response with real keys; the receiver's first usage follows what really decrypted;
 * a message no live certificate of the receiver can open is refused and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCemEngine } from '../../src/engine/engine.js';
import { createMemoryPorts, createSimulatedAs2Network } from '../../src/testing/index.js';
import { makePki, type TestCert } from '../helpers/pki.js';

const pki = makePki('Sim');
const certs: Record<string, TestCert> = {
  a1: pki.leaf({ subject: '/O=A/CN=a-1' }), a2: pki.leaf({ subject: '/O=A/CN=a-2' }),
  b1: pki.leaf({ subject: '/O=B/CN=b-1' }), x: pki.leaf({ subject: '/O=X/CN=x' }),
};
const keys = (ref: string): string | undefined => (certs[ref] === undefined ? undefined : readFileSync(certs[ref].keyPath, 'utf8'));
const local = (ref: string) => ({ certificate: certs[ref]?.pem ?? '', chain: [pki.intermediate.pem, pki.root.pem], keyRef: ref });

describe('createSimulatedAs2Network', () => {
  it('carries a CEM exchange between two engines and drives first usage', async () => {
    const start = new Date();
    const aPorts = createMemoryPorts({ start, ids: { prefix: 'a', domain: 'a.test' } });
    const bPorts = createMemoryPorts({ start, ids: { prefix: 'b', domain: 'b.test' } });
    const a = createCemEngine(aPorts, { settings: { autoAccept: true } });
    const b = createCemEngine(bPorts, { settings: { autoAccept: true } });
    await a.addRelationship({ id: 'b', localName: 'A', partnerName: 'B', protocol: 'AS2', responseUrl: 'https://as2.a.test/', local: { signing: local('a1'), encryption: local('a1') }, partner: { signing: certs.b1?.pem ?? '', encryption: certs.b1?.pem ?? '' } });
    await b.addRelationship({ id: 'a', localName: 'B', partnerName: 'A', protocol: 'AS2', responseUrl: 'https://as2.b.test/', local: { signing: local('b1'), encryption: local('b1') }, partner: { signing: certs.a1?.pem ?? '', encryption: certs.a1?.pem ?? '' } });
    const net = createSimulatedAs2Network({
      parties: [
        { kind: 'engine', name: 'A', id: 'a', engine: a, transport: aPorts.transport },
        { kind: 'engine', name: 'B', id: 'b', engine: b, transport: bPorts.transport },
      ],
      keys,
    });
    expect((await net.sendPayload('A', 'B')).outcome?.kind).toBe('ignored');
    expect((await net.sendPayload('B', 'A')).outcome?.kind).toBe('ignored');
    const sent = await a.sendCertificates('b', { signing: local('a2') });
    expect(sent.refusal).toBeNull();
    expect(sent.channel).toBe('cem');
    const carried = await net.deliver();
    expect(carried.map((d) => [d.kind, d.outcome?.kind, d.failure])).toEqual([['request', 'request', null], ['response', 'response', null]]);
    // B encrypts to A's new certificate; A decrypts with it and retires the old one
    const payload = await net.sendPayload('B', 'A');
    expect(payload.failure).toBeNull();
    expect((await a.resolve('b'))?.decryptInbound.map((c) => c.subject)).toEqual([expect.stringContaining('a-2')]);
    // a plain partner encrypting to a certificate A does not hold is refused, and nothing changes
    const before = JSON.stringify(await a.inspect());
    const rogue = createSimulatedAs2Network({
      parties: [
        { kind: 'engine', name: 'A', id: 'a', engine: a, transport: aPorts.transport },
        { kind: 'plain', name: 'B', id: 'b', signWith: { der: certs.b1?.der ?? new Uint8Array(), keyRef: 'b1' }, encryptTo: certs.x?.der ?? new Uint8Array() },
      ],
      keys,
    });
    const refused = await rogue.sendPayload('B', 'A');
    expect(refused.failure).toMatch(/which no live certificate of ours matches/);
    expect(refused.outcome).toBeNull();
    expect(JSON.stringify(await a.inspect())).toBe(before);
  });
});
