/**
 * Reading every record under a prefix in pages of a range read: the engine's only way to read
 * many records (a listener's members, a settings sweep, admin reads).
 *
 * @module
 */
import type { CemStore, StoredRecord } from '../ports/store.js';
import { storeCall } from './context.js';

/**
 * Every record under `prefix`, page by page.
 *
 * @example
 * ```ts
 * for await (const page of pages(store, 'rel/')) count += page.length
 * ```
 * @throws whatever the store throws.
 */
export async function* pages(store: CemStore, prefix: string, size = 500): AsyncGenerator<readonly StoredRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await storeCall(() => store.list(prefix, after === undefined ? { limit: size } : { after, limit: size }));
    if (page.length > 0) yield page;
    if (page.length < size) return;
    after = page.at(-1)?.key;
  }
}

