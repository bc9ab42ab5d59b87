/**
 * The API reference (`npm run docs`, TypeDoc over the TSDoc of every public entry point) builds
 * without a single warning: a broken `{@link}`, a public signature naming a type that is not
 * exported, or a TSDoc tag TypeDoc does not know fails here rather than rotting unnoticed.
 * Checked with `--emit none` (TypeDoc converts and validates everything, writes nothing).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPEDOC = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

describe('API reference (TypeDoc)', () => {
  it('converts every entry point with 0 warnings and 0 errors', () => {
    const run = spawnSync(process.execPath, [TYPEDOC, '--emit', 'none', '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).not.toMatch(/\[(warning|error)\]/);
    expect(run.status).toBe(0);
  }, 180_000);
});
