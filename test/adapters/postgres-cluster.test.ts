// A real cluster on a real PostgreSQL server (CEM_TEST_PG_URL): three Node processes, each with
// its own engine on the same database and relationships, run tick, drainOutbox, receive and
// operations concurrently for 34 simulated hours (34 s; every process runs the same accelerated
// clock) while one of them is killed with SIGKILL at a random moment, 20 times, and restarted.
// Every port call is appended to one log file. Afterwards: no state lost, every Request and
// Response sent once per requestId (byte-identical repeats only after the node that sent it was
// killed), every alert of a single-node run of the same operations raised, none more than once
// a day, the new HTTPS certificate installed once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import { createCemEngine, createRandomIds } from '../../src/index.js';
import type { CemEngine } from '../../src/index.js';
import { createManualClock, createMemoryStore, createSequentialIds } from '../../src/testing/index.js';
import { tempDir } from '../helpers/pki.js';
import { noteSkipped, PG_URL, serverPool } from '../helpers/postgres.js';
import { acceleratedClock, buildScenario, LEASE_MS, loggingPorts, openLog, PARTNERS, perform, setUp, SPEED } from './postgres-cluster-scenario.js';
import type { LogEvent, Operation, Scenario } from './postgres-cluster-scenario.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./postgres-cluster-worker.ts', import.meta.url));
const HOUR = 3_600_000;
const SIM_HOURS = 34;
const KILLS = 20;
const NODES = ['node-a', 'node-b', 'node-c'];

noteSkipped('cluster of three engines on a real PostgreSQL server');

type Line = LogEvent & { readonly node: string; readonly pid: number; readonly t: string };

/** What a single node does with the same operations, on a memory store and a manual clock. */
async function singleNodeRun(s: Scenario, serverActiveAfter: number): Promise<Line[]> {
  const clock = createManualClock(new Date(s.start - 60_000));
  const lines: Line[] = [];
  const log = { write: (e: LogEvent) => void lines.push({ node: 'single', pid: 0, t: '', ...e } as Line) };
  const engine = createCemEngine({ clock, ids: createSequentialIds({ prefix: 'single', domain: 'alpha.test' }), store: createMemoryStore(), ...loggingPorts(log, clock) }, { engineId: 'single', leaseMs: LEASE_MS });
  await setUp(engine, s);
  clock.set(new Date(s.start));
  for (const p of PARTNERS) for (const op of [`payload:${p}`, `request:${p}`, `send:${p}`] as Operation[]) await perform(engine, s, op);
  for (let at = s.start; at < s.start + SIM_HOURS * HOUR; at += HOUR / 4) {
    clock.set(new Date(at));
    if (at >= serverActiveAfter && at < serverActiveAfter + HOUR / 4) await perform(engine, s, 'serverActive');
    await engine.tick();
  }
  return lines;
}

/** `kind|relationship|day` for a daily alert (its key ends in `@day`), the key itself otherwise. */
function alertIdentity(line: Line): string {
  const day = /@(\d{4}-\d{2}-\d{2})$/.exec(String(line['dedupeKey']))?.[1];
  return day === undefined ? String(line['dedupeKey']) : `${String(line['kind'])}|${String(line['relationshipId'])}|${day}`;
}

function startWorker(file: string, node: string, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, file, node], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${node} (${child.pid}) exited with ${code}: ${err}`);
  });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(PG_URL === undefined)('three engines on one PostgreSQL database, one killed 20 times', () => {
  const children: ChildProcess[] = [];
  let pool: pg.Pool | undefined;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await pool?.end();
  });

  it('loses no state, sends each Request and Response once, raises every alert once a day, installs once', { timeout: 150_000 }, async () => {
    pool = serverPool();
    const table = `cluster_${randomBytes(4).toString('hex')}`;
    const dir = tempDir('cem-cluster-');
    const logPath = join(dir, 'log.jsonl');
    // 09:00 UTC tomorrow (the test certificates are valid from now on).
    const start = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 9 * HOUR;
    const base = await buildScenario({ url: PG_URL as string, table, log: logPath, t0: 0, start });
    const serverActiveAfter = start + 26 * HOUR;
    const end = start + SIM_HOURS * HOUR;

    // The relationships, set up once by an engine of the cluster.
    const store = createPostgresStore({ pool, table });
    await store.migrate();
    const setupLog = openLog(logPath, 'setup');
    const setupClock = createManualClock(new Date(start - 60_000));
    await setUp(createCemEngine({ clock: setupClock, ids: createRandomIds({ domain: 'alpha.test' }), store, ...loggingPorts(setupLog, setupClock) }, { engineId: 'setup' }), base);
    const reference = await singleNodeRun(base, serverActiveAfter);

    // Simulated time starts when every worker has had time to load.
    const scenario = { ...base, t0: Date.now() + 4_000, end, serverActiveAfter };
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const running = new Map(NODES.map((n) => [n, startWorker(file, n, children)]));
    const killed = new Set<number>();
    await sleep(scenario.t0 - Date.now() + 1_000);
    let lastKill = Date.now();
    const realEnd = scenario.t0 + (end - start) / SPEED;
    for (let k = 0; k < KILLS; k++) {
      await sleep(Math.max(50, Math.random() * 2 * ((realEnd - 1_500 - Date.now()) / (KILLS - k))));
      const node = NODES[Math.floor(Math.random() * NODES.length)] as string;
      const victim = running.get(node) as ChildProcess;
      killed.add(victim.pid as number);
      victim.kill('SIGKILL');
      await exited(victim);
      lastKill = Date.now();
      running.set(node, startWorker(file, node, children));
    }
    await Promise.all([...running.values()].map(exited));

    // A surviving node finishes what the killed ones left, once their claims ran out.
    await sleep(Math.max(0, lastKill + LEASE_MS / SPEED + 500 - Date.now()));
    const settleLog = openLog(logPath, 'settle');
    const clock = acceleratedClock(scenario.t0, start);
    const settle: CemEngine = createCemEngine({ clock, ids: createRandomIds({ domain: 'alpha.test' }), store, ...loggingPorts(settleLog, clock) }, { engineId: 'settle', leaseMs: LEASE_MS });
    for (let i = 0; i < 10; i++) {
      await settle.tick();
      if ((await settle.drainOutbox()) === 0) break;
    }
    const state = await settle.inspect();
    setupLog.close();
    settleLog.close();

    const lines = readFileSync(logPath, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
    const ops = lines.filter((l) => l.t === 'op');
    const of = (t: string): Line[] => lines.filter((l) => l.t === t);
    const byId = (list: Line[], id: (l: Line) => string): Map<string, Line[]> => {
      const m = new Map<string, Line[]>();
      for (const l of list) m.set(id(l), [...(m.get(id(l)) ?? []), l]);
      return m;
    };
    const starts = of('started').length;
    const failed = of('opFailed');
    console.log(`cluster: ${starts} node starts, ${killed.size} kills, ${ops.length} operations (${failed.length} failed: ${[...new Set(failed.map((f) => f['code']))].join(', ')})`);
    expect(killed.size).toBe(KILLS);
    expect(starts).toBeGreaterThanOrEqual(NODES.length + 10); // most restarted nodes got to work
    expect(failed.filter((f) => f['code'] !== 'CEM_STORE_CONFLICT'), 'operations that failed other than by a lost race').toEqual([]);

    // Effects repeated only byte-identical, and only after the node that performed them was killed.
    let repeats = 0;
    const once = (what: string, groups: Map<string, Line[]>, hash: string): void => {
      for (const [id, group] of groups) {
        expect(new Set(group.map((l) => l[hash])).size, `${what} ${id}: all byte-identical`).toBe(1);
        for (const earlier of group.slice(0, -1)) {
          expect(killed.has(earlier.pid), `${what} ${id} repeated after ${earlier.node} (${earlier.pid}), which was not killed`).toBe(true);
          repeats++;
        }
      }
    };
    once('Request', byId(of('sendRequest'), (l) => String(l['requestId'])), 'body');
    once('Response', byId(of('sendResponse'), (l) => String(l['requestId'])), 'body');
    once('install', byId(of('install'), (l) => String(l['fingerprint'])), 'install');
    once('notice', byId(of('notice'), (l) => String(l['dedupeKey'])), 'notice');
    console.log(`cluster: ${repeats} effects repeated (byte-identical) by a node that took over from a killed one`);

    // No state lost: per partner one open Request at a time (a new one only once the last expired
    // at its respond-by, 12 simulated hours), each sent; every applied operation in the state;
    // every partner's Request answered and the answer sent.
    const outbound = Object.values(state.outbound);
    for (const p of PARTNERS) {
      const mine = outbound.filter((o) => o.relationshipId === p.toLowerCase()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      expect(mine.length, p).toBeGreaterThanOrEqual(1);
      // An expired Request is closed by the next one.
      expect(mine.slice(0, -1).filter((o) => o.status !== 'closed' && o.status !== 'expired'), `${p}: earlier Requests still open`).toEqual([]);
    }
    for (const o of outbound) expect(of('sendRequest').some((l) => l['requestId'] === o.id), `Request ${o.id} sent`).toBe(true);
    expect(new Set(of('sendRequest').map((l) => l['requestId'])), 'every Request sent is in the state').toEqual(new Set(outbound.map((o) => o.id)));
    for (const op of ops.filter((o) => String(o['op']).startsWith('send:') && o['applied'] === true)) {
      expect(state.outbound[String(op['requestId'])], `applied ${String(op['op'])} kept`).toBeDefined();
    }
    expect(ops.filter((o) => String(o['op']).startsWith('send:') && o['applied'] === false).every((o) => o['refusal'] === 'alreadyPending')).toBe(true);
    const inbound = Object.values(state.inbound);
    expect(inbound).toHaveLength(PARTNERS.length);
    for (const x of inbound) {
      expect(x.items.map((i) => i.decision), `inbound ${x.requestId}`).toEqual(['accepted']);
      expect(of('sendResponse').some((l) => l['requestId'] === x.requestId), `Response to ${x.requestId} sent`).toBe(true);
    }
    for (const p of PARTNERS) {
      const outcomes = ops.filter((o) => o['op'] === `request:${p}`).map((o) => o['kind']);
      expect(outcomes.filter((k) => k === 'request').length, `${p}'s Request handled as new at most once`).toBeLessThanOrEqual(1);
      expect(outcomes.every((k) => k === 'request' || k === 'duplicate'), `${p}: ${outcomes.join(',')}`).toBe(true);
    }

    // The new HTTPS certificate: installed once on setServerActive; the old one never again.
    expect(ops.some((o) => o['op'] === 'serverActive' && o['applied'] === true)).toBe(true);
    expect(JSON.stringify(state.servers.HTTP?.installed)).toContain(base.fingerprints['s2']);
    expect([...byId(of('install'), (l) => String(l['fingerprint'])).keys()]).toEqual([base.fingerprints['s2']]);

    // Alerts: every one of the single-node run, each daily alert once a day.
    const clusterAlerts = of('notice');
    const expected = new Set(reference.filter((l) => l.t === 'notice').map(alertIdentity));
    const raised = new Set(clusterAlerts.map(alertIdentity));
    expect([...expected].filter((a) => !raised.has(a)), 'alerts of the single-node run not raised by the cluster').toEqual([]);
    // Each daily alert's key names its subject and day: raised once (checked above), so once a day.
    expect(clusterAlerts.some((l) => /@\d{4}-\d{2}-\d{2}$/.test(String(l['dedupeKey'])))).toBe(true);
    console.log(`cluster: ${raised.size} distinct alerts (${expected.size} in the single-node run), ${clusterAlerts.length} notices`);
  });
});
