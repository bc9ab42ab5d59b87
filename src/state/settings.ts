/**
 * Validation of {@link CemSettings} changes.
 *
 * @module
 */
import type { CemSettings } from './model.js';
import { isRecord } from './validate.js';

type Check = (value: unknown) => boolean;

const isBool: Check = (v) => typeof v === 'boolean';
const isNonNegative: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

const CHECKS: { readonly [K in keyof CemSettings]: Check } = {
  autoAccept: isBool,
  maxResponseDays: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 3650,
  useAfterRespondBy: isBool,
  expiryWarningDays: (v) => isNonNegative(v) && (v as number) <= 3650,
  unsuitable: (v) => v === 'reject' || v === 'manual',
  minRsaBits: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65536,
  alertDayOffsetMinutes: (v) => Number.isInteger(v) && Math.abs(v as number) <= 18 * 60,
  retainFinishedDays: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1 && v <= 36500,
};

/**
 * Why a settings change is invalid, or `null` when every given field is known and valid.
 * `maxResponseDays` is in (0, 3650]; `expiryWarningDays` in [0, 3650]; `minRsaBits` an integer
 * in [0, 65536]; `alertDayOffsetMinutes` an integer within ±18 hours; `retainFinishedDays` in
 * [1, 36500].
 *
 * @example
 * ```ts
 * settingsProblem({ maxResponseDays: 0 }) // 'maxResponseDays is invalid'
 * ```
 * @throws never.
 */
export function settingsProblem(changes: unknown): string | null {
  if (!isRecord(changes)) return 'settings must be an object';
  for (const [key, value] of Object.entries(changes)) {
    if (!Object.hasOwn(CHECKS, key)) return `unknown setting ${key}`;
    if (value === undefined) continue;
    if (!CHECKS[key as keyof CemSettings](value)) return `${key} is invalid`;
  }
  return null;
}

/**
 * The settings with the defined fields of `changes` applied (`undefined` fields are skipped).
 *
 * @example
 * ```ts
 * mergeSettings(DEFAULT_SETTINGS, { autoAccept: true }).autoAccept // true
 * ```
 * @throws never (validate with {@link settingsProblem} first).
 */
export function mergeSettings(base: CemSettings, changes: Partial<CemSettings>): CemSettings {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...base, ...defined });
}
