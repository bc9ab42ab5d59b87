/**
 * What a `tick` does (src/state/tick.ts, src/state/tick-alerts.ts), driven through `transition`:
 * expiry of our Requests and what activates with it, scheduled activations, the alert log and
 * the daily alerts. Effect lists and alert details are compared exactly, so a junk extra effect
 * or a wrong field is noticed.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEffect, CemEvent, CemState } from '../../src/state/index.js';
import { claimTodaysRetryReminder } from '../../src/state/tick-alerts.js';
import { day, establishedState, local, makeCert, requestEvent, T0 } from './fixtures.js';
import { answer, send, sendDelivered } from './scenarios.js';
import { shape } from './assertions.js';

function alertAt(effects: readonly CemEffect[], index: number) {
  const effect = effects[index];
  if (effect?.type !== 'notify') throw new Error(`effect ${index} is not a notification`);
  return effect.alert;
}

function scheduleLocal(cert: ReturnType<typeof makeCert>, usage: 'signing' | 'tlsClient', activateAt: Date): CemEvent {
  return { type: 'schedule', relationshipId: 'acme', side: 'local', usage, certificate: local(cert), activateAt, emailPartner: false };
}

describe('tick: expiry of our Requests', () => {
  it('activates (useAfterRespondBy) only the successors of the Request that expired, not an expired one of an earlier undelivered Request', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5, useAfterRespondBy: true });
    const firstSign = makeCert({ label: 'us-sign-next' });
    const firstTls = makeCert({ label: 'us-tls-next' });
    const sign = makeCert({ label: 'us-sign-later' });
    // The first Request never reaches the partner: it expires undelivered and activates nothing.
    const first = send(state, { signing: local(firstSign), encryption: local(pki.localEncryption), tlsClient: local(firstTls) });
    const expiredFirst = transition(first.state, { type: 'tick' }, day(5.5));
    expect(expiredFirst.state.outbound[first.ids.requestId]).toMatchObject({ status: 'expired', undelivered: true });
    expect(expiredFirst.state.relationships['acme']?.local.tlsClient.successor).toMatchObject({ status: 'expired', cert: { fingerprint: firstTls.sha256 } });
    // The second, delivered, Request carries a new signing certificate only.
    const second = sendDelivered(expiredFirst.state, { signing: local(sign), encryption: local(pki.localEncryption) }, day(6));
    expect(second.state.outbound[second.ids.requestId]?.status).toBe('pending');
    const ticked = transition(second.state, { type: 'tick' }, day(11.5));
    const rel = ticked.state.relationships['acme']!;
    expect(rel.local.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[sign.sha256, 'respondByPassed']]);
    expect(rel.local.tlsClient.active.map((a) => a.cert.fingerprint)).toEqual([pki.localTls.sha256]);
    expect(rel.local.tlsClient.successor).toMatchObject({ status: 'expired', cert: { fingerprint: firstTls.sha256 } });
    expect(shape(ticked.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated', 'notify:requestOverdue', 'notify:requestOverdue']);
    expect(ticked.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'signing', fingerprint: pki.localSigning.sha256 });
    expect(alertAt(ticked.effects, 1).details).toEqual({ side: 'local', usage: 'signing', cause: 'respondByPassed', certificate: expect.objectContaining({ fingerprint: sign.sha256 }) });
    expect(alertAt(ticked.effects, 1).relationshipId).toBe('acme');
    // The replaced certificate is archived as `replaced`.
    expect(rel.local.signing.archive.map((a) => [a.cert.fingerprint, a.reason])).toContainEqual([pki.localSigning.sha256, 'replaced']);
  });

  it('does not report a Request overdue twice on one alert day (alert log already claimed)', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const sent = sendDelivered(state, { signing: local(makeCert()), encryption: local(pki.localEncryption) });
    const at = day(5.5);
    const once = transition(sent.state, { type: 'tick' }, at);
    expect(shape(once.effects)).toEqual(['notify:requestOverdue']);
    const subject = `requestOverdue:${sent.ids.requestId}`;
    const today = once.state.alertLog[subject];
    expect(today).toBeDefined();
    // The same pending Request, with its overdue alert already logged today.
    const logged: CemState = { ...sent.state, alertLog: { [subject]: today! } };
    const again = transition(logged, { type: 'tick' }, at);
    expect(again.state.outbound[sent.ids.requestId]?.status).toBe('expired');
    expect(again.effects).toEqual([]);
  });

  it('expires a pending Request whose relationship is missing from the state without failing', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const sent = sendDelivered(state, { signing: local(makeCert()), encryption: local(pki.localEncryption) });
    const { acme: _gone, ...others } = sent.state.relationships;
    const orphan: CemState = { ...sent.state, relationships: others };
    const ticked = transition(orphan, { type: 'tick' }, day(5.5));
    expect(ticked.state.outbound[sent.ids.requestId]?.status).toBe('expired');
    expect(shape(ticked.effects)).toEqual(['notify:requestOverdue']);
  });
});

describe('tick: scheduled activations', () => {
  it('activates a due schedule with exactly the archive and a scheduledActivated alert naming the slot and the cause', () => {
    const { state, pki } = establishedState();
    const tls = makeCert({ label: 'us-tls-next' });
    const scheduled = transition(state, scheduleLocal(tls, 'tlsClient', day(3)), T0).state;
    expect(transition(scheduled, { type: 'tick' }, day(2.9)).effects).toEqual([]);
    const ticked = transition(scheduled, { type: 'tick' }, day(3));
    expect(shape(ticked.effects)).toEqual(['archiveCertificate', 'notify:scheduledActivated']);
    expect(ticked.effects[0]).toEqual({ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'tlsClient', fingerprint: pki.localTls.sha256 });
    const alert = alertAt(ticked.effects, 1);
    expect(alert.relationshipId).toBe('acme');
    expect(alert.dedupeKey).toBe(`scheduledActivated:acme:local:tlsClient:${tls.sha256}`);
    expect(alert.details).toEqual({ side: 'local', usage: 'tlsClient', cause: 'schedule', certificate: expect.objectContaining({ fingerprint: tls.sha256 }) });
    const slot = ticked.state.relationships['acme']!.local.tlsClient;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[tls.sha256, 'schedule']]);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[pki.localTls.sha256, 'replaced']]);
  });

  it('never activates a scheduled certificate the partner rejected in a late Response, even at its time', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const sign = makeCert({ label: 'us-sign-next' });
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(pki.localEncryption) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    expect(expired.relationships['acme']?.local.signing.successor?.status).toBe('expired');
    const scheduled = transition(expired, scheduleLocal(sign, 'signing', day(20)), day(6)).state;
    expect(scheduled.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'scheduled', activateAt: day(20).toISOString() });
    const rejected = answer(scheduled, sent.ids.requestId, [{ cert: sign, status: 'Rejected', reason: 'unknown CA' }], pki.partnerSigning, day(7)).state;
    expect(rejected.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: sign.sha256 } });
    const ticked = transition(rejected, { type: 'tick' }, day(21));
    expect(ticked.state.relationships['acme']?.local.signing.active.map((a) => a.cert.fingerprint)).toEqual([pki.localSigning.sha256]);
    expect(shape(ticked.effects).filter((s) => s.includes('Activated'))).toEqual([]);
  });
});

describe('tick: the alert log and the daily alerts', () => {
  it('drops alert log entries of earlier days', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const failed = transition(received, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1)).state;
    const retried = transition(failed, { type: 'retry', exchangeId: 'acme/r1' }, day(1)).state;
    const delivered = transition(retried, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)).state;
    expect(Object.keys(delivered.alertLog)).toEqual(['retryNeeded:response:acme/r1']);
    const ticked = transition(delivered, { type: 'tick' }, day(3));
    expect(ticked.effects).toEqual([]);
    expect(ticked.state.alertLog).toEqual({});
  });

  it('the awaiting-answer alert names the requestId and the exchange key', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const ticked = transition(received, { type: 'tick' }, day(1));
    expect(shape(ticked.effects)).toEqual(['notify:requestAwaitingAnswer']);
    expect(alertAt(ticked.effects, 0).details).toEqual({ exchangeKey: 'acme/r1', requestId: 'r1', respondBy: day(14).toISOString(), day: expect.any(String) });
  });

  it('the awaiting-answer alert of a Request without requestId names its key instead', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const received = transition(state, requestEvent(null, [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning, { messageId: 'm-9' }), T0).state;
    const ticked = transition(received, { type: 'tick' }, day(1));
    expect(alertAt(ticked.effects, 0).details).toMatchObject({ exchangeKey: 'acme/message:m-9', requestId: 'acme/message:m-9' });
  });

  it('claimTodaysRetryReminder returns the very same state when today\'s reminder is already claimed', () => {
    const { state } = establishedState();
    const claimed = claimTodaysRetryReminder(state, 'request', 'req-1', day(1));
    expect(claimed).not.toBe(state);
    expect(claimed.alertLog).toEqual({ 'retryNeeded:request:req-1': expect.any(String) });
    expect(claimTodaysRetryReminder(claimed, 'request', 'req-1', day(1.01))).toBe(claimed);
  });
});
