/**
 * A shared listener's server certificate, exactly: the host's configured certificate and its
 * archive, the install confirmation (which cause, which partner's late rejection undoes it), the
 * administrator's "set as active" and withdrawal, the refusals with their details, and the
 * consensus settlement's cause and daily alert-log entries.
 */
import { describe, expect, it } from 'vitest';
import { CemArgumentError } from '../../src/errors.js';
import { toCertRef } from '../../src/state/relationship/cert-ref.js';
import { installServer, onServerEvent, SERVER_PROTOCOLS } from '../../src/state/listener/servers.js';
import type { CemState, Relationship, ServerReadiness, ServerSlot } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { expectIgnored, shape } from './assertions.js';
import { day, effectsOf, local, makeCert, makePki, relationshipInit, run, T0, twoPartnersOnHttp } from './fixtures.js';
import { answer, sendDelivered } from './scenarios.js';

const slotOf = (s: CemState): ServerSlot => s.servers.HTTP as ServerSlot;
const configure = (cert: ReturnType<typeof makeCert>, protocol: 'HTTP' | 'FTP' | 'OFTP' | 'SSH-FTP' = 'HTTP') => ({ type: 'serverCertificateConfigured' as const, protocol, certificate: local(cert) });
const installed = (fingerprint: string) => ({ type: 'serverCertificateInstalled' as const, protocol: 'HTTP' as const, fingerprint });
const withReadiness = (s: CemState, id: string, r: ServerReadiness | null): CemState => ({ ...s, relationships: { ...s.relationships, [id]: { ...(s.relationships[id] as Relationship), serverReadiness: r } } });
const readiness = (fingerprint: string, status: ServerReadiness['status'], extra: Partial<ServerReadiness> = {}): ServerReadiness => ({ fingerprint, status, exchangeId: null, activateAt: null, reason: null, ...extra });
const scheduleServer = (cert: ReturnType<typeof makeCert>, at: Date, relationshipId = 'acme') =>
  ({ type: 'schedule' as const, relationshipId, side: 'local' as const, usage: 'tlsServer' as const, certificate: local(cert), activateAt: at, emailPartner: false });
const archiveEffect = (fingerprint: string) => ({ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint });

describe('the host configures the certificate a listener presents', () => {
  it('takes every listener protocol and refuses another one', () => {
    expect(SERVER_PROTOCOLS).toEqual(['HTTP', 'FTP', 'OFTP', 'SSH-FTP']);
    for (const protocol of ['HTTP', 'FTP', 'OFTP', 'SSH-FTP'] as const) {
      const cert = makeCert();
      const result = transition(createInitialState(), configure(cert, protocol), T0);
      expect(result.state.servers[protocol]?.installed?.cert.fingerprint).toBe(cert.sha256);
    }
    const before = createInitialState();
    expectIgnored(transition(before, { ...configure(makeCert()), protocol: 'SMTP' as 'HTTP' }, T0), before, 'invalidEvent', 'unknown listener protocol');
  });

  it('installs the first as initial and a later one as manual, archiving the one it replaces', () => {
    const a = makeCert({ label: 'a' });
    const b = makeCert({ label: 'b' });
    const first = transition(createInitialState(), configure(a), T0);
    expect(slotOf(first.state).installed).toEqual({ cert: toCertRef(a, local(a).keyRef), since: T0.toISOString(), cause: 'initial' });
    expect(shape(first.effects)).toEqual(['notify:certificateActivated']);
    const [activated] = effectsOf(first.effects, 'notify');
    expect(activated?.alert).toMatchObject({ dedupeKey: `certificateActivated:-:local:HTTP server:${a.sha256}`, relationshipId: null, details: { side: 'local', usage: 'HTTP server', cause: 'initial' } });
    const second = transition(first.state, configure(b), day(1));
    expect(slotOf(second.state).installed).toEqual({ cert: toCertRef(b, local(b).keyRef), since: day(1).toISOString(), cause: 'manual' });
    expect(second.effects[0]).toEqual(archiveEffect(a.sha256));
    expect(shape(second.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
    expect(effectsOf(second.effects, 'notify')[0]?.alert.details).toMatchObject({ cause: 'manual' });
    // Back to a: b archived; a leaves the archive (it is presented again), kept once.
    const back = transition(second.state, configure(a), day(2));
    expect(slotOf(back.state).archive).toEqual([{ cert: toCertRef(b, local(b).keyRef), archivedAt: day(2).toISOString(), reason: 'replaced' }]);
    const again = transition(back.state, configure(b), day(3));
    expect(slotOf(again.state).archive).toEqual([{ cert: toCertRef(a, local(a).keyRef), archivedAt: day(3).toISOString(), reason: 'replaced' }]);
  });

  it('refuses the certificate already presented, and a malformed one', () => {
    const a = makeCert();
    const { state } = run(createInitialState(), [[configure(a), T0]]);
    expectIgnored(transition(state, configure(a), day(1)), state, 'duplicate', `${a.sha256} is already installed`);
    const bad = { type: 'serverCertificateConfigured' as const, protocol: 'HTTP' as const, certificate: { certificate: null } as unknown as ReturnType<typeof local> };
    expectIgnored(transition(state, bad, day(1)), state, 'invalidEvent', 'certificate missing or malformed');
  });

  it('re-installing the installed certificate archives nothing, and an old archive entry of the replaced one is not kept twice', () => {
    const { state, old } = twoPartnersOnHttp();
    const same = installServer(state, 'HTTP', toCertRef(old, local(old).keyRef), day(1), 'manual');
    expect(slotOf(same.state).archive).toEqual([]);
    expect(shape(same.effects)).toEqual(['notify:certificateActivated']);
    const stale = { cert: toCertRef(old, local(old).keyRef), archivedAt: T0.toISOString(), reason: 'manual' as const };
    const withStale: CemState = { ...state, servers: { HTTP: { ...slotOf(state), archive: [stale] } } };
    const next = makeCert();
    const step = installServer(withStale, 'HTTP', toCertRef(next), day(1), 'manual');
    expect(slotOf(step.state).archive).toEqual([{ ...stale, archivedAt: day(1).toISOString(), reason: 'replaced' }]);
  });

  it('consumes the candidate it presents and clears only the readiness for that certificate', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const other = 'e'.repeat(64);
    const scheduled = withReadiness(transition(state, scheduleServer(server, day(3)), T0).state, 'bolt', readiness(other, 'accepted'));
    const result = transition(scheduled, configure(server), day(1));
    expect(slotOf(result.state).candidate).toBeNull();
    expect(slotOf(result.state).installed?.cause).toBe('manual');
    expect(result.state.relationships['acme']?.serverReadiness).toBeNull();
    expect(result.state.relationships['bolt']?.serverReadiness).toEqual(readiness(other, 'accepted'));
  });
});

describe('the host confirms an install', () => {
  it('refuses a missing fingerprint, the installed one, and one that is not the candidate', () => {
    const { state, old } = twoPartnersOnHttp();
    expectIgnored(transition(state, installed(' '), T0), state, 'invalidEvent', 'fingerprint missing');
    expectIgnored(transition(state, installed(old.sha256.toUpperCase()), T0), state, 'duplicate', `${old.sha256} is already installed`);
    const fp = 'd'.repeat(64);
    expectIgnored(transition(state, installed(fp), T0), state, 'unknownCertificate', `${fp} is not the HTTP candidate`);
    const withCandidate = transition(state, scheduleServer(makeCert(), day(3)), T0).state;
    expectIgnored(transition(withCandidate, installed(fp), T0), withCandidate, 'unknownCertificate', `${fp} is not the HTTP candidate`);
  });

  it('installs a candidate whose install was never requested as manual', () => {
    const { state, old } = twoPartnersOnHttp();
    const server = makeCert();
    const withCandidate = transition(state, scheduleServer(server, day(3)), T0).state;
    const result = transition(withCandidate, installed(server.sha256), day(1));
    expect(slotOf(result.state).installed).toEqual({ cert: toCertRef(server, local(server).keyRef), since: day(1).toISOString(), cause: 'manual' });
    expect(result.effects[0]).toEqual(archiveEffect(old.sha256));
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:certificateActivated']);
  });

  /** acme alone on HTTP without a server certificate, useAfterRespondBy: the install requested after the respond-by time. */
  function requestedAfterRespondBy(): { state: CemState; server: ReturnType<typeof makeCert>; requestId: string; signer: ReturnType<typeof makeCert> } {
    const a = makePki();
    const server = makeCert({ label: 'server-new' });
    const start = run(createInitialState({ maxResponseDays: 5, useAfterRespondBy: true }), [[{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0]]).state;
    const sent = sendDelivered(start, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5));
    expect(effectsOf(expired.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    return { state: expired.state, server, requestId: sent.ids.requestId, signer: a.partnerSigning };
  }

  it('after the respond-by time without a previous certificate: replaces none', () => {
    const { state, server } = requestedAfterRespondBy();
    const result = transition(state, installed(server.sha256), day(5.6));
    expect(slotOf(result.state).installed).toEqual({ cert: toCertRef(server, local(server).keyRef), since: day(5.6).toISOString(), cause: 'respondByPassed', replaced: [] });
    expect(shape(result.effects)).toEqual(['notify:certificateActivated']);
  });

  it('after the respond-by time, with a partner on the listener that has no readiness: installs it', () => {
    const { state, server } = requestedAfterRespondBy();
    const added = transition(state, { type: 'relationshipAdded', relationship: relationshipInit('carl', makePki()) }, day(5.55)).state;
    const result = transition(added, installed(server.sha256), day(5.6));
    expect(slotOf(result.state).installed?.cert.fingerprint).toBe(server.sha256);
    expect(shape(result.effects)).toEqual(['notify:certificateActivated']);
  });

  it('a rejection that arrived between the request and the confirmation: warns with its partner, Request and reason', () => {
    const { state, server, requestId, signer } = requestedAfterRespondBy();
    const rejected = answer(state, requestId, [{ cert: server, status: 'Rejected', reason: 'untrusted CA' }], signer, day(5.55));
    const result = transition(rejected.state, installed(server.sha256), day(5.6));
    expect(shape(result.effects)).toEqual(['notify:certificateActivated', 'notify:certificateRestored']);
    expect(effectsOf(result.effects, 'notify')[1]?.alert).toMatchObject({
      dedupeKey: `certificateRestored:acme:local:HTTP server:${server.sha256}:${requestId}`,
      relationshipId: 'acme',
      details: { requestId, reason: 'untrusted CA', restored: [] },
    });
  });

  it('a rejection without its Request: names the Request as "-"; a rejection of another certificate does not count', () => {
    const { state, server } = requestedAfterRespondBy();
    const noRequest = withReadiness(state, 'acme', readiness(server.sha256, 'rejected'));
    const result = transition(noRequest, installed(server.sha256), day(5.6));
    expect(effectsOf(result.effects, 'notify')[1]?.alert).toMatchObject({ dedupeKey: `certificateRestored:acme:local:HTTP server:${server.sha256}:-`, details: { requestId: '-', reason: null } });
    const other = withReadiness(state, 'acme', readiness('e'.repeat(64), 'rejected', { exchangeId: 'x' }));
    expect(shape(transition(other, installed(server.sha256), day(5.6)).effects)).toEqual(['notify:certificateActivated']);
  });
});

describe('the administrator sets the candidate active or withdraws it', () => {
  it('refuses both without a candidate', () => {
    const { state } = twoPartnersOnHttp();
    expectIgnored(transition(state, { type: 'setServerActive', protocol: 'HTTP' }, T0), state, 'invalidState', 'no candidate server certificate for HTTP');
    expectIgnored(transition(state, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, T0), state, 'invalidState', 'no candidate server certificate for HTTP');
  });

  it('withdraws: the candidate archived once as cancelled, the archive kept, another certificate’s readiness kept', () => {
    const { state, old } = twoPartnersOnHttp();
    const b = makeCert({ label: 'b' });
    const server = makeCert({ label: 'server-new' });
    const other = readiness('e'.repeat(64), 'accepted', { exchangeId: 'elsewhere' });
    const { state: before } = run(state, [[configure(b), T0], [scheduleServer(server, day(3)), T0]]);
    const stale = { cert: toCertRef(server, local(server).keyRef), archivedAt: T0.toISOString(), reason: 'cancelled' as const };
    const withStale: CemState = withReadiness({ ...before, servers: { HTTP: { ...slotOf(before), archive: [...slotOf(before).archive, stale] } } }, 'bolt', other);
    const result = transition(withStale, { type: 'withdrawServerCandidate', protocol: 'HTTP' }, day(1));
    expect(result.effects).toEqual([archiveEffect(server.sha256)]);
    expect(slotOf(result.state).archive).toEqual([
      { cert: toCertRef(old, local(old).keyRef), archivedAt: T0.toISOString(), reason: 'replaced' },
      { ...stale, archivedAt: day(1).toISOString() },
    ]);
    expect(result.state.relationships['acme']?.serverReadiness).toBeNull();
    expect(result.state.relationships['bolt']?.serverReadiness).toEqual(other);
  });

  it('throws for an event outside the union (transition never passes one)', () => {
    const { state } = twoPartnersOnHttp();
    expect(() => onServerEvent(state, { type: 'unknownServerEvent', protocol: 'HTTP' } as unknown as Parameters<typeof onServerEvent>[1], T0)).toThrow(CemArgumentError);
  });
});

describe('settling a listener', () => {
  it('installs for CEM, not the schedule, when one partner is scheduled and the other accepted', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert();
    const scheduled = transition(state, scheduleServer(server, day(1)), T0).state;
    const accepted = withReadiness(scheduled, 'bolt', readiness(server.sha256, 'accepted', { exchangeId: 'r-bolt' }));
    const result = transition(accepted, { type: 'tick' }, day(2));
    expect(effectsOf(result.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    expect(slotOf(result.state).candidate).toMatchObject({ installRequestedAt: day(2).toISOString(), installCause: 'cem' });
  });

  it('records the daily conflict and pending alerts under their subjects', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert();
    const other = 'e'.repeat(64);
    const scheduled = transition(state, scheduleServer(server, day(5)), T0).state;
    const conflict = withReadiness(withReadiness(scheduled, 'acme', readiness(server.sha256, 'accepted')), 'bolt', readiness(other, 'accepted'));
    const ticked = transition(conflict, { type: 'tick' }, day(1));
    expect(shape(ticked.effects)).toEqual(['notify:serverCertificateConflict', 'notify:serverCertificatePending']);
    expect(ticked.state.alertLog).toEqual({ 'serverCertificateConflict:HTTP': '2026-03-03', [`serverCertificatePending:HTTP:${server.sha256}`]: '2026-03-03' });
    expect(transition(ticked.state, { type: 'tick' }, day(1.1)).effects).toEqual([]);
  });
});
