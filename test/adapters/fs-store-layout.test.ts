import * as nodeFs from 'node:fs/promises';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/adapters/fs-store/index.js';
import type { FileStoreFs } from '../../src/adapters/fs-store/index.js';
import type { StoreWrite } from '../../src/ports/store.js';

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'cem-fs-layout-'));
}

interface Call {
  readonly op: string;
  readonly path: string;
  readonly to?: string;
  readonly flags?: string;
}

/** `node:fs/promises` recording every call (operation, path, rename target, open flags). */
function countingFs(): { fs: FileStoreFs; calls: Call[] } {
  const calls: Call[] = [];
  const fs = new Proxy(nodeFs, {
    get(target, name: string) {
      const f = (target as unknown as Record<string, unknown>)[name];
      if (typeof f !== 'function') return f;
      return (...args: unknown[]) => {
        calls.push({ op: name, path: String(args[0]), ...(name === 'rename' ? { to: String(args[1]) } : {}), ...(name === 'open' ? { flags: String(args[1]) } : {}) });
        return (f as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as FileStoreFs;
  return { fs, calls };
}

/** Every name below `dir`, recursively, as paths relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => p.split(sep).join('/'));
}

async function fill(directory: string, count: number): Promise<void> {
  const store = createFileStore({ directory, durable: false });
  for (let from = 0; from < count; from += 1000) {
    const writes: StoreWrite[] = [];
    for (let i = from; i < Math.min(count, from + 1000); i++) {
      const key = i % 2 === 0 ? `rel/partner-${i}` : `due/2031-01-01T00:00:00.000Z/rel/partner-${i}`;
      writes.push({ key, expectedVersion: null, value: { i, text: 'x'.repeat(200) } });
    }
    await store.commit(writes);
  }
}

describe('file store layout', () => {
  it('refuses 0.1.0 single-document directories and other layout versions with CEM_STORE_LAYOUT, touching nothing', async () => {
    const cases: Array<[string, string]> = [
      ['cem-store.json', '{"format":"ediint-cem-file-store","formatVersion":1,"records":{}}'],
      ['format.json', '{"format":"ediint-cem-fs-store","version":3}'],
      ['format.json', '{"format":"something-else","version":2}'],
      ['format.json', 'not json'],
    ];
    for (const [name, text] of cases) {
      const directory = freshDir();
      writeFileSync(join(directory, name), text);
      const store = createFileStore({ directory });
      await expect(store.get('k')).rejects.toMatchObject({ code: 'CEM_STORE_LAYOUT' });
      await expect(store.list('')).rejects.toMatchObject({ code: 'CEM_STORE_LAYOUT' });
      await expect(store.commit([{ key: 'k', expectedVersion: null, value: 1 }])).rejects.toMatchObject({ code: 'CEM_STORE_LAYOUT' });
      expect(readdirSync(directory).filter((f) => f !== 'lock')).toEqual([name]);
      expect(readFileSync(join(directory, name), 'utf8')).toBe(text);
    }
  });

  it('maps keys to distinct, case-insensitive-safe, reversible file names, hashing long segments', async () => {
    const directory = freshDir();
    const long = 'Seg-'.repeat(80);
    const keys = [
      'a', 'A', 'a/b', 'A/b', 'a.b', '.', '..', 'x/./y', 'x/../y', 'x/.hidden', 'x/trailing.', 'sp ace/%25/~!*()\'"=#:\\',
      `long/${long}`, `long/${long}x/child`, `long/${long}x/child/deeper`,
      `deep/${Array.from({ length: 15 }, (_, i) => `${'Z'.repeat(60)}${i}`).join('/')}`,
      `${'AB/'.repeat(341)}A`, // 1 024 characters, 342 directories deep, ~2 400 characters of path
    ];
    const store = createFileStore({ directory });
    expect(keys.at(-1)).toHaveLength(1024);
    await store.commit(keys.map((key) => ({ key, expectedVersion: null, value: key })));
    for (const key of keys) expect((await store.get(key))?.value).toBe(key);
    const sorted = [...keys].sort();
    expect((await store.list('')).map((r) => r.key)).toEqual(sorted);
    const names = tree(join(directory, 'records')).flatMap((p) => p.split('/'));
    for (const name of names) expect(name).toMatch(/^[a-z0-9_%-][a-z0-9._%#=-]{0,200}$/);
    // Distinct even where the filesystem ignores case: one entry per name, compared lower-cased.
    const entries = tree(join(directory, 'records'));
    expect(new Set(entries.map((p) => p.toLowerCase())).size).toBe(entries.length);
    expect(entries.filter((p) => p.endsWith('='))).toHaveLength(keys.length);
    // Without its change log, or with a damaged one, a store rebuilds its index from the names
    // (and the hashed files).
    unlinkSync(join(directory, 'changes.log'));
    const again = createFileStore({ directory });
    expect((await again.list('')).map((r) => r.key)).toEqual(sorted);
    writeFileSync(join(directory, 'changes.log'), `${readFileSync(join(directory, 'changes.log'), 'latin1')}+bad//key\n`);
    expect((await createFileStore({ directory }).list('')).map((r) => r.key)).toEqual(sorted);
    expect((await again.list('long/', { after: `long/${long}` })).map((r) => r.key)).toEqual(sorted.filter((k) => k > `long/${long}` && k.startsWith('long/')));
  });

  it('completes a commit whose writer died after its journal: a reader replays it first', async () => {
    const directory = freshDir();
    const store = createFileStore({ directory });
    await store.commit([{ key: 'pair/a', expectedVersion: null, value: 1 }, { key: 'pair/b', expectedVersion: null, value: 1 }, { key: 'old', expectedVersion: null, value: 0 }]);
    // A writer whose rename of pair/b's record fails, as if killed there: the journal stays.
    const dying = new Proxy(nodeFs, {
      get(target, name: string) {
        if (name !== 'rename') return (target as unknown as Record<string, unknown>)[name];
        return async (from: string, to: string) => {
          if (to.endsWith(join('records', 'pair', 'b='))) throw Object.assign(new Error('killed'), { code: 'EIO' });
          return target.rename(from, to);
        };
      },
    }) as unknown as FileStoreFs;
    const writer = createFileStore({ directory, fs: dying });
    await expect(writer.commit([
      { key: 'pair/a', expectedVersion: 1, value: 2 },
      { key: 'pair/b', expectedVersion: 1, value: 2 },
      { key: 'old', expectedVersion: 1, value: null },
      { key: 'new/one', expectedVersion: null, value: 2 },
    ])).rejects.toMatchObject({ code: 'CEM_PORT_FAILED' });
    expect(existsSync(join(directory, 'journal.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(directory, 'records', 'pair', 'b='), 'utf8'))).toMatchObject({ version: 1 });
    const reader = createFileStore({ directory });
    expect(await reader.get('pair/b')).toEqual({ key: 'pair/b', version: 2, value: 2 });
    expect(existsSync(join(directory, 'journal.json'))).toBe(false);
    expect((await reader.list('')).map((r) => [r.key, r.version, r.value])).toEqual([['new/one', 1, 2], ['pair/a', 2, 2], ['pair/b', 2, 2]]);
    expect(readdirSync(join(directory, 'tmp'))).toEqual([]);
    // The long-lived instance sees the completed commit too.
    expect((await store.list('', { start: 'old', limit: 1 })).map((r) => r.key)).toEqual(['pair/a']);
  });

  it('keeps every instance index current through the change log, and compacts the log', async () => {
    const directory = freshDir();
    const [a, b] = [createFileStore({ directory, durable: false }), createFileStore({ directory, durable: false })];
    await a.commit([{ key: 'i/1', expectedVersion: null, value: 1 }]);
    expect((await a.list('i/')).map((r) => r.key)).toEqual(['i/1']);
    await b.commit([{ key: 'i/0', expectedVersion: null, value: 0 }, { key: 'i/1', expectedVersion: 1, value: null }]);
    expect((await a.list('i/')).map((r) => r.key)).toEqual(['i/0']);
    // Long keys make the appended lines outgrow the checkpoint quickly: 1 200 lines of ~900 bytes.
    const keys = Array.from({ length: 600 }, (_, i) => `c/${String(i).padStart(4, '0')}/${'y'.repeat(880)}`);
    await b.commit(keys.map((key) => ({ key, expectedVersion: null, value: 0 })));
    expect(await a.list('c/', { limit: 2 })).toHaveLength(2);
    await b.commit(keys.map((key) => ({ key, expectedVersion: 1, value: null })));
    const before = statSync(join(directory, 'changes.log')).size;
    expect(before).toBeGreaterThan(1 << 20);
    await b.commit([{ key: 'i/2', expectedVersion: null, value: 2 }]);
    const after = readFileSync(join(directory, 'changes.log'), 'latin1');
    expect(after.length).toBeLessThan(200);
    expect(after.split('\n').slice(1)).toEqual(['+i/0', '+i/2', '']);
    expect((await a.list('')).map((r) => r.key)).toEqual(['i/0', 'i/2']);
    expect(tree(join(directory, 'records'))).toEqual(expect.arrayContaining(['i', 'i/0=', 'i/2=']));
    expect(tree(join(directory, 'records'))).toHaveLength(3);
  });

  it('touches O(1) files per get and commit: the same calls at 20 and at 2 000 records', async () => {
    const measure = async (count: number) => {
      const directory = freshDir();
      await fill(directory, count);
      const { fs, calls } = countingFs();
      const store = createFileStore({ directory, fs });
      await store.get('rel/partner-0');
      await store.commit([{ key: 'rel/partner-0', expectedVersion: 1, value: 'warm' }]);
      await store.list('due/', { end: 'due/2030~', limit: 100 });
      const rel = (path: string): string => relative(directory, path).split(sep).join('/').replace(/^tmp\/.*/, 'tmp/*');
      const take = async (op: () => Promise<unknown>): Promise<Call[]> => {
        calls.length = 0;
        await op();
        return calls.map((c) => ({ ...c, path: rel(c.path), ...(c.to === undefined ? {} : { to: rel(c.to) }) }));
      };
      const get = await take(() => store.get('rel/partner-10'));
      const commit = await take(() => store.commit([{ key: 'rel/partner-10', expectedVersion: 1, value: 'new' }]));
      const idle = await take(() => store.list('due/', { end: 'due/2030~', limit: 100 }));
      const due = await take(() => store.list('due/', { end: 'due/2032~', limit: 5 }));
      return { get, commit, idle, due };
    };
    const small = await measure(20);
    if (process.env.CEM_SHOW_CALLS) console.log(JSON.stringify(small, null, 1));
    const large = await measure(2_000);
    // The same calls, on the same kinds of files (record names, pids and nonces aside).
    const shape = (calls: Call[]): string[] =>
      calls.map((c) => [c.op, c.flags, c.path, c.to].filter((x) => x !== undefined).join(' ').replace(/records\/\S*/g, 'records/…').replace(/lock\.\d+\.[0-9a-f]+\./g, 'lock.….'));
    for (const op of ['get', 'commit', 'idle', 'due'] as const) expect(shape(large[op]), op).toEqual(shape(small[op]));
    const recordReads = (calls: Call[]) => calls.filter((c) => c.op === 'readFile' && c.path.startsWith('records/'));
    expect(recordReads(large.get).map((c) => c.path)).toEqual(['records/rel/partner-10=']);
    expect(large.get.length).toBeLessThanOrEqual(3);
    // A one-record update: reads its record once, writes the journal and the record (the change
    // log holds creates and deletes only).
    expect(recordReads(large.commit)).toHaveLength(1);
    expect(large.commit.filter((c) => c.op === 'rename' && c.path !== 'lock').map((c) => c.to)).toEqual(['journal.json', 'records/rel/partner-10=']);
    expect(large.commit.filter((c) => c.op === 'open' && c.flags !== 'r').map((c) => c.path)).toEqual(['tmp/*', 'tmp/*']);
    expect(large.commit.filter((c) => c.op === 'readdir').map((c) => c.path).sort()).toEqual(['', 'tmp']);
    // An idle due read opens the change log and reads no record; a due read reads what it returns.
    expect(recordReads(large.idle)).toEqual([]);
    expect(large.idle.length).toBeLessThanOrEqual(3);
    expect(recordReads(large.due)).toHaveLength(5);
  }, 60_000);
});

describe('file store layout directories', () => {
  it('removes the directories a delete empties, and creates them again', async () => {
    const directory = freshDir();
    mkdirSync(join(directory, 'unrelated'));
    const store = createFileStore({ directory });
    await store.commit([{ key: 'due/2030/rel/a', expectedVersion: null, value: 1 }, { key: 'due/2031/rel/b', expectedVersion: null, value: 1 }]);
    await store.commit([{ key: 'due/2030/rel/a', expectedVersion: 1, value: null }]);
    expect(tree(join(directory, 'records'))).toEqual(['due', 'due/2031', 'due/2031/rel', 'due/2031/rel/b=']);
    await store.commit([{ key: 'due/2030/rel/a', expectedVersion: null, value: 2 }]);
    expect((await store.list('due/')).map((r) => [r.key, r.version])).toEqual([['due/2030/rel/a', 1], ['due/2031/rel/b', 1]]);
  });
});
