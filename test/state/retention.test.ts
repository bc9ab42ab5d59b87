import { describe, expect, it } from 'vitest';
import { alertDay } from '../../src/policy/deadlines.js';
import { dropFinishedExchanges, referencedExchanges } from '../../src/state/retention.js';
import { DEFAULT_SETTINGS, type CemState } from '../../src/state/model.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { day, effectsOf, establishedState, ignoredReason, local, makeCert, requestEvent, responseEvent, cemResponse, run, T0, type Pki } from './fixtures.js';
import { answer, send, sendDelivered } from './scenarios.js';

/** A state with one exchange of interest: its id, whether it is outbound, and the day it last changed. */
interface Built {
  readonly state: CemState;
  readonly pki: Pki;
  readonly id: string;
  readonly side: 'outbound' | 'inbound';
  readonly lastDay: number;
}

const tick = (state: CemState, at: number): CemState => transition(state, { type: 'tick' }, day(at)).state;
const present = (b: Built, state: CemState): boolean => (b.side === 'outbound' ? state.outbound : state.inbound)[b.id] !== undefined;

/** Our new signing certificate only (our encryption certificate stays): accepted means active at once. */
function signingOnly(pki: Pki) {
  const next = makeCert({ label: 'us-sign-next' });
  return { next, selection: { signing: local(next), encryption: local(pki.localEncryption) } };
}

/** The partner's new encryption certificate of the inbound scenarios. */
const partnerEncryption = makeCert({ label: 'partner-enc-next' });

const scenarios: Record<string, (settings?: { retainFinishedDays?: number }) => Built> = {
  'outbound accepted, nothing refers to it': (settings = {}) => {
    const { state, pki } = establishedState(settings);
    const { next, selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(3));
    return { state: answered.state, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 3 };
  },
  'outbound accepted, our encryption certificate waits for first usage': () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, { signing: local(next) });
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(3));
    expect(answered.state.relationships['acme']?.local.encryption.successor?.status).toBe('accepted');
    return { state: answered.state, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 3 };
  },
  'outbound rejected, its certificate still rejected in the slot': () => {
    const { state, pki } = establishedState();
    const { next, selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(3));
    return { state: answered.state, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 3 };
  },
  'outbound rejected, its certificate replaced by a newer Request': () => {
    const { state, pki } = establishedState();
    const { next, selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'no' }], pki.partnerSigning, day(3));
    const replaced = sendDelivered(answered.state, { signing: local(makeCert()), encryption: local(pki.localEncryption) }, day(5));
    return { state: replaced.state, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 3 };
  },
  'outbound closed by set as active': () => {
    const { state, pki } = establishedState();
    const { selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const closed = transition(sent.state, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(2)).state;
    expect(closed.outbound[sent.ids.requestId]?.status).toBe('closed');
    return { state: closed, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 2 };
  },
  'outbound superseded by a resend': () => {
    const { state, pki } = establishedState();
    const { selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const expired = tick(sent.state, 31);
    const resent = transition(expired, { type: 'resend', requestId: sent.ids.requestId, ids: { requestId: 'again', xmlContentId: 'x@us', contentIds: ['c1@us'] } }, day(32)).state;
    expect(resent.outbound[sent.ids.requestId]?.status).toBe('superseded');
    return { state: resent, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 32 };
  },
  'outbound expired, never answered': () => {
    const { state, pki } = establishedState();
    const sent = sendDelivered(state, signingOnly(pki).selection);
    return { state: tick(sent.state, 31), pki, id: sent.ids.requestId, side: 'outbound', lastDay: 31 };
  },
  'outbound sendFailed': () => {
    const { state, pki } = establishedState();
    const sent = send(state, signingOnly(pki).selection);
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    return { state: failed, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 0 };
  },
  'outbound emailed, waiting for set as active': () => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const sent = send(state, signingOnly(pki).selection);
    return { state: sent.state, pki, id: sent.ids.requestId, side: 'outbound', lastDay: 0 };
  },
  'inbound answered, encryption replaced at once': (settings = {}) => {
    const { state, pki } = establishedState({ autoAccept: true, ...settings });
    const received = run(state, [
      [requestEvent('r1', [{ cert: partnerEncryption, usages: ['keyEncipherment'] }], pki.partnerSigning), T0],
      [{ type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)],
    ]).state;
    expect(received.inbound['acme/r1']?.status).toBe('answered');
    return { state: received, pki, id: 'acme/r1', side: 'inbound', lastDay: 1 };
  },
  'inbound answered, partner signing waits for first usage': () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const received = run(state, [
      [requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0],
      [{ type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)],
    ]).state;
    return { state: received, pki, id: 'acme/r1', side: 'inbound', lastDay: 1 };
  },
  'inbound superseded by a newer Request': () => {
    const { state, pki } = establishedState();
    const received = run(state, [
      [requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'], respondBy: day(500) }], pki.partnerSigning), T0],
      [requestEvent('r2', [{ cert: makeCert(), usages: ['keyEncipherment'], respondBy: day(500) }], pki.partnerSigning), day(2)],
    ]).state;
    expect(received.inbound['acme/r1']?.status).toBe('superseded');
    return { state: received, pki, id: 'acme/r1', side: 'inbound', lastDay: 2 };
  },
  'inbound awaiting a decision': () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    return { state: received, pki, id: 'acme/r1', side: 'inbound', lastDay: 0 };
  },
  'inbound Response failed': () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const received = run(state, [
      [requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0],
      [{ type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1)],
    ]).state;
    return { state: received, pki, id: 'acme/r1', side: 'inbound', lastDay: 1 };
  },
};

describe('the retainFinishedDays setting', () => {
  it('defaults to 400 days', () => {
    expect(DEFAULT_SETTINGS.retainFinishedDays).toBe(400);
    expect(createInitialState().settings.retainFinishedDays).toBe(400);
  });

  it.each([1, 30, 36500])('accepts %j', (days) => {
    expect(createInitialState({ retainFinishedDays: days }).settings.retainFinishedDays).toBe(days);
    const changed = transition(createInitialState(), { type: 'settingsChanged', settings: { retainFinishedDays: days } }, T0);
    expect(changed.state.settings.retainFinishedDays).toBe(days);
  });

  it.each([0, 0.5, -1, 36501, Number.NaN, Number.POSITIVE_INFINITY, '400', null])('refuses %j (CEM_ARGUMENT at creation, invalidEvent as a change)', (days) => {
    expect(() => createInitialState({ retainFinishedDays: days } as never)).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
    const state = createInitialState();
    const changed = transition(state, { type: 'settingsChanged', settings: { retainFinishedDays: days } } as never, T0);
    expect(ignoredReason(changed.effects)).toBe('invalidEvent');
    expect(changed.state).toBe(state);
  });
});

describe('retention of finished exchanges (retainFinishedDays, default 400)', () => {
  // [scenario, dropped 400 days after its last change?]
  const table: readonly [string, boolean][] = [
    ['outbound accepted, nothing refers to it', true],
    ['outbound accepted, our encryption certificate waits for first usage', false],
    ['outbound rejected, its certificate still rejected in the slot', false],
    ['outbound rejected, its certificate replaced by a newer Request', true],
    ['outbound closed by set as active', true],
    ['outbound superseded by a resend', true],
    ['outbound expired, never answered', false],
    ['outbound sendFailed', false],
    ['outbound emailed, waiting for set as active', false],
    ['inbound answered, encryption replaced at once', true],
    ['inbound answered, partner signing waits for first usage', false],
    ['inbound superseded by a newer Request', true],
    ['inbound awaiting a decision', false],
    ['inbound Response failed', false],
  ];

  it.each(table)('%s: dropped on day +400 → %s', (name, dropped) => {
    const built = scenarios[name]!();
    expect(present(built, built.state)).toBe(true);
    const before = tick(built.state, built.lastDay + 399.99);
    expect(present(built, before), 'kept until the retention has passed').toBe(true);
    const at = tick(before, built.lastDay + 400);
    expect(present(built, at)).toBe(!dropped);
    const muchLater = tick(at, built.lastDay + 2000);
    expect(present(built, muchLater)).toBe(!dropped);
  });

  it('stamps finishedAt when an exchange finishes and uses it as the start of the retention', () => {
    const built = scenarios['outbound accepted, nothing refers to it']!();
    expect(built.state.outbound[built.id]?.finishedAt).toBe(day(built.lastDay).toISOString());
    const open = scenarios['outbound expired, never answered']!();
    expect(open.state.outbound[open.id]?.finishedAt).toBeUndefined();
  });

  it('honours a shorter retainFinishedDays', () => {
    const built = scenarios['outbound accepted, nothing refers to it']!({ retainFinishedDays: 30 });
    expect(present(built, tick(built.state, built.lastDay + 29.9))).toBe(true);
    expect(present(built, tick(built.state, built.lastDay + 30))).toBe(false);
  });

  it('drops an exchange that was waited on once nothing refers to it any more (first usage long after)', () => {
    const built = scenarios['inbound answered, partner signing waits for first usage']!();
    const successor = built.state.relationships['acme']?.partner.signing.successor;
    expect(successor?.exchangeId).toBe(built.id);
    const waited = tick(built.state, 600);
    expect(present(built, waited)).toBe(true);
    const used = transition(waited, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: successor!.cert.fingerprint }, day(601)).state;
    expect(present(built, used)).toBe(true);
    expect(present(built, tick(used, 601.01))).toBe(false);
  });

  it('restarts the retention of an answered Request that is sent again, and clears finishedAt while it is open', () => {
    const built = scenarios['inbound answered, encryption replaced at once']!();
    const again = transition(built.state, requestEvent('r1', [{ cert: partnerEncryption, usages: ['keyEncipherment'] }], built.pki.partnerSigning, { messageId: 'msg-again' }), day(300)).state;
    expect(again.inbound[built.id]?.finishedAt).toBe(day(300).toISOString());
    const failed = transition(again, { type: 'responseFailed', exchangeKey: built.id, error: 'HTTP 500' }, day(301)).state;
    expect(failed.inbound[built.id]?.status).toBe('responseFailed');
    expect(failed.inbound[built.id]).not.toHaveProperty('finishedAt');
    expect(present(built, tick(failed, 1000))).toBe(true);
    const delivered = run(failed, [[{ type: 'retry', exchangeId: built.id }, day(302)], [{ type: 'responseDelivered', exchangeKey: built.id }, day(302)]]).state;
    expect(delivered.inbound[built.id]?.finishedAt).toBe(day(302).toISOString());
    expect(present(built, tick(delivered, 701.99))).toBe(true);
    expect(present(built, tick(delivered, 702))).toBe(false);
  });

  it('falls back to the newest instant of an exchange stored without finishedAt', () => {
    const built = scenarios['outbound accepted, nothing refers to it']!();
    const { finishedAt: _stamp, ...legacy } = built.state.outbound[built.id]!;
    const state: CemState = { ...built.state, outbound: { ...built.state.outbound, [built.id]: legacy } };
    // The newest instant it holds is the answer (respondedAt, day 3).
    expect(present(built, tick(state, 402.99))).toBe(true);
    expect(present(built, tick(state, 403))).toBe(false);
  });

  it('ignores a late Response to a dropped Request as an unknown requestId, without an alert', () => {
    const { state, pki } = establishedState();
    const { next, selection } = signingOnly(pki);
    const sent = sendDelivered(state, selection);
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(3)).state;
    const dropped = tick(answered, 403);
    expect(dropped.outbound[sent.ids.requestId]).toBeUndefined();
    const late = transition(dropped, responseEvent(cemResponse(sent.ids.requestId, 'ACME', [{ cert: next, status: 'Rejected' }]), pki.partnerSigning), day(404));
    expect(ignoredReason(late.effects)).toBe('unknownExchange');
    expect(effectsOf(late.effects, 'notify')).toEqual([]);
    expect(late.state).toBe(dropped);
  });

  it('decides a dropped Request received again as a new one (its certificate is in use: Accepted)', () => {
    const built = scenarios['inbound answered, encryption replaced at once']!();
    const dropped = tick(built.state, 401);
    expect(present(built, dropped)).toBe(false);
    const again = transition(dropped, requestEvent('r1', [{ cert: partnerEncryption, usages: ['keyEncipherment'] }], built.pki.partnerSigning, { messageId: 'msg-much-later' }), day(402));
    expect(ignoredReason(again.effects)).toBeUndefined();
    expect(again.state.inbound[built.id]?.receivedAt).toBe(day(402).toISOString());
    expect(effectsOf(again.effects, 'sendResponse').flatMap((r) => r.items.map((i) => i.status))).toEqual(['Accepted']);
  });

  it('never drops relationships, slots, archives or server certificates, and no relationship status changes', () => {
    const built = scenarios['outbound rejected, its certificate replaced by a newer Request']!();
    const later = tick(built.state, 399);
    const pruned = dropFinishedExchanges(later, day(2000));
    expect(pruned.outbound[built.id]).toBeUndefined();
    expect(pruned.relationships).toBe(later.relationships);
    expect(pruned.servers).toBe(later.servers);
    expect(relationshipStatus(pruned, 'acme')).toEqual(relationshipStatus(later, 'acme'));
    expect(certificateStatuses(pruned, 'acme')).toEqual(certificateStatuses(later, 'acme'));
    for (const id of referencedExchanges(later)) {
      expect(pruned.outbound[id] ?? pruned.inbound[id]).toBe(later.outbound[id] ?? later.inbound[id]);
    }
  });

  it('returns the same state when nothing is due', () => {
    const state = createInitialState();
    expect(dropFinishedExchanges(state, day(5000))).toBe(state);
    const built = scenarios['outbound accepted, nothing refers to it']!();
    expect(dropFinishedExchanges(built.state, day(10))).toBe(built.state);
  });

  it('keeps the alert log to today\'s entries over a year of daily alerts', () => {
    const { state, pki } = establishedState({ expiryWarningDays: 3650 });
    const sent = sendDelivered(state, signingOnly(pki).selection);
    let current = sent.state;
    for (let d = 1; d <= 365; d++) {
      const result = transition(current, { type: 'tick' }, day(d));
      current = result.state;
      if (d > 31) expect(effectsOf(result.effects, 'notify').some((n) => n.alert.kind === 'requestOverdue')).toBe(true);
      const today = alertDay(day(d), current.settings.alertDayOffsetMinutes);
      expect(Object.values(current.alertLog).every((v) => v === today)).toBe(true);
    }
    expect(Object.keys(current.alertLog).length).toBeLessThanOrEqual(12);
  });
});
