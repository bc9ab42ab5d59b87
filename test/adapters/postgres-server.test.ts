// The PostgreSQL store on a real server (CEM_TEST_PG_URL, started by scripts/test-postgres.sh,
// which .ci/run uses): the store contract with commits really racing on separate connections,
// under READ COMMITTED and SERIALIZABLE, the range reads' query plans on 10k+ rows, and a lost
// connection. Skipped, with a line saying so, when no server is given.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import type { PostgresPool, PostgresStore } from '../../src/adapters/postgres/index.js';
import { runStoreContract } from '../../src/testing/index.js';
import { freshSchema, noteSkipped, PG_URL, serverPool } from '../helpers/postgres.js';

noteSkipped('postgres store on a real server');

describe.skipIf(PG_URL === undefined)('postgres store on a real server', () => {
  let pool: pg.Pool;
  let serializable: pg.Pool;
  let schema: { readonly schema: string; drop(): Promise<void> };
  let tables = 0;

  beforeAll(async () => {
    pool = serverPool();
    serializable = serverPool({ options: '-c default_transaction_isolation=serializable' });
    schema = await freshSchema(pool, 'cem_server');
  });
  afterAll(async () => {
    await schema?.drop();
    await Promise.all([pool?.end(), serializable?.end()]);
  });

  async function fresh(on: PostgresPool, retries?: number): Promise<PostgresStore> {
    const store = createPostgresStore({ pool: on, schema: schema.schema, table: `t_${++tables}`, ...(retries === undefined ? {} : { retries }) });
    await store.migrate();
    return store;
  }

  runStoreContract({ describe, it }, () => fresh(pool), { name: 'READ COMMITTED', racers: 16 });
  // Under SERIALIZABLE the racing commits also fail with serialization failures (40001): retried,
  // then a conflict, never CEM_PORT_FAILED; and with no retries at all, still a conflict.
  runStoreContract({ describe, it }, () => fresh(serializable), { name: 'SERIALIZABLE', racers: 16 });
  runStoreContract({ describe, it }, () => fresh(serializable, 0), { name: 'SERIALIZABLE without retries', racers: 16 });

  it('runs migrate() from several nodes at once', async () => {
    const table = `t_${++tables}`;
    const stores = Array.from({ length: 6 }, () => createPostgresStore({ pool, schema: schema.schema, table }));
    await Promise.all(stores.map((s) => s.migrate()));
    await stores[0]?.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
    expect(await stores[5]?.get('k')).toEqual({ key: 'k', version: 1, value: 1 });
  });

  it('reads the due and name indexes of 10k relationships with an index scan of the primary key, never a sequential scan', async () => {
    const store = await fresh(pool);
    const table = `${schema.schema}.t_${tables}`;
    // 10 000 relationships, each with a due-index entry and a name-index entry: 30 000 rows.
    await pool.query(`insert into ${table} (key, version, value)
      select 'rel/partner-' || lpad(i::text, 5, '0'), 1, json_build_object('id', i)::json from generate_series(1, 10000) i
      union all
      select 'due/' || to_char(timestamp '2027-01-01' + i * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '/rel/partner-' || lpad(i::text, 5, '0'), 1, '{}'::json from generate_series(1, 10000) i
      union all
      select 'name/PARTNER' || i || '/ACME', 1, json_build_object('rel', i)::json from generate_series(1, 10000) i`);
    await pool.query(`analyze ${table}`);
    // The statements the store really sends, captured on their way to the pool.
    const sent: { text: string; values: unknown[] }[] = [];
    const spy: PostgresPool = {
      query: (text, values) => (sent.push({ text, values: values ?? [] }), pool.query(text, values)),
      connect: () => pool.connect(),
    };
    const spied = createPostgresStore({ pool: spy, schema: schema.schema, table: `t_${tables}` });
    const due = await spied.list('due/', { end: 'due/2027-01-03T00:00:00.000Z~', limit: 100 });
    expect(due).toHaveLength(48); // 01:00 on the 1st to 00:00 on the 3rd
    const name = await spied.get('name/PARTNER1234/ACME');
    expect(name?.value).toEqual({ rel: 1234 });
    const paged = await spied.list('rel/', { after: 'rel/partner-09990', limit: 5 });
    expect(paged.map((r) => r.key)).toEqual(['rel/partner-09991', 'rel/partner-09992', 'rel/partner-09993', 'rel/partner-09994', 'rel/partner-09995']);
    const reads = sent.filter((s) => !s.text.includes('_meta'));
    expect(reads).toHaveLength(3);
    for (const { text, values } of reads) {
      const plan = (await pool.query(`explain ${text}`, values)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(plan, plan).not.toMatch(/Seq Scan/);
      expect(plan, plan).toMatch(new RegExp(`Index (Only )?Scan using t_${tables}_pkey`));
      expect(plan, plan).not.toMatch(/Sort/);
    }
    expect((await store.list('', { limit: 1 }))[0]?.key).toBe('due/2027-01-01T01:00:00.000Z/rel/partner-00001');
  });

  it('fails a commit whose connection dies with CEM_PORT_FAILED (driver error as cause, nothing written), and works again on a new connection', async () => {
    const single = serverPool({ max: 1 });
    try {
      // The first transaction's connection is terminated by the server just before its `begin`.
      let sabotage = false;
      const dying: PostgresPool = {
        query: (text, values) => single.query(text, values),
        connect: async () => {
          const client = await single.connect();
          client.on('error', () => undefined); // the server's goodbye may arrive between statements
          return {
            query: async (text, values) => {
              if (sabotage && text === 'begin') {
                sabotage = false;
                const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
                await pool.query('select pg_terminate_backend($1)', [pid]);
              }
              return client.query(text, values);
            },
            release: (error) => client.release(error),
          };
        },
      };
      const store = await fresh(dying);
      sabotage = true;
      await expect(store.get('k')).resolves.toBeUndefined();
      const failed: unknown = await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]).then(() => undefined, (e: unknown) => e);
      expect(failed).toMatchObject({ code: 'CEM_PORT_FAILED' });
      expect((failed as { cause?: unknown }).cause).toBeInstanceOf(Error);
      expect(sabotage).toBe(false);
      expect(await store.get('k')).toBeUndefined();
      await store.commit([{ key: 'k', expectedVersion: null, value: 1 }]);
      expect(await store.get('k')).toEqual({ key: 'k', version: 1, value: 1 });
    } finally {
      await single.end();
    }
  });
});
