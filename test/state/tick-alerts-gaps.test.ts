/**
 * The tick's daily expiry warnings (src/state/tick-alerts.ts) for partners' and our certificates
 * and for a listener's installed server certificate, asserted as exact alerts and alert-log
 * subjects; and which outbound Requests the tick expires (src/state/tick.ts).
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEffect } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, run } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

const notices = (effects: readonly CemEffect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.alert] : []));

describe('Tick: certificate expiry warnings', () => {
  it('a partner certificate expiring within the warning days: one warning naming the relationship, side and usage', () => {
    const expiring = makeCert({ label: 'partner-sign-old', notAfter: day(20) });
    const { state } = establishedState({ expiryWarningDays: 30 }, { partner: { signing: expiring } });
    const ticked = transition(state, { type: 'tick' }, day(1));
    const alerts = notices(ticked.effects);
    expect(alerts.map((a) => a.dedupeKey)).toEqual([`certificateExpiring:acme:partner:signing:${expiring.sha256}@2026-03-03`]);
    expect(alerts[0]).toMatchObject({ kind: 'certificateExpiring', severity: 'warning', relationshipId: 'acme', details: { side: 'partner', usage: 'signing', day: '2026-03-03' } });
    expect(Object.keys(ticked.state.alertLog)).toContain(`certificateExpiring:acme:partner:signing:${expiring.sha256}`);
  });

  it('our installed server certificate expiring: one warning for the listener, under no relationship', () => {
    const { state } = establishedState({ expiryWarningDays: 30 });
    const server = makeCert({ label: 'server-old', notAfter: day(10) });
    const configured = run(state, [[{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(server) }, day(0)]]).state;
    const ticked = transition(configured, { type: 'tick' }, day(1));
    const alerts = notices(ticked.effects).filter((a) => a.details['usage'] === 'HTTP server');
    expect(alerts.map((a) => a.dedupeKey)).toEqual([`certificateExpiring:-:local:HTTP server:${server.sha256}@2026-03-03`]);
    expect(alerts[0]).toMatchObject({ kind: 'certificateExpiring', severity: 'warning', relationshipId: null, details: { side: 'local', usage: 'HTTP server' } });
    expect(alerts[0]?.message.startsWith(`Our HTTP server certificate ${server.subject} expires on `)).toBe(true);
    expect(Object.keys(ticked.state.alertLog)).toContain(`certificateExpiring:-:local:HTTP server:${server.sha256}`);
    // The same tick later that day warns no more.
    expect(notices(transition(ticked.state, { type: 'tick' }, day(1.2)).effects)).toEqual([]);
  });

  it('a server certificate far from expiry and no installed one: no warning', () => {
    const { state } = establishedState({ expiryWarningDays: 30 });
    const far = run(state, [[{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(makeCert({ notAfter: day(400) })) }, day(0)]]).state;
    expect(notices(transition(far, { type: 'tick' }, day(1)).effects)).toEqual([]);
  });
});

describe('Tick: which Requests expire', () => {
  it('a Request answered before its respond-by time is not expired after it', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const accepted = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const ticked = transition(accepted, { type: 'tick' }, day(5.5));
    expect(ticked.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
    expect(ticked.effects.filter((e) => e.type === 'notify' && e.alert.kind === 'requestOverdue')).toEqual([]);
  });

  it('a Request whose send failed is not expired at its respond-by time: it waits for a retry', () => {
    const { state } = establishedState({ maxResponseDays: 5 });
    const sent = sendDelivered(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, day(0)).state;
    const ticked = transition(failed, { type: 'tick' }, day(5.5));
    expect(ticked.state.outbound[sent.ids.requestId]?.status).toBe('sendFailed');
    expect(notices(ticked.effects).map((a) => a.kind)).toEqual(['retryNeeded']);
  });
});
