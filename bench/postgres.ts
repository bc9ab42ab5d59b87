/**
 * The engine on PostgreSQL with many relationships: database round trips per `receive` of an
 * ordinary (non-CEM) message and per idle `tick`, and commits per second of `sendCertificates`,
 * printed with their targets. Not part of `npm run bench` (it needs a server):
 *
 *   bash scripts/test-postgres.sh npx tsx bench/postgres.ts      # a throwaway server
 *   npx tsx bench/postgres.ts postgres://user@host/db [relationships]
 *
 * Skipped, with a note, when no server is given or reachable. Round trips are counted by
 * wrapping the pool: every statement (`pool.query` or a transaction's `client.query`, `begin`
 * and `commit` included) is one round trip.
 *
 * Setup: a few relationships are added through the engine; the rest are copies of the first,
 * written straight into the table with its id replaced in keys and values (adding 10 000 one by
 * one through the engine takes minutes). The engine sees them as if added one by one.
 *
 * Certificates are made with openssl (test/helpers/pki.ts).
 */
import { keys as storeKeys } from '../src/engine/keys.js';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createPostgresStore } from '../src/adapters/postgres/index.js';
import type { PostgresPool } from '../src/adapters/postgres/index.js';
import { createCemEngine, createRandomIds } from '../src/index.js';
import { createManualClock, createMemoryNotifier, createMemoryTransport } from '../src/testing/index.js';
import { makePki } from '../test/helpers/pki.js';

/** One measured figure with its target. */
export interface PostgresBenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target (none for a figure only reported), and whether the value must stay at or below it (`max`) or reach it (`min`). */
  readonly target: number | null;
  readonly kind: 'max' | 'min';
  readonly met: boolean;
  readonly note: string;
}

/** A pool that counts statements (round trips), and those that write. */
function countingPool(pool: pg.Pool): PostgresPool & { counts: { trips: number; writes: number; commits: number; rows: number } } {
  const counts = { trips: 0, writes: 0, commits: 0, rows: 0 };
  const rows = <T extends { rows: readonly unknown[] }>(result: T): T => ((counts.rows += result.rows.length), result);
  const note = (text: string): void => {
    counts.trips++;
    if (/^\s*(insert|update|delete)\b/i.test(text)) counts.writes++;
    if (/^\s*commit\b/i.test(text)) counts.commits++;
  };
  return {
    counts,
    query: (text, values) => (note(text), pool.query(text, values).then(rows)),
    connect: async () => {
      const client = await pool.connect();
      return { query: (text, values) => (note(text), client.query(text, values).then(rows)), release: (e) => client.release(e) };
    },
  };
}

const TOKEN = 'bench-partner-000000';
const id = (i: number): string => `bench-partner-${String(i).padStart(6, '0')}`;

/**
 * Runs the benchmark against the server at `url` and prints its table; resolves with the rows,
 * or `null` (after printing why) when no server is reachable.
 *
 * @example
 * ```ts
 * const rows = await benchPostgres(process.env.CEM_TEST_PG_URL, { relationships: 10_000 })
 * ```
 * @throws Error when the engine refuses the setup (it does not).
 */
export async function benchPostgres(url: string | undefined, options: { readonly relationships?: number; readonly log?: (line: string) => void } = {}): Promise<PostgresBenchRow[] | null> {
  const log = options.log ?? console.log;
  const count = options.relationships ?? 10_000;
  if (!url) {
    log('bench/postgres: SKIPPED: no PostgreSQL server given (argument, or CEM_TEST_PG_URL; `bash scripts/test-postgres.sh npx tsx bench/postgres.ts` starts one)');
    return null;
  }
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3_000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (error) {
    log(`bench/postgres: SKIPPED: ${url} is not reachable (${String(error)})`);
    await pool.end();
    return null;
  }
  const table = `cem_bench_${process.pid}`;
  try {
    const counting = countingPool(pool);
    const store = createPostgresStore({ pool: counting, table });
    await store.migrate();
    const pki = makePki('Bench');
    const ours = pki.leaf({ subject: '/O=Acme/CN=as2 acme 1' });
    const ours2 = pki.leaf({ subject: '/O=Acme/CN=as2 acme 2', keyFrom: ours });
    const theirs = pki.leaf({ subject: '/O=Partner/CN=as2 partner 1' });
    const src = (c: typeof ours, keyRef?: string) => ({ certificate: c.pem, chain: pki.chainOf(c).slice(1).map((x) => x.pem), ...(keyRef ? { keyRef } : {}) });
    const clock = createManualClock(new Date(Date.now() + 86_400_000));
    const engine = createCemEngine(
      { clock, ids: createRandomIds({ domain: 'acme.test' }), store, transport: createMemoryTransport(), notifier: createMemoryNotifier() },
      { engineId: 'bench' },
    );
    const added = await engine.addRelationship({
      id: TOKEN, localName: 'ACME', partnerName: TOKEN.toUpperCase(), protocol: 'AS2', responseUrl: 'https://acme.test/as2', cemOverride: 'capable',
      local: { signing: src(ours, 'k1'), encryption: src(ours, 'k1') }, partner: { signing: src(theirs), encryption: src(theirs) },
    });
    if (!added.applied) throw new Error(`addRelationship: ${JSON.stringify(added.refusal)}`);

    // Copies of the first relationship's records, in batches of 1 000 rows.
    const setupStart = performance.now();
    const template = (await pool.query(`select key, value::text as value from ${table} where key like $1 or value::text like $1`, [`%${TOKEN}%`])).rows as { key: string; value: string }[];
    const upper = TOKEN.toUpperCase();
    for (let from = 1; from < count; from += 1_000) {
      const keys: string[] = [];
      const values: string[] = [];
      for (let i = from; i < Math.min(count, from + 1_000); i++) {
        for (const r of template) {
          // The name index is keyed by the escaped AS2 names (upper case here): computed, not copied.
          keys.push(r.key.startsWith('name/') ? storeKeys.name(id(i).toUpperCase(), 'ACME') : r.key.replaceAll(TOKEN, id(i)).replaceAll(upper, id(i).toUpperCase()));
          values.push(r.value.replaceAll(TOKEN, id(i)).replaceAll(upper, id(i).toUpperCase()));
        }
      }
      await pool.query(`insert into ${table} (key, version, value) select k, 1, v::json from unnest($1::text[], $2::text[]) as t(k, v)`, [keys, values]);
    }
    await pool.query(`analyze ${table}`);
    const rows = Number((await pool.query(`select count(*) as n from ${table}`)).rows[0].n);
    log(`bench/postgres: ${count} relationships (${rows} records) in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

    const per = async (runs: number, fn: (i: number) => Promise<unknown>): Promise<{ trips: number; writes: number; rows: number; ms: number }> => {
      await fn(runs); // warm-up (caches, first reads)
      const before = { ...counting.counts };
      const t = performance.now();
      for (let i = 0; i < runs; i++) await fn(i);
      const n = (k: 'trips' | 'writes' | 'rows'): number => (counting.counts[k] - before[k]) / runs;
      return { trips: n('trips'), writes: n('writes'), rows: n('rows'), ms: (performance.now() - t) / runs };
    };
    // Verified by the partner's signing certificate, as the AS2 layer reports it.
    const payload = (i: number, features = 'multiple-attachments, CEM') => ({
      body: { contentType: 'application/edi-x12', body: new TextEncoder().encode(`ISA*00*payload ${i}~`) },
      headers: { 'AS2-From': id(i % count).toUpperCase(), 'AS2-To': 'ACME', 'Message-ID': `<bench-${i}@partner>`, 'EDIINT-Features': features },
      verifiedBy: theirs.der,
    });
    // The first verified message advertising CEM records it (one commit); later ones read the name index only.
    const receive = await per(5, (i) => engine.receive(payload(i)));
    const receiveAgain = await per(5, (i) => engine.receive(payload(i)));
    const tick = await per(3, () => engine.tick());
    // Wall time per call over many partners (round trips to the server dominate).
    const spread = (i: number): number => (i * 7919 + 13) % count;
    // Capability unchanged (the copies never advertised CEM): the path of nearly every message.
    const receiveMs = await per(500, (i) => engine.receive(payload(spread(i) + count * 1000, 'multiple-attachments')));
    const resolveMs = await per(500, (i) => engine.resolve(id(spread(i))));
    const tickMs = await per(200, () => engine.tick());
    let sends = 0;
    const sendStart = performance.now();
    const before = counting.counts.commits;
    while (sends < 200 && performance.now() - sendStart < 15_000) {
      const r = await engine.sendCertificates(id(1 + sends), { signing: src(ours2, 'k2'), encryption: src(ours2, 'k2') });
      if (!r.applied) throw new Error(`sendCertificates: ${JSON.stringify(r.refusal)}`);
      sends++;
    }
    const sendSeconds = (performance.now() - sendStart) / 1000;
    const commits = counting.counts.commits - before;

    const result: PostgresBenchRow[] = [
      // Reported, no target: once per change of a partner's capability (read, then one commit).
      row(`round trips per receive of an ordinary message (first advertising CEM: recorded)`, receive.trips, 'round trips', null, 'max', `${receive.writes.toFixed(1)} writes, ${receive.rows.toFixed(0)} rows read, ${receive.ms.toFixed(0)} ms each`),
      row(`round trips per receive of an ordinary message (capability unchanged)`, receiveAgain.trips, 'round trips', 1, 'max', `${receiveAgain.writes.toFixed(1)} writes (target 0), ${receiveAgain.rows.toFixed(0)} rows read, ${receiveAgain.ms.toFixed(0)} ms each`),
      row(`round trips per idle tick`, tick.trips, 'round trips', 2, 'max', `${tick.writes.toFixed(1)} writes, ${tick.rows.toFixed(0)} rows read, ${tick.ms.toFixed(0)} ms each`),
      row('ms per receive of an ordinary message (wall, 500 partners)', receiveMs.ms, 'ms', null, 'max', `${receiveMs.trips.toFixed(1)} round trips each`),
      row('ms per resolve (wall, 500 partners)', resolveMs.ms, 'ms', null, 'max', `${resolveMs.trips.toFixed(1)} round trips each`),
      row('ms per idle tick (wall)', tickMs.ms, 'ms', null, 'max', `${tickMs.trips.toFixed(1)} round trips each`),
      row(`sendCertificates per second (one commit of the operation, one recording its send)`, sends / sendSeconds, 'ops/s', null, 'min', `${sends} sends, ${(commits / sends).toFixed(1)} commits each, ${(sendSeconds * 1000 / sends).toFixed(0)} ms each`),
    ];
    log(`bench/postgres: ${count} relationships on ${url.replace(/\/\/[^@]*@/, '//')}`);
    log(['figure'.padEnd(72), 'value'.padStart(10), 'target'.padStart(10), ' ', 'note'].join(' '));
    for (const r of result) {
      log([r.name.padEnd(72), r.value.toFixed(1).padStart(10), (r.target === null ? '-' : `${r.kind === 'max' ? '<=' : '>='} ${r.target}`).padStart(10), r.target === null ? '    ' : r.met ? 'ok  ' : 'MISS', r.note].join(' '));
    }
    return result;
  } finally {
    await pool.query(`drop table if exists ${table}, ${table}_meta`).catch(() => undefined);
    await pool.end();
  }
}

function row(name: string, value: number, unit: string, target: number | null, kind: 'max' | 'min', note: string): PostgresBenchRow {
  return { name, value, unit, target, kind, met: target === null || (kind === 'max' ? value <= target : value >= target), note };
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const [url, relationships] = process.argv.slice(2);
  await benchPostgres(url || process.env['CEM_TEST_PG_URL'], { relationships: Number(relationships || 10_000) });
}
