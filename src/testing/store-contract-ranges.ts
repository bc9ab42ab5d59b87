/**
 * The range reads of the store contract (`list(prefix, { start, after, end, limit })`): the
 * engine reads its due and member indexes with them, so every adapter must order keys and honour
 * every bound.
 *
 * @module
 */
import assert from 'node:assert/strict';
import type { CemStore } from '../ports/store.js';
import { rejectsWithCode } from './contract-harness.js';
import type { ContractHarness } from './contract-harness.js';


/**
 * Registers the range-read tests of `runStoreContract`.
 *
 * @example
 * ```ts
 * registerRanges(it, () => createMemoryStore())
 * ```
 * @throws never (the registered tests throw on a contract violation).
 */
export function registerRanges(it: ContractHarness['it'], make: () => CemStore | Promise<CemStore>): void {
  it('reads ranges: start (inclusive), after and end (exclusive), limit, combined with the prefix', async () => {
    const store = await make();
    const times = ['2027-01-01T00:00:00.000Z', '2027-01-02T00:00:00.000Z', '2027-01-02T12:00:00.000Z', '2027-02-01T00:00:00.000Z'];
    const keys = times.flatMap((t) => [`due/${t}/rel/a`, `due/${t}/rel/b`]);
    await store.commit([...keys, 'duf/x', 'dud', 'due'].map((key) => ({ key, expectedVersion: null, value: key })));
    const names = async (prefix: string, range: Parameters<CemStore['list']>[1]): Promise<string[]> =>
      (await store.list(prefix, range)).map((r) => r.key);
    assert.deepEqual(await names('due/', { end: 'due/2027-01-02T12:00:00.000Z~' }), keys.slice(0, 6));
    assert.deepEqual(await names('due/', { end: 'due/2027-01-02T12:00:00.000Z/' }), keys.slice(0, 4), 'end is exclusive');
    assert.deepEqual(await names('due/', { start: keys[2] as string }), keys.slice(2), 'start is inclusive');
    assert.deepEqual(await names('due/', { after: keys[2] as string }), keys.slice(3), 'after is exclusive');
    assert.deepEqual(await names('due/', { limit: 3 }), keys.slice(0, 3));
    assert.deepEqual(await names('due/', { after: keys[2] as string, end: keys[6] as string, limit: 10 }), keys.slice(3, 6));
    assert.deepEqual(await names('due/', { start: 'a', limit: 1 }), keys.slice(0, 1), 'a start before the prefix reads from the prefix');
    assert.deepEqual(await names('due/', { start: 'zzz' }), [], 'a start after the prefix reads nothing');
    assert.deepEqual(await names('due/', { end: 'due/' }), [], 'an end at the prefix reads nothing');
    assert.deepEqual(await names('', { start: 'dud', end: 'due/' }), ['dud', 'due']);
    // Paging through the whole prefix visits every key once, in order.
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await names('due/', after === undefined ? { limit: 3 } : { after, limit: 3 });
      if (page.length === 0) break;
      paged.push(...page);
      after = page.at(-1);
    }
    assert.deepEqual(paged, keys);
  });

  it('refuses an invalid range with CEM_ARGUMENT', async () => {
    const store = await make();
    for (const range of [{ limit: 0 }, { limit: 1.5 }, { limit: -1 }, { start: 5 }, { end: null }, { after: {} }]) {
      await rejectsWithCode(store.list('', range as never), 'CEM_ARGUMENT', JSON.stringify(range));
    }
  });

  it('keeps ranges right after creates and deletes (the ordered index follows every commit)', async () => {
    const store = await make();
    await store.commit(['i/3', 'i/1', 'i/5'].map((key) => ({ key, expectedVersion: null, value: 0 })));
    await store.commit([{ key: 'i/1', expectedVersion: 1, value: null }, { key: 'i/2', expectedVersion: null, value: 0 }, { key: 'i/4', expectedVersion: null, value: 0 }]);
    assert.deepEqual((await store.list('i/', { after: 'i/2', limit: 2 })).map((r) => r.key), ['i/3', 'i/4']);
    assert.deepEqual((await store.list('i/')).map((r) => r.key), ['i/2', 'i/3', 'i/4', 'i/5']);
  });

}
