import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/keys.js';
import { cemDateTime } from '../../src/messages/datetime.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import type { CemPorts } from '../../src/ports/ports.js';
import { isStoreKey, storeKey } from '../../src/ports/store.js';
import type { Party } from './harness.js';
import { fingerprint, setupPair, source, twoPartnerPki } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

/** 255 characters (the most a requestId may have), each escaped to six by encodeURIComponent. */
const LONG_ID = 'é'.repeat(255);

/** ALPHA's CEM Request for a2, as ALPHA's AS2 software would send it, with the given requestId. */
function craftRequest(requestId: string, now: Date): { contentType: string; body: Uint8Array } {
  const { entity } = buildCemRequest({
    sender: 'ALPHA',
    requestId,
    originated: cemDateTime(now),
    xmlContentId: 'xml-1@alpha.test',
    items: [{
      usages: ['digitalSignature', 'keyEncipherment'],
      respondBy: cemDateTime(new Date(now.getTime() + 10 * 86_400_000)),
      responseUrl: 'https://alpha.test/as2',
      certificates: pki.alpha.chainOf(pki.a2).map((c) => c.der),
      contentId: 'cert-1@alpha.test',
    }],
  });
  return { contentType: entity.contentType, body: entity.body };
}

const headers = (messageId: string, from = 'ALPHA', to = 'BETA'): Record<string, string> =>
  ({ 'AS2-From': from, 'AS2-To': to, 'Message-ID': messageId, 'EDIINT-Features': 'CEM' });

function storedKeys(p: Party): string[] {
  return Object.keys(p.ports.store.snapshot());
}

/** Hands `from`'s n-th sent CEM message to `to`'s `receive`, signed with `signer`. */
async function pass(from: Party, index: number, to: Party, signer: Uint8Array, messageId: string, as2From = from.name): Promise<Awaited<ReturnType<Party['engine']['receive']>>> {
  const entry = from.ports.transport.sent[index];
  if (entry === undefined || entry.kind === 'email') throw new Error('no CEM message');
  return to.engine.receive({ body: { contentType: entry.message.contentType, body: entry.message.body }, headers: headers(messageId, as2From, to.name), verifiedBy: signer });
}

describe('store keys of peer- and host-supplied ids', () => {
  it('receives and answers a Request whose 255-character non-ASCII requestId escapes past the key limit', async () => {
    const { b } = await setupPair(pki);
    const message = { body: craftRequest(LONG_ID, b.ports.clock.now()), headers: headers('<long-1@alpha.test>'), verifiedBy: pki.a1.der };
    const outcome = await b.engine.receive(message);
    expect(outcome).toMatchObject({ kind: 'request', requestId: LONG_ID, status: 'awaitingDecision' });
    if (outcome.kind !== 'request') return;
    expect(outcome.exchangeKey).toBe(`alpha/${LONG_ID}`);
    // Every record the engine wrote has a valid key; the raw id is kept in the value.
    expect(storedKeys(b).every(isStoreKey)).toBe(true);
    const state = await b.engine.inspect();
    expect(state.inbound[outcome.exchangeKey]).toMatchObject({ key: outcome.exchangeKey, requestId: LONG_ID });

    const answered = await b.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: true }]);
    expect(answered.applied).toBe(true);
    const [response] = b.ports.transport.responses;
    expect(response?.requestId).toBe(LONG_ID);
    const parsed = parseCemEntity({ contentType: response!.contentType, body: response!.body });
    expect(parsed.kind === 'response' && parsed.response.requestId).toBe(LONG_ID);
    expect((await b.engine.inspect()).inbound[outcome.exchangeKey]?.status).toBe('answered');

    // The partner retries the same message, and a restarted engine finds the exchange in the store.
    expect(await b.engine.receive(message)).toMatchObject({ kind: 'duplicate' });
    b.restart();
    const again = await b.engine.receive({ ...message, headers: headers('<long-2@alpha.test>') });
    expect(again).toMatchObject({ kind: 'duplicate' });
    expect(b.ports.transport.responses).toHaveLength(2);
    expect(b.ports.transport.responses[1]?.body).toEqual(response?.body);
    expect(Object.keys((await b.engine.inspect()).inbound).filter((k) => k.endsWith(LONG_ID))).toHaveLength(1);
  });

  it('sends and completes a Request whose host-made requestId is 255 non-ASCII characters', async () => {
    const long = (ports: CemPorts): CemPorts => ({ ...ports, ids: { requestId: () => LONG_ID, contentId: () => ports.ids.contentId() } });
    const { a, b, net } = await setupPair(pki, { wrapA: long, b: { settings: { autoAccept: true } } });
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    expect(sent).toMatchObject({ applied: true, requestId: LONG_ID, channel: 'cem' });
    await net.deliver();
    expect(b.ports.transport.responses.map((r) => r.requestId)).toEqual([LONG_ID]);
    const state = await a.engine.inspect();
    expect(state.outbound[LONG_ID]).toMatchObject({ id: LONG_ID, status: 'accepted' });
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
    expect([...storedKeys(a), ...storedKeys(b)].every(isStoreKey)).toBe(true);
  });

  it('keeps a relationship whose id is longer than a store key, and exchanges certificates with it', async () => {
    const { a, b } = await setupPair(pki, { b: { settings: { autoAccept: true } } });
    const relId = 'Ünternehmen ALPHA / '.repeat(60);
    expect((await b.engine.removeRelationship('alpha')).applied).toBe(true);
    const added = await b.engine.addRelationship({
      id: relId, localName: 'BETA', partnerName: 'ALPHA', protocol: 'AS2', responseUrl: 'https://beta.test/as2',
      local: { signing: source(pki.b1, pki.beta, 'key:b1'), encryption: source(pki.b1, pki.beta, 'key:b1') },
      partner: { signing: source(pki.a1, pki.alpha), encryption: source(pki.a1, pki.alpha) },
    });
    expect(added.applied).toBe(true);
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    const outcome = await pass(a, 0, b, pki.a1.der, '<rel-1@alpha.test>');
    expect(outcome).toMatchObject({ kind: 'request', relationshipId: relId, status: 'answered' });
    expect(await pass(b, 0, a, pki.b1.der, '<rel-2@beta.test>')).toMatchObject({ kind: 'response', status: 'accepted' });
    expect(await pass(a, 0, b, pki.a1.der, '<rel-1@alpha.test>')).toMatchObject({ kind: 'duplicate' });
    expect((await b.engine.resolve(relId))?.verifyInbound.map((c) => c.fingerprint)).toContain(fingerprint(pki.a2));
    expect((await b.engine.status(relId))[0]?.relationshipId).toBe(relId);
    expect(storedKeys(b).every(isStoreKey)).toBe(true);
  });

  it('names a Message-ID of an unknown sender with a bounded key too', async () => {
    const { b } = await setupPair(pki);
    const stranger = 'Ω'.repeat(200);
    const outcome = await b.engine.receive({ body: craftRequest('r-1', b.ports.clock.now()), headers: headers('<x@stranger>', stranger), verifiedBy: pki.a1.der });
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'unknownRelationship' });
    expect(storedKeys(b).every(isStoreKey)).toBe(true);
  });

  it('keys ids that fit by their escaped form (readable keys for a DBA), the AS2 name index by a digest', () => {
    for (const id of ['alpha', 'alpha/req-000001', 'Acme Corp/EU', 'Grüße', 'x'.repeat(1000)]) {
      expect(keys.inbound(id)).toBe(storeKey('xin', id));
      expect(keys.outbound(id)).toBe(storeKey('xout', id));
      expect(keys.relationship(id)).toBe(storeKey('rel', id));
      expect(keys.member('HTTP', id)).toBe(storeKey('member', 'HTTP', id));
    }
    expect(keys.name('ALPHA', 'BETA')).toBe('name/ALPHA%0ABETA');
    expect(keys.name('A/B', 'C D')).toBe('name/A%2FB%0AC%20D');
    expect(keys.name('ALPHA', 'BETA')).not.toBe(keys.name('BETA', 'ALPHA'));
    expect(keys.due(Date.parse('2027-01-01T00:00:00Z'), 'rel/alpha')).toBe('due/2027-01-01T00:00:00.000Z/rel/alpha');
  });

  it('hashes an id whose escaped key would be too long, or that cannot be escaped, into one bounded segment', () => {
    const cases = [LONG_ID, `alpha/${LONG_ID}`, 'x'.repeat(1100), '\ud800 lone surrogate', ''];
    const built = cases.map((id) => keys.inbound(id));
    for (const key of built) {
      expect(isStoreKey(key)).toBe(true);
      expect(key.length).toBeLessThanOrEqual(128);
    }
    expect(new Set(built).size).toBe(cases.length);
    // Different lone surrogates stay different keys.
    expect(keys.outbound('\ud800')).not.toBe(keys.outbound('\ud801'));
    // A hashed key never equals the escaped key of another id.
    const hashedSegment = built[0]!.slice('xin/'.length);
    expect(keys.inbound(decodeURIComponent(hashedSegment))).not.toBe(built[0]);
    expect(isStoreKey(keys.member('HTTP', 'Ω'.repeat(400)))).toBe(true);
    expect(isStoreKey(keys.name('Ω'.repeat(400), 'Ω'.repeat(400)))).toBe(true);
  });
});
