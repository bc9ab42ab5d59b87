#!/usr/bin/env node
/**
 * Entry point of the `cem` executable.
 *
 * @module
 */
import { processIo } from './io.js';
import { runCliAsync } from './main.js';

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
try {
  process.exitCode = await runCliAsync(process.argv.slice(2), processIo, { stopped });
} catch (e) {
  process.stderr.write(`cem: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 70;
}
