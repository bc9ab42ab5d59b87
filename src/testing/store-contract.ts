/**
 * The contract every {@link CemStore} adapter must pass. Hosts run it against their own adapter
 * (a database, a key/value service) the way the memory and file stores run it.
 *
 * @module
 */
import assert from 'node:assert/strict';
import type { JsonValue } from '../ports/json.js';
import type { CemStore, StoredRecord } from '../ports/store.js';
import { assertReturnsPromise, rejectsWithCode } from './contract-harness.js';
import type { ContractHarness } from './contract-harness.js';
import { registerRanges } from './store-contract-ranges.js';

/**
 * Makes a fresh, empty store for one test.
 *
 * @example
 * ```ts
 * const factory: StoreFactory = async () => createPgStore(await freshSchema())
 * ```
 */
export type StoreFactory = () => CemStore | Promise<CemStore>;

/**
 * Options of {@link runStoreContract}.
 *
 * @example
 * ```ts
 * runStoreContract({ describe, it }, factory, { name: 'postgres store', racers: 16 })
 * ```
 */
export interface StoreContractOptions {
  /** The `describe` title; `CemStore contract` by default. */
  readonly name?: string;
  /** How many commits race in the concurrency tests; 8 by default. */
  readonly racers?: number;
}

const SAMPLE: JsonValue = {
  text: 'Grüße, 証明書 \u{1F511} "quoted" \\ back\nslash',
  numbers: [0, -1, 3.25, 9007199254740991, -0.5e-7],
  flags: [true, false, null],
  nested: { empty: {}, list: [], deep: { a: [{ b: 'c' }] } },
  'key with / and . and $': 'ok',
};

async function put(store: CemStore, key: string, value: JsonValue): Promise<StoredRecord> {
  const before = await store.get(key);
  await store.commit([{ key, expectedVersion: before?.version ?? null, value }]);
  const after = await store.get(key);
  assert.ok(after, `${key} must exist after a commit`);
  return after;
}

function registerBasics(it: ContractHarness['it'], make: StoreFactory): void {
  it('resolves get of a missing key to undefined', async () => {
    const store = await make();
    assert.equal(await assertReturnsPromise(() => store.get('absent/key'), 'get'), undefined);
  });

  it('creates a record at version 1 with expectedVersion null', async () => {
    const store = await make();
    await store.commit([{ key: 'rel/acme', expectedVersion: null, value: { status: 'new' } }]);
    assert.deepEqual(await store.get('rel/acme'), { key: 'rel/acme', version: 1, value: { status: 'new' } });
  });

  it('adds one to the version on every write', async () => {
    const store = await make();
    const versions: number[] = [];
    for (const n of [1, 2, 3, 4]) versions.push((await put(store, 'counter', n)).version);
    assert.deepEqual(versions, [1, 2, 3, 4]);
    assert.equal((await store.get('counter'))?.value, 4);
  });

  it('round-trips values as JSON, scalars included', async () => {
    const store = await make();
    const scalars: JsonValue[] = [0, '', false, true, 'x', -12.5];
    await store.commit([
      { key: 'sample', expectedVersion: null, value: SAMPLE },
      ...scalars.map((value, i) => ({ key: `scalar/${i}`, expectedVersion: null, value })),
    ]);
    assert.deepEqual((await store.get('sample'))?.value, SAMPLE);
    for (const [i, value] of scalars.entries()) assert.deepEqual((await store.get(`scalar/${i}`))?.value, value);
  });

  it('resolves an empty commit without changing anything', async () => {
    const store = await make();
    await put(store, 'a', 1);
    await store.commit([]);
    assert.deepEqual(await store.get('a'), { key: 'a', version: 1, value: 1 });
  });

  it('deletes with the current version, and a new record starts again at version 1', async () => {
    const store = await make();
    await put(store, 'gone', 'x');
    await put(store, 'gone', 'y');
    await store.commit([{ key: 'gone', expectedVersion: 2, value: null }]);
    assert.equal(await store.get('gone'), undefined);
    assert.deepEqual(await store.list('gone'), []);
    await store.commit([{ key: 'gone', expectedVersion: null, value: 'z' }]);
    assert.equal((await store.get('gone'))?.version, 1);
  });

  it('treats a null version with a null value as "must not exist", writing nothing', async () => {
    const store = await make();
    await store.commit([{ key: 'guard', expectedVersion: null, value: null }]);
    assert.equal(await store.get('guard'), undefined);
    await put(store, 'guard', 1);
    await rejectsWithCode(store.commit([{ key: 'guard', expectedVersion: null, value: null }]), 'CEM_STORE_CONFLICT', 'guard on an existing key');
    assert.equal((await store.get('guard'))?.version, 1);
  });
}

function registerConflicts(it: ContractHarness['it'], make: StoreFactory): void {
  it('rejects a stale version with CEM_STORE_CONFLICT and writes none of the commit', async () => {
    const store = await make();
    await put(store, 'a', 'a1');
    await put(store, 'b', 'b1');
    await put(store, 'b', 'b2');
    const commit = store.commit([
      { key: 'a', expectedVersion: 1, value: 'a2' },
      { key: 'c', expectedVersion: null, value: 'c1' },
      { key: 'b', expectedVersion: 1, value: 'b3' },
      { key: 'd', expectedVersion: null, value: null },
    ]);
    await rejectsWithCode(commit, 'CEM_STORE_CONFLICT', 'stale version');
    assert.deepEqual(await store.get('a'), { key: 'a', version: 1, value: 'a1' });
    assert.deepEqual(await store.get('b'), { key: 'b', version: 2, value: 'b2' });
    assert.equal(await store.get('c'), undefined);
  });

  it('rejects a create of an existing key with CEM_STORE_CONFLICT', async () => {
    const store = await make();
    await put(store, 'taken', 'first');
    await rejectsWithCode(store.commit([{ key: 'taken', expectedVersion: null, value: 'second' }]), 'CEM_STORE_CONFLICT', 'create-if-absent');
    assert.deepEqual(await store.get('taken'), { key: 'taken', version: 1, value: 'first' });
  });

  it('rejects a version on a missing key, and a stale delete, with CEM_STORE_CONFLICT', async () => {
    const store = await make();
    await rejectsWithCode(store.commit([{ key: 'missing', expectedVersion: 1, value: 'x' }]), 'CEM_STORE_CONFLICT', 'update of a missing key');
    await rejectsWithCode(store.commit([{ key: 'missing', expectedVersion: 1, value: null }]), 'CEM_STORE_CONFLICT', 'delete of a missing key');
    await put(store, 'kept', 1);
    await put(store, 'kept', 2);
    await rejectsWithCode(store.commit([{ key: 'kept', expectedVersion: 1, value: null }]), 'CEM_STORE_CONFLICT', 'stale delete');
    assert.equal((await store.get('kept'))?.version, 2);
    assert.equal(await store.get('missing'), undefined);
  });

  it('refuses invalid keys, a key written twice and non-JSON values with CEM_ARGUMENT', async () => {
    const store = await make();
    const bad: readonly unknown[] = [
      [{ key: '', expectedVersion: null, value: 1 }],
      [{ key: '/lead', expectedVersion: null, value: 1 }],
      [{ key: 'a//b', expectedVersion: null, value: 1 }],
      [{ key: 'ctl\nkey', expectedVersion: null, value: 1 }],
      [{ key: 'v0', expectedVersion: 0, value: 1 }],
      [{ key: 'twice', expectedVersion: null, value: 1 }, { key: 'twice', expectedVersion: null, value: 2 }],
      [{ key: 'date', expectedVersion: null, value: { at: new Date(0) } }],
      [{ key: 'undef', expectedVersion: null, value: { a: undefined } }],
      [{ key: 'nan', expectedVersion: null, value: [Number.NaN] }],
    ];
    for (const writes of bad) {
      await rejectsWithCode(store.commit(writes as never), 'CEM_ARGUMENT', JSON.stringify(writes));
    }
    await rejectsWithCode(store.get('bad//key'), 'CEM_ARGUMENT', 'get of an invalid key');
    assert.deepEqual(await store.list(''), []);
  });
}

function registerListing(it: ContractHarness['it'], make: StoreFactory): void {
  it('lists records under a prefix sorted by key, leaving other prefixes out', async () => {
    const store = await make();
    const keys = ['p/a/b', 'q', 'p/B', 'pp/x', 'p/a-b', 'p/a', 'o/p/a'];
    await store.commit(keys.map((key) => ({ key, expectedVersion: null, value: key })));
    const listed = await assertReturnsPromise(() => store.list('p/'), 'list');
    assert.deepEqual(listed.map((r) => r.key), ['p/B', 'p/a', 'p/a-b', 'p/a/b']);
    assert.deepEqual(listed.map((r) => [r.version, r.value]), listed.map((r) => [1, r.key]));
    assert.deepEqual((await store.list('')).map((r) => r.key), [...keys].sort());
    assert.deepEqual(await store.list('zzz/'), []);
  });

  it('hands out copies: mutating what get, list or commit saw never changes the store', async () => {
    const store = await make();
    const value = { list: [1, 2], inner: { flag: true } };
    await store.commit([{ key: 'copy', expectedVersion: null, value }]);
    value.list.push(3);
    value.inner.flag = false;
    const tamper = (v: unknown): void => {
      try {
        const o = v as { list: number[]; inner: { flag: boolean } };
        o.list.push(99);
        o.inner.flag = false;
      } catch {
        // Frozen values are a fine way to keep the store safe.
      }
    };
    tamper((await store.get('copy'))?.value);
    tamper((await store.list('copy'))[0]?.value);
    assert.deepEqual((await store.get('copy'))?.value, { list: [1, 2], inner: { flag: true } });
  });
}

/** The index of the one fulfilled commit; every other must have failed with `CEM_STORE_CONFLICT`. */
function onlyWinner(results: readonly PromiseSettledResult<void>[], what: string): number {
  const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  assert.equal(winners.length, 1, `exactly one racing ${what} must win, ${winners.length} did`);
  for (const [i, r] of results.entries()) {
    if (r.status !== 'rejected') continue;
    const code = (r.reason as { code?: unknown } | null)?.code;
    assert.equal(code, 'CEM_STORE_CONFLICT', `racing ${what} ${i} lost with ${String(r.reason)} instead of CEM_STORE_CONFLICT`);
  }
  return winners[0] as number;
}

function registerRaces(it: ContractHarness['it'], make: StoreFactory, racers: number): void {
  it(`lets exactly one of ${racers} racing updates of one version win`, async () => {
    const store = await make();
    await put(store, 'race', 'start');
    const results = await Promise.allSettled(
      Array.from({ length: racers }, (_, i) => store.commit([{ key: 'race', expectedVersion: 1, value: `racer-${i}` }])),
    );
    const winner = onlyWinner(results, 'update');
    assert.deepEqual(await store.get('race'), { key: 'race', version: 2, value: `racer-${winner}` });
  });

  it(`lets exactly one of ${racers} racing creates of one missing key win; every loser fails with CEM_STORE_CONFLICT`, async () => {
    // The case a check-then-insert adapter gets wrong: a `select ... for update` on a missing row
    // locks nothing, so every racer inserts and the losers hit a unique-key violation instead.
    const store = await make();
    const results = await Promise.allSettled(
      Array.from({ length: racers }, (_, i) => store.commit([{ key: 'fresh', expectedVersion: null, value: { racer: i } }])),
    );
    const winner = onlyWinner(results, 'create');
    assert.deepEqual(await store.get('fresh'), { key: 'fresh', version: 1, value: { racer: winner } });
  });

  it(`lets exactly one of ${racers} racing creates of one key win, with all of its writes; losers fail with CEM_STORE_CONFLICT`, async () => {
    const store = await make();
    await put(store, 'head', 0);
    const results = await Promise.allSettled(
      Array.from({ length: racers }, (_, i) =>
        store.commit([
          { key: `outbox/${i}`, expectedVersion: null, value: i },
          { key: 'claim', expectedVersion: null, value: i },
          { key: 'head', expectedVersion: 1, value: i },
        ]),
      ),
    );
    const winner = onlyWinner(results, 'create');
    assert.deepEqual(await store.get('claim'), { key: 'claim', version: 1, value: winner });
    assert.deepEqual(await store.get('head'), { key: 'head', version: 2, value: winner });
    assert.deepEqual((await store.list('outbox/')).map((r) => r.value), [winner]);
  });

  it(`lets exactly one of ${racers} racing deletes of one version win; the others fail with CEM_STORE_CONFLICT`, async () => {
    const store = await make();
    await put(store, 'gone', 'x');
    const results = await Promise.allSettled(
      Array.from({ length: racers }, (_, i) =>
        store.commit([
          { key: 'gone', expectedVersion: 1, value: null },
          { key: `deleted-by/${i}`, expectedVersion: null, value: i },
        ]),
      ),
    );
    const winner = onlyWinner(results, 'delete');
    assert.equal(await store.get('gone'), undefined);
    assert.deepEqual((await store.list('deleted-by/')).map((r) => r.value), [winner]);
  });

  it('applies racing commits on different keys all', async () => {
    const store = await make();
    await Promise.all(Array.from({ length: racers }, (_, i) => store.commit([{ key: `own/${i}`, expectedVersion: null, value: i }])));
    assert.equal((await store.list('own/')).length, racers);
  });
}

/**
 * Registers the store contract's tests with `harness`. `factory` is called once per test and must
 * return an empty store.
 *
 * Besides the single-caller semantics of {@link CemStore}, it races `racers` concurrent commits on
 * one store: updates and deletes of one version, and creates of one missing key (alone, and
 * together with other writes). Exactly one may win, its writes stand, and every loser must reject
 * with `CEM_STORE_CONFLICT` (which the engine retries), never with another error such as a
 * unique-key violation, which the engine can only report as `CEM_PORT_FAILED`. A database adapter
 * that checks versions with `select … for update` and then inserts fails the creates race: on a
 * missing row such a select locks nothing.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest'
 * import { runStoreContract } from 'ediint-cem/testing'
 * runStoreContract({ describe, it }, async () => createPgStore(await freshSchema()))
 * ```
 */
export function runStoreContract(harness: ContractHarness, factory: StoreFactory, options: StoreContractOptions = {}): void {
  harness.describe(options.name ?? 'CemStore contract', () => {
    registerBasics(harness.it, factory);
    registerConflicts(harness.it, factory);
    registerListing(harness.it, factory);
    registerRanges(harness.it, factory);
    registerRaces(harness.it, factory, options.racers ?? 8);
  });
}
