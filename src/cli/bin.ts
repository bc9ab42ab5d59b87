#!/usr/bin/env node
/**
 * Entry point of the `cem` executable.
 *
 * @module
 */
import { processIo } from './io.js';
import { runCli } from './main.js';

try {
  process.exitCode = runCli(process.argv.slice(2), processIo);
} catch (e) {
  process.stderr.write(`cem: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 70;
}
