/**
 * The administrator's decisions on a received Request and the delivery of our Responses
 * (src/state/exchange/inbound-decide.ts), driven through `transition`: which events are refused
 * and why, what a decision records, and the exact effects. Effect lists are compared whole, so a
 * junk extra effect is noticed.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent, CemState } from '../../src/state/index.js';
import { onInboundEvent, retryInbound } from '../../src/state/exchange/inbound-decide.js';
import { day, establishedState, makeCert, requestEvent, T0 } from './fixtures.js';

/** A Request `acme/r1` awaiting the administrator's decision on two certificates. */
function awaiting() {
  const { state, pki } = establishedState({ autoAccept: false });
  const sign = makeCert({ label: 'partner-sign-next' });
  const enc = makeCert({ label: 'partner-enc-next' });
  const received = transition(state, requestEvent('r1', [
    { cert: sign, usages: ['digitalSignature'] },
    { cert: enc, usages: ['keyEncipherment'] },
  ], pki.partnerSigning), T0).state;
  expect(received.inbound['acme/r1']?.status).toBe('awaitingDecision');
  return { received, pki, sign, enc };
}

function decide(state: CemState, decisions: unknown, at = day(1), exchangeKey: unknown = 'acme/r1') {
  return transition(state, { type: 'decide', exchangeKey, decisions } as CemEvent, at);
}

/** The refusal as the whole effect list, and the unchanged state. */
function expectRefused(result: { state: CemState; effects: readonly unknown[] }, before: CemState, reason: string, detail: string): void {
  expect(result.effects).toEqual([{ type: 'ignored', reason, detail }]);
  expect(result.state).toBe(before);
}

describe('decide: malformed decisions are refused (invalidEvent) and change nothing', () => {
  const detail = 'decisions must name fingerprints and accept flags';
  it.each([
    ['an empty list', []],
    ['no list', { fingerprint: 'ab', accept: true }],
    ['a decision that is not an object', ['ab']],
    ['an empty fingerprint', [{ fingerprint: '', accept: true }]],
    ['a fingerprint that is not text', [{ fingerprint: 12, accept: true }]],
    ['an accept flag that is not a boolean', [{ fingerprint: 'ab', accept: 'yes' }]],
    ['a reason that is not text', [{ fingerprint: 'ab', accept: false, reason: 42 }]],
  ])('%s', (_name, decisions) => {
    const { received } = awaiting();
    expectRefused(decide(received, decisions), received, 'invalidEvent', detail);
  });

  it('a list with one malformed decision next to a valid one', () => {
    const { received, sign, enc } = awaiting();
    expectRefused(decide(received, [{ fingerprint: sign.sha256, accept: true }, { fingerprint: enc.sha256, accept: 'no' }]), received, 'invalidEvent', detail);
    expectRefused(decide(received, [{ fingerprint: sign.sha256, accept: true }, { fingerprint: 7, accept: true }]), received, 'invalidEvent', detail);
  });

  it('accepts a decision whose reason is text, and one without a reason', () => {
    const { received, sign, enc } = awaiting();
    const result = decide(received, [{ fingerprint: sign.sha256, accept: false, reason: 'unknown CA' }, { fingerprint: enc.sha256, accept: false }]);
    expect(result.state.inbound['acme/r1']?.items.map((i) => [i.decision, i.reason])).toEqual([['rejected', 'unknown CA'], ['rejected', null]]);
  });
});

describe('decide: which Requests can be decided', () => {
  it('refuses an unknown exchange key (unknownExchange), naming it', () => {
    const { received } = awaiting();
    expectRefused(decide(received, [{ fingerprint: 'ab', accept: true }], day(1), 'acme/nope'), received, 'unknownExchange', 'no received request acme/nope');
  });

  it('refuses a Request that is no longer awaiting a decision (invalidState), naming its status', () => {
    const { received, sign, enc } = awaiting();
    const decided = decide(received, [{ fingerprint: sign.sha256, accept: true }, { fingerprint: enc.sha256, accept: true }]).state;
    expect(decided.inbound['acme/r1']?.status).toBe('responding');
    expectRefused(decide(decided, [{ fingerprint: sign.sha256, accept: false }], day(2)), decided, 'invalidState', 'request acme/r1 is responding');
  });

  it('refuses a decision naming a certificate the Request does not carry, even next to a valid one', () => {
    const { received, sign } = awaiting();
    const stranger = makeCert();
    expectRefused(decide(received, [{ fingerprint: sign.sha256, accept: true }, { fingerprint: stranger.sha256, accept: true }]), received, 'unknownCertificate', `request acme/r1 has no certificate ${stranger.sha256}`);
  });

  it('refuses deciding again only certificates already decided (invalidState)', () => {
    const { received, sign } = awaiting();
    const partial = decide(received, [{ fingerprint: sign.sha256, accept: true }]).state;
    expect(partial.inbound['acme/r1']?.items.map((i) => i.decision)).toEqual(['accepted', 'pending']);
    expectRefused(decide(partial, [{ fingerprint: sign.sha256, accept: false }], day(2)), partial, 'invalidState', 'the named certificates of acme/r1 are already decided');
  });

  it('keeps an earlier decision when a later decide names it again next to a pending one', () => {
    const { received, sign, enc } = awaiting();
    const partial = decide(received, [{ fingerprint: sign.sha256, accept: true }]).state;
    const rest = decide(partial, [{ fingerprint: sign.sha256, accept: false, reason: 'changed my mind' }, { fingerprint: enc.sha256, accept: false, reason: 'weak' }], day(2));
    expect(rest.state.inbound['acme/r1']?.items.map((i) => [i.decision, i.reason])).toEqual([['accepted', null], ['rejected', 'weak']]);
    expect(rest.state.relationships['acme']?.partner.signing.successor).toMatchObject({ status: 'accepted', cert: { fingerprint: sign.sha256 } });
  });

  it('matches fingerprints written in upper case with colons', () => {
    const { received, sign, enc } = awaiting();
    const spelled = (hex: string): string => hex.toUpperCase().match(/../g)!.join(':');
    const result = decide(received, [{ fingerprint: spelled(sign.sha256), accept: true }, { fingerprint: spelled(enc.sha256), accept: false }]);
    expect(result.state.inbound['acme/r1']?.items.map((i) => i.decision)).toEqual(['accepted', 'rejected']);
  });

  it('a rejection shows in the partner slot as a rejected successor with the reason', () => {
    const { received, sign } = awaiting();
    const result = decide(received, [{ fingerprint: sign.sha256, accept: false, reason: 'unknown CA' }]);
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']?.partner.signing.successor).toMatchObject({ status: 'rejected', reason: 'unknown CA', exchangeId: 'acme/r1', cert: { fingerprint: sign.sha256 } });
  });

  it('records no reason for an acceptance, even when one is given', () => {
    const { received, sign } = awaiting();
    const result = decide(received, [{ fingerprint: sign.sha256, accept: true, reason: 'looks fine' }]);
    expect(result.state.inbound['acme/r1']?.items[0]).toMatchObject({ decision: 'accepted', reason: null });
  });

  it('refuses a decide or a retry whose relationship is missing from the state (unknownRelationship)', () => {
    const { received, sign } = awaiting();
    const { acme: _gone, ...others } = received.relationships;
    const orphan: CemState = { ...received, relationships: others };
    const result = onInboundEvent(orphan, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: sign.sha256, accept: true }] }, day(1));
    expectRefused(result, orphan, 'unknownRelationship', 'no relationship acme');
    const failedEx = { ...orphan.inbound['acme/r1']!, status: 'responseFailed' as const };
    const failed: CemState = { ...orphan, inbound: { ...orphan.inbound, 'acme/r1': failedEx } };
    expectRefused(retryInbound(failed, failedEx), failed, 'unknownRelationship', 'no relationship acme');
  });
});

describe('Response delivery events', () => {
  /** `acme/r1` decided and its Responses out (responding). */
  function responding() {
    const { received, sign, enc } = awaiting();
    const state = decide(received, [{ fingerprint: sign.sha256, accept: true }, { fingerprint: enc.sha256, accept: true }]).state;
    expect(state.inbound['acme/r1']?.status).toBe('responding');
    return state;
  }

  it('responseDelivered: responding becomes answered with no effect; the error of an earlier failure is cleared', () => {
    const state = responding();
    const failed = transition(state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1)).state;
    expect(failed.inbound['acme/r1']?.lastError).toBe('HTTP 500');
    const retried = transition(failed, { type: 'retry', exchangeId: 'acme/r1' }, day(2)).state;
    const delivered = transition(retried, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(2));
    expect(delivered.effects).toEqual([]);
    expect(delivered.state.inbound['acme/r1']).toMatchObject({ status: 'answered', lastError: null });
  });

  it('responseDelivered is refused for an unknown key, a Request still awaiting its decision, and an answered one (duplicate)', () => {
    const { received } = awaiting();
    expectRefused(transition(received, { type: 'responseDelivered', exchangeKey: 'acme/zz' }, day(1)), received, 'unknownExchange', 'no received request acme/zz');
    expectRefused(transition(received, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)), received, 'invalidState', 'request acme/r1 is awaitingDecision');
    const answered = transition(responding(), { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)).state;
    expectRefused(transition(answered, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)), answered, 'duplicate', 'request acme/r1 is already answered');
  });

  it('responseFailed after delivery was confirmed still counts (answered → responseFailed)', () => {
    const answered = transition(responding(), { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)).state;
    const failed = transition(answered, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'late MDN error' }, day(1));
    expect(failed.state.inbound['acme/r1']).toMatchObject({ status: 'responseFailed', lastError: 'late MDN error' });
    expect(failed.effects.map((e) => e.type)).toEqual(['notify']);
  });

  it('responseFailed without a text error records "unknown error", in the state and the alert', () => {
    const failed = transition(responding(), { type: 'responseFailed', exchangeKey: 'acme/r1', error: 503 } as unknown as CemEvent, day(1));
    expect(failed.state.inbound['acme/r1']?.lastError).toBe('unknown error');
    expect(failed.effects).toHaveLength(1);
    const [alert] = failed.effects;
    expect(alert?.type === 'notify' && alert.alert).toMatchObject({ kind: 'sendFailed', relationshipId: 'acme', dedupeKey: 'sendFailed:acme/r1:1' });
    expect(alert?.type === 'notify' && alert.alert.details).toEqual({ exchangeId: 'acme/r1', what: 'response', error: 'unknown error', attempts: 1 });
  });

  it('an event of another type reaching the inbound handler is a programming error (CEM_ARGUMENT)', () => {
    const { received } = awaiting();
    expect(() => onInboundEvent(received, { type: 'tick' } as unknown as Parameters<typeof onInboundEvent>[1], day(1))).toThrow(expect.objectContaining({ code: 'CEM_ARGUMENT' }));
  });

  it('responseFailed is refused for an unknown key and for a Request still awaiting its decision', () => {
    const { received } = awaiting();
    expectRefused(transition(received, { type: 'responseFailed', exchangeKey: 'acme/zz', error: 'x' }, day(1)), received, 'unknownExchange', 'no received request acme/zz');
    expectRefused(transition(received, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'x' }, day(1)), received, 'invalidState', 'request acme/r1 is awaitingDecision');
  });

  it('the failure day claims the daily retryNeeded reminder: the next tick that day is silent, the next day reminds', () => {
    const failed = transition(responding(), { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1)).state;
    expect(transition(failed, { type: 'tick' }, day(1.01)).effects).toEqual([]);
    const next = transition(failed, { type: 'tick' }, day(2));
    expect(next.effects.map((e) => (e.type === 'notify' ? e.alert.kind : e.type))).toEqual(['retryNeeded']);
  });

  it('retry is refused for a Request that did not fail (invalidState)', () => {
    const state = responding();
    expectRefused(transition(state, { type: 'retry', exchangeId: 'acme/r1' }, day(2)), state, 'invalidState', 'request acme/r1 is responding, not responseFailed');
  });
});
