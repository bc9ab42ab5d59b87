// The real PostgreSQL server of the tests: scripts/test-postgres.sh (run by .ci/run) starts one
// and exports its URL as CEM_TEST_PG_URL. Tests that need it skip, saying so, when it is absent.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server's URL, or undefined when the tests run without one. */
export const PG_URL: string | undefined = process.env['CEM_TEST_PG_URL'] || undefined;

/**
 * Logs (once per file) that the tests of `what` are skipped for want of a server.
 */
export function noteSkipped(what: string): void {
  if (PG_URL === undefined) {
    console.log(`SKIPPED: ${what}: CEM_TEST_PG_URL is not set (run them with: bash scripts/test-postgres.sh npx vitest run <file>)`);
  } else {
    console.log(`${what}: on the PostgreSQL server at ${PG_URL}`);
  }
}

/** A pool on the test server. */
export function serverPool(options: pg.PoolConfig = {}): pg.Pool {
  if (PG_URL === undefined) throw new Error('CEM_TEST_PG_URL is not set');
  return new pg.Pool({ connectionString: PG_URL, max: 20, ...options });
}

/** Creates a schema of its own for one test file (dropped by the returned function). */
export async function freshSchema(pool: pg.Pool, label: string): Promise<{ readonly schema: string; drop(): Promise<void> }> {
  const schema = `${label}_${randomBytes(4).toString('hex')}`;
  await pool.query(`create schema ${schema}`);
  return { schema, drop: async () => void (await pool.query(`drop schema ${schema} cascade`)) };
}
