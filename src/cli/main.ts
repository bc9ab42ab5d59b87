/**
 * The `cem` command: `inspect`, `request` and `respond`.
 *
 * Exit codes: 0 success; 1 any problem with the input or output files (a `CemError`:
 * `error CEM_<CODE>: <message>` on stderr, with `CEM_IO` for a file that cannot be read or
 * written); 2 a usage error (unknown command or option, a missing or malformed option value).
 *
 * @module
 */
import { CemError, isCemError } from '../errors.js';
import { UsageError, parseArgs } from './args.js';
import { inspectBytes } from './inspect.js';
import type { CliIo } from './io.js';
import { renderTable } from './render.js';
import { packageVersion } from './version.js';

import { AS2_USAGE, type ServeControl } from './as2-usage.js';
import { REQUEST_USAGE, runRequest } from './request.js';
import { RESPOND_USAGE, runRespond } from './respond.js';

const USAGE = `usage:
  cem --version
  cem inspect FILE [--json]
  ${REQUEST_USAGE}
  ${RESPOND_USAGE}
  ${AS2_USAGE}
`;

const HELP = `${USAGE}
FILE (inspect): a CEM MIME entity (with its headers, or a multipart body saved without them),
  a CEM XML document (UTF-8 or UTF-16), or a certificate / PKCS#7 file (PEM, DER or base64).
--cert FILE (request): PEM certificates, or a PKCS#7 bundle (.p7c/.p7b: DER, PEM or base64);
  the end-entity certificate is found in the set, its chain ordered after it and each link's
  signature verified.
SERIAL (respond): decimal (4096, -5) or hexadecimal as openssl prints it (0x1000, 10:00, serial=1000).

as2 send: FILE is a MIME entity (a \`cem request\` or \`cem respond\` output) sent signed with
  --sign and encrypted to --encrypt; the signed MDN is verified against --verify-mdn (the
  --encrypt certificate by default). Exit 0 only for a good, verified \`processed\` MDN whose MIC
  matches (or HTTP 2xx with --mdn none); error CEM_AS2_MDN / CEM_AS2_HTTP otherwise.
as2 serve: receives, decrypts (any --cert), verifies (the --partner certificates of AS2-From),
  writes each payload entity to --out, answers with signed MDNs and prints one line per message.

exit status: 0 done; 1 invalid input or a file that cannot be read or written
  ("error CEM_<CODE>: <message>" on stderr, CEM_IO for files); 2 usage error.
`;

function why(e: unknown): string {
  return e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : e instanceof Error ? e.message : 'unknown error';
}

/** `io` whose file operations fail with `CEM_IO` (exit 1) instead of a raw system error. */
function checkedFiles(io: CliIo): CliIo {
  return {
    ...io,
    readFile: (path) => {
      try {
        return io.readFile(path);
      } catch (e) {
        throw new CemError('CEM_IO', `cannot read ${path} (${why(e)})`, { cause: e });
      }
    },
    writeFile: (path, data) => {
      try {
        io.writeFile(path, data);
      } catch (e) {
        throw new CemError('CEM_IO', `cannot write ${path} (${why(e)})`, { cause: e });
      }
    },
  };
}

function runInspect(argv: readonly string[], io: CliIo, json: { on: boolean }): void {
  const args = parseArgs(argv, { json: 'flag' });
  json.on = args.flags.has('json');
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('FILE is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const bytes = io.readFile(file);
  let inspection;
  try {
    inspection = inspectBytes(bytes, io.now());
  } catch (e) {
    // name the file: "key.pem: no certificate found ..."
    if (isCemError(e) && e.code !== 'CEM_IO') throw new CemError(e.code, `${file}: ${e.message}`, { cause: e });
    throw e;
  }
  const { json: result, note } = inspection;
  if (note !== null) io.stderr(`cem: note: ${note}\n`);
  io.stdout(json.on ? `${JSON.stringify(result, null, 2)}\n` : renderTable(result as Parameters<typeof renderTable>[0]));
}

/**
 * Runs the `cem` command with `argv` (without the node and script paths) and returns its exit code.
 *
 * @example
 * ```ts
 * const code = runCli(['inspect', 'request.mime', '--json'], processIo)
 * ```
 * @throws never for input, usage or file problems (they are exit codes 1 and 2); a failure of
 *   `io` itself other than reading and writing files is passed on.
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  const json = { on: rest.includes('--json') };
  const files = checkedFiles(io);
  try {
    switch (command) {
      case 'inspect':
        runInspect(rest, files, json);
        return 0;
      case 'request':
        runRequest(rest, files);
        return 0;
      case 'respond':
        runRespond(rest, files);
        return 0;
      case '--version':
      case '-V':
      case 'version':
        io.stdout(`cem (ediint-cem) ${packageVersion()}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP);
        return 0;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    }
  } catch (e) {
    return failureExit(e, io, json.on);
  }
}

/** The exit code of a failed command (2: usage, 1: a `CemError`), reported on `io`; anything else is thrown again. */
function failureExit(e: unknown, io: CliIo, json: boolean): number {
  if (e instanceof UsageError) {
    io.stderr(`cem: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (isCemError(e)) {
    io.stderr(`error ${e.code}: ${e.message}\n`);
    if (json) io.stdout(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    return 1;
  }
  throw e;
}

/**
 * Runs the `cem` command like {@link runCli}, and the asynchronous `cem as2 send|serve`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCliAsync(process.argv.slice(2), processIo, { stopped: onSignal('SIGINT') })
 * ```
 * @throws never for input, usage, file, HTTP or MDN problems (exit codes 1 and 2); a failure of
 *   `io` itself other than reading and writing files is passed on.
 */
export async function runCliAsync(argv: readonly string[], io: CliIo, control: ServeControl = { stopped: new Promise(() => undefined) }): Promise<number> {
  if (argv[0] !== 'as2') return runCli(argv, io);
  try {
    const { runAs2 } = await import('./as2.js');
    return await runAs2(argv.slice(1), checkedFiles(io), control);
  } catch (e) {
    return failureExit(e, io, false);
  }
}
