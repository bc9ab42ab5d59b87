import { beforeAll, describe, expect, it } from 'vitest';
import { createCemEngine } from '../../src/engine/engine.js';
import { createMemoryPorts } from '../../src/testing/index.js';
import { setupPair, source, START, twoPartnerPki } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

describe('engine configuration and administration', () => {
  it('refuses invalid settings and engine ids with CEM_ARGUMENT when the engine is created', () => {
    const ports = createMemoryPorts({ start: START });
    expect(() => createCemEngine(ports, { settings: { maxResponseDays: 0 } })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createCemEngine(ports, { engineId: 'node 1/eu' })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    expect(() => createCemEngine(ports, { leaseMs: -1 })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('keeps settings and relationships across a restart; the configured settings apply until changed', async () => {
    const { a } = await setupPair(pki, { a: { settings: { maxResponseDays: 12 } } });
    expect((await a.engine.inspect()).settings.maxResponseDays).toBe(12);
    expect(a.ports.store.snapshot()['settings']).toBeUndefined();
    const changed = await a.engine.updateSettings({ autoAccept: true });
    expect(changed.applied).toBe(true);
    const restarted = a.restart();
    const state = await restarted.inspect();
    expect(state.settings).toMatchObject({ autoAccept: true, maxResponseDays: 12 });
    expect(Object.keys(state.relationships)).toEqual(['beta']);
    expect(Object.isFrozen(state.relationships['beta'])).toBe(true);
    const refused = await restarted.updateSettings({ maxResponseDays: -3 });
    expect(refused).toMatchObject({ applied: false, refusal: { reason: 'invalidEvent' } });
  });

  it('removes a relationship without open exchanges, deleting its record, and refuses while one is open', async () => {
    const { a } = await setupPair(pki);
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    const open = await a.engine.removeRelationship('beta');
    expect(open).toMatchObject({ applied: false, refusal: { reason: 'invalidState' } });
    await a.engine.addRelationship({ id: 'old', localName: 'ALPHA', partnerName: 'OLD', protocol: 'AS2', local: { signing: source(pki.a1, pki.alpha) } });
    expect(a.ports.store.snapshot()['rel/old']).toBeDefined();
    const removed = await a.engine.removeRelationship('old');
    expect(removed.applied).toBe(true);
    expect(a.ports.store.snapshot()['rel/old']).toBeUndefined();
    expect(await a.engine.resolve('old')).toBeNull();
    expect(await a.engine.status('old')).toEqual([]);
  });

  it('audits every applied event and every performed effect, and keeps working when the audit sink fails', async () => {
    const { a } = await setupPair(pki);
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha) });
    expect(a.ports.audit.ofType('event:sendCertificates')).toHaveLength(1);
    const performed = a.ports.audit.ofType('effect:sendRequest');
    expect(performed).toHaveLength(1);
    expect(JSON.stringify(performed[0]?.data)).toContain('requestDelivered');
    const failing = createCemEngine({ ...a.ports, audit: { record: async () => { throw new Error('audit log full'); } } });
    const result = await failing.setActive('beta', 'local', 'signing');
    expect(result.applied).toBe(true);
  });

  it('reads status for every relationship, sorted, with each certificate', async () => {
    const { a } = await setupPair(pki);
    await a.engine.addRelationship({ id: 'aardvark', localName: 'ALPHA', partnerName: 'AARDVARK', protocol: 'AS2', local: { signing: source(pki.a1, pki.alpha) } });
    const all = await a.engine.status();
    expect(all.map((s) => s.relationshipId)).toEqual(['aardvark', 'beta']);
    expect(all[1]?.certificates.filter((c) => c.status === 'Active').map((c) => `${c.side}:${c.usage}`).sort()).toEqual(['local:encryption', 'local:signing', 'partner:encryption', 'partner:signing']);
  });
});
