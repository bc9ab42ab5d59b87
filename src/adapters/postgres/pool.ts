/**
 * The part of a `pg` pool the PostgreSQL store uses, and how its failures map to CemErrors.
 *
 * @module
 */
import { CemEngineError, isCemError } from '../../errors.js';

/**
 * The result of a query, as `pg` returns it.
 *
 * @example
 * ```ts
 * const { rows, rowCount } = await pool.query('select 1 as one')
 * ```
 */
export interface PostgresQueryResult {
  readonly rows: readonly Record<string, unknown>[];
  /** Rows inserted, updated or deleted (or returned); `null` for statements without a count. */
  readonly rowCount: number | null;
}

/**
 * Something that runs one statement with positional parameters (`$1`, `$2`, ...): a `pg` `Pool`,
 * `Client` or `PoolClient`.
 *
 * @example
 * ```ts
 * const q: PostgresQueryable = pool
 * await q.query('select version from cem_records where key = $1', ['head'])
 * ```
 */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/**
 * A connection checked out of a pool, for one transaction.
 *
 * @example
 * ```ts
 * const client: PostgresPoolClient = await pool.connect()
 * try { await client.query('begin') } finally { client.release() }
 * ```
 */
export interface PostgresPoolClient extends PostgresQueryable {
  /** Returns the connection; with an error, the pool discards it instead. */
  release(error?: Error | boolean): void;
}

/**
 * The pool the store runs on: a `pg` `Pool` (`new Pool({ connectionString })`) fits as it is.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * const pool: PostgresPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
 * ```
 */
export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresPoolClient>;
}

/** The SQLSTATE of a PostgreSQL error (`pg` puts it in `code`), when there is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Serialization failure (40001) and deadlock (40P01): the transaction may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

/** Wraps anything that is not already a CemError as `CEM_PORT_FAILED` with the original as `cause`. */
export function portFailed(error: unknown, what: string): Error {
  if (isCemError(error)) return error;
  const state = sqlState(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new CemEngineError('CEM_PORT_FAILED', `postgres store: ${what} failed${state === undefined ? '' : ` (SQLSTATE ${state})`}: ${detail}`, { cause: error });
}
