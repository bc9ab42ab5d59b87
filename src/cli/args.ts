/**
 * A small, strict command-line parser: `--name value`, `--name=value`, boolean flags, repeated
 * options and positionals. Unknown options are usage errors.
 *
 * @module
 */

/** A usage error: the command exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** How each option of a command is read. */
export interface OptionSpec {
  readonly [name: string]: 'flag' | 'value' | 'repeat';
}

/** Parsed arguments: positionals, flags, last value of `value` options, all values of `repeat` options, and the order of repeated/flag options. */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly repeats: ReadonlyMap<string, readonly string[]>;
  /** Options in the order given, with their values (for order-sensitive commands). */
  readonly sequence: readonly { readonly name: string; readonly value: string | null }[];
}

/** Parses `argv` against `spec`. @throws UsageError */
export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const repeats = new Map<string, string[]>();
  const sequence: { name: string; value: string | null }[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      sequence.push({ name, value: null });
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    sequence.push({ name, value });
    if (kind === 'value') {
      if (values.has(name)) throw new UsageError(`--${name} given twice`);
      values.set(name, value);
    } else {
      repeats.set(name, [...(repeats.get(name) ?? []), value]);
    }
  }
  return { positionals, flags, values, repeats, sequence };
}
