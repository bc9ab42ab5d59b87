/**
 * Vitest setup file: replays fast-check properties from the seed (and path) a failure printed.
 *
 * A failing `fc.assert` prints `{ seed: S, path: "P", endOnFailure: true }` and the shrunk
 * counterexample. Re-run the same test with `CEM_PROPERTY_SEED=S` (and `CEM_PROPERTY_PATH=P` to
 * go straight to the shrunk case), narrowing to that test with `-t`:
 *
 *   CEM_PROPERTY_SEED=-1819042536 CEM_PROPERTY_PATH="42:3:0" npx vitest run test/state/properties.test.ts -t "40 events"
 *
 * Without these variables every run draws a fresh seed, as fast-check does by default.
 */
import fc from 'fast-check';

/** The global fast-check parameters the `CEM_PROPERTY_SEED` / `CEM_PROPERTY_PATH` variables ask for. */
export function propertyReplay(env: Readonly<Record<string, string | undefined>>): fc.GlobalParameters {
  const seedText = env['CEM_PROPERTY_SEED'];
  const path = env['CEM_PROPERTY_PATH'];
  if (seedText === undefined || seedText === '') {
    if (path !== undefined && path !== '') throw new Error('CEM_PROPERTY_PATH needs CEM_PROPERTY_SEED');
    return {};
  }
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`CEM_PROPERTY_SEED must be an integer, got ${JSON.stringify(seedText)}`);
  return path === undefined || path === '' ? { seed } : { seed, path, endOnFailure: true };
}

fc.configureGlobal({ ...fc.readConfigureGlobal(), ...propertyReplay(process.env) });
