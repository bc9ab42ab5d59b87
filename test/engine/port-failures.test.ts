import { beforeAll, describe, expect, it } from 'vitest';
import type { CemEngine } from '../../src/engine/engine.js';
import type { InboundMessage } from '../../src/engine/types.js';
import { CemEngineError } from '../../src/errors.js';
import type { CemPorts } from '../../src/ports/ports.js';
import { storeConflict } from '../../src/ports/store.js';
import { fingerprint, setupPair, source, twoPartnerPki, type Pair, type Party } from './harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

/** A failure of a host port. */
class PortDown extends Error {
  override readonly name = 'PortDown';
}

/** What ALPHA's ports do right now. */
interface Switches {
  clock: 'ok' | 'throw' | 'invalid';
  requestId: 'ok' | 'throw' | 'empty';
  contentId: 'ok' | 'throw';
  commit: 'ok' | 'conflict';
}

function switchable(switches: Switches, cause: PortDown): (ports: CemPorts) => CemPorts {
  return (ports) => ({
    ...ports,
    clock: {
      now: () => {
        if (switches.clock === 'throw') throw cause;
        return switches.clock === 'invalid' ? new Date(Number.NaN) : ports.clock.now();
      },
    },
    ids: {
      requestId: () => {
        if (switches.requestId === 'throw') throw cause;
        return switches.requestId === 'empty' ? '' : ports.ids.requestId();
      },
      contentId: () => {
        if (switches.contentId === 'throw') throw cause;
        return ports.ids.contentId();
      },
    },
    store: {
      get: (key) => ports.store.get(key),
      list: (prefix, range) => ports.store.list(prefix, range),
      commit: async (writes) => {
        if (switches.commit === 'conflict') throw storeConflict(writes[0]?.key ?? 'head', 1, 2);
        return ports.store.commit(writes);
      },
    },
  });
}

interface Setup extends Pair {
  readonly switches: Switches;
  readonly cause: PortDown;
}

async function setup(): Promise<Setup> {
  const switches: Switches = { clock: 'ok', requestId: 'ok', contentId: 'ok', commit: 'ok' };
  const cause = new PortDown('the port is down');
  const pair = await setupPair(pki, { wrapA: switchable(switches, cause), b: { settings: { autoAccept: true } } });
  return { ...pair, switches, cause };
}

/** Asserts a `CemEngineError` `CEM_PORT_FAILED` whose cause is `cause` (or, without it, any cause). */
async function expectPortFailure(promise: Promise<unknown>, cause?: unknown): Promise<CemEngineError> {
  const error: unknown = await promise.then(() => new Error('resolved'), (e: unknown) => e);
  expect(error).toBeInstanceOf(CemEngineError);
  expect(error).toMatchObject({ code: 'CEM_PORT_FAILED' });
  if (cause !== undefined) expect((error as Error).cause).toBe(cause);
  return error as CemEngineError;
}

/** BETA's Request for b2, as it reaches ALPHA. */
async function requestFromBeta(b: Party): Promise<InboundMessage> {
  await b.engine.sendCertificates('alpha', { signing: source(pki.b2, pki.beta, 'key:b2') });
  const entry = b.ports.transport.requests.at(-1)!;
  return { body: { contentType: entry.contentType, body: entry.body }, headers: { 'AS2-From': 'BETA', 'AS2-To': 'ALPHA', 'Message-ID': '<r@beta.test>', 'EDIINT-Features': 'CEM' }, verifiedBy: pki.b1.der };
}

const stored = (p: Party): string => JSON.stringify(p.ports.store.snapshot());

describe('failures of the clock and id ports', () => {
  it('fails every operation with CEM_PORT_FAILED carrying the cause when the clock throws, changing nothing', async () => {
    const { a, b, switches, cause } = await setup();
    const message = await requestFromBeta(b);
    const operations: readonly [string, (e: CemEngine) => Promise<unknown>][] = [
      ['addRelationship', (e) => e.addRelationship({ id: 'gamma', localName: 'ALPHA', partnerName: 'GAMMA', protocol: 'AS2' })],
      ['updateSettings', (e) => e.updateSettings({ maxResponseDays: 9 })],
      ['sendCertificates', (e) => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') })],
      ['setActive', (e) => e.setActive('beta', 'local', 'signing')],
      ['respond', (e) => e.respond('beta/none', [])],
      ['observeTraffic', (e) => e.observeTraffic({ relationshipId: 'beta', verifiedWith: fingerprint(pki.b1) })],
      ['receive', (e) => e.receive(message)],
      ['tick', (e) => e.tick()],
      ['resolve', (e) => e.resolve('beta')],
    ];
    const before = stored(a);
    switches.clock = 'throw';
    for (const [name, operation] of operations) {
      const error = await expectPortFailure(operation(a.engine), cause);
      expect(error.message, name).toContain('clock.now');
    }
    expect(stored(a)).toBe(before);
    // The clock is back: the partner's retry of the message is handled.
    switches.clock = 'ok';
    expect(await a.engine.receive(message)).toMatchObject({ kind: 'request', status: 'awaitingDecision' });
  });

  it('treats a clock that returns an invalid Date as a failed port', async () => {
    const { a, b, switches } = await setup();
    const message = await requestFromBeta(b);
    const before = stored(a);
    switches.clock = 'invalid';
    for (const operation of [(e: CemEngine) => e.tick(), (e: CemEngine) => e.receive(message), (e: CemEngine) => e.resolve('beta')]) {
      await expectPortFailure(operation(a.engine));
    }
    expect(stored(a)).toBe(before);
  });

  it('fails sending, resending and emailing a schedule with CEM_PORT_FAILED when the id port throws or gives an unusable id', async () => {
    const { a, switches, cause } = await setup();
    const before = stored(a);
    const send = (e: CemEngine): Promise<unknown> => e.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    const schedule = (e: CemEngine): Promise<unknown> => e.schedule({ relationshipId: 'beta', side: 'local', usage: 'signing', certificate: source(pki.a2, pki.alpha, 'key:a2'), activateAt: new Date(a.ports.clock.now().getTime() + 10 * 86_400_000), emailPartner: true });
    switches.requestId = 'throw';
    for (const operation of [send, schedule]) expect((await expectPortFailure(operation(a.engine), cause)).message).toContain('ids.requestId');
    switches.requestId = 'empty';
    await expectPortFailure(send(a.engine));
    switches.requestId = 'ok';
    switches.contentId = 'throw';
    expect((await expectPortFailure(send(a.engine), cause)).message).toContain('ids.contentId');
    expect(stored(a)).toBe(before);
    expect(a.ports.transport.sent).toHaveLength(0);

    // resend draws a new requestId too.
    switches.contentId = 'ok';
    const sent = await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    a.ports.clock.advance({ days: 31 });
    await a.engine.tick();
    const expired = stored(a);
    switches.requestId = 'throw';
    await expectPortFailure(a.engine.resend(sent.requestId!), cause);
    expect(stored(a)).toBe(expired);
  });

  it('fails answering a Request with CEM_PORT_FAILED when the id port cannot give the Response its Content-ID', async () => {
    const { a, b, switches, cause } = await setup();
    const outcome = await a.engine.receive(await requestFromBeta(b));
    expect(outcome).toMatchObject({ kind: 'request', status: 'awaitingDecision' });
    if (outcome.kind !== 'request') return;
    const before = stored(a);
    switches.contentId = 'throw';
    const error = await expectPortFailure(a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.b2), accept: true }]), cause);
    expect(error.message).toContain('ids.contentId');
    expect(stored(a)).toBe(before);
    switches.contentId = 'ok';
    expect((await a.engine.respond(outcome.exchangeKey, [{ fingerprint: fingerprint(pki.b2), accept: true }])).applied).toBe(true);
  });

  it('receives a Request decided at once only when the Response Content-ID can be drawn, throwing CEM_PORT_FAILED otherwise', async () => {
    const { a, b, switches, cause } = await setup();
    await a.engine.updateSettings({ autoAccept: true });
    const message = await requestFromBeta(b);
    const before = stored(a);
    switches.contentId = 'throw';
    expect((await expectPortFailure(a.engine.receive(message), cause)).message).toContain('ids.contentId');
    expect(stored(a)).toBe(before);
    switches.contentId = 'ok';
    expect(await a.engine.receive(message)).toMatchObject({ kind: 'request', status: 'answered' });
  });

  it('throws CEM_PORT_FAILED from receive, never CEM_STORE_CONFLICT, when the store keeps conflicting', async () => {
    const { a, b, switches } = await setup();
    const message = await requestFromBeta(b);
    switches.commit = 'conflict';
    const error = await expectPortFailure(a.engine.receive(message));
    expect(error.cause).toMatchObject({ code: 'CEM_STORE_CONFLICT' });
    switches.commit = 'ok';
    expect(await a.engine.receive(message)).toMatchObject({ kind: 'request' });
  });

  it('fails draining the outbox with CEM_PORT_FAILED when the clock throws, and performs the entry once it is back', async () => {
    const { a, b, net, switches, cause } = await setup();
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    a.ports.notifier.failNext(1);
    await net.deliver(); // BETA accepts; ALPHA's certificateActivated / responseReceived notices: the first fails
    expect(b.ports.transport.responses).toHaveLength(1);
    const kept = Object.keys(a.ports.store.snapshot()).filter((k) => k.startsWith('outbox/'));
    expect(kept).toHaveLength(1);
    a.ports.clock.advance({ minutes: 10 });
    switches.clock = 'throw';
    await expectPortFailure(a.engine.drainOutbox(), cause);
    await expectPortFailure(a.engine.tick(), cause);
    switches.clock = 'ok';
    expect(await a.engine.drainOutbox()).toBe(1);
    expect(Object.keys(a.ports.store.snapshot()).filter((k) => k.startsWith('outbox/'))).toHaveLength(0);
  });

  it('drops an audit event whose clock reading fails (throws or answers an invalid Date), never breaking the operation nor recording an invalid time', async () => {
    // The clock fails once, at the first reading after the operation's commit: the audit of the event.
    let failNext: 'throw' | 'invalid' | null = null;
    let armed: 'throw' | 'invalid' | null = null;
    const cause = new PortDown('NTP down');
    const pair = await setupPair(pki, {
      learn: false,
      wrapA: (ports) => ({
        ...ports,
        clock: {
          now: () => {
            const mode = failNext;
            failNext = null;
            if (mode === 'throw') throw cause;
            return mode === 'invalid' ? new Date(Number.NaN) : ports.clock.now();
          },
        },
        store: {
          ...ports.store,
          commit: async (writes) => {
            await ports.store.commit(writes);
            if (armed !== null && writes.some((w) => w.key.startsWith('rel/'))) [failNext, armed] = [armed, null];
          },
        },
      }),
    });
    const { a } = pair;
    await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
    for (const [mode, usage] of [['throw', 'signing'], ['invalid', 'encryption']] as const) {
      const audited = a.ports.audit.events.length;
      armed = mode;
      const result = await a.engine.setActive('beta', 'local', usage);
      expect(result.applied, mode).toBe(true);
      expect(failNext, mode).toBeNull(); // the failing reading happened
      const events = a.ports.audit.events.slice(audited);
      expect(events.map((e) => e.type), mode).not.toContain('event:setActive');
      expect(events.map((e) => e.type), mode).toContain('effect:notify'); // the next audit event is recorded
      expect(a.ports.notifier.ofKind('certificateActivated').length).toBeGreaterThan(0);
    }
    expect(a.ports.audit.events.every((e) => e.at instanceof Date && Number.isFinite(e.at.getTime()))).toBe(true);
    expect((await a.engine.resolve('beta'))?.signOutbound?.fingerprint).toBe(fingerprint(pki.a2));
  });
});
