// The PostgreSQL store on PGlite (PostgreSQL in WebAssembly, in process): the store contract and
// the adapter's own behaviour, in the ordinary test run. The same runs against a real server in
// postgres-server.test.ts.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPglitePool } from '../../examples/support/pglite-pool.js';
import type { PglitePool } from '../../examples/support/pglite-pool.js';
import { createPostgresStore, POSTGRES_LAYOUT_VERSION } from '../../src/adapters/postgres/index.js';
import type { PostgresPool, PostgresStore } from '../../src/adapters/postgres/index.js';
import { runStoreContract } from '../../src/testing/index.js';

// One PGlite per file: its first start takes seconds.
let shared: Promise<PglitePool> | undefined;
const pool = (): Promise<PglitePool> => (shared ??= createPglitePool());
let tables = 0;

async function freshStore(options: { readonly table?: string } = {}): Promise<PostgresStore> {
  const store = createPostgresStore({ pool: await pool(), table: options.table ?? `contract_${++tables}` });
  await store.migrate();
  return store;
}

runStoreContract({ describe, it }, () => freshStore(), { name: 'postgres store on PGlite' });

describe('createPostgresStore on PGlite', () => {
  it('accepts a pg Pool as it is (type check) and refuses bad options with CEM_ARGUMENT', async () => {
    const real: PostgresPool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    expect(createPostgresStore({ pool: real }).table).toBe('cem_records');
    expect(createPostgresStore({ pool: real, table: 'cem', schema: 'as2' }).table).toBe('as2.cem');
    for (const bad of [{ table: 'a;drop' }, { table: 'x'.repeat(59) }, { schema: 'a"b' }, { retries: -1 }]) {
      expect(() => createPostgresStore({ pool: real, ...bad })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    }
    expect(() => createPostgresStore({ pool: undefined as never })).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    await (real as pg.Pool).end();
  });

  it('migrates idempotently, records the layout version and keeps the records', async () => {
    const db = await pool();
    const store = await freshStore({ table: 'migrated' });
    await store.commit([{ key: 'rel/acme', expectedVersion: null, value: { a: 1 } }]);
    await store.migrate();
    await createPostgresStore({ pool: db, table: 'migrated' }).migrate();
    expect(await store.get('rel/acme')).toEqual({ key: 'rel/acme', version: 1, value: { a: 1 } });
    const meta = await db.query('select name, value from migrated_meta');
    expect(meta.rows).toEqual([{ name: 'layout', value: String(POSTGRES_LAYOUT_VERSION) }]);
    const columns = await db.query(
      "select column_name, data_type, collation_name from information_schema.columns where table_name = 'migrated' order by ordinal_position",
    );
    expect(columns.rows).toEqual([
      { column_name: 'key', data_type: 'text', collation_name: 'C' },
      { column_name: 'version', data_type: 'bigint', collation_name: null },
      { column_name: 'value', data_type: 'json', collation_name: null },
    ]);
  });

  it('refuses a table of another layout version, and a table never migrated, with CEM_PORT_FAILED', async () => {
    const db = await pool();
    const store = await freshStore({ table: 'future' });
    await db.query("update future_meta set value = '99' where name = 'layout'");
    const again = createPostgresStore({ pool: db, table: 'future' });
    await expect(again.get('a')).rejects.toMatchObject({ code: 'CEM_PORT_FAILED', message: expect.stringContaining('layout version 99') });
    await expect(again.migrate()).rejects.toMatchObject({ code: 'CEM_PORT_FAILED', message: expect.stringContaining('layout version 99') });
    await expect(store.migrate()).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    const missing = createPostgresStore({ pool: db, table: 'never_migrated' });
    await expect(missing.list('')).rejects.toMatchObject({ code: 'CEM_PORT_FAILED', message: expect.stringContaining('migrate()') });
    await expect(missing.commit([{ key: 'k', expectedVersion: null, value: 1 }])).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
  });

  it('keeps the JSON text as written: key order, big and tiny numbers, escapes, NUL characters, lone surrogates', async () => {
    const store = await freshStore();
    const value = { z: 1, a: [9007199254740991, -0.5e-7, 1e308, 5e-324, 0.1 + 0.2, 1e21], nul: 'a\u0000b', lone: 'a\ud800b', dup: { b: 1, a: 2 } };
    await store.commit([{ key: 'json', expectedVersion: null, value }]);
    const got = await store.get('json');
    expect(JSON.stringify(got?.value)).toBe(JSON.stringify(value));
    expect((await store.list('json'))[0]?.value).toEqual(value);
  });

  it('lists with bounds outside the key alphabet as a key-by-key comparison would', async () => {
    const store = await freshStore();
    const keys = ['a', 'a/b', 'a/c', 'ab', 'b'];
    await store.commit(keys.map((key) => ({ key, expectedVersion: null, value: 0 })));
    const names = async (prefix: string, range?: Parameters<PostgresStore['list']>[1]): Promise<string[]> => (await store.list(prefix, range)).map((r) => r.key);
    expect(await names('', { start: 'a/\u0000' })).toEqual(['a/b', 'a/c', 'ab', 'b']);
    expect(await names('', { end: 'a/\u00e9' })).toEqual(['a', 'a/b', 'a/c']);
    expect(await names('', { after: 'a\u{1F511}' })).toEqual(['b']);
    expect(await names('', { start: 'a\ud800', end: 'b\u0001' })).toEqual(['b']);
    expect(await names('a\u0000')).toEqual([]);
    expect(await names('\u00e9')).toEqual([]);
    expect(await names('a\x7f')).toEqual([]);
  });

  it('commits with one statement per write inside one transaction, and reads with one statement', async () => {
    const db = await pool();
    const store = await freshStore();
    await store.get('warm-up');
    const before = db.statements();
    await store.commit([
      { key: 'x/1', expectedVersion: null, value: 1 },
      { key: 'x/2', expectedVersion: null, value: 2 },
    ]);
    expect(db.statements() - before).toBe(4); // begin, two inserts, commit
    const mid = db.statements();
    await store.list('x/', { limit: 1 });
    await store.get('x/1');
    expect(db.statements() - mid).toBe(2);
  });
});

describe('createPostgresStore without a database', () => {
  it('fails with CEM_PORT_FAILED carrying the driver error when the server is unreachable', async () => {
    // A real pg Pool pointed at a closed port: connection refused.
    const unreachable = new pg.Pool({ connectionString: 'postgres://cem@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
    const store = createPostgresStore({ pool: unreachable });
    for (const call of [() => store.get('k'), () => store.list('x/'), () => store.commit([{ key: 'k', expectedVersion: null, value: 1 }]), () => store.migrate()]) {
      const error: unknown = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'CEM_PORT_FAILED' });
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    }
    await unreachable.end();
  });
});
