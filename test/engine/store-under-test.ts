/**
 * The store the engine behaviour suites run on: the memory store by default; with
 * `CEM_TEST_ENGINE_STORE=postgres` (the `engine-on-postgres` test project, run when
 * `CEM_TEST_PG_URL` names a server), a PostgreSQL store on that server, one fresh table per party.
 */
import pg from 'pg';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import type { CemStore, StoreWrite } from '../../src/ports/store.js';
import { createMemoryStore, type MemoryStore } from '../../src/testing/memory-store.js';

let pool: pg.Pool | undefined;
let tables = 0;

/** The store of a new party. */
export function storeUnderTest(): MemoryStore {
  const url = process.env['CEM_TEST_PG_URL'];
  if (process.env['CEM_TEST_ENGINE_STORE'] !== 'postgres' || !url) return createMemoryStore();
  pool ??= new pg.Pool({ connectionString: url, max: 4 });
  const store = createPostgresStore({ pool, table: `cem_engine_${process.pid}_${++tables}` });
  const ready = store.migrate();
  const unsupported = (): never => {
    throw new Error('this suite reads the memory store directly; it runs on the memory store only');
  };
  const wrapped: CemStore = {
    get: async (key) => (await ready, store.get(key)),
    list: async (prefix, range) => (await ready, store.list(prefix, range)),
    commit: async (writes: readonly StoreWrite[]) => (await ready, store.commit(writes)),
  };
  return Object.assign(wrapped, { snapshot: unsupported, commitCount: unsupported }) as MemoryStore;
}
