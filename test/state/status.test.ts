import { describe, expect, it } from 'vitest';
import type { CemState } from '../../src/state/model.js';
import { certificateStatuses, RELATIONSHIP_STATUS_PRECEDENCE, relationshipStatus } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { day, establishedState, local, makeCert, requestEvent, run, T0 } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';

describe('relationship status', () => {
  it('is Active when nothing is in flight', () => {
    const { state } = establishedState();
    expect(relationshipStatus(state, 'acme')).toMatchObject({ status: 'Active', established: true, cemChannel: true, found: ['Active'] });
    expect(relationshipStatus(state, 'nobody')).toBeNull();
  });

  it('shows the most urgent status: SendFailed > Rejected > Expired > Pending > Emailed > Scheduled > Active', () => {
    expect(RELATIONSHIP_STATUS_PRECEDENCE).toEqual(['SendFailed', 'Rejected', 'Expired', 'Pending', 'Emailed', 'Scheduled', 'Active']);
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
