/**
 * The `cem` command: `inspect`, `request` and `respond`.
 *
 * Exit codes: 0 success, 1 invalid input (a `CemError`: `error CEM_<CODE>: <message>` on stderr),
 * 2 usage error.
 *
 * @module
 */
import { isCemError } from '../errors.js';
import { UsageError, parseArgs } from './args.js';
import { inspectBytes } from './inspect.js';
import type { CliIo } from './io.js';
import { renderTable } from './render.js';
import { REQUEST_USAGE, runRequest } from './request.js';
import { RESPOND_USAGE, runRespond } from './respond.js';

const USAGE = `usage:
  cem inspect FILE [--json]
  ${REQUEST_USAGE}
  ${RESPOND_USAGE}
`;

function reader(io: CliIo): (path: string) => Uint8Array {
  return (path) => {
    try {
      return io.readFile(path);
    } catch (e) {
      const why = e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : 'unreadable';
      throw new UsageError(`cannot read ${path} (${why})`);
    }
  };
}

function runInspect(argv: readonly string[], io: CliIo, json: { on: boolean }): void {
  const args = parseArgs(argv, { json: 'flag' });
  json.on = args.flags.has('json');
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('FILE is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const result = inspectBytes(reader(io)(file));
  io.stdout(json.on ? `${JSON.stringify(result, null, 2)}\n` : renderTable(result as Parameters<typeof renderTable>[0]));
}

/**
 * Runs the `cem` command with `argv` (without the node and script paths) and returns its exit code.
 *
 * @example
 * ```ts
 * const code = await runCli(['inspect', 'request.mime', '--json'], processIo)
 * ```
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  const json = { on: rest.includes('--json') };
  try {
    switch (command) {
      case 'inspect':
        runInspect(rest, io, json);
        return 0;
      case 'request':
        runRequest(rest, io, reader(io));
        return 0;
      case 'respond':
        runRespond(rest, io, reader(io));
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return 0;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`cem: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (isCemError(e)) {
      io.stderr(`error ${e.code}: ${e.message}\n`);
      if (json.on) io.stdout(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
      return 1;
    }
    throw e;
  }
}
