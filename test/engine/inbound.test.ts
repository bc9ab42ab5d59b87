import { beforeAll, describe, expect, it } from 'vitest';
import { cemDateTime } from '../../src/messages/datetime.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import type { CertUsage } from '../../src/types.js';
import type { TestCert, TestPki } from '../helpers/pki.js';
import { days, fingerprint, setupPair, twoPartnerPki, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
let weak: TestCert;
let a3: TestCert;
beforeAll(() => {
  pki = twoPartnerPki();
  weak = pki.alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha weak', bits: 1024 });
  a3 = pki.alpha.leaf({ subject: '/O=Alpha/CN=as2 alpha 3' });
});

interface Crafted {
  readonly requestId: string;
  readonly body: { contentType: string; body: Uint8Array };
}

let crafted = 0;
/** A CEM Request as ALPHA's AS2 software would send it, built by hand. */
function craft(certs: readonly { cert: TestCert; pki: TestPki; usages: readonly CertUsage[] }[], options: { sender?: string; respondByDays?: number; now: Date; requestId?: string }): Crafted {
  crafted++;
  const requestId = options.requestId ?? `crafted-${crafted}`;
  const respondBy = cemDateTime(new Date(options.now.getTime() + (options.respondByDays ?? 10) * 86_400_000));
  const { entity } = buildCemRequest({
    sender: options.sender ?? 'ALPHA',
    requestId,
    originated: cemDateTime(options.now),
    xmlContentId: `${requestId}-xml@alpha.test`,
    items: certs.map((c, i) => ({
      usages: c.usages,
      respondBy,
      responseUrl: 'https://alpha.test/as2',
      certificates: c.pki.chainOf(c.cert).map((x) => x.der),
      contentId: `${requestId}-${i}@alpha.test`,
    })),
  });
  return { requestId, body: { contentType: entity.contentType, body: entity.body } };
}

function headers(messageId: string, from = 'ALPHA', to = 'BETA'): Record<string, string> {
  return { 'AS2-From': from, 'AS2-To': to, 'Message-ID': messageId, 'EDIINT-Features': 'CEM' };
}

async function stateOf(p: Party): Promise<string> {
  const s = await p.engine.inspect();
  return JSON.stringify({ relationships: s.relationships, inbound: s.inbound, outbound: s.outbound, servers: s.servers });
}

const BOTH: readonly CertUsage[] = ['digitalSignature', 'keyEncipherment'];

describe('receiving a partner\'s certificates', () => {
  it('refuses an unknown partner, an unauthenticated Request and a sender name that is not the AS2-From, changing nothing', async () => {
    const { b } = await setupPair(pki);
    const before = await stateOf(b);
    const now = b.ports.clock.now();
    const unknown = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now, sender: 'GAMMA' }).body, headers: headers('<u@gamma>', 'GAMMA'), verifiedBy: pki.a1.der });
    expect(unknown).toMatchObject({ kind: 'refused', reason: 'unknownRelationship' });
    const unsigned = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now }).body, headers: headers('<n@alpha>') });
    expect(unsigned).toMatchObject({ kind: 'refused', reason: 'notAuthenticated' });
    const wrongSigner = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now }).body, headers: headers('<w@alpha>'), verifiedBy: pki.a2.pem });
    expect(wrongSigner).toMatchObject({ kind: 'refused', reason: 'notAuthenticated' });
    const mismatch = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now, sender: 'ALPHA-EU' }).body, headers: headers('<m@alpha>'), verifiedBy: fingerprint(pki.a1) });
    expect(mismatch).toMatchObject({ kind: 'refused', reason: 'nameMismatch' });
    expect(await stateOf(b)).toBe(before);
    expect(b.ports.notifier.ofKind('messageRefused')).toHaveLength(4);
    expect(b.ports.transport.sent).toHaveLength(0);
  });

  it('answers invalid CEM with an invalid outcome carrying the error code, ignores ordinary payloads, and never throws', async () => {
    const { b } = await setupPair(pki);
    const before = await stateOf(b);
    const good = craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now: b.ports.clock.now() });
    const text = Buffer.from(good.body.body).toString('latin1');
    const broken = { contentType: good.body.contentType, body: Buffer.from(text.replace(/--=_cem_[0-9a-f]+--/, ''), 'latin1') };
    const outcome = await b.engine.receive({ body: broken, headers: headers('<b@alpha>'), verifiedBy: pki.a1.der });
    expect(outcome).toMatchObject({ kind: 'invalid', code: 'CEM_MIME_UNTERMINATED' });
    const doctype = await b.engine.receive({ body: { contentType: 'application/ediint-cert-exchange+xml', body: Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>') }, headers: headers('<d@alpha>'), verifiedBy: pki.a1.der });
    expect(doctype).toMatchObject({ kind: 'invalid', code: 'CEM_XML_DOCTYPE' });
    const badSigner = await b.engine.receive({ body: good.body, headers: headers('<s@alpha>'), verifiedBy: 'not a certificate' });
    expect(badSigner).toMatchObject({ kind: 'invalid', code: 'CEM_CERT_INVALID' });
    const noNames = await b.engine.receive({ body: good.body, headers: { 'Message-ID': '<x@alpha>' } });
    expect(noNames).toMatchObject({ kind: 'invalid', code: 'CEM_ARGUMENT' });
    const payload = await b.engine.receive({ body: { contentType: 'application/edifact', body: Buffer.from('UNA:+.? \'') }, headers: headers('<p@alpha>') });
    expect(payload).toEqual({ kind: 'ignored', relationshipId: 'alpha' });
    expect(await stateOf(b)).toBe(before);
  });

  it('records EDIINT-Features on every verified message: a partner that stops advertising CEM gets email again', async () => {
    const { a, b, net } = await setupPair(pki);
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
    const payload = { contentType: 'application/edi-x12', body: Buffer.from('ISA*') };
    const headers = { 'AS2-From': 'ALPHA', 'AS2-To': 'BETA', 'EDIINT-Features': 'multiple-attachments' };
    // Unsigned, or signed by a certificate we do not accept for ALPHA: anyone could post it, so nothing changes.
    const before = await stateOf(b);
    await b.engine.receive({ body: payload, headers });
    await b.engine.receive({ body: payload, headers, verifiedBy: pki.b1.der });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
    expect(await stateOf(b)).toBe(before);
    await b.engine.receive({ body: payload, headers, verifiedBy: pki.a1.der });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(false);
    await net.payload(a, b);
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
  });

  it('never turns a partner into a CEM partner on an unsigned message advertising CEM; a verified one does', async () => {
    const { b } = await setupPair(pki, { learn: false });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(false);
    const payload = { contentType: 'application/edi-x12', body: Buffer.from('ISA*') };
    const headers = { 'AS2-From': 'ALPHA', 'AS2-To': 'BETA', 'EDIINT-Features': 'CEM, multiple-attachments' };
    await b.engine.receive({ body: payload, headers });
    await b.engine.receive({ body: payload, headers, verifiedBy: pki.b2.der });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(false);
    await b.engine.receive({ body: payload, headers, verifiedBy: pki.a1.der });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
  });

  it('keeps what it learned when a message carries no EDIINT-Features header at all (e.g. a bare synchronous MDN)', async () => {
    const { b } = await setupPair(pki);
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
    await b.engine.receive({ body: { contentType: 'application/edi-x12', body: Buffer.from('ISA*') }, headers: { 'AS2-From': 'ALPHA', 'AS2-To': 'BETA' } });
    expect((await b.engine.status('alpha'))[0]?.cemChannel).toBe(true);
  });

  it('stores a Request as Pending with an alert, and answers the administrator\'s decision at the ResponseURL with the issuer echoed exactly', async () => {
    const { b } = await setupPair(pki);
    const request = craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now: b.ports.clock.now() });
    const outcome = await b.engine.receive({ body: request.body, headers: headers('<r1@alpha>'), verifiedBy: pki.a1.pem });
    if (outcome.kind !== 'request') throw new Error(`expected a request, got ${outcome.kind}`);
    expect(outcome).toMatchObject({ relationshipId: 'alpha', requestId: request.requestId, status: 'awaitingDecision' });
    const [alert] = b.ports.notifier.ofKind('requestReceived');
    expect(alert?.relationshipId).toBe('alpha');
    expect(JSON.stringify(alert?.details)).toContain(fingerprint(pki.a2));
    expect((await b.engine.status('alpha'))[0]?.status).toBe('Pending');
    // A pending certificate is never used.
    expect((await b.engine.resolve('alpha'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a1)]);
    await b.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: false, reason: 'not expected' }]);
    const [response] = b.ports.transport.responses;
    expect(response).toMatchObject({ requestId: request.requestId, responseUrl: 'https://alpha.test/as2', as2From: 'BETA', as2To: 'ALPHA' });
    const parsed = parseCemEntity({ contentType: response!.contentType, body: response!.body });
    if (parsed.kind !== 'response') throw new Error('expected a response');
    const wire = parseCemEntity(request.body);
    expect(parsed.response.trustResponses).toEqual([{ status: 'Rejected', reason: 'not expected', certificate: wire.kind === 'request' ? wire.request.trustRequests[0]!.certificate : null }]);
    expect((await b.engine.status('alpha'))[0]?.certificates.find((c) => c.fingerprint === fingerprint(pki.a2))?.status).toBe('Rejected');
  });

  it('answers a Request that carried no requestId (a pre-draft-06 peer) with a Response without one', async () => {
    const { b } = await setupPair(pki);
    const { entity } = buildCemRequest({
      sender: 'ALPHA', requestId: 'to-be-removed', originated: cemDateTime(b.ports.clock.now()), xmlContentId: 'old-peer-xml@alpha.test',
      transferEncoding: 'binary',
      items: [{ usages: BOTH, responseUrl: 'https://alpha.test/as2', certificates: pki.alpha.chainOf(pki.a2).map((x) => x.der), contentId: 'old-peer-0@alpha.test' }],
    });
    const body = Buffer.from(Buffer.from(entity.body).toString('latin1').replace(' requestId="to-be-removed"', ''), 'latin1');
    const wire = parseCemEntity({ contentType: entity.contentType, body });
    expect(wire.kind === 'request' && wire.request.requestId).toBeNull();
    const outcome = await b.engine.receive({ body: { contentType: entity.contentType, body }, headers: headers('<old-peer@alpha>'), verifiedBy: pki.a1.pem });
    if (outcome.kind !== 'request') throw new Error(`expected a request, got ${outcome.kind}`);
    await b.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: true }]);
    const [response] = b.ports.transport.responses;
    expect(response?.requestId).toBeNull();
    const parsed = parseCemEntity({ contentType: response!.contentType, body: response!.body });
    expect(parsed.kind === 'response' && parsed.response).toMatchObject({ requestId: null, trustResponses: [{ status: 'Accepted' }] });
    expect(parsed.xml).not.toContain('requestId');
    expect((await b.engine.status('alpha'))[0]?.status).not.toBe('SendFailed');
  });

  it('recognises a Request without requestId replayed under other Message-IDs by its document: one exchange, one Response, one alert', async () => {
    const { b } = await setupPair(pki);
    const { entity } = buildCemRequest({
      sender: 'ALPHA', requestId: 'to-be-removed', originated: cemDateTime(b.ports.clock.now()), xmlContentId: 'replay-xml@alpha.test',
      transferEncoding: 'binary',
      items: [{ usages: BOTH, responseUrl: 'https://alpha.test/as2', certificates: pki.alpha.chainOf(pki.a2).map((x) => x.der), contentId: 'replay-0@alpha.test' }],
    });
    const body = Buffer.from(Buffer.from(entity.body).toString('latin1').replace(' requestId="to-be-removed"', ''), 'latin1');
    const alertsBefore = b.ports.notifier.notices.length;
    const first = await b.engine.receive({ body: { contentType: entity.contentType, body }, headers: headers('<replay-1@alpha>'), verifiedBy: pki.a1.der });
    if (first.kind !== 'request') throw new Error(`expected a request, got ${first.kind}`);
    await b.engine.respond(first.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: true }]);
    expect(b.ports.transport.responses).toHaveLength(1);
    const alerts = b.ports.notifier.notices.length;
    // The same signed body under two new Message-IDs (the header is not covered by the signature).
    for (const messageId of ['<replay-2@alpha>', '<replay-3@alpha>']) {
      const again = await b.engine.receive({ body: { contentType: entity.contentType, body }, headers: headers(messageId), verifiedBy: pki.a1.der });
      expect(again).toMatchObject({ kind: 'duplicate', exchangeKey: first.exchangeKey });
    }
    const state = await b.engine.inspect();
    expect(Object.keys(state.inbound)).toEqual([first.exchangeKey]);
    expect(b.ports.notifier.notices.length).toBe(alerts);
    expect(alerts).toBeGreaterThan(alertsBefore);
    // A replay gets the identical Response again at most, never a new exchange.
    for (const r of b.ports.transport.responses.slice(1)) expect(Buffer.from(r.body).equals(Buffer.from(b.ports.transport.responses[0]!.body))).toBe(true);
  });

  it('auto-accepts (per partner) and answers at once; the partner\'s encryption certificate replaces the old one, its signing one verifies alongside until first use', async () => {
    const { b } = await setupPair(pki);
    await b.engine.updateRelationship('alpha', { autoAccept: 'on' });
    const request = craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now: b.ports.clock.now() });
    const outcome = await b.engine.receive({ body: request.body, headers: headers('<r2@alpha>'), verifiedBy: pki.a1.der });
    expect(outcome).toMatchObject({ kind: 'request', status: 'answered', certificates: [{ decision: 'accepted' }] });
    expect(b.ports.transport.responses).toHaveLength(1);
    const resolved = await b.engine.resolve('alpha');
    expect(resolved?.encryptOutbound?.fingerprint).toBe(fingerprint(pki.a2));
    expect(resolved?.verifyInbound.map((c) => c.fingerprint).sort()).toEqual([fingerprint(pki.a1), fingerprint(pki.a2)].sort());
    await b.engine.observeTraffic({ relationshipId: 'alpha', verifiedWith: pki.a2.der });
    expect((await b.engine.resolve('alpha'))?.verifyInbound.map((c) => c.fingerprint)).toEqual([fingerprint(pki.a2)]);
  });

  it('treats a repeated Message-ID and a repeated requestId as duplicates: nothing is decided again, a resent Request gets the identical Response', async () => {
    const { b } = await setupPair(pki, { b: { settings: { autoAccept: true } } });
    const request = craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now: b.ports.clock.now() });
    const first = await b.engine.receive({ body: request.body, headers: headers('<dup@alpha>'), verifiedBy: pki.a1.der });
    expect(first.kind).toBe('request');
    const state = await stateOf(b);
    const alerted = b.ports.notifier.notices.length;
    const sameMessage = await b.engine.receive({ body: request.body, headers: headers('<dup@alpha>'), verifiedBy: pki.a1.der });
    expect(sameMessage.kind).toBe('duplicate');
    expect(await stateOf(b)).toBe(state);
    const sameRequest = await b.engine.receive({ body: request.body, headers: headers('<dup-resent@alpha>'), verifiedBy: pki.a1.der });
    expect(sameRequest.kind).toBe('duplicate');
    const decisions = (s: Awaited<ReturnType<typeof b.engine.inspect>>): unknown => Object.values(s.inbound).map((x) => x.items.map((i) => i.decision));
    expect(decisions(await b.engine.inspect())).toEqual([['accepted']]);
    const responses = b.ports.transport.responses;
    expect(responses.length).toBeGreaterThanOrEqual(1);
    for (const r of responses) expect(Buffer.from(r.body).equals(Buffer.from(responses[0]!.body))).toBe(true);
    // The administrator is not told about the Request again.
    expect(b.ports.notifier.notices).toHaveLength(alerted);
  });

  it('answers a certificate already accepted for the usage as Accepted without asking, and a newer Request supersedes an unanswered older one', async () => {
    const { b } = await setupPair(pki);
    const now = b.ports.clock.now();
    const known = craft([{ cert: pki.a1, pki: pki.alpha, usages: ['digitalSignature'] }], { now });
    const outcome = await b.engine.receive({ body: known.body, headers: headers('<k@alpha>'), verifiedBy: pki.a1.der });
    expect(outcome).toMatchObject({ kind: 'request', status: 'answered', certificates: [{ decision: 'accepted' }] });
    expect(b.ports.notifier.ofKind('requestReceived')).toHaveLength(0);
    const older = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now }).body, headers: headers('<o@alpha>'), verifiedBy: pki.a1.der });
    const newer = await b.engine.receive({ body: craft([{ cert: a3, pki: pki.alpha, usages: BOTH }], { now }).body, headers: headers('<n2@alpha>'), verifiedBy: pki.a1.der });
    if (older.kind !== 'request' || newer.kind !== 'request') throw new Error('expected requests');
    const state = await b.engine.inspect();
    expect(state.inbound[older.exchangeKey]?.items[0]?.decision).toBe('superseded');
    expect(state.inbound[newer.exchangeKey]?.items[0]?.decision).toBe('pending');
    const statuses = (await b.engine.status('alpha'))[0]?.certificates ?? [];
    expect(statuses.some((c) => c.fingerprint === fingerprint(a3) && c.status === 'Pending')).toBe(true);
    expect(statuses.some((c) => c.fingerprint === fingerprint(pki.a2) && c.status === 'Pending')).toBe(false);
  });

  it('never auto-accepts an unsuitable certificate: rejected with the named reason, or left for a manual decision', async () => {
    const rejecting = await setupPair(pki, { b: { settings: { autoAccept: true } } });
    const outcome = await rejecting.b.engine.receive({ body: craft([{ cert: weak, pki: pki.alpha, usages: BOTH }], { now: rejecting.b.ports.clock.now() }).body, headers: headers('<weak@alpha>'), verifiedBy: pki.a1.der });
    expect(outcome).toMatchObject({ kind: 'request', certificates: [{ decision: 'rejected', problems: expect.arrayContaining([expect.stringMatching(/weak|size|bits/i)]) }] });
    const manual = await setupPair(pki, { b: { settings: { autoAccept: true, unsuitable: 'manual' } } });
    const held = await manual.b.engine.receive({ body: craft([{ cert: weak, pki: pki.alpha, usages: BOTH }], { now: manual.b.ports.clock.now() }).body, headers: headers('<weak2@alpha>'), verifiedBy: pki.a1.der });
    expect(held).toMatchObject({ kind: 'request', status: 'awaitingDecision', certificates: [{ decision: 'pending' }] });
    expect(manual.b.ports.transport.responses).toHaveLength(0);
  });

  it('alerts daily while a Request awaits our answer, then daily as overdue after its respond-by date, until answered', async () => {
    const { b, clock } = await setupPair(pki);
    const outcome = await b.engine.receive({ body: craft([{ cert: pki.a2, pki: pki.alpha, usages: BOTH }], { now: clock.now(), respondByDays: 5 }).body, headers: headers('<slow@alpha>'), verifiedBy: pki.a1.der });
    if (outcome.kind !== 'request') throw new Error('expected a request');
    await days({ clock }, [b], 4);
    expect(b.ports.notifier.ofKind('requestAwaitingAnswer').length).toBeGreaterThanOrEqual(4);
    expect(b.ports.notifier.ofKind('responseOverdue')).toHaveLength(0);
    await days({ clock }, [b], 14);
    const overdue = b.ports.notifier.ofKind('responseOverdue');
    expect(overdue.length).toBeGreaterThanOrEqual(13);
    expect(new Set(overdue.map((n) => n.dedupeKey)).size).toBe(overdue.length);
    const awaiting = b.ports.notifier.ofKind('requestAwaitingAnswer').length;
    await b.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: true }]);
    await days({ clock }, [b], 7);
    expect(b.ports.notifier.ofKind('responseOverdue')).toHaveLength(overdue.length);
    expect(b.ports.notifier.ofKind('requestAwaitingAnswer')).toHaveLength(awaiting);
  });
});
