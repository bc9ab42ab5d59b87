/**
 * Retention of finished exchanges (src/state/retention.ts): the behaviours mutation testing found
 * unasserted. `stampFinished` returns the state it was given when nothing needs a stamp (the
 * engine writes nothing for an unchanged record), and an exchange a server readiness still refers
 * to is never dropped.
 */
import { describe, expect, it } from 'vitest';
import { dropFinishedExchanges, referencedExchanges, stampFinished } from '../../src/state/retention.js';
import type { CemState } from '../../src/state/model.js';
import { transition } from '../../src/state/transition.js';
import { day, establishedState, local, makeCert, T0, twoPartnersOnHttp } from './fixtures.js';
import { answer, sendDelivered, signingSelection } from './scenarios.js';

describe('stampFinished returns the state it was given when nothing needs a stamp', () => {
  it('for an open exchange that changed (sending → pending)', () => {
    const { state } = establishedState();
    const sent = transition(state, { type: 'sendCertificates', relationshipId: 'acme', selection: signingSelection(makeCert()), includeActive: false, ids: { requestId: 'r1', xmlContentId: 'x@us', contentIds: ['c@us'] } }, T0).state;
    const delivered: CemState = { ...sent, outbound: { ...sent.outbound, r1: { ...sent.outbound['r1']!, status: 'pending' } } };
    expect(stampFinished(sent, delivered, day(1))).toBe(delivered);
  });

  it('for a finished exchange that changed again at the instant it is already stamped with', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const ex = answered.outbound[sent.ids.requestId]!;
    expect(ex.finishedAt).toBe(day(1).toISOString());
    const changed: CemState = { ...answered, outbound: { ...answered.outbound, [ex.id]: { ...ex, attempts: ex.attempts + 1 } } };
    expect(stampFinished(answered, changed, day(1))).toBe(changed);
  });

  it('stamps a finished exchange that changed at another instant, and unstamps one open again', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = sendDelivered(state, signingSelection(next));
    const answered = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const ex = answered.outbound[sent.ids.requestId]!;
    const later: CemState = { ...answered, outbound: { ...answered.outbound, [ex.id]: { ...ex, attempts: 2 } } };
    expect(stampFinished(answered, later, day(2)).outbound[ex.id]?.finishedAt).toBe(day(2).toISOString());
    const reopened: CemState = { ...answered, outbound: { ...answered.outbound, [ex.id]: { ...ex, status: 'pending' } } };
    const result = stampFinished(answered, reopened, day(2)).outbound[ex.id];
    expect(result !== undefined && Object.hasOwn(result, 'finishedAt')).toBe(false);
  });
});

describe('an exchange a server readiness refers to', () => {
  it('is referenced, and never dropped while the readiness waits for the other partners', () => {
    const { state, a, b } = twoPartnersOnHttp({ retainFinishedDays: 1 });
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }, T0, 'acme');
    const accepted = answer(toA.state, toA.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(1)).state;
    expect(accepted.outbound[toA.ids.requestId]?.status).toBe('accepted');
    expect(accepted.relationships['acme']?.serverReadiness).toMatchObject({ status: 'accepted', exchangeId: toA.ids.requestId });
    expect([...referencedExchanges(accepted)]).toEqual([toA.ids.requestId]);
    expect(dropFinishedExchanges(accepted, day(30))).toBe(accepted);
  });
});
