// One node of the cluster test (spawned by postgres-cluster.test.ts with `node --import tsx`):
// an engine on the shared PostgreSQL store, running random operations (tick, drainOutbox,
// receive of the partners' Requests and payloads, sendCertificates, setServerActive) until the
// shared clock reaches the end, logging each operation (with the simulated time it started at)
// and each port call to the shared log.
// Usage: postgres-cluster-worker.ts <scenario.json> <node> [first|restart]
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import { createCemEngine, createRandomIds } from '../../src/index.js';
import { LEASE_MS, loggingPorts, openLog, PARTNERS, perform, sharedClock } from './postgres-cluster-scenario.js';
import type { Operation, Scenario } from './postgres-cluster-scenario.js';

const [file = '', node = 'node', generation = 'first'] = process.argv.slice(2);
const s = JSON.parse(readFileSync(file, 'utf8')) as Scenario & { readonly end: number; readonly serverActiveAfter: number };
const log = openLog(s.log, node);
const clock = sharedClock(s.clock);
const pool = new pg.Pool({ connectionString: s.url, max: 4 });
pool.on('error', () => undefined);
const store = createPostgresStore({ pool, table: s.table });
const engine = createCemEngine(
  { clock, ids: createRandomIds({ domain: 'alpha.test' }), store, ...loggingPorts(log, clock, 300) },
  { engineId: `${node}-${process.pid}`, leaseMs: LEASE_MS },
);

function pick(): Operation {
  const partner = PARTNERS[Math.floor(Math.random() * PARTNERS.length)] as string;
  const r = Math.random();
  if (r < 0.3) return 'tick';
  if (r < 0.4) return 'drain';
  if (r < 0.55) return `request:${partner}`;
  if (r < 0.7) return `payload:${partner}`;
  if (r < 0.85) return `send:${partner}`;
  return clock.now().getTime() >= s.serverActiveAfter ? 'serverActive' : 'tick';
}

async function main(): Promise<void> {
  log.write({ t: 'started' });
  // The first three nodes start with what an administrator and the partners did at the start,
  // each in its own order (so most are refused as already pending, or are duplicates); a
  // restarted node goes straight to its random operations, a tick first.
  const shuffled = (ops: Operation[]): Operation[] => ops.sort(() => Math.random() - 0.5);
  const first: Operation[] = generation !== 'first' ? ['tick'] : [...shuffled(PARTNERS.map((p) => `send:${p}` as const)), ...shuffled(PARTNERS.flatMap((p) => [`request:${p}`, `payload:${p}`] as const))];
  while (clock.now().getTime() < s.end) {
    const op = first.shift() ?? pick();
    const at = clock.now().toISOString();
    try {
      log.write({ t: 'op', op, at, ...(await perform(engine, s, op)) });
    } catch (error) {
      // A conflict that outlasted the retries, or a store failure: the operation changed nothing.
      log.write({ t: 'opFailed', op, at, code: (error as { code?: string }).code ?? null, message: String(error) });
    }
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
  }
  log.write({ t: 'stopped' });
  await pool.end();
  log.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
