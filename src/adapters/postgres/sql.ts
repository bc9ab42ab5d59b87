/**
 * The SQL of the PostgreSQL store: identifiers, the layout (tables, index, layout version) and the
 * statements of reads and writes.
 *
 * @module
 */
import { CemArgumentError } from '../../errors.js';

/**
 * The layout version this adapter reads and writes, recorded in `<table>_meta` by `migrate()`.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query("select value from cem_records_meta where name = 'layout'")
 * rows[0].value === String(POSTGRES_LAYOUT_VERSION) // true
 * ```
 */
export const POSTGRES_LAYOUT_VERSION = 1;

/** The quoted, schema-qualified names of the store's two tables. */
export interface TableNames {
  /** `"schema"."table"` or `"table"`. */
  readonly records: string;
  /** The layout table, `<table>_meta`. */
  readonly meta: string;
  /** The plain (unquoted) names, for messages and the migration lock. */
  readonly label: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quote(name: string, what: string, maxLength: number): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > maxLength) {
    throw new CemArgumentError(`createPostgresStore: ${what} must be a plain identifier (letters, digits, _) of at most ${maxLength} characters`);
  }
  return `"${name}"`;
}

/** The table names for `table` in `schema` (identifiers checked, then quoted). */
export function tableNames(table: string, schema: string | undefined): TableNames {
  // PostgreSQL keeps 63 bytes of a name; `_meta` and `_pkey` are appended to the table's.
  const records = quote(table, 'table', 58);
  const meta = quote(`${table}_meta`, 'table', 63);
  const prefix = schema === undefined ? '' : `${quote(schema, 'schema', 63)}.`;
  return { records: `${prefix}${records}`, meta: `${prefix}${meta}`, label: schema === undefined ? table : `${schema}.${table}` };
}

/**
 * The statements of `migrate()`, run in order in one transaction. The records table's primary
 * key, a B-tree in byte order (`COLLATE "C"`), serves every read: `get` by key and `list` by key
 * range (the engine's indexes are key prefixes).
 */
export function migrationStatements(t: TableNames): readonly string[] {
  return [
    `create table if not exists ${t.meta} (name text primary key, value text not null)`,
    `insert into ${t.meta} (name, value) values ('layout', '${POSTGRES_LAYOUT_VERSION}') on conflict (name) do nothing`,
    `create table if not exists ${t.records} (
      key text collate "C" not null primary key,
      version bigint not null check (version >= 1),
      value json not null
    )`,
  ];
}

/** The read of the recorded layout version. */
export function layoutQuery(t: TableNames): string {
  return `select value from ${t.meta} where name = 'layout'`;
}

/** The statements of reads and writes on the records table. */
export interface RecordStatements {
  readonly get: string;
  readonly insert: string;
  readonly update: string;
  readonly delete: string;
  /** Takes the key's unique-index entry without leaving a row (with {@link RecordStatements.unlock}). */
  readonly lockAbsent: string;
  readonly unlock: string;
  readonly version: string;
}

/** Builds the statements for one table. */
export function recordStatements(t: TableNames): RecordStatements {
  return {
    get: `select key, version, value from ${t.records} where key = $1`,
    insert: `insert into ${t.records} (key, version, value) values ($1, 1, $2::json) on conflict (key) do nothing`,
    update: `update ${t.records} set version = version + 1, value = $3::json where key = $1 and version = $2`,
    delete: `delete from ${t.records} where key = $1 and version = $2`,
    lockAbsent: `insert into ${t.records} (key, version, value) values ($1, 1, 'null') on conflict (key) do nothing`,
    unlock: `delete from ${t.records} where key = $1`,
    version: `select version from ${t.records} where key = $1`,
  };
}

/** The first character that sorts after every character of a store key (keys are U+0020–U+007E). */
const AFTER_KEY_CHARS = '\x7f';
/** The last character that sorts before every character of a store key. */
const BEFORE_KEY_CHARS = '\x1f';

/**
 * A bound that compares with every valid store key exactly as `bound` does, but holds only
 * characters PostgreSQL takes in a text parameter (no NUL, no lone surrogate): everything from the
 * first character outside the key alphabet on is replaced by one character just above (or below)
 * the whole alphabet.
 */
export function keyBound(bound: string): string {
  for (let i = 0; i < bound.length; i++) {
    const c = bound.charCodeAt(i);
    if (c < 0x20) return bound.slice(0, i) + BEFORE_KEY_CHARS;
    if (c > 0x7e) return bound.slice(0, i) + AFTER_KEY_CHARS;
  }
  return bound;
}

/** True when some store key can start with `prefix` (it holds only key characters). */
export function prefixCanMatch(prefix: string): boolean {
  return keyBound(prefix) === prefix;
}

/** A range read: the statement and its parameters. */
export interface ListQuery {
  readonly text: string;
  readonly values: readonly (string | number)[];
}

/**
 * The range read of `list`: `key >= prefix and key < prefix || '\x7f'` (every key starting with
 * the prefix, and only those, since keys hold no character above U+007E), then `start`, `after`,
 * `end`, ordered by key in byte order, with the limit. One index range scan of the primary key.
 */
export function listQuery(
  t: TableNames,
  prefix: string,
  range: { readonly start?: string; readonly after?: string; readonly end?: string; readonly limit?: number } | undefined,
): ListQuery {
  const where: string[] = [];
  const values: (string | number)[] = [];
  const add = (op: string, value: string): void => {
    values.push(value);
    where.push(`key ${op} $${values.length}`);
  };
  if (prefix !== '') {
    add('>=', prefix);
    add('<', prefix + AFTER_KEY_CHARS);
  }
  if (range?.start !== undefined) add('>=', keyBound(range.start));
  if (range?.after !== undefined) add('>', keyBound(range.after));
  if (range?.end !== undefined) add('<', keyBound(range.end));
  let text = `select key, version, value from ${t.records}`;
  if (where.length > 0) text += ` where ${where.join(' and ')}`;
  text += ' order by key';
  if (range?.limit !== undefined) {
    values.push(range.limit);
    text += ` limit $${values.length}`;
  }
  return { text, values };
}
