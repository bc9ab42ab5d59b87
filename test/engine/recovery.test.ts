/**
 * What a host relies on after a crash or a timeout: idempotency keys on its operations, the
 * exchange key of a redelivered message, and the outbox it can look at.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, setupPair, source, twoPartnerPki } from './harness.js';

let pki: ReturnType<typeof twoPartnerPki>;
beforeAll(() => {
  pki = twoPartnerPki();
});

describe('recovery a host can rely on', () => {
  it('returns the first attempt\'s result for a repeated operationId, where a plain retry is refused', async () => {
    const { a, b, net } = await setupPair(pki);
    const selection = { signing: source(pki.a2, pki.alpha, 'key:a2') };
    const first = await a.engine.sendCertificates('beta', selection, { operationId: 'op-send-1' });
    expect(first).toMatchObject({ applied: true, channel: 'cem' });
    // The host's first call timed out after it was applied: the retry with the same key gets the same result...
    const again = await a.engine.sendCertificates('beta', selection, { operationId: 'op-send-1' });
    expect(again).toEqual(JSON.parse(JSON.stringify(first)));
    // ...where a retry without the key is a refusal the host cannot tell from a real conflict.
    expect(await a.engine.sendCertificates('beta', selection)).toMatchObject({ applied: false, refusal: { reason: 'alreadyPending' } });
    expect(a.ports.transport.requests).toHaveLength(1);

    const [delivered] = await net.deliver();
    if (delivered?.outcome?.kind !== 'request') throw new Error('expected a request');
    const decision = [{ fingerprint: fingerprint(pki.a2), accept: true }];
    const answered = await b.engine.respond(delivered.outcome.exchangeKey, decision, { operationId: 'ui-42' });
    expect(answered.applied).toBe(true);
    expect(await b.engine.respond(delivered.outcome.exchangeKey, decision, { operationId: 'ui-42' })).toEqual(JSON.parse(JSON.stringify(answered)));
    expect(await b.engine.respond(delivered.outcome.exchangeKey, decision)).toMatchObject({ applied: false });
    expect(b.ports.transport.responses).toHaveLength(1);

    const init = { id: 'gamma', localName: 'ALPHA', partnerName: 'GAMMA', protocol: 'AS2' as const, responseUrl: 'https://alpha.test/as2', partner: { signing: source(pki.b2, pki.beta) } };
    const added = await a.engine.addRelationship(init, { operationId: 'add-gamma' });
    expect(added.applied).toBe(true);
    expect(await a.engine.addRelationship(init, { operationId: 'add-gamma' })).toEqual(JSON.parse(JSON.stringify(added)));
    expect(await a.engine.addRelationship(init)).toMatchObject({ applied: false, refusal: { reason: 'duplicate' } });
    await expect(a.engine.addRelationship(init, { operationId: '' })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
  });

  it('gives a redelivered Request the exchange key of its first delivery, and a redelivered Response its requestId', async () => {
    const { a, b, net } = await setupPair(pki);
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    const [first] = await net.deliver();
    if (first?.outcome?.kind !== 'request') throw new Error('expected a request');
    const requestIndex = a.ports.transport.sent.findIndex((e) => e.kind === 'request');
    const again = (await net.redeliver(a, requestIndex)).outcome;
    expect(again).toMatchObject({ kind: 'duplicate', exchangeKey: first.outcome.exchangeKey });
    await b.engine.respond(first.outcome.exchangeKey, [{ fingerprint: fingerprint(pki.a2), accept: true }]);
    await net.deliver();
    const responseIndex = b.ports.transport.sent.findIndex((e) => e.kind === 'response');
    const response = (await net.redeliver(b, responseIndex)).outcome;
    expect(response).toMatchObject({ kind: 'duplicate', requestId: a.ports.transport.requests[0]?.requestId });
  });

  it('shows the outbox, paged, with each entry\'s next attempt time', async () => {
    const { a } = await setupPair(pki, { wrapA: (ports) => ({ ...ports, notifier: { notify: async () => { throw new Error('mail relay down'); } } }) });
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    await a.engine.setActive('beta', 'local', 'signing');
    const page = await a.engine.outbox({ limit: 1 });
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({ type: 'notify', attempts: 1, claimedBy: null });
    expect(page.entries[0]?.lastError).toContain('mail relay down');
    expect(Date.parse(page.entries[0]!.nextAttemptAt)).toBeGreaterThan(a.ports.clock.now().getTime());
    const all = [];
    let cursor: string | undefined;
    for (;;) {
      const next = await a.engine.outbox(cursor === undefined ? { limit: 1 } : { limit: 1, cursor });
      all.push(...next.entries);
      if (next.next === null) break;
      cursor = next.next;
    }
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    await expect(a.engine.outbox({ limit: 0 })).rejects.toMatchObject({ code: 'CEM_ARGUMENT' });
  });
});
