/**
 * `ediint-cem/adapters/postgres`: a {@link CemStore} in one PostgreSQL table, shared by every node
 * of an AS2 cluster.
 *
 * It runs on a `pg` pool (`pg` is an optional peer dependency; this module never imports it,
 * the host passes its `Pool`). Layout (see the README's "Running a cluster"):
 *
 * - `<table>` (`cem_records` by default): `key text collate "C" primary key`, `version bigint`,
 *   `value json`. The primary key, a B-tree in byte order, serves `get` and every `list` range.
 * - `<table>_meta`: `name text primary key, value text`, with the row `('layout', '1')`.
 *
 * Every commit is one transaction of conditional statements (see `commit.ts`), in key order.
 * Values are stored as `json` (the text as written, not `jsonb`, which would reorder keys).
 *
 * @module
 */
import { CemArgumentError, CemEngineError } from '../../errors.js';
import { assertListOptions, assertStoreKey, assertStoreWrites } from '../../ports/store.js';
import type { CemStore, StoredRecord, StoreListOptions, StoreWrite } from '../../ports/store.js';
import type { JsonValue } from '../../ports/json.js';
import { commitWrites } from './commit.js';
import { portFailed } from './pool.js';
import type { PostgresPool, PostgresPoolClient } from './pool.js';
import { layoutQuery, listQuery, migrationStatements, POSTGRES_LAYOUT_VERSION, prefixCanMatch, recordStatements, tableNames } from './sql.js';

export type { PostgresPool, PostgresPoolClient, PostgresQueryable, PostgresQueryResult } from './pool.js';
export { POSTGRES_LAYOUT_VERSION } from './sql.js';

/**
 * Options of {@link createPostgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { pool: new pg.Pool({ connectionString, max: 10 }), table: 'cem_records', schema: 'as2' }
 * ```
 */
export interface PostgresStoreOptions {
  /** A `pg` `Pool` (or anything with its `query` and `connect`). The host owns it and ends it. */
  readonly pool: PostgresPool;
  /** The records table; `cem_records` by default. Letters, digits and `_`, at most 58 characters. */
  readonly table?: string;
  /** The schema holding the tables (it must exist); the connection's `search_path` by default. */
  readonly schema?: string;
  /**
   * How often a commit that hit a serialization failure (40001) or a deadlock (40P01) is run
   * again before it fails with `CEM_STORE_CONFLICT`; 3 by default.
   */
  readonly retries?: number;
}

/**
 * A {@link CemStore} on PostgreSQL.
 *
 * @example
 * ```ts
 * const store: PostgresStore = createPostgresStore({ pool })
 * await store.migrate()
 * ```
 */
export interface PostgresStore extends CemStore {
  /** `schema.table` of the records table. */
  readonly table: string;
  /**
   * Creates the tables and their index when missing and records the layout version; safe to run
   * on every start and from several nodes at once (it takes a transaction-scoped advisory lock).
   * Rejects with `CEM_PORT_FAILED` when the tables hold another layout version, or the database
   * fails.
   */
  migrate(): Promise<void>;
}

function toRecord(row: Record<string, unknown>): StoredRecord {
  return { key: String(row['key']), version: Number(row['version']), value: row['value'] as JsonValue };
}

async function inTransaction(pool: PostgresPool, run: (client: PostgresPoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('begin');
    await run(client);
    await client.query('commit');
  } catch (error) {
    failed = error;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    // A failed migration discards its connection: the failure may have been the connection's.
    client.release(failed === undefined ? undefined : failed instanceof Error ? failed : new Error(String(failed)));
  }
}

/**
 * Creates a store on `options.pool`. Nothing touches the database until the first call; run
 * `migrate()` once before first use (on every start is fine).
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createPostgresStore } from 'ediint-cem/adapters/postgres'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
 * const store = createPostgresStore({ pool })
 * await store.migrate()
 * const engine = createCemEngine({ ...ports, store }, { engineId: hostname() })
 * ```
 * @throws CemArgumentError `CEM_ARGUMENT` for a missing pool, a table or schema that is not a
 *   plain identifier, or a negative `retries`. Its methods reject with `CEM_STORE_CONFLICT` (a
 *   stale version, or a serialization failure that outlasted the retries), `CEM_ARGUMENT`
 *   (invalid keys, ranges or writes) and `CEM_PORT_FAILED` (the database or the connection failed,
 *   the tables are missing or hold another layout version; `cause` holds the driver's error).
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const pool = options?.pool;
  if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new CemArgumentError('createPostgresStore: a pg Pool (with query and connect) is required');
  }
  const retries = options.retries ?? 3;
  if (!(Number.isSafeInteger(retries) && retries >= 0)) throw new CemArgumentError('createPostgresStore: retries must be a non-negative integer');
  const names = tableNames(options.table ?? 'cem_records', options.schema);
  const sql = recordStatements(names);
  let checked: Promise<void> | undefined;

  async function checkLayout(): Promise<void> {
    let rows: readonly Record<string, unknown>[];
    try {
      rows = (await pool.query(layoutQuery(names))).rows;
    } catch (error) {
      // 42P01: undefined table.
      if ((error as { code?: unknown } | null)?.code === '42P01') {
        throw new CemEngineError('CEM_PORT_FAILED', `postgres store: ${names.label} is not set up; run migrate() first`, { cause: error });
      }
      throw portFailed(error, 'reading the layout version');
    }
    const found = rows[0]?.['value'];
    if (found !== String(POSTGRES_LAYOUT_VERSION)) {
      throw new CemEngineError('CEM_PORT_FAILED', `postgres store: ${names.label} has layout version ${String(found ?? 'none')}; this version of ediint-cem reads layout ${POSTGRES_LAYOUT_VERSION}`);
    }
  }

  /** Checks the layout once per store (again after a failed check). */
  function ready(): Promise<void> {
    checked ??= checkLayout().catch((error: unknown) => {
      checked = undefined;
      throw error;
    });
    return checked;
  }

  return Object.freeze({
    table: names.label,
    async migrate(): Promise<void> {
      try {
        await inTransaction(pool, async (client) => {
          await client.query('select pg_advisory_xact_lock(hashtext($1))', [`ediint-cem migrate ${names.label}`]);
          for (const statement of migrationStatements(names)) await client.query(statement);
        });
      } catch (error) {
        throw portFailed(error, `migrating ${names.label}`);
      }
      checked = undefined;
      await ready();
    },
    async get(key: string): Promise<StoredRecord | undefined> {
      assertStoreKey(key);
      await ready();
      try {
        const row = (await pool.query(sql.get, [key])).rows[0];
        return row === undefined ? undefined : toRecord(row);
      } catch (error) {
        throw portFailed(error, 'get');
      }
    },
    async list(prefix: string, range?: StoreListOptions): Promise<readonly StoredRecord[]> {
      assertListOptions(range);
      if (typeof prefix !== 'string') throw new CemArgumentError('list: the prefix must be a string');
      await ready();
      if (!prefixCanMatch(prefix)) return [];
      const query = listQuery(names, prefix, range);
      try {
        return (await pool.query(query.text, [...query.values])).rows.map(toRecord);
      } catch (error) {
        throw portFailed(error, 'list');
      }
    },
    async commit(writes: readonly StoreWrite[]): Promise<void> {
      assertStoreWrites(writes);
      if (writes.length === 0) return;
      await ready();
      await commitWrites(pool, { sql, retries }, writes);
    },
  });
}
