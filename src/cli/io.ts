/**
 * What the `cem` command needs from its surroundings, so tests can run it in-process.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** The command's access to files, output streams, the clock and randomness. */
export interface CliIo {
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The current time. */
  now(): Date;
  /** Random lowercase hex of `bytes` bytes, for request ids and Content-IDs. */
  randomHex(bytes: number): string;
  /** IANA time zone used for `MessageOriginated`. */
  timeZone(): string;
}

/** The real process: files, stdout/stderr, the system clock and zone. */
export const processIo: CliIo = {
  readFile: (path) => new Uint8Array(readFileSync(path)),
  writeFile: (path, data) => writeFileSync(path, data),
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  now: () => new Date(),
  randomHex: (bytes) => randomBytes(bytes).toString('hex'),
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
};
