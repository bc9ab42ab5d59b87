// The engine on the PostgreSQL store (on PGlite, and on the real server when CEM_TEST_PG_URL is
// set): the same exchange, run once on memory stores and once with both parties on PostgreSQL
// tables, must produce the same outcomes, messages, notices and final state, also across an
// engine restart.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPglitePool } from '../../examples/support/pglite-pool.js';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import type { CemStore } from '../../src/ports/store.js';
import { createNetwork, createParty, days, link, newClock, source, twoPartnerPki } from '../engine/harness.js';
import { freshSchema, PG_URL, serverPool } from '../helpers/postgres.js';
import type { Party } from '../engine/harness.js';

type Pki = ReturnType<typeof twoPartnerPki>;
let pki: Pki;
beforeAll(() => {
  pki = twoPartnerPki();
});

const fp = (cert: { der: Uint8Array }): string => createHash('sha256').update(cert.der).digest('hex');

/** Runs the exchange with each party's store from `storeFor`; returns everything observable. */
async function transcript(storeFor: (party: string) => Promise<CemStore | undefined>): Promise<unknown[]> {
  const clock = newClock();
  const stores = { ALPHA: await storeFor('alpha'), BETA: await storeFor('beta') };
  const make = (name: 'ALPHA' | 'BETA', settings: Record<string, unknown>): Party => {
    const store = stores[name];
    return createParty({ name, clock, config: { settings }, ...(store === undefined ? {} : { wrap: (ports) => ({ ...ports, store }) }) });
  };
  const a = make('ALPHA', { autoAccept: false, maxResponseDays: 2 });
  const b = make('BETA', { autoAccept: false });
  await link(a, pki.a1, pki.alpha, b, pki.b1, pki.beta);
  const net = createNetwork([a, b]);
  const seen: unknown[] = [];
  const view = async (step: string): Promise<void> => {
    const [ra, rb] = [await a.engine.resolve('beta'), await b.engine.resolve('alpha')];
    seen.push({
      step,
      alpha: { sign: ra?.signOutbound?.fingerprint, decrypt: ra?.decryptInbound.map((c) => c.fingerprint), status: (await a.engine.status('beta')).map((s) => s.status) },
      beta: { verify: rb?.verifyInbound.map((c) => c.fingerprint), encrypt: rb?.encryptOutbound?.fingerprint, status: (await b.engine.status('alpha')).map((s) => s.status) },
      notices: [a, b].map((p) => p.ports.notifier.notices.map((n) => n.dedupeKey)),
      sent: [a, b].map((p) => p.ports.transport.sent.map((e) => (e.kind === 'email' ? 'email' : createHash('sha256').update(e.message.body).digest('hex')))),
    });
  };
  seen.push((await net.payload(a, b)).outcome, (await net.payload(b, a)).outcome);
  await view('learned');
  await a.engine.sendCertificates('beta', { signing: source(pki.a2, pki.alpha, 'key:a2') });
  const [request] = await net.deliver();
  seen.push(request?.outcome);
  await view('request delivered');
  await days({ clock }, [a, b], 3); // ALPHA's respond-by passes: daily alerts on both sides
  await view('three days later');
  const outcome = request?.outcome;
  if (outcome?.kind !== 'request') throw new Error('no request');
  seen.push(await b.engine.respond(outcome.exchangeKey, [{ fingerprint: fp(pki.a2), accept: true }]));
  seen.push((await net.deliver()).map((d) => d.outcome));
  await view('accepted late');
  a.restart();
  b.restart();
  seen.push((await net.payload(a, b)).outcome);
  await view('first usage after a restart');
  seen.push(await a.engine.inspect(), await b.engine.inspect());
  return seen;
}

describe('the engine on the postgres store (PGlite)', () => {
  it('behaves exactly as on the memory store through an exchange, late acceptance, daily alerts and a restart', async () => {
    const pool = await createPglitePool();
    try {
      const onMemory = await transcript(async () => undefined);
      const onPostgres = await transcript(async (party) => {
        const store = createPostgresStore({ pool, table: `engine_${party}` });
        await store.migrate();
        return store;
      });
      expect(onPostgres).toEqual(onMemory);
      // The run did what it says: the switch-over happened, and the records are in the tables.
      const last = onPostgres.at(-3) as { alpha: { sign: string }; notices: string[][] };
      expect(last.alpha.sign).toBe(fp(pki.a2));
      expect(last.notices[0]?.some((k) => k.startsWith('responseOverdue') || k.startsWith('requestOverdue'))).toBe(true);
      expect(Number((await pool.query('select count(*) as n from engine_alpha')).rows[0]?.['n'])).toBeGreaterThan(3);
    } finally {
      await pool.db.close();
    }
  });

  it.skipIf(PG_URL === undefined)('behaves exactly as on the memory store on the real server too', async () => {
    const pool = serverPool();
    const schema = await freshSchema(pool, 'cem_engine');
    try {
      const onMemory = await transcript(async () => undefined);
      const onPostgres = await transcript(async (party) => {
        const store = createPostgresStore({ pool, schema: schema.schema, table: `engine_${party}` });
        await store.migrate();
        return store;
      });
      expect(onPostgres).toEqual(onMemory);
    } finally {
      await schema.drop();
      await pool.end();
    }
  });
});
