/**
 * The store the engine behaviour suites run on: the memory store by default; with
 * `CEM_TEST_ENGINE_STORE=postgres` (the `engine-on-postgres` test project), the PostgreSQL store,
 * one fresh table per party: on the server `CEM_TEST_PG_URL` names (CI), or else on PGlite in
 * this process (one database per test file).
 */
import pg from 'pg';
import { createPostgresStore, type PostgresPool } from '../../src/adapters/postgres/index.js';
import { createPglitePool } from '../../examples/support/pglite-pool.js';
import type { CemStore, StoreWrite } from '../../src/ports/store.js';
import { createMemoryStore, type MemoryStore } from '../../src/testing/memory-store.js';

let pool: PostgresPool | Promise<PostgresPool> | undefined;
let tables = 0;

function poolUnderTest(): PostgresPool | Promise<PostgresPool> {
  const url = process.env['CEM_TEST_PG_URL'];
  pool ??= url ? new pg.Pool({ connectionString: url, max: 4 }) : createPglitePool();
  return pool;
}

/** The store of a new party. */
export function storeUnderTest(): MemoryStore {
  if (process.env['CEM_TEST_ENGINE_STORE'] !== 'postgres') return createMemoryStore();
  const table = `cem_engine_${process.pid}_${++tables}`;
  const opened = Promise.resolve(poolUnderTest()).then(async (p) => {
    const s = createPostgresStore({ pool: p, table });
    await s.migrate();
    return s;
  });
  const ready = opened;
  const unsupported = (): never => {
    throw new Error('this suite reads the memory store directly; it runs on the memory store only');
  };
  const wrapped: CemStore = {
    get: async (key) => (await ready).get(key),
    list: async (prefix, range) => (await ready).list(prefix, range),
    commit: async (writes: readonly StoreWrite[]) => (await ready).commit(writes),
  };
  return Object.assign(wrapped, { snapshot: unsupported, commitCount: unsupported }) as MemoryStore;
}
