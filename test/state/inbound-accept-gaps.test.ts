/**
 * Deciding received partner certificates (src/state/exchange/inbound-accept.ts): the behaviours
 * mutation testing found unasserted, driven through `transition` only. What acceptance and
 * rejection do to the partner's slots (empty slots, certificates already active or accepted, two
 * certificates for one usage) and which items the Responses carry.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, effectsOf, establishedState, makeCert, makePki, relationshipInit, requestEvent, run, T0 } from './fixtures.js';
import { createInitialState } from '../../src/state/transition.js';
import { shape } from './assertions.js';

/** A relationship `acme` whose partner has no TLS client certificate. */
function withoutPartnerTlsClient(autoAccept: boolean) {
  const pki = makePki();
  const init = relationshipInit('acme', pki, { partner: { signing: pki.partnerSigning, encryption: pki.partnerEncryption } });
  const state = run(createInitialState({ autoAccept }), [[{ type: 'relationshipAdded', relationship: init }, T0]]).state;
  return { state, pki };
}

const decide = (exchangeKey: string, decisions: { fingerprint: string; accept: boolean; reason?: string }[]): CemEvent => ({ type: 'decide', exchangeKey, decisions });

describe('accepting a partner certificate', () => {
  it('makes it active at once, with an activation alert, in a slot that has no active certificate', () => {
    const { state, pki } = withoutPartnerTlsClient(true);
    const client = makeCert({ label: 'partner-tls-client' });
    const result = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0);
    const slot = result.state.relationships['acme']!.partner.tlsClient;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[client.sha256, 'cem']]);
    expect(slot.successor).toBeNull();
    expect(shape(result.effects)).toEqual(['notify:certificateActivated', 'sendResponse', 'notify:requestAutoAccepted']);
  });

  it('replaces the encryption certificate at once: cause cem, the old one archived as replaced, the alert naming the partner slot', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const enc = makeCert({ label: 'partner-enc-next' });
    const result = transition(state, requestEvent('r1', [{ cert: enc, usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    const slot = result.state.relationships['acme']!.partner.encryption;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[enc.sha256, 'cem']]);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[pki.partnerEncryption.sha256, 'replaced']]);
    const alert = effectsOf(result.effects, 'notify').find((n) => n.alert.kind === 'certificateActivated')?.alert;
    expect(alert).toMatchObject({ relationshipId: 'acme', dedupeKey: `certificateActivated:acme:partner:encryption:${enc.sha256}` });
    expect(alert?.details).toMatchObject({ side: 'partner', usage: 'encryption', cause: 'cem', certificate: { fingerprint: enc.sha256 } });
  });

  it('leaves a successor that is already this accepted certificate as it was (since, exchange)', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const sign = makeCert({ label: 'partner-sign-next' });
    const first = transition(state, requestEvent('r1', [{ cert: sign, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const before = first.relationships['acme']!.partner.signing;
    expect(before.successor).toMatchObject({ status: 'accepted', exchangeId: 'acme/r1', since: T0.toISOString() });
    const again = transition(first, requestEvent('r2', [{ cert: sign, usages: ['digitalSignature', 'tlsClient'] }], pki.partnerSigning), day(1)).state;
    expect(again.relationships['acme']!.partner.signing).toBe(before);
    expect(again.relationships['acme']!.partner.tlsClient.successor).toMatchObject({ status: 'accepted', exchangeId: 'acme/r2', cert: { fingerprint: sign.sha256 } });
  });
});

describe('rejecting a partner certificate', () => {
  it('in a slot that has no active certificate, shows it as the rejected successor', () => {
    const { state, pki } = withoutPartnerTlsClient(false);
    const client = makeCert();
    const received = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    const rejected = transition(received, decide('acme/r1', [{ fingerprint: client.sha256, accept: false, reason: 'unknown CA' }]), day(1)).state;
    expect(rejected.relationships['acme']!.partner.tlsClient).toMatchObject({ active: [], successor: { status: 'rejected', reason: 'unknown CA', cert: { fingerprint: client.sha256 } } });
  });

  it('changes nothing for a usage it is already active for', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const received = transition(state, requestEvent('r1', [{ cert: pki.partnerSigning, usages: ['digitalSignature', 'keyEncipherment'] }], pki.partnerSigning), T0).state;
    const rejected = transition(received, decide('acme/r1', [{ fingerprint: pki.partnerSigning.sha256, accept: false, reason: 'no' }]), day(1)).state;
    const rel = rejected.relationships['acme']!;
    expect(rel.partner.signing).toBe(received.relationships['acme']!.partner.signing);
    expect(rel.partner.encryption.successor).toMatchObject({ status: 'rejected', reason: 'no', cert: { fingerprint: pki.partnerSigning.sha256 } });
  });

  it('leaves an accepted successor that is this very certificate accepted', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const client = makeCert({ label: 'partner-tls-client-next' });
    const first = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    const manual = transition(first, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { autoAccept: 'off' } }, T0).state;
    const received = transition(manual, requestEvent('r2', [{ cert: client, usages: ['tlsClient', 'digitalSignature'] }], pki.partnerSigning), day(1)).state;
    const before = received.relationships['acme']!.partner.tlsClient;
    expect(before.successor).toMatchObject({ status: 'accepted', cert: { fingerprint: client.sha256 } });
    const rejected = transition(received, decide('acme/r2', [{ fingerprint: client.sha256, accept: false, reason: 'no' }]), day(2)).state;
    expect(rejected.relationships['acme']!.partner.tlsClient).toBe(before);
    expect(rejected.relationships['acme']!.partner.signing.successor).toMatchObject({ status: 'rejected', cert: { fingerprint: client.sha256 } });
  });

  it('marks its own pending successor rejected, with the reason and the time of the decision', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const client = makeCert();
    const received = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    const rejected = transition(received, decide('acme/r1', [{ fingerprint: client.sha256, accept: false, reason: 'no' }]), day(1)).state;
    expect(rejected.relationships['acme']!.partner.tlsClient.successor).toEqual({ cert: expect.objectContaining({ fingerprint: client.sha256 }), status: 'rejected', since: day(1).toISOString(), exchangeId: 'acme/r1', activateAt: null, reason: 'no' });
  });

  it('of two certificates for one usage, the rejected one takes the place of the other pending one; rejecting both leaves the last', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [first, second] = [makeCert({ label: 'c1' }), makeCert({ label: 'c2' })];
    const received = transition(state, requestEvent('r1', [{ cert: first, usages: ['tlsClient'] }, { cert: second, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    expect(received.relationships['acme']!.partner.tlsClient.successor).toMatchObject({ status: 'pending', cert: { fingerprint: second.sha256 } });
    const one = transition(received, decide('acme/r1', [{ fingerprint: first.sha256, accept: false, reason: 'first no' }]), day(1)).state;
    expect(one.relationships['acme']!.partner.tlsClient.successor).toMatchObject({ status: 'rejected', reason: 'first no', cert: { fingerprint: first.sha256 } });
    const both = transition(received, decide('acme/r1', [{ fingerprint: first.sha256, accept: false, reason: 'first no' }, { fingerprint: second.sha256, accept: false, reason: 'second no' }]), day(1)).state;
    expect(both.relationships['acme']!.partner.tlsClient.successor).toMatchObject({ status: 'rejected', reason: 'second no', cert: { fingerprint: second.sha256 } });
  });
});

describe('the Responses of a decided Request', () => {
  it('leave superseded items out, and a partly superseded Request is still answered', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const [sign1, enc1, sign2] = [makeCert(), makeCert(), makeCert()];
    const { state: before } = run(state, [
      [requestEvent('r1', [{ cert: sign1, usages: ['digitalSignature'] }, { cert: enc1, usages: ['keyEncipherment'] }], pki.partnerSigning), T0],
      [requestEvent('r2', [{ cert: sign2, usages: ['digitalSignature'] }], pki.partnerSigning), day(1)],
    ]);
    expect(before.inbound['acme/r1']?.items.map((i) => i.decision)).toEqual(['superseded', 'pending']);
    const decided = transition(before, decide('acme/r1', [{ fingerprint: enc1.sha256, accept: false, reason: 'weak' }]), day(2));
    expect(decided.state.inbound['acme/r1']?.status).toBe('responding');
    expect(effectsOf(decided.effects, 'sendResponse').map((r) => r.items)).toEqual([[{ status: 'Rejected', reason: 'weak', issuer: enc1.issuer, serial: enc1.serial }]]);
  });

  it.each([['an empty', ''], ['a blank', '   ']])('go to the partner\'s configured URL for %s ResponseURL', (_name, url) => {
    const { state, pki } = establishedState({ autoAccept: true });
    const result = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'], responseUrl: url }], pki.partnerSigning), T0);
    expect(effectsOf(result.effects, 'sendResponse').map((r) => r.responseUrl)).toEqual([null]);
  });
});
