import { describe, expect, it } from 'vitest';
import type { CemEvent } from '../../src/state/events.js';
import type { CemState, LocalUsage } from '../../src/state/model.js';
import { relationshipStatus } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { resolveCertificates } from '../../src/policy/resolution.js';
import { alertKinds, day, establishedState, makeCert, run, T0 } from './fixtures.js';
import { send, signingSelection } from './scenarios.js';

const setActive = (usage: LocalUsage): CemEvent => ({ type: 'setActive', relationshipId: 'acme', side: 'local', usage });

/** Ticks on the given days, collecting the alert kinds. */
function tickOn(state: CemState, days: readonly number[]): { state: CemState; kinds: string[] } {
  let current = state;
  const kinds: string[] = [];
  for (const d of days) {
    const result = transition(current, { type: 'tick' }, day(d));
    current = result.state;
    kinds.push(...alertKinds(result.effects));
  }
  return { state: current, kinds };
}

describe('closing our Request once the administrator set its certificates active', () => {
  it('closes a Request still sending, so its later delivery, the respond-by time and the daily ticks raise no requestOverdue', () => {
    const { state } = establishedState({ maxResponseDays: 7 });
    const next = makeCert({ label: 'us-next' });
    const sent = send(state, signingSelection(next));
    const requestId = sent.ids.requestId;
    expect(sent.state.outbound[requestId]?.status).toBe('sending');
    const active = run(sent.state, [[setActive('signing'), day(0.1)], [setActive('encryption'), day(0.1)]]);
    expect(active.state.outbound[requestId]?.status).toBe('closed');
    // The transport reports the delivery only now (slow transport, or recorded after a restart).
    const delivered = transition(active.state, { type: 'requestDelivered', requestId }, day(0.2));
    expect(delivered.state.outbound[requestId]?.status).toBe('closed');
    const ticked = tickOn(delivered.state, [8, 9, 10, 30]);
    expect(ticked.kinds).not.toContain('requestOverdue');
    expect(ticked.state.outbound[requestId]?.status).toBe('closed');
    expect(relationshipStatus(ticked.state, 'acme')?.status).toBe('Active');
    expect(resolveCertificates(ticked.state, 'acme', day(30))?.signOutbound?.fingerprint).toBe(next.sha256);
  });

  it('closes a Request whose send failed once every certificate of it is set active', () => {
    const { state } = establishedState({ maxResponseDays: 7 });
    const sent = send(state, signingSelection(makeCert({ label: 'us-next' })));
    const requestId = sent.ids.requestId;
    const failed = transition(sent.state, { type: 'requestFailed', requestId, error: 'HTTP 503' }, T0);
    expect(failed.state.outbound[requestId]?.status).toBe('sendFailed');
    const active = run(failed.state, [[setActive('signing'), day(1)], [setActive('encryption'), day(1)]]);
    expect(active.state.outbound[requestId]?.status).toBe('closed');
    const ticked = tickOn(active.state, [8, 9, 30]);
    expect(ticked.kinds).not.toContain('requestOverdue');
    expect(ticked.kinds).not.toContain('sendFailed');
    expect(relationshipStatus(ticked.state, 'acme')?.status).toBe('Active');
  });

  it('keeps a Request that is still sending open while one of its certificates still waits', () => {
    const { state } = establishedState({ maxResponseDays: 7 });
    const sent = send(state, signingSelection(makeCert({ label: 'us-next' })));
    const requestId = sent.ids.requestId;
    const active = transition(sent.state, setActive('signing'), day(0.1));
    expect(active.state.outbound[requestId]?.status).toBe('sending');
    const delivered = transition(active.state, { type: 'requestDelivered', requestId }, day(0.2));
    expect(delivered.state.outbound[requestId]?.status).toBe('pending');
    // The encryption certificate still waits for the partner: the Request expires and is alerted.
    expect(tickOn(delivered.state, [8]).kinds).toContain('requestOverdue');
  });
});
