import { describe, expect, it } from 'vitest';
import type { AlertKind, CemEffect } from '../../src/state/effects.js';
import type { CemState } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { day, effectsOf, establishedState, local, makeCert, makePki, relationshipInit, requestEvent, run, T0 } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

type Scenario = () => { before: CemState; effects: readonly CemEffect[]; repeat: (at: Date) => readonly CemEffect[] };

const noRepeat = (): readonly CemEffect[] => [];

const scenarios: Record<string, Scenario> = {
  requestReceived: () => {
    const { state, pki } = establishedState();
    return { before: state, effects: transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0).effects, repeat: noRepeat };
  },
  requestAutoAccepted: () => {
    const { state, pki } = establishedState({ autoAccept: true });
    return { before: state, effects: transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0).effects, repeat: noRepeat };
  },
  responseReceived: () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    return { before: sent.state, effects: answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).effects, repeat: noRepeat };
  },
  requestOverdue: () => {
    const { state } = establishedState({ maxResponseDays: 2 });
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const expired = transition(sent.state, { type: 'tick' }, day(2.5));
    return { before: sent.state, effects: expired.effects, repeat: (at) => transition(expired.state, { type: 'tick' }, at).effects };
  },
  responseOverdue: () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'], respondBy: day(1) }], pki.partnerSigning), T0).state;
    const ticked = transition(received, { type: 'tick' }, day(2));
    return { before: received, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  requestAwaitingAnswer: () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'], respondBy: day(10) }], pki.partnerSigning), T0).state;
    const ticked = transition(received, { type: 'tick' }, day(2));
    return { before: received, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  serverCertificatePending: () => {
    const a = makePki();
    const { state } = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
    ]);
    const sent = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(makeCert()) });
    const ticked = transition(sent.state, { type: 'tick' }, day(1));
    return { before: sent.state, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  serverCertificateRejected: () => {
    const { state, pki } = establishedState();
    const server = makeCert();
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsServer: local(server) });
    return { before: sent.state, effects: answer(sent.state, sent.ids.requestId, [{ cert: server, status: 'Rejected' }], pki.partnerSigning, day(1)).effects, repeat: noRepeat };
  },
  serverCertificateConflict: () => {
    // Partners of one listener that accepted two different certificates (e.g. data from before a
    // manual change of the listener's certificate).
    const { state } = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki()) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
    ]);
    const readiness = (fingerprint: string) => ({ fingerprint, status: 'accepted' as const, exchangeId: null, activateAt: null, reason: null });
    const acme = state.relationships['acme'];
    const bolt = state.relationships['bolt'];
    if (acme === undefined || bolt === undefined) throw new Error('setup');
    const conflicting: CemState = { ...state, relationships: { acme: { ...acme, serverReadiness: readiness('aa') }, bolt: { ...bolt, serverReadiness: readiness('bb') } } };
    const ticked = transition(conflicting, { type: 'tick' }, day(1));
    return { before: conflicting, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  scheduledActivated: () => {
    const { state } = establishedState();
    const scheduled = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: makeCert(), activateAt: day(1) }, T0).state;
    return { before: scheduled, effects: transition(scheduled, { type: 'tick' }, day(1)).effects, repeat: noRepeat };
  },
  certificateExpiring: () => {
    const { state } = establishedState({ expiryWarningDays: 30 }, { partner: { signing: makeCert({ notAfter: day(20) }) } });
    const ticked = transition(state, { type: 'tick' }, day(1));
    return { before: state, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  retryNeeded: () => {
    const { state } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    const ticked = transition(failed, { type: 'tick' }, day(1));
    return { before: failed, effects: ticked.effects, repeat: (at) => transition(ticked.state, { type: 'tick' }, at).effects };
  },
  messageRefused: () => {
    const { state } = establishedState();
    return { before: state, effects: transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], makeCert()), T0).effects, repeat: noRepeat };
  },
};

const kindsOf = (effects: readonly CemEffect[]): AlertKind[] => effectsOf(effects, 'notify').map((n) => n.alert.kind);

describe('Alerts: every CEM alert is an effect with a stable kind and a de-duplication key', () => {
  it.each(Object.keys(scenarios))('Alerts: %s', (kind) => {
    const scenario = scenarios[kind];
    if (scenario === undefined) throw new Error(kind);
    const { effects } = scenario();
    const alerts = effectsOf(effects, 'notify').filter((n) => n.alert.kind === kind);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]?.alert;
    expect(alert?.dedupeKey.startsWith(`${kind}:`)).toBe(true);
    expect(alert?.message.length).toBeGreaterThan(10);
    expect(['info', 'warning', 'critical']).toContain(alert?.severity);
    expect(JSON.parse(JSON.stringify(alert))).toEqual(alert);
  });

  it.each(['requestOverdue', 'responseOverdue', 'requestAwaitingAnswer', 'serverCertificatePending', 'serverCertificateConflict', 'certificateExpiring', 'retryNeeded'])('Alerts: %s fires once per day', (kind) => {
    const scenario = scenarios[kind];
    if (scenario === undefined) throw new Error(kind);
    const { effects, repeat } = scenario();
    const first = effectsOf(effects, 'notify').find((n) => n.alert.kind === kind)?.alert;
    const sameDayKinds = kindsOf(repeat(new Date(Date.parse(first?.details['day'] as string) + 23 * 3_600_000)));
    expect(sameDayKinds).not.toContain(kind);
    const nextDay = effectsOf(repeat(day(3)), 'notify').find((n) => n.alert.kind === kind)?.alert;
    expect(nextDay?.dedupeKey).not.toBe(first?.dedupeKey);
    expect(nextDay?.dedupeKey.replace(/@.*$/, '')).toBe(first?.dedupeKey.replace(/@.*$/, ''));
  });

  it('counts days in the configured UTC offset', () => {
    const { state } = establishedState({ expiryWarningDays: 30, alertDayOffsetMinutes: -300 }, { partner: { signing: makeCert({ notAfter: day(20) }) } });
    const evening = transition(state, { type: 'tick' }, new Date('2026-03-03T03:00:00Z'));
    const laterThatNight = transition(evening.state, { type: 'tick' }, new Date('2026-03-03T04:30:00Z'));
    const nextMorning = transition(laterThatNight.state, { type: 'tick' }, new Date('2026-03-03T05:30:00Z'));
    expect(kindsOf(evening.effects)).toEqual(['certificateExpiring']);
    expect(kindsOf(laterThatNight.effects)).toEqual([]);
    expect(kindsOf(nextMorning.effects)).toEqual(['certificateExpiring']);
  });
});
