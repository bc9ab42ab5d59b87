// A real cluster on a real PostgreSQL server (CEM_TEST_PG_URL): three Node processes, each with
// its own engine on the same database and relationships, run tick, drainOutbox, receive and
// operations concurrently for 34 simulated hours (a clock shared through a file, moved by the
// test in half-hour steps) while one of them is killed with SIGKILL, 20 times, and restarted.
// Every port call is appended to one log file. Afterwards: no state lost, every Request and
// Response sent once per requestId (byte-identical repeats only after the node that sent it was
// killed), every alert of a single-node run of the same operations raised, none more than once
// a day, the new HTTPS certificate installed once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/index.js';
import { keys } from '../../src/engine/keys.js';
import { nameEntry } from '../../src/state/indexes/name-entry.js';
import { tallyOf } from '../../src/state/indexes/listener-tally.js';
import { createCemEngine, createRandomIds } from '../../src/index.js';
import type { CemEngine } from '../../src/index.js';
import { createManualClock, createMemoryStore, createSequentialIds } from '../../src/testing/index.js';
import { tempDir } from '../helpers/pki.js';
import { noteSkipped, PG_URL, serverPool } from '../helpers/postgres.js';
import { buildScenario, LEASE_MS, loggingPorts, openLog, PARTNERS, perform, setSharedClock, setUp, sharedClock } from './postgres-cluster-scenario.js';
import type { LogEvent, Operation, Scenario } from './postgres-cluster-scenario.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./postgres-cluster-worker.ts', import.meta.url));
const HOUR = 3_600_000;
const SIM_HOURS = 34;
const STEP = HOUR / 2;
const KILLS = 20;
const NODES = ['node-a', 'node-b', 'node-c'];
const EFFECTS = ['sendRequest', 'sendResponse', 'notice', 'install'];

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

function startWorker(file: string, node: string, children: ChildProcess[], generation: 'first' | 'restart'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, file, node, generation], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
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
    const clockPath = join(dir, 'clock');
    const base = await buildScenario({ url: PG_URL as string, table, log: logPath, clock: clockPath, start });
    const serverActiveAfter = start + 26 * HOUR;
    const end = start + SIM_HOURS * HOUR;

    // The relationships, set up once by an engine of the cluster.
    const store = createPostgresStore({ pool, table });
    await store.migrate();
    const setupLog = openLog(logPath, 'setup');
    const setupClock = createManualClock(new Date(start - 60_000));
    await setUp(createCemEngine({ clock: setupClock, ids: createRandomIds({ domain: 'alpha.test' }), store, ...loggingPorts(setupLog, setupClock) }, { engineId: 'setup' }), base);
    const reference = await singleNodeRun(base, serverActiveAfter);

    const scenario = { ...base, end, serverActiveAfter };
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    setSharedClock(clockPath, start);
    const running = new Map(NODES.map((n) => [n, startWorker(file, n, children, 'first')]));
    const killed = new Set<number>();

    // The log, read as it grows.
    const logFd = openSync(logPath, 'r');
    let offset = 0;
    const newLines = (): Line[] => {
      const chunk = Buffer.alloc(1 << 20);
      const text = chunk.subarray(0, readSync(logFd, chunk, 0, chunk.length, offset)).toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      offset += Buffer.byteLength(complete);
      return complete.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
    };
    const kill = async (node: string): Promise<void> => {
      const victim = running.get(node) as ChildProcess;
      killed.add(victim.pid as number);
      victim.kill('SIGKILL');
      await exited(victim);
      running.set(node, startWorker(file, node, children, 'restart'));
    };

    // Time moves in steps of half an hour, each once some node has ticked at the current time
    // (or after 10 s). Half the kills come at a random moment of 10 random steps; the others right
    // after a node performed an effect (sent, notified, installed; within its port's latency,
    // before it recorded the result), at most one a step, or at random in the last steps when too
    // few effects came.
    const steps = (end - start) / STEP;
    const randomSteps = new Set<number>();
    while (randomSteps.size < KILLS / 2) randomSteps.add(2 + Math.floor(Math.random() * (steps - 4)));
    let targeted = 0;
    let stalledSteps = 0;
    const started = new Set<number>();
    for (let step = 0; step < steps; step++) {
      const now = new Date(start + step * STEP).toISOString();
      setSharedClock(clockPath, start + step * STEP);
      // The kills not yet made that the remaining random steps will not make.
      const owed = KILLS - killed.size - [...randomSteps].filter((x) => x > step).length;
      let pendingKill: 'random' | 'targeted' | null = randomSteps.has(step) || owed >= steps - step ? 'random' : owed > 0 ? 'targeted' : null;
      const killAt = Date.now() + Math.random() * 400;
      const minimum = Date.now() + 200;
      const giveUp = Date.now() + 10_000;
      let ticked = false;
      while (!(ticked && Date.now() >= minimum && pendingKill !== 'random')) {
        if (Date.now() > giveUp) {
          stalledSteps++;
          break;
        }
        await sleep(5);
        const lines = newLines();
        for (const l of lines) if (l.t === 'started') started.add(l.pid);
        ticked ||= lines.some((l) => l.t === 'op' && l['op'] === 'tick' && l['at'] === now);
        if (pendingKill === 'targeted') {
          const pids = new Map([...running].map(([name, c]) => [c.pid, name]));
          const performer = lines.reverse().find((l) => EFFECTS.includes(l.t) && pids.has(l.pid));
          if (performer !== undefined) {
            await kill(performer.node);
            targeted++;
            pendingKill = null;
          }
        }
        // Only nodes at work are killed (not one still loading).
        const working = NODES.filter((n) => started.has(running.get(n)?.pid ?? -1));
        if (pendingKill === 'random' && Date.now() >= killAt && working.length > 0) {
          await kill(working[Math.floor(Math.random() * working.length)] as string);
          pendingKill = null;
        }
      }
    }
    closeSync(logFd);
    setSharedClock(clockPath, end);
    await Promise.all([...running.values()].map(exited));

    // A surviving node finishes what the killed ones left, once their claims ran out.
    setSharedClock(clockPath, end + LEASE_MS + STEP);
    const settleLog = openLog(logPath, 'settle');
    const clock = sharedClock(clockPath);
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
    console.log(`cluster: log in ${logPath}; ${steps} steps (${stalledSteps} without a tick in 10 s), ${starts} node starts, ${killed.size} kills (${targeted} right after an effect), ${ops.length} operations (${failed.length} failed: ${[...new Set(failed.map((f) => f['code']))].join(', ')})`);
    expect(killed.size).toBe(KILLS);
    expect(starts).toBe(NODES.length + KILLS); // every node was killed at work, every restarted one got to work
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
    // The name index followed every relationship through the kills: its entry, at the version the aggregate knows.
    for (const rel of Object.values(state.relationships)) {
      const aggregate = await store.get(keys.relationship(rel.id));
      const entry = await store.get(keys.name(rel.partnerName, rel.localName));
      expect(entry?.value, `name entry of ${rel.id}`).toEqual(nameEntry(rel));
      expect(entry?.version, `name entry version of ${rel.id}`).toBe((aggregate?.value as { nameVersion?: number } | undefined)?.nameVersion ?? 1);
    }
    // The listener's tally followed its partners through the kills: it counts exactly their marks.
    expect(((await store.get(keys.listener('HTTP')))?.value as { tally?: unknown } | undefined)?.tally, 'HTTP tally').toEqual(tallyOf(state, 'HTTP'));

    // Alerts: every one of the single-node run, each daily alert once a day.
    const clusterAlerts = of('notice');
    const expected = new Set(reference.filter((l) => l.t === 'notice').map(alertIdentity));
    const raised = new Set(clusterAlerts.map(alertIdentity));
    expect([...expected].filter((a) => !raised.has(a)), 'alerts of the single-node run not raised by the cluster').toEqual([]);
    // Each daily alert's key names its subject and day: raised once (checked above), so once a day.
    expect(clusterAlerts.some((l) => /@\d{4}-\d{2}-\d{2}$/.test(String(l['dedupeKey'])))).toBe(true);
    console.log(`cluster: ${raised.size} distinct alerts (${expected.size} in the single-node run), ${clusterAlerts.length} notices`);
    rmSync(dir, { recursive: true, force: true }); // kept when an assertion failed, for reading
  });
});
