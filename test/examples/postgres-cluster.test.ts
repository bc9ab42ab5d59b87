// Runs examples/postgres-cluster.ts (two engines on one database) on PGlite, and on the real
// server too when CEM_TEST_PG_URL is set; kept apart from examples.test.ts only because it needs
// a database.
import { describe, expect, it } from 'vitest';
import { main as postgresCluster, type PostgresClusterSummary } from '../../examples/postgres-cluster.js';
import { PG_URL } from '../helpers/postgres.js';

function expectCluster(s: PostgresClusterSummary): void {
  expect([...s.sends].sort()).toEqual(['alreadyPending', 'applied']);
  expect(s.requestsSent).toBe(1);
  expect(s.responseAtNode2).toBe('response');
  expect(s.responseAgainAtNode1).toBe('duplicate');
  expect(s.signingByNode).toEqual(['acme-sign-2', 'acme-sign-2']);
  expect(s.sentByTicks).toBe(0);
  expect(s.rows).toBeGreaterThan(3);
}

describe('postgres-cluster', () => {
  it('runs two engines on one PGlite database: one Request, the Response taken by the other node, both switched', async () => {
    const lines: string[] = [];
    const s = await postgresCluster({ log: (l) => lines.push(l) });
    expect(s.database).toBe('PGlite');
    expectCluster(s);
    expect(lines).toContain('node 2 sees the relationship node 1 added: true');
  });

  it.skipIf(PG_URL === undefined)('runs the same on the real PostgreSQL server', async () => {
    const s = await postgresCluster({ connectionString: PG_URL });
    expect(s.database).toBe('PostgreSQL');
    expectCluster(s);
  });
});
