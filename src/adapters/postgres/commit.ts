/**
 * One commit of the PostgreSQL store: one transaction of conditional writes, all or nothing.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../../errors.js';
import { storeConflict } from '../../ports/store.js';
import type { StoreWrite } from '../../ports/store.js';
import { isRetryable, portFailed, sqlState } from './pool.js';
import type { PostgresPool, PostgresPoolClient, PostgresQueryable } from './pool.js';
import type { RecordStatements } from './sql.js';

/** How a commit runs: its statements, and how often a serialization failure or deadlock is retried. */
export interface CommitSettings {
  readonly sql: RecordStatements;
  /** Further attempts after a serialization failure or deadlock, then `CEM_STORE_CONFLICT`. */
  readonly retries: number;
}

async function currentVersion(q: PostgresQueryable, sql: RecordStatements, key: string): Promise<number | null> {
  const row = (await q.query(sql.version, [key])).rows[0];
  return row === undefined ? null : Number(row['version']);
}

/**
 * Applies one write with a single conditional statement; a row count other than 1 means a stale
 * version, and the transaction is rolled back by the conflict thrown.
 *
 * - create: `insert … on conflict (key) do nothing`. A racing create of the same key makes the
 *   insert wait for the other transaction; once that committed, nothing is inserted: a conflict,
 *   never a unique-key violation.
 * - "must not exist": the same insert followed by a delete of the row, so the key's index entry
 *   is held until commit (a racing create waits, then succeeds after this commit) and no row is
 *   ever visible.
 * - update, delete: `… where key = $1 and version = $2`. Under READ COMMITTED a racing writer of
 *   the row makes the statement wait and re-check the version on the row it committed.
 */
async function applyWrite(client: PostgresQueryable, sql: RecordStatements, w: StoreWrite): Promise<void> {
  let rows: number | null;
  if (w.expectedVersion === null) {
    rows = w.value === null
      ? (await client.query(sql.lockAbsent, [w.key])).rowCount
      : (await client.query(sql.insert, [w.key, JSON.stringify(w.value)])).rowCount;
    if (rows === 1 && w.value === null) await client.query(sql.unlock, [w.key]);
  } else {
    rows = w.value === null
      ? (await client.query(sql.delete, [w.key, w.expectedVersion])).rowCount
      : (await client.query(sql.update, [w.key, w.expectedVersion, JSON.stringify(w.value)])).rowCount;
  }
  if (rows !== 1) throw storeConflict(w.key, w.expectedVersion, await currentVersion(client, sql, w.key));
}

async function rollback(client: PostgresPoolClient): Promise<boolean> {
  try {
    await client.query('rollback');
    return true;
  } catch {
    return false;
  }
}

/** One attempt: begin, the writes in key order (one lock order, so commits do not deadlock), commit. */
async function attempt(pool: PostgresPool, settings: CommitSettings, writes: readonly StoreWrite[]): Promise<void> {
  let client: PostgresPoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw portFailed(error, 'connect');
  }
  let broken: Error | undefined;
  try {
    await client.query('begin');
    for (const w of writes) await applyWrite(client, settings.sql, w);
    await client.query('commit');
  } catch (error) {
    // A lost race leaves a healthy connection; anything else (the server ended the session, the
    // socket broke, a statement failed oddly) discards it rather than returning it to the pool.
    if (!(await rollback(client)) || !(isCemError(error) || isLostRace(error))) {
      broken = error instanceof Error ? error : new Error(String(error));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Serialization failure, deadlock, or a unique violation (which these statements never cause). */
function isLostRace(error: unknown): boolean {
  return isRetryable(error) || sqlState(error) === '23505';
}

function pause(attemptNo: number): Promise<void> {
  // A short, growing, jittered pause lets the transaction that won go first.
  const ms = Math.random() * 5 * 2 ** attemptNo;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Commits `writes` (already validated, non-empty) in one transaction. Rejects with
 * `CEM_STORE_CONFLICT` on a stale version, or on a serialization failure or deadlock that
 * persisted through the retries; with `CEM_PORT_FAILED` (cause attached) on anything else.
 */
export async function commitWrites(pool: PostgresPool, settings: CommitSettings, writes: readonly StoreWrite[]): Promise<void> {
  const ordered = [...writes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (let attemptNo = 0; ; attemptNo++) {
    try {
      await attempt(pool, settings, ordered);
      return;
    } catch (error) {
      if (isCemError(error)) throw error;
      if (isLostRace(error)) {
        // 23505 (unique violation) cannot come from these statements; should a trigger or another
        // writer's layout cause one, it is still a lost race, not a broken port.
        if (attemptNo < settings.retries) {
          await pause(attemptNo);
          continue;
        }
        const keys = ordered.slice(0, 3).map((w) => w.key).join(', ') + (ordered.length > 3 ? ', …' : '');
        throw new CemEngineError('CEM_STORE_CONFLICT', `store conflict on ${keys}: SQLSTATE ${sqlState(error) ?? '?'} on each of ${attemptNo + 1} attempts`, { cause: error });
      }
      throw portFailed(error, 'commit');
    }
  }
}
