/**
 * Settings validation (`src/state/settings.ts`): the exact problem for each setting at and just
 * beyond its bounds, through `settingsChanged` and `createInitialState`, and the merge.
 */
import { describe, expect, it } from 'vitest';
import { CemArgumentError } from '../../src/errors.js';
import { DEFAULT_SETTINGS, type CemSettings } from '../../src/state/model.js';
import { mergeSettings, settingsProblem } from '../../src/state/settings.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { expectIgnored } from './assertions.js';
import { T0 } from './fixtures.js';

type Cases = readonly (readonly [keyof CemSettings, readonly unknown[], readonly unknown[]])[];

/** Per setting: values accepted (bounds included), values refused (just beyond, wrong type). */
const CASES: Cases = [
  ['autoAccept', [true, false], ['true', 1, null]],
  ['maxResponseDays', [0.001, 1, 30, 3650], [0, -1, 3650.001, Number.NaN, Number.POSITIVE_INFINITY, '5', null]],
  ['useAfterRespondBy', [true, false], ['false', 0, null]],
  ['expiryWarningDays', [0, 0.5, 3650], [-0.001, 3650.001, Number.NaN, Number.POSITIVE_INFINITY, '1', null]],
  ['unsuitable', ['reject', 'manual'], ['Reject', '', 'ignore', null]],
  ['minRsaBits', [0, 2048, 65536], [-1, 65537, 2048.5, '2048', Number.NaN, null]],
  ['alertDayOffsetMinutes', [-1080, 0, 60, 1080], [-1081, 1081, 0.5, '0', Number.NaN, null]],
  ['retainFinishedDays', [1, 1.5, 400, 36500], [0.999, 0, 36500.001, Number.NaN, Number.POSITIVE_INFINITY, '400', null]],
];

describe('settings: settingsProblem', () => {
  it.each(CASES)('settings: %s accepts its range and refuses the rest', (key, good, bad) => {
    for (const value of good) expect(settingsProblem({ [key]: value }), `${key} = ${String(value)}`).toBeNull();
    for (const value of bad) expect(settingsProblem({ [key]: value }), `${key} = ${String(value)}`).toBe(`${key} is invalid`);
  });

  it('needs an object, and refuses an unknown or inherited name', () => {
    expect(settingsProblem(null)).toBe('settings must be an object');
    expect(settingsProblem([])).toBe('settings must be an object');
    expect(settingsProblem('autoAccept')).toBe('settings must be an object');
    expect(settingsProblem({})).toBeNull();
    expect(settingsProblem({ autoaccept: true })).toBe('unknown setting autoaccept');
    expect(settingsProblem({ toString: 'x' })).toBe('unknown setting toString');
    expect(settingsProblem(JSON.parse('{"constructor": 1}'))).toBe('unknown setting constructor');
  });

  it('skips undefined fields and reports the first problem in field order', () => {
    expect(settingsProblem({ autoAccept: undefined, maxResponseDays: undefined })).toBeNull();
    expect(settingsProblem({ maxResponseDays: undefined, minRsaBits: 1 })).toBeNull();
    expect(settingsProblem({ minRsaBits: -1, maxResponseDays: 0 })).toBe('minRsaBits is invalid');
    expect(settingsProblem({ autoAccept: true, nope: 1, maxResponseDays: 0 })).toBe('unknown setting nope');
    expect(settingsProblem({ autoAccept: true, maxResponseDays: 0, nope: 1 })).toBe('maxResponseDays is invalid');
  });
});

describe('settings: mergeSettings, createInitialState and settingsChanged', () => {
  it('applies the defined fields only, frozen, leaving the base as it was', () => {
    const merged = mergeSettings(DEFAULT_SETTINGS, { autoAccept: true, maxResponseDays: undefined, minRsaBits: 3072 });
    expect(merged).toEqual({ ...DEFAULT_SETTINGS, autoAccept: true, minRsaBits: 3072 });
    expect(Object.keys(merged)).toEqual(Object.keys(DEFAULT_SETTINGS));
    expect(Object.isFrozen(merged)).toBe(true);
    expect(DEFAULT_SETTINGS.autoAccept).toBe(false);
    expect(mergeSettings(DEFAULT_SETTINGS, {})).toEqual(DEFAULT_SETTINGS);
  });

  it('createInitialState takes valid settings and throws CEM_ARGUMENT with the problem', () => {
    expect(createInitialState({ maxResponseDays: 14, expiryWarningDays: undefined }).settings).toEqual({ ...DEFAULT_SETTINGS, maxResponseDays: 14 });
    expect(() => createInitialState({ maxResponseDays: 0 })).toThrow(CemArgumentError);
    expect(() => createInitialState({ maxResponseDays: 0 })).toThrow('maxResponseDays is invalid');
    expect(() => createInitialState({ nope: 1 } as Partial<CemSettings>)).toThrow('unknown setting nope');
  });

  it('settingsChanged applies valid changes and refuses an invalid one with its problem', () => {
    const before = createInitialState({ maxResponseDays: 14 });
    const changed = transition(before, { type: 'settingsChanged', settings: { autoAccept: true, maxResponseDays: undefined } }, T0);
    expect(changed.effects).toEqual([]);
    expect(changed.state.settings).toEqual({ ...DEFAULT_SETTINGS, maxResponseDays: 14, autoAccept: true });
    expectIgnored(transition(before, { type: 'settingsChanged', settings: { retainFinishedDays: 0 } }, T0), before, 'invalidEvent', 'retainFinishedDays is invalid');
    expectIgnored(transition(before, { type: 'settingsChanged', settings: null as unknown as Partial<CemSettings> }, T0), before, 'invalidEvent', 'settings must be an object');
  });
});
