import { describe, expect, it } from 'vitest';
import type { CemState } from '../../src/state/model.js';
import { certificateStatuses, RELATIONSHIP_STATUS_PRECEDENCE, relationshipStatus } from '../../src/state/status.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { day, establishedState, local, makeCert, makePki, relationshipInit, requestEvent, run, T0 } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';

describe('relationship status', () => {
  it('is Active when nothing is in flight', () => {
    const { state } = establishedState();
    expect(relationshipStatus(state, 'acme')).toMatchObject({ status: 'Active', established: true, cemChannel: true, found: ['Active'] });
    expect(relationshipStatus(state, 'nobody')).toBeNull();
  });

  it('shows the most urgent status: SendFailed > Rejected > Expired > Pending > Emailed > Scheduled > Accepted > Active', () => {
    expect(RELATIONSHIP_STATUS_PRECEDENCE).toEqual(['SendFailed', 'Rejected', 'Expired', 'Pending', 'Emailed', 'Scheduled', 'Accepted', 'Active']);
    const { state, pki } = establishedState();
    const sign = makeCert();
    const enc = makeCert();
    const sent = sendDelivered(state, { signing: local(sign), encryption: local(enc) });
    const scheduled = transition(sent.state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'tlsClient', certificate: makeCert(), activateAt: day(9) }, T0).state;
    expect(relationshipStatus(scheduled, 'acme')?.found).toEqual(['Pending', 'Scheduled', 'Active']);
    const rejected = answer(scheduled, sent.ids.requestId, [{ cert: sign, status: 'Accepted' }, { cert: enc, status: 'Rejected' }], pki.partnerSigning, day(1)).state;
    expect(relationshipStatus(rejected, 'acme')?.status).toBe('Rejected');
    const received = transition(rejected, requestEvent('r9', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), day(2)).state;
    const failing: CemState = run(received, [[{ type: 'decide', exchangeKey: 'acme/r9', decisions: [{ fingerprint: Object.values(received.inbound)[0]?.items[0]?.cert.fingerprint ?? '', accept: true }] }, day(2)], [{ type: 'responseFailed', exchangeKey: 'acme/r9', error: 'HTTP 502' }, day(2)]]).state;
    expect(relationshipStatus(failing, 'acme')?.status).toBe('SendFailed');
  });
});

describe('certificate status', () => {
  it('lists active, successor and archived certificates of every slot', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const sent = send(state, signingSelection(next));
    const statuses = certificateStatuses(sent.state, 'acme') ?? [];
    expect(statuses.filter((c) => c.fingerprint === next.sha256).map((c) => [c.side, c.usage, c.status])).toEqual([
      ['local', 'signing', 'Pending'],
      ['local', 'encryption', 'Pending'],
    ]);
    const accepted = answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Accepted' }], pki.partnerSigning, day(1)).state;
    const after = certificateStatuses(accepted, 'acme') ?? [];
    expect(after.filter((c) => c.fingerprint === next.sha256).map((c) => c.status)).toEqual(['Active', 'Accepted']);
    expect(after.find((c) => c.fingerprint === pki.localSigning.sha256)).toMatchObject({ status: 'Archived', reason: 'replaced' });
  });
});

describe('Model: statuses per relationship and per certificate', () => {
  type Case = () => { state: CemState; relationshipId?: string; fingerprint: string; side: 'local' | 'partner'; usage: string };
  const cases: readonly (readonly [string, Case])[] = [
    ['Active', () => {
      const { state, pki } = establishedState();
      return { state, fingerprint: pki.localSigning.sha256, side: 'local', usage: 'signing' };
    }],
    ['Pending', () => {
      const { state } = establishedState();
      const next = makeCert();
      return { state: sendDelivered(state, signingSelection(next)).state, fingerprint: next.sha256, side: 'local', usage: 'signing' };
    }],
    ['Expired', () => {
      const { state } = establishedState({ maxResponseDays: 2 });
      const next = makeCert();
      const sent = sendDelivered(state, signingSelection(next));
      return { state: transition(sent.state, { type: 'tick' }, day(3)).state, fingerprint: next.sha256, side: 'local', usage: 'signing' };
    }],
    ['Emailed', () => {
      const { state } = establishedState({}, { cemOverride: 'incapable' });
      const next = makeCert();
      return { state: send(state, signingSelection(next)).state, fingerprint: next.sha256, side: 'local', usage: 'signing' };
    }],
    ['Rejected', () => {
      const { state, pki } = establishedState();
      const next = makeCert();
      const sent = sendDelivered(state, signingSelection(next));
      return { state: answer(sent.state, sent.ids.requestId, [{ cert: next, status: 'Rejected', reason: 'unknown CA' }], pki.partnerSigning, day(1)).state, fingerprint: next.sha256, side: 'local', usage: 'signing' };
    }],
    ['Scheduled', () => {
      const { state } = establishedState();
      const next = makeCert();
      return { state: transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: next, activateAt: day(9) }, T0).state, fingerprint: next.sha256, side: 'partner', usage: 'signing' };
    }],
    ['Accepted', () => {
      // Our new encryption certificate, accepted: it waits for the partner's first usage.
      const { state, pki } = establishedState();
      const enc = makeCert();
      const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(enc) });
      return { state: answer(sent.state, sent.ids.requestId, [{ cert: enc, status: 'Accepted' }], pki.partnerSigning, day(1)).state, fingerprint: enc.sha256, side: 'local', usage: 'encryption' };
    }],
    ['Accepted', () => {
      // The partner's new signing certificate, accepted by us: it waits for its first usage.
      const { state, pki } = establishedState({ autoAccept: true });
      const next = makeCert();
      const answered = run(state, [
        [requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0],
        [{ type: 'responseDelivered', exchangeKey: 'acme/r1' }, T0],
      ]).state;
      return { state: answered, fingerprint: next.sha256, side: 'partner', usage: 'signing' };
    }],
    ['Accepted', () => {
      // Our new server certificate, accepted by acme: it waits for bolt, the other partner of the listener.
      const a = makePki();
      const server = makeCert();
      const both = run(createInitialState(), [
        [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
        [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
      ]).state;
      const sent = sendDelivered(both, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
      return { state: answer(sent.state, sent.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(1)).state, fingerprint: server.sha256, side: 'local', usage: 'tlsServer' };
    }],
    ['SendFailed', () => {
      const { state } = establishedState();
      const next = makeCert();
      const sent = sendDelivered(state, signingSelection(next));
      return { state: transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, day(1)).state, fingerprint: next.sha256, side: 'local', usage: 'signing' };
    }],
  ];

  it('covers every relationship status', () => {
    expect(new Set(cases.map(([status]) => status))).toEqual(new Set(RELATIONSHIP_STATUS_PRECEDENCE));
  });

  it.each(cases)('Model: statuses — %s, shown by the relationship and by the certificate', (status, build) => {
    const { state, relationshipId = 'acme', fingerprint, side, usage } = build();
    expect(relationshipStatus(state, relationshipId)?.status).toBe(status);
    const entry = certificateStatuses(state, relationshipId)?.find((c) => c.fingerprint === fingerprint && c.side === side && c.usage === usage);
    expect(entry?.status).toBe(status);
  });

  it('Model: statuses — a server certificate accepted by one partner shows Accepted there and Pending with the partner still waited for', () => {
    const a = makePki();
    const b = makePki();
    const server = makeCert();
    const both = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', b) }, T0],
    ]).state;
    const toA = sendDelivered(both, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const toB = sendDelivered(toA.state, { signing: local(b.localSigning), encryption: local(b.localEncryption), tlsServer: local(server) }, T0, 'bolt');
    const accepted = answer(toB.state, toA.ids.requestId, [{ cert: server, status: 'Accepted' }], a.partnerSigning, day(1)).state;
    expect([relationshipStatus(accepted, 'acme')?.status, relationshipStatus(accepted, 'bolt')?.status]).toEqual(['Accepted', 'Pending']);
    const installed = run(answer(accepted, toB.ids.requestId, [{ cert: server, status: 'Accepted' }], b.partnerSigning, day(2), 'BOLT').state, [
      [{ type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(2)],
    ]).state;
    expect([relationshipStatus(installed, 'acme')?.status, relationshipStatus(installed, 'bolt')?.status]).toEqual(['Active', 'Active']);
    expect(certificateStatuses(installed, 'acme')?.find((c) => c.fingerprint === server.sha256)?.status).toBe('Active');
  });
});
