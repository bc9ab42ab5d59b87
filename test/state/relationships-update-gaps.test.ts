/**
 * Updating and removing relationships (src/state/relationship/relationships.ts): the behaviours
 * mutation testing found unasserted, driven through `transition` only. Each field of an update
 * kept or changed, the listener change that clears the readiness and settles both listeners,
 * the exchanges that keep a relationship from being removed, what removal archives and drops,
 * and the listener it leaves settled.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import { createInitialState, transition } from '../../src/state/index.js';
import type { CemEvent, CemState } from '../../src/state/index.js';
import { day, local, makeCert, makePki, relationshipInit, requestEvent, run, T0, type Pki } from './fixtures.js';
import { answer, send, sendDelivered, signingSelection } from './scenarios.js';
import { expectIgnored } from './assertions.js';

const update = (state: CemState, relationshipId: unknown, changes: unknown, at = day(2)) =>
  transition(state, { type: 'relationshipUpdated', relationshipId, changes } as CemEvent, at);
const remove = (state: CemState, relationshipId: unknown, at = day(2)) =>
  transition(state, { type: 'relationshipRemoved', relationshipId } as CemEvent, at);

/** Partners on HTTP (AS2), each with its own certificates. */
function partners(ids: readonly string[], overrides: Record<string, object> = {}): { state: CemState; pki: Record<string, Pki> } {
  const pki = Object.fromEntries(ids.map((id) => [id, makePki()]));
  const state = run(createInitialState(), ids.map((id) => [{ type: 'relationshipAdded', relationship: relationshipInit(id, pki[id]!, overrides[id] ?? {}) }, T0] as const)).state;
  return { state, pki };
}

/** Sends `server` to each partner (with its active signing and encryption certificates), delivered. */
function sendServer(state: CemState, pki: Record<string, Pki>, server: CertificateInfo, to: readonly string[]): { state: CemState; requestIds: Record<string, string> } {
  let current = state;
  const requestIds: Record<string, string> = {};
  for (const id of to) {
    const p = pki[id]!;
    const sent = sendDelivered(current, { signing: local(p.localSigning), encryption: local(p.localEncryption), tlsServer: local(server) }, T0, id);
    current = sent.state;
    requestIds[id] = sent.ids.requestId;
  }
  return { state: current, requestIds };
}

/** A server certificate scheduled for `acme` on HTTP at day 1 (no email, no exchange). */
function scheduledServer(state: CemState): { state: CemState; server: CertificateInfo } {
  const server = makeCert({ label: 'server-next' });
  const event: CemEvent = { type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsServer', certificate: local(server), activateAt: day(1), emailPartner: false };
  return { state: transition(state, event, T0).state, server };
}

describe('relationshipUpdated: refusals', () => {
  const { state } = partners(['acme']);
  it.each([
    ['an unknown relationship', 'nope', {}, 'unknownRelationship', 'no relationship nope'],
    ['a relationship id that is not text', 42, {}, 'unknownRelationship', 'no relationship 42'],
    ['no changes', 'acme', undefined, 'invalidEvent', 'changes missing'],
    ['changes as a list', 'acme', [], 'invalidEvent', 'changes missing'],
    ['a numeric partnerEmail', 'acme', { partnerEmail: 1 }, 'invalidEvent', 'partnerEmail/responseUrl must be strings or null'],
    ['an unknown autoAccept', 'acme', { autoAccept: 'yes' }, 'invalidEvent', 'autoAccept is invalid'],
    ['an unknown cemOverride', 'acme', { cemOverride: null }, 'invalidEvent', 'cemOverride is invalid'],
    ['an unknown listener', 'acme', { listener: 'AS2' }, 'invalidEvent', 'listener is invalid'],
    ['an unknown protocol', 'acme', { protocol: 'HTTP/2' }, 'invalidEvent', 'protocol is invalid'],
  ])('%s', (_name, id, changes, reason, detail) => {
    expectIgnored(update(state, id, changes), state, reason, detail);
  });
});

describe('relationshipUpdated: fields', () => {
  it('no change keeps every field (and the other relationships)', () => {
    const { state } = partners(['acme', 'bolt']);
    const result = update(state, 'acme', {});
    expect(result.effects).toEqual([]);
    expect(result.state).toEqual(state);
    expect(result.state.relationships['bolt']).toBe(state.relationships['bolt']);
  });

  it('every field changed at once; the listener stays when only the protocol changes', () => {
    const { state } = partners(['acme']);
    const result = update(state, 'acme', { partnerEmail: 'cem@acme.example', responseUrl: null, autoAccept: 'off', cemOverride: 'incapable', protocol: 'AS3' });
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']).toEqual({
      ...state.relationships['acme'], partnerEmail: 'cem@acme.example', responseUrl: null, autoAccept: 'off', protocol: 'AS3', listener: 'HTTP',
      cem: { observed: false, observedAt: null, override: 'incapable' },
    });
  });

  it('a new cemOverride keeps the observed capability', () => {
    const { state, pki } = partners(['acme']);
    const seen = transition(state, { type: 'featuresObserved', relationshipId: 'acme', features: ['CEM'], verifiedBy: pki['acme']!.partnerSigning.sha256 }, day(1)).state;
    const result = update(seen, 'acme', { cemOverride: 'auto', responseUrl: 'https://us.example/new' });
    expect(result.state.relationships['acme']).toEqual({ ...seen.relationships['acme'], responseUrl: 'https://us.example/new', cem: { observed: true, observedAt: day(1).toISOString(), override: 'auto' } });
  });

  it('a listener of null is accepted: the partner leaves HTTP', () => {
    const { state } = partners(['acme']);
    const result = update(state, 'acme', { listener: null });
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']).toEqual({ ...state.relationships['acme'], listener: null });
  });
});

describe('relationshipUpdated: the listener', () => {
  it('the same listener (given or not) keeps the readiness and settles nothing, even with an install due', () => {
    const { state: base } = partners(['acme']);
    const { state } = scheduledServer(base);
    const readiness = state.relationships['acme']?.serverReadiness;
    expect(readiness).toMatchObject({ status: 'scheduled' });
    for (const changes of [{ partnerEmail: 'x@acme.example' }, { listener: 'HTTP' }]) {
      const result = update(state, 'acme', changes);
      expect(result.effects).toEqual([]);
      expect(result.state.relationships['acme']?.serverReadiness).toBe(readiness);
      expect(result.state.servers).toBe(state.servers);
    }
  });

  it('leaving a listener clears the readiness and installs the candidate once every remaining partner is ready', () => {
    const { state: base, pki } = partners(['acme', 'bolt']);
    const server = makeCert({ label: 'server-next' });
    const sent = sendServer(base, pki, server, ['acme', 'bolt']);
    const accepted = answer(sent.state, sent.requestIds['acme']!, [{ cert: server, status: 'Accepted' }], pki['acme']!.partnerSigning, day(1)).state;
    expect(accepted.servers['HTTP']?.candidate?.installRequestedAt).toBeNull();
    const result = update(accepted, 'bolt', { listener: 'FTP' });
    const keyRef = accepted.servers['HTTP']?.candidate?.cert.keyRef;
    expect(result.effects).toEqual([{ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: server.sha256, keyRef }]);
    expect(result.state.relationships['bolt']).toEqual({ ...accepted.relationships['bolt'], listener: 'FTP', serverReadiness: null });
    expect(result.state.servers['HTTP']?.candidate).toMatchObject({ installRequestedAt: day(2).toISOString(), installCause: 'cem' });
  });

  it('settling the listener left raises no daily reminder while a partner is still waited for', () => {
    const { state: base, pki } = partners(['acme', 'bolt', 'cora']);
    const server = makeCert({ label: 'server-next' });
    const sent = sendServer(base, pki, server, ['acme', 'bolt', 'cora']);
    const accepted = answer(sent.state, sent.requestIds['acme']!, [{ cert: server, status: 'Accepted' }], pki['acme']!.partnerSigning, day(1)).state;
    const result = update(accepted, 'cora', { listener: null });
    expect(result.effects).toEqual([]);
    expect(result.state.alertLog).toBe(accepted.alertLog);
    expect(result.state.relationships['cora']?.serverReadiness).toBeNull();
  });

  it('joining a listener from none settles the listener joined (its conflict alert)', () => {
    // Partners of HTTP that accepted two different certificates (data from before a manual change of the listener's certificate).
    const { state } = partners(['acme', 'bolt', 'cora'], { cora: { protocol: 'AS1' } });
    const readiness = (fingerprint: string) => ({ fingerprint, status: 'accepted' as const, exchangeId: null, activateAt: null, reason: null });
    const rels = state.relationships;
    const conflicting: CemState = { ...state, relationships: { ...rels, acme: { ...rels['acme']!, serverReadiness: readiness('aa') }, bolt: { ...rels['bolt']!, serverReadiness: readiness('bb') } } };
    expect(conflicting.relationships['cora']?.listener).toBeNull();
    const result = update(conflicting, 'cora', { listener: 'HTTP' });
    expect(result.effects).toEqual([expect.objectContaining({ type: 'notify', alert: expect.objectContaining({ kind: 'serverCertificateConflict' }) })]);
    expect(result.state.relationships['cora']?.listener).toBe('HTTP');
  });
});

describe('relationshipRemoved: refusals', () => {
  it.each([
    ['an unknown relationship', 'nope', 'no relationship nope'],
    ['a relationship id that is not text', 42, 'no relationship 42'],
  ])('%s', (_name, id, detail) => {
    const { state } = partners(['acme']);
    expectIgnored(remove(state, id), state, 'unknownRelationship', detail);
  });

  it.each([
    ['sending', false],
    ['pending', true],
  ] as const)('while a Request of it is %s', (status, delivered) => {
    const { state } = partners(['acme']);
    const sent = delivered ? sendDelivered(state, signingSelection(makeCert())) : send(state, signingSelection(makeCert()));
    expect(sent.state.outbound[sent.ids.requestId]?.status).toBe(status);
    expectIgnored(remove(sent.state, 'acme'), sent.state, 'invalidState', `exchange ${sent.ids.requestId} is still open`);
  });

  it('while a Request of it failed to send', () => {
    const { state } = partners(['acme']);
    const sent = send(state, signingSelection(makeCert()));
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    expect(failed.outbound[sent.ids.requestId]?.status).toBe('sendFailed');
    expectIgnored(remove(failed, 'acme'), failed, 'invalidState', `exchange ${sent.ids.requestId} is still open`);
  });

  it('while a received Request awaits a decision, naming its key', () => {
    const { state, pki } = partners(['acme']);
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki['acme']!.partnerSigning), T0).state;
    expectIgnored(remove(received, 'acme'), received, 'invalidState', 'exchange acme/r1 is still open');
  });
});

describe('relationshipRemoved: what goes', () => {
  it('archives every active certificate, then the successor, slot by slot', () => {
    const { state, pki } = partners(['acme'], { acme: { listener: null } });
    const next = makeCert({ label: 'partner-sign-next' });
    const scheduled = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: next, activateAt: day(5) }, T0).state;
    const p = pki['acme']!;
    const archive = (side: string, usage: string, cert: CertificateInfo) => ({ type: 'archiveCertificate', relationshipId: 'acme', side, usage, fingerprint: cert.sha256 });
    const result = remove(scheduled, 'acme');
    expect(result.effects).toEqual([
      archive('local', 'signing', p.localSigning), archive('local', 'encryption', p.localEncryption), archive('local', 'tlsClient', p.localTls),
      archive('partner', 'signing', p.partnerSigning), archive('partner', 'signing', next), archive('partner', 'encryption', p.partnerEncryption),
      archive('partner', 'tlsClient', p.partnerTlsClient), archive('partner', 'tlsServer', p.partnerTlsServer),
    ]);
    expect(result.state).toEqual({ ...scheduled, relationships: {} });
  });

  it('drops its finished exchanges (answered, superseded, accepted) and keeps the other partners and their open exchanges', () => {
    const { state: base, pki } = partners(['acme', 'bolt']);
    const a = pki['acme']!;
    const b = pki['bolt']!;
    const first = makeCert();
    const second = makeCert();
    const next = makeCert({ label: 'us-sign-next' });
    const sentToAcme = sendDelivered(base, signingSelection(next));
    const acceptedState = answer(sentToAcme.state, sentToAcme.ids.requestId, [{ cert: next, status: 'Accepted' }], a.partnerSigning, T0).state;
    expect(acceptedState.outbound[sentToAcme.ids.requestId]?.status).toBe('accepted');
    const { state } = run(acceptedState, [
      [requestEvent('r1', [{ cert: first, usages: ['digitalSignature'] }], a.partnerSigning), T0],
      [requestEvent('r2', [{ cert: second, usages: ['digitalSignature'] }], a.partnerSigning), day(0.1)],
      [{ type: 'decide', exchangeKey: 'acme/r2', decisions: [{ fingerprint: second.sha256, accept: false, reason: 'no' }] }, day(0.2)],
      [{ type: 'responseDelivered', exchangeKey: 'acme/r2' }, day(0.3)],
      [requestEvent('r3', [{ cert: makeCert(), usages: ['digitalSignature'] }], b.partnerSigning, { from: 'BOLT' }), day(0.4)],
    ]);
    const sentToBolt = sendDelivered(state, signingSelection(makeCert()), day(0.5), 'bolt');
    expect([sentToBolt.state.inbound['acme/r1']?.status, sentToBolt.state.inbound['acme/r2']?.status]).toEqual(['superseded', 'answered']);
    const result = remove(sentToBolt.state, 'acme');
    expect(result.effects.every((e) => e.type === 'archiveCertificate')).toBe(true);
    expect(Object.keys(result.state.relationships)).toEqual(['bolt']);
    expect(result.state.relationships['bolt']).toBe(sentToBolt.state.relationships['bolt']);
    expect(result.state.outbound).toEqual({ [sentToBolt.ids.requestId]: sentToBolt.state.outbound[sentToBolt.ids.requestId] });
    expect(result.state.inbound).toEqual({ 'bolt/r3': sentToBolt.state.inbound['bolt/r3'] });
  });
});

describe('relationshipRemoved: the listener it leaves', () => {
  it('is settled: a candidate every remaining partner is ready for is installed', () => {
    const { state: base } = partners(['acme', 'bolt']);
    const { state, server } = scheduledServer(base);
    const result = remove(state, 'bolt');
    expect(result.effects.at(-1)).toEqual({ type: 'installServerCertificate', protocol: 'HTTP', fingerprint: server.sha256, keyRef: state.servers['HTTP']?.candidate?.cert.keyRef });
    expect(result.effects.filter((e) => e.type !== 'archiveCertificate')).toHaveLength(1);
    expect(result.state.servers['HTTP']?.candidate).toMatchObject({ installRequestedAt: day(2).toISOString(), installCause: 'schedule' });
  });

  it('raises no daily reminder while a remaining partner is still waited for', () => {
    const { state: base } = partners(['acme', 'bolt', 'cora']);
    const { state } = scheduledServer(base);
    const result = remove(state, 'cora');
    expect(result.effects.map((e) => e.type)).toEqual(Array(7).fill('archiveCertificate'));
    expect(result.state.alertLog).toBe(state.alertLog);
  });
});
