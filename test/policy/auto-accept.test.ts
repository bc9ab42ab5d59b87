import { describe, expect, it } from 'vitest';
import { autoAcceptSetting, decideReceivedCertificate, type ReceiptFacts } from '../../src/policy/auto-accept.js';
import { DEFAULT_SETTINGS } from '../../src/state/model.js';

const facts = (overrides: Partial<ReceiptFacts>): ReceiptFacts => ({
  alreadyAccepted: false,
  authenticated: true,
  problemMessages: [],
  settings: DEFAULT_SETTINGS,
  relationship: { autoAccept: 'inherit' },
  ...overrides,
});

describe('auto-accept', () => {
  it.each([
    [false, 'inherit', false, 'system'],
    [true, 'inherit', true, 'system'],
    [true, 'off', false, 'partner'],
    [false, 'on', true, 'partner'],
  ] as const)('system %s, partner %s → enabled %s (from %s)', (system, partner, enabled, source) => {
    expect(autoAcceptSetting({ autoAccept: system }, { autoAccept: partner })).toEqual({ enabled, source });
  });

  it.each<[string, Partial<ReceiptFacts>, string, string]>([
    ['already accepted, auto-accept off', { alreadyAccepted: true }, 'accepted', 'alreadyAccepted'],
    ['already accepted and unsuitable', { alreadyAccepted: true, problemMessages: ['expired'] }, 'accepted', 'alreadyAccepted'],
    ['unauthenticated with auto-accept on', { authenticated: false, relationship: { autoAccept: 'on' } }, 'pending', 'unauthenticated'],
    ['unsuitable, policy reject', { problemMessages: ['key too short', 'expired'], relationship: { autoAccept: 'on' } }, 'rejected', 'unsuitableRejected'],
    ['unsuitable, policy manual', { problemMessages: ['key too short'], settings: { ...DEFAULT_SETTINGS, unsuitable: 'manual' }, relationship: { autoAccept: 'on' } }, 'pending', 'unsuitableManual'],
    ['suitable, auto-accept on', { relationship: { autoAccept: 'on' } }, 'accepted', 'autoAccepted'],
    ['suitable, auto-accept off', {}, 'pending', 'manual'],
  ])('decides %s → %s', (_name, overrides, decision, cause) => {
    expect(decideReceivedCertificate(facts(overrides))).toMatchObject({ decision, cause });
  });

  it('gives the problem messages as the rejection reason', () => {
    expect(decideReceivedCertificate(facts({ problemMessages: ['a', 'b'] })).reason).toBe('a; b');
  });
});
