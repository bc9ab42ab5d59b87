/**
 * Delivery reports of our Requests and emails (src/state/exchange/outbound-delivery.ts): the
 * behaviours mutation testing found unasserted, driven through `transition` only. Which
 * successors and readiness a failure or a retry moves, the email path, and every refusal with its
 * exact detail.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';
import { createInitialState } from '../../src/state/transition.js';
import { expectIgnored } from './assertions.js';

function onHttp() {
  const a = makePki();
  const state = run(createInitialState(), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
    [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(makeCert({ label: 'server-old' })) }, T0],
  ]).state;
  return { state, a };
}

describe('requestFailed: what moves to sendFailed', () => {
  it('only the successors and the server readiness of the failed Request', () => {
    const { state, a } = onHttp();
    const server = makeCert({ label: 'server-new' });
    const sign = makeCert({ label: 'us-sign-next' });
    const withServer = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const withSigning = sendDelivered(withServer.state, { signing: local(sign), encryption: local(a.localEncryption) });
    const failed = transition(withSigning.state, { type: 'requestFailed', requestId: withSigning.ids.requestId, error: 'HTTP 500' }, day(1)).state;
    expect(failed.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'sendFailed', cert: { fingerprint: sign.sha256 } });
    expect(failed.relationships['acme']?.serverReadiness).toMatchObject({ status: 'pending', exchangeId: withServer.ids.requestId });
    const serverFailed = transition(withSigning.state, { type: 'requestFailed', requestId: withServer.ids.requestId, error: 'HTTP 500' }, day(1)).state;
    expect(serverFailed.relationships['acme']?.serverReadiness).toMatchObject({ status: 'sendFailed', exchangeId: withServer.ids.requestId });
    expect(serverFailed.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'pending', cert: { fingerprint: sign.sha256 } });
  });

  it('leaves an answered part of a partly answered Request as it is, and a relationship without readiness without one', () => {
    const { state, a } = onHttp();
    const server = makeCert({ label: 'server-new' });
    const tls = makeCert({ label: 'us-tls-next' });
    const sent = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsClient: local(tls), tlsServer: local(server) });
    const partly = answer(sent.state, sent.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(1)).state;
    expect(partly.outbound[sent.ids.requestId]?.status).toBe('pending');
    const failed = transition(partly, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'negative MDN' }, day(2)).state;
    expect(failed.relationships['acme']?.serverReadiness).toMatchObject({ status: 'accepted' });
    expect(failed.relationships['acme']?.local.tlsClient.successor).toMatchObject({ status: 'sendFailed' });
    const { state: plain } = establishedState();
    const signOnly = sendDelivered(plain, signingSelection(makeCert()));
    const failedPlain = transition(signOnly.state, { type: 'requestFailed', requestId: signOnly.ids.requestId, error: 'x' }, day(1)).state;
    expect(failedPlain.relationships['acme']?.serverReadiness).toBeNull();
  });

  it('records an error that is not text as unknown error', () => {
    const { state } = establishedState();
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: undefined } as unknown as CemEvent, day(1));
    expect(failed.state.outbound[sent.ids.requestId]).toMatchObject({ status: 'sendFailed', lastError: 'unknown error' });
    expect(failed.effects).toEqual([{ type: 'notify', alert: expect.objectContaining({ kind: 'sendFailed', details: { exchangeId: sent.ids.requestId, what: 'request', error: 'unknown error', attempts: 1 } }) }]);
  });
});

describe('emails: failed, retried, delivered', () => {
  function emailed() {
    const { state } = establishedState({}, { cemOverride: 'incapable' });
    const next = makeCert();
    const sent = send(state, signingSelection(next));
    return { state: sent.state, next, id: sent.ids.requestId };
  }

  it('a failed email moves its emailed successors to sendFailed with an email alert; a retry moves them back', () => {
    const s = emailed();
    const failed = transition(s.state, { type: 'emailFailed', exchangeId: s.id, error: 'SMTP 550' }, day(1));
    expect(failed.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'sendFailed', cert: { fingerprint: s.next.sha256 } });
    expect(failed.effects).toEqual([{ type: 'notify', alert: expect.objectContaining({ kind: 'sendFailed', dedupeKey: `sendFailed:${s.id}:1`, details: { exchangeId: s.id, what: 'email', error: 'SMTP 550', attempts: 1 } }) }]);
    const retried = transition(failed.state, { type: 'retry', exchangeId: s.id }, day(2));
    expect(retried.state.outbound[s.id]).toMatchObject({ status: 'emailed', attempts: 2 });
    expect(retried.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'emailed' });
    expect(retried.effects.map((e) => e.type)).toEqual(['sendEmail']);
  });

  it('emailDelivered changes nothing while emailed, and is refused after a failure; a second failure is refused too', () => {
    const s = emailed();
    const delivered = transition(s.state, { type: 'emailDelivered', exchangeId: s.id }, day(1));
    expect(delivered.effects).toEqual([]);
    expect(delivered.state).toBe(s.state);
    const failed = transition(s.state, { type: 'emailFailed', exchangeId: s.id, error: 'SMTP 550' }, day(1)).state;
    expectIgnored(transition(failed, { type: 'emailDelivered', exchangeId: s.id }, day(1)), failed, 'invalidState', `email ${s.id} is sendFailed`);
    expectIgnored(transition(failed, { type: 'emailFailed', exchangeId: s.id, error: 'again' }, day(1)), failed, 'invalidState', `email ${s.id} is sendFailed`);
  });

  it('a Request report for an email is refused, naming the channel', () => {
    const s = emailed();
    expectIgnored(transition(s.state, { type: 'requestDelivered', requestId: s.id }, day(1)), s.state, 'invalidState', `exchange ${s.id} went by email`);
  });
});

describe('delivery reports and retry: refusals with their details', () => {
  it('refuses a report without id, for an unknown exchange, a repeated delivery, and one for a Request no longer waiting', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    expectIgnored(transition(state, { type: 'requestDelivered' } as unknown as CemEvent, T0), state, 'invalidEvent', 'exchange id missing');
    expectIgnored(transition(state, { type: 'requestFailed', requestId: 'nope', error: 'x' }, T0), state, 'unknownExchange', 'no outbound exchange nope');
    const sent = sendDelivered(state, signingSelection(next));
    const id = sent.ids.requestId;
    expectIgnored(transition(sent.state, { type: 'requestDelivered', requestId: id }, T0), sent.state, 'duplicate', `request ${id} is already delivered`);
    const answered = answer(sent.state, id, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    expectIgnored(transition(answered, { type: 'requestDelivered', requestId: id }, day(1)), answered, 'invalidState', `request ${id} is accepted`);
    expectIgnored(transition(answered, { type: 'requestFailed', requestId: id, error: 'x' }, day(1)), answered, 'invalidState', `request ${id} is accepted`);
    expectIgnored(transition(answered, { type: 'retry', exchangeId: id }, day(1)), answered, 'invalidState', `exchange ${id} is accepted, not sendFailed`);
  });
});
