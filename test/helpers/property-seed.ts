/**
 * Vitest setup file: replays fast-check properties from the seed a failure printed.
 *
 * A failing `fc.assert` prints `Property failed after N tests { seed: S, path: "P", ... }` and the
 * shrunk counterexample. Generation and shrinking are deterministic for a seed, so re-running the
 * same test with `CEM_PROPERTY_SEED=S` (and the same `CEM_PROPERTY_RUNS`, if it was set) fails
 * again on the same case and shrinks it to the same counterexample; narrow to the test with `-t`:
 *
 *   CEM_PROPERTY_SEED=-1819042536 npx vitest run test/state/properties.test.ts -t "40 events"
 *
 * Without the variable every run draws a fresh seed, as fast-check does by default.
 */
import fc from 'fast-check';

/** The global fast-check parameters `CEM_PROPERTY_SEED` asks for (none when it is unset). */
export function propertyReplay(env: Readonly<Record<string, string | undefined>>): fc.GlobalParameters {
  const seedText = env['CEM_PROPERTY_SEED'];
  if (seedText === undefined || seedText === '') return {};
  const seed = Number(seedText);
  if (!/^-?\d+$/.test(seedText.trim()) || !Number.isSafeInteger(seed)) {
    throw new Error(`CEM_PROPERTY_SEED must be an integer, got ${JSON.stringify(seedText)}`);
  }
  return { seed };
}

fc.configureGlobal({ ...fc.readConfigureGlobal(), ...propertyReplay(process.env) });
