/**
 * Pure slot operations (src/state/relationship/slots.ts): the behaviours mutation testing found
 * unasserted. Each exported operation with exact results: what becomes active (with its cause,
 * time and `replaced` list), what is archived (reason, time, no duplicates), what stays the same
 * object when nothing changes, and how a displaced successor is handled for every status.
 */
import { describe, expect, it } from 'vitest';
import {
  activateOnly,
  activateSuccessor,
  EMPTY_SLOT,
  initialSlot,
  placeSuccessor,
  removeSuccessor,
  retireOlderThan,
  setSuccessorStatus,
} from '../../src/state/relationship/slots.js';
import type { ActiveCert, ArchivedCert, CertRef, CertSlot, Successor } from '../../src/state/model.js';
import { day, T0 } from './fixtures.js';

const BEFORE = T0.toISOString();
const NOW = day(2);
const AT = NOW.toISOString();

/** A certificate reference whose fingerprint is `fp-<name>`. */
function ref(name: string): CertRef {
  return {
    fingerprint: `fp-${name}`,
    subject: `CN=${name}`,
    issuer: 'CN=CA',
    serial: '1',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
  };
}

const A = ref('a');
const B = ref('b');
const C = ref('c');
const D = ref('d');

const active = (cert: CertRef, cause: ActiveCert['cause'] = 'cem'): ActiveCert => ({ cert, since: BEFORE, cause });
const archived = (cert: CertRef, reason: ArchivedCert['reason'] = 'replaced', archivedAt = BEFORE): ArchivedCert => ({ cert, archivedAt, reason });
const successor = (cert: CertRef, status: Successor['status'], reason: string | null = null): Successor => ({
  cert,
  status,
  since: BEFORE,
  exchangeId: 'x1',
  activateAt: null,
  reason,
});
const slotOf = (act: readonly ActiveCert[], succ: Successor | null = null, archive: readonly ArchivedCert[] = []): CertSlot => ({ active: act, successor: succ, archive });

describe('slots: the initial slot', () => {
  it('no certificate gives the shared empty slot', () => {
    expect(initialSlot(null, NOW)).toBe(EMPTY_SLOT);
    expect(EMPTY_SLOT).toStrictEqual({ active: [], successor: null, archive: [] });
  });

  it('a certificate is the only active one, cause initial, since now', () => {
    expect(initialSlot(A, NOW)).toStrictEqual({ active: [{ cert: A, since: AT, cause: 'initial' }], successor: null, archive: [] });
  });
});

describe('slots: activateOnly', () => {
  it('archives every other active certificate with the reason and lists them', () => {
    const slot = slotOf([active(A), active(B)], null, [archived(D)]);
    const change = activateOnly(slot, C, NOW, 'cem', 'manual');
    expect(change.archived).toStrictEqual([A, B]);
    expect(change.slot).toStrictEqual({
      active: [{ cert: C, since: AT, cause: 'cem' }],
      successor: null,
      archive: [archived(D), archived(A, 'manual', AT), archived(B, 'manual', AT)],
    });
  });

  it('an already active certificate is re-activated and only the others are archived', () => {
    const slot = slotOf([active(A), active(B)]);
    const change = activateOnly(slot, B, NOW, 'schedule', 'replaced');
    expect(change.archived).toStrictEqual([A]);
    expect(change.slot.active).toStrictEqual([{ cert: B, since: AT, cause: 'schedule' }]);
    expect(change.slot.archive).toStrictEqual([archived(A, 'replaced', AT)]);
  });

  it('nothing to archive keeps the archive object', () => {
    const archive = [archived(D)];
    const slot = slotOf([active(A)], null, archive);
    const change = activateOnly(slot, A, NOW, 'manual', 'replaced');
    expect(change.archived).toStrictEqual([]);
    expect(change.slot.archive).toBe(archive);
  });

  it('a successor with the same certificate is consumed, another one stays', () => {
    const same = activateOnly(slotOf([active(A)], successor(B, 'accepted')), B, NOW, 'cem', 'replaced');
    expect(same.slot.successor).toBeNull();
    const other = successor(C, 'pending');
    const kept = activateOnly(slotOf([active(A)], other), B, NOW, 'cem', 'replaced');
    expect(kept.slot.successor).toBe(other);
  });

  it('an archived certificate that becomes active leaves the archive', () => {
    const slot = slotOf([active(A)], null, [archived(D), archived(B, 'rejected'), archived(C)]);
    const change = activateOnly(slot, B, NOW, 'restored', 'rejected');
    expect(change.slot.active).toStrictEqual([{ cert: B, since: AT, cause: 'restored' }]);
    expect(change.slot.archive).toStrictEqual([archived(D), archived(C), archived(A, 'rejected', AT)]);
    const alone = activateOnly(slotOf([active(B)], null, [archived(D), archived(B), archived(C)]), B, NOW, 'manual', 'manual');
    expect(alone.slot.archive).toStrictEqual([archived(D), archived(C)]);
  });

  it('re-archiving a certificate already in the archive replaces its entry', () => {
    const slot = slotOf([active(A), active(B)], null, [archived(B, 'expired'), archived(D)]);
    const change = activateOnly(slot, A, NOW, 'cem', 'replaced');
    expect(change.slot.archive).toStrictEqual([archived(D), archived(B, 'replaced', AT)]);
  });

  it('respondByPassed and firstUsage record what they replaced, other causes do not', () => {
    const slot = slotOf([active(A), active(B)]);
    for (const cause of ['respondByPassed', 'firstUsage'] as const) {
      expect(activateOnly(slot, C, NOW, cause, 'replaced').slot.active).toStrictEqual([{ cert: C, since: AT, cause, replaced: ['fp-a', 'fp-b'] }]);
    }
    expect(activateOnly(slotOf([active(A)]), A, NOW, 'firstUsage', 'replaced').slot.active).toStrictEqual([{ cert: A, since: AT, cause: 'firstUsage', replaced: [] }]);
    for (const cause of ['cem', 'schedule', 'manual', 'restored', 'initial', 'distributed'] as const) {
      expect(activateOnly(slot, C, NOW, cause, 'replaced').slot.active).toStrictEqual([{ cert: C, since: AT, cause }]);
    }
  });
});

describe('slots: activateSuccessor', () => {
  it('without a successor the slot is unchanged and nothing is archived', () => {
    const slot = slotOf([active(A)]);
    const change = activateSuccessor(slot, NOW, 'schedule', 'replaced');
    expect(change.slot).toBe(slot);
    expect(change.archived).toStrictEqual([]);
  });

  it('activates the successor and archives the others', () => {
    const change = activateSuccessor(slotOf([active(A)], successor(B, 'scheduled')), NOW, 'schedule', 'replaced');
    expect(change).toStrictEqual({
      slot: { active: [{ cert: B, since: AT, cause: 'schedule' }], successor: null, archive: [archived(A, 'replaced', AT)] },
      archived: [A],
    });
  });
});

describe('slots: placeSuccessor', () => {
  const next = successor(C, 'pending');

  it('an empty place or the same certificate: the successor is set, nothing else changes', () => {
    const act = [active(A)];
    const archive = [archived(D)];
    const empty = placeSuccessor(slotOf(act, null, archive), next, NOW, true);
    expect(empty.archived).toStrictEqual([]);
    expect(empty.slot.successor).toStrictEqual(next);
    expect(empty.slot.active).toBe(act);
    expect(empty.slot.archive).toBe(archive);
    const same = placeSuccessor(slotOf(act, successor(C, 'accepted'), archive), next, NOW, true);
    expect(same).toStrictEqual({ slot: { active: act, successor: next, archive }, archived: [] });
  });

  it('an accepted successor joins the active certificates first, cause cem', () => {
    const change = placeSuccessor(slotOf([active(A)], successor(B, 'accepted')), next, NOW);
    expect(change).toStrictEqual({
      slot: { active: [{ cert: B, since: AT, cause: 'cem' }, active(A)], successor: next, archive: [] },
      archived: [],
    });
  });

  it('a displaced certificate already active is listed once', () => {
    const change = placeSuccessor(slotOf([active(A), active(B)], successor(B, 'accepted')), next, NOW);
    expect(change.slot.active).toStrictEqual([{ cert: B, since: AT, cause: 'cem' }, active(A)]);
  });

  it('keepDecrypting: every status the partner may already use joins the active ones, cause distributed', () => {
    for (const status of ['pending', 'sendFailed', 'emailed', 'expired', 'scheduled'] as const) {
      const change = placeSuccessor(slotOf([active(A)], successor(B, status), [archived(D)]), next, NOW, true);
      expect(change, status).toStrictEqual({
        slot: { active: [{ cert: B, since: AT, cause: 'distributed' }, active(A)], successor: next, archive: [archived(D)] },
        archived: [],
      });
    }
  });

  it('keepDecrypting: a rejected successor is dropped', () => {
    const change = placeSuccessor(slotOf([active(A)], successor(B, 'rejected'), [archived(D)]), next, NOW, true);
    expect(change).toStrictEqual({ slot: { active: [active(A)], successor: next, archive: [archived(D)] }, archived: [] });
  });

  it('without keepDecrypting: scheduled, emailed and expired ones are archived as replaced', () => {
    for (const status of ['scheduled', 'emailed', 'expired'] as const) {
      const change = placeSuccessor(slotOf([active(A)], successor(B, status), [archived(D)]), next, NOW, false);
      expect(change, status).toStrictEqual({
        slot: { active: [active(A)], successor: next, archive: [archived(D), archived(B, 'replaced', AT)] },
        archived: [B],
      });
    }
  });

  it('without keepDecrypting: pending, sendFailed and rejected ones are dropped (the default)', () => {
    for (const status of ['pending', 'sendFailed', 'rejected'] as const) {
      const change = placeSuccessor(slotOf([active(A)], successor(B, status), [archived(D)]), next, NOW);
      expect(change, status).toStrictEqual({ slot: { active: [active(A)], successor: next, archive: [archived(D)] }, archived: [] });
    }
  });
});

describe('slots: setSuccessorStatus', () => {
  it('no successor, another certificate, or nothing new: the same slot', () => {
    const empty = slotOf([active(A)]);
    expect(setSuccessorStatus(empty, 'fp-b', 'rejected', NOW)).toBe(empty);
    const slot = slotOf([active(A)], successor(B, 'pending', 'why'));
    expect(setSuccessorStatus(slot, 'fp-c', 'rejected', NOW, 'x')).toBe(slot);
    expect(setSuccessorStatus(slot, 'fp-b', 'pending', NOW, 'why')).toBe(slot);
    const plain = slotOf([active(A)], successor(B, 'pending'));
    expect(setSuccessorStatus(plain, 'fp-b', 'pending', NOW)).toBe(plain);
  });

  it('a new status or a new reason is recorded, since now', () => {
    const slot = slotOf([active(A)], successor(B, 'pending', 'why'), [archived(D)]);
    expect(setSuccessorStatus(slot, 'fp-b', 'rejected', NOW, 'why')).toStrictEqual({
      active: [active(A)],
      successor: { ...successor(B, 'rejected', 'why'), since: AT },
      archive: [archived(D)],
    });
    expect(setSuccessorStatus(slot, 'fp-b', 'pending', NOW, 'other').successor).toStrictEqual({ ...successor(B, 'pending', 'other'), since: AT });
    expect(setSuccessorStatus(slot, 'fp-b', 'pending', NOW).successor).toStrictEqual({ ...successor(B, 'pending', null), since: AT });
  });
});

describe('slots: removeSuccessor', () => {
  it('no successor: the same slot, nothing archived', () => {
    const slot = slotOf([active(A)]);
    const change = removeSuccessor(slot, NOW, 'cancelled');
    expect(change.slot).toBe(slot);
    expect(change.archived).toStrictEqual([]);
  });

  it('without a reason the successor is dropped, not archived', () => {
    const archive = [archived(D)];
    const change = removeSuccessor(slotOf([active(A)], successor(B, 'scheduled'), archive), NOW, null);
    expect(change).toStrictEqual({ slot: { active: [active(A)], successor: null, archive }, archived: [] });
    expect(change.slot.archive).toBe(archive);
  });

  it('with a reason the successor is archived with it', () => {
    const change = removeSuccessor(slotOf([active(A)], successor(B, 'scheduled'), [archived(D)]), NOW, 'cancelled');
    expect(change).toStrictEqual({
      slot: { active: [active(A)], successor: null, archive: [archived(D), archived(B, 'cancelled', AT)] },
      archived: [B],
    });
  });
});

describe('slots: retireOlderThan', () => {
  it('an unknown or the oldest certificate: the same slot, nothing archived', () => {
    const slot = slotOf([active(A), active(B)]);
    for (const fp of ['fp-x', 'fp-b']) {
      const change = retireOlderThan(slot, fp, NOW);
      expect(change.slot, fp).toBe(slot);
      expect(change.archived, fp).toStrictEqual([]);
    }
    const distributed = slotOf([active(A), active(B, 'distributed')]);
    expect(retireOlderThan(distributed, 'fp-b', NOW).slot).toBe(distributed);
  });

  it('the newest: every older one is archived for first usage', () => {
    const first = active(A);
    const change = retireOlderThan(slotOf([first, active(B), active(C)], successor(D, 'pending'), [archived(D, 'manual')]), 'fp-a', NOW);
    expect(change.archived).toStrictEqual([B, C]);
    expect(change.slot).toStrictEqual({
      active: [first],
      successor: successor(D, 'pending'),
      archive: [archived(D, 'manual'), archived(B, 'firstUsage', AT), archived(C, 'firstUsage', AT)],
    });
    expect(change.slot.active[0]).toBe(first);
  });

  it('one in the middle keeps the newer ones and retires the older ones', () => {
    const change = retireOlderThan(slotOf([active(A), active(B), active(C)]), 'fp-b', NOW);
    expect(change.archived).toStrictEqual([C]);
    expect(change.slot.active).toStrictEqual([active(A), active(B)]);
    expect(change.slot.archive).toStrictEqual([archived(C, 'firstUsage', AT)]);
  });

  it('a distributed certificate used becomes a first-usage activation naming what it retired', () => {
    const change = retireOlderThan(slotOf([active(A), active(B, 'distributed'), active(C), active(D)]), 'fp-b', NOW);
    expect(change.archived).toStrictEqual([C, D]);
    expect(change.slot.active).toStrictEqual([active(A), { cert: B, since: AT, cause: 'firstUsage', replaced: ['fp-c', 'fp-d'] }]);
    const newest = retireOlderThan(slotOf([active(A, 'distributed'), active(B)]), 'fp-a', NOW);
    expect(newest.slot.active).toStrictEqual([{ cert: A, since: AT, cause: 'firstUsage', replaced: ['fp-b'] }]);
  });
});
