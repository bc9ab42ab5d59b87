/**
 * Small relationship helpers (src/state/relationship/capability.ts, cert-ref.ts, usages.ts,
 * relationship-slots.ts): the behaviours mutation testing found unasserted, driven through
 * `transition` only. When a relationship is established (CEM or email), certificate references
 * without a key reference, the usage of a scheduled encryption certificate, and unchanged
 * relationships kept as the same record.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, T0 } from './fixtures.js';
import { answer, sendDelivered } from './scenarios.js';

const sendEvent = (selection: object): CemEvent =>
  ({ type: 'sendCertificates', relationshipId: 'acme', selection, includeActive: false, ids: { requestId: 'r1', xmlContentId: 'x@us', contentIds: ['c1@us', 'c2@us'] } }) as CemEvent;

describe('established relationships use CEM, others email', () => {
  // The overrides are built inside the test: random certificates in a test name would change it between runs.
  it.each([
    ['no local certificate', 'email', () => ({ local: {} })],
    ['partner signing certificate only', 'cem', () => ({ partner: { signing: makeCert() } })],
    ['partner encryption certificate only', 'cem', () => ({ partner: { encryption: makeCert() } })],
  ] as const)('%s: %s', (_name, channel, overrides) => {
    const { state } = establishedState({}, overrides());
    const sent = transition(state, sendEvent({ signing: local(makeCert()) }), T0);
    expect(sent.state.outbound['r1']?.channel).toBe(channel);
  });
});

describe('certificate references', () => {
  it('have no key reference at all for partner certificates (plain JSON)', () => {
    const { state } = establishedState();
    const cert = state.relationships['acme']!.partner.signing.active[0]!.cert;
    expect(Object.hasOwn(cert, 'keyRef')).toBe(false);
    expect(Object.hasOwn(state.relationships['acme']!.local.signing.active[0]!.cert, 'keyRef')).toBe(true);
  });
});

describe('usages', () => {
  it('a scheduled encryption certificate is emailed for keyEncipherment', () => {
    const { state } = establishedState();
    const result = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'encryption', certificate: local(makeCert()), activateAt: day(3), emailPartner: true, exchangeId: 'e1' }, T0);
    expect(result.state.outbound['e1']?.items.map((i) => i.usages)).toEqual([['keyEncipherment']]);
  });
});

describe('unchanged relationships stay the same record', () => {
  it('a late Accepted for a certificate already in use since its respond-by time keeps the relationships', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5, useAfterRespondBy: true });
    const next = makeCert();
    const sent = sendDelivered(state, { signing: local(next), encryption: local(pki.localEncryption) });
    const used = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    const accepted = answer(used, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(6));
    expect(accepted.state.outbound[sent.ids.requestId]?.status).toBe('accepted');
    expect(accepted.state.relationships).toBe(used.relationships);
  });
});
