/**
 * A `pg`-style pool on PGlite (PostgreSQL compiled to WebAssembly, running in this process), so
 * the PostgreSQL store runs without a server: in the examples and the ordinary test run.
 *
 * PGlite is one session, so the pool has one connection: `connect()` waits until the previous
 * client is released, and `query()` waits for it too (a statement must never run inside another
 * caller's transaction). Concurrent commits therefore run one after another here; a real server
 * runs them side by side (test/adapters/postgres-server.test.ts).
 *
 * @module
 */
import { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from '../../src/adapters/postgres/index.js';

/** A pool on one PGlite database, with the number of statements it ran. */
export interface PglitePool extends PostgresPool {
  readonly db: PGlite;
  /** Statements run so far (a round trip each on a real server). */
  readonly statements: () => number;
}

/**
 * Wraps `db` (default: a new in-memory database) as a pool.
 *
 * @example
 * ```ts
 * const pool = await createPglitePool()
 * const store = createPostgresStore({ pool })
 * ```
 * @throws Error when PGlite cannot start.
 */
export async function createPglitePool(db?: PGlite): Promise<PglitePool> {
  const database = db ?? (await PGlite.create());
  let tail: Promise<void> = Promise.resolve();
  let count = 0;

  /** Waits for the connection; resolves with the function that hands it back. */
  function acquire(): Promise<() => void> {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = tail.then(() => release);
    tail = tail.then(() => held);
    return ready;
  }

  async function run(text: string, values?: unknown[]): Promise<PostgresQueryResult> {
    count++;
    const result = await database.query<Record<string, unknown>>(text, values);
    return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? null };
  }

  return {
    db: database,
    statements: () => count,
    async query(text, values) {
      const release = await acquire();
      try {
        return await run(text, values);
      } finally {
        release();
      }
    },
    async connect(): Promise<PostgresPoolClient> {
      const release = await acquire();
      let released = false;
      return {
        query: (text, values) => run(text, values),
        release: () => {
          if (released) return;
          released = true;
          release();
        },
      };
    },
  };
}
