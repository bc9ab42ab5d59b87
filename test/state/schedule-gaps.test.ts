/**
 * Scheduling certificates for future use (src/state/relationship/schedule.ts): the behaviours
 * mutation testing found unasserted, driven through `transition` only. Every refusal with its
 * exact detail, the email exchange as recorded, what placing and activating a scheduled
 * certificate archives, repeated schedules, and cancelling our scheduled server certificate.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, makePki, relationshipInit, run, T0, twoPartnersOnHttp } from './fixtures.js';
import { sendDelivered } from './scenarios.js';
import { createInitialState } from '../../src/state/transition.js';
import { shape, expectIgnored } from './assertions.js';

const schedule = (usage: string, certificate: unknown, activateAt: Date, extra: Record<string, unknown> = {}): CemEvent =>
  ({ type: 'schedule', relationshipId: 'acme', side: 'local', usage, certificate, activateAt, emailPartner: false, ...extra }) as CemEvent;

describe('schedule: refusals with their details', () => {
  it('an unknown relationship, a bad side or usage, a bad time, a malformed certificate', () => {
    const { state } = establishedState();
    const cert = makeCert();
    expectIgnored(transition(state, { ...schedule('signing', local(cert), day(3)), relationshipId: 'nope' } as CemEvent, T0), state, 'unknownRelationship', 'no relationship nope');
    expectIgnored(transition(state, schedule('bogus', local(cert), day(3)), T0), state, 'invalidEvent', 'side, usage and activateAt are required');
    expectIgnored(transition(state, schedule('signing', local(cert), new Date(Number.NaN)), T0), state, 'invalidEvent', 'side, usage and activateAt are required');
    expectIgnored(transition(state, schedule('signing', { certificate: { subject: 'x' } }, day(3)), T0), state, 'invalidEvent', 'certificate missing or malformed');
  });

  it('a certificate already active, and a slot whose successor blocks it', () => {
    const { state, pki } = establishedState();
    expectIgnored(transition(state, schedule('signing', local(pki.localSigning), day(3)), T0), state, 'invalidState', `${pki.localSigning.sha256} is already active`);
    const sent = sendDelivered(state, { signing: local(makeCert()), encryption: local(pki.localEncryption) });
    expectIgnored(transition(sent.state, schedule('signing', local(makeCert()), day(3)), T0), sent.state, 'alreadyPending', 'the local signing slot of acme has a pending successor');
  });

  it('emailing without an address, without an exchange id, or with an id that exists', () => {
    const { state: noEmail } = establishedState({}, { partnerEmail: null });
    expectIgnored(transition(noEmail, schedule('signing', local(makeCert()), day(3), { emailPartner: true, exchangeId: 'e1' }), T0), noEmail, 'noPartnerEmail', 'acme has no email address');
    const { state, pki } = establishedState();
    expectIgnored(transition(state, schedule('signing', local(makeCert()), day(3), { emailPartner: true }), T0), state, 'invalidEvent', 'exchangeId is required to email the partner');
    const sent = sendDelivered(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(makeCert()) });
    expectIgnored(transition(sent.state, schedule('signing', local(makeCert()), day(3), { emailPartner: true, exchangeId: sent.ids.requestId }), T0), sent.state, 'duplicate', `exchange ${sent.ids.requestId} exists`);
  });

  it('our server certificate: no listener, already installed, another candidate, a partner already waiting', () => {
    const { state: none } = establishedState({}, { listener: null });
    expectIgnored(transition(none, schedule('tlsServer', local(makeCert()), day(3)), T0), none, 'noListener', 'acme has no listener');
    const { state, a, old } = twoPartnersOnHttp();
    expectIgnored(transition(state, schedule('tlsServer', local(old), day(3)), T0), state, 'invalidState', `${old.sha256} is already the HTTP server certificate`);
    const server = makeCert({ label: 'server-new' });
    const toA = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const other = makeCert();
    expectIgnored(transition(toA.state, { ...schedule('tlsServer', local(other), day(3)), relationshipId: 'bolt' } as CemEvent, T0), toA.state, 'serverCertificateMismatch', `the pending HTTP server certificate is ${server.sha256}`);
    expectIgnored(transition(toA.state, schedule('tlsServer', local(server), day(3)), T0), toA.state, 'alreadyPending', 'acme already has a pending server certificate');
  });

  it('a scheduled certificate already refused by the slot is not emailed', () => {
    const { state, pki } = establishedState();
    expectIgnored(transition(state, schedule('signing', local(pki.localSigning), day(3), { emailPartner: true, exchangeId: 'e1' }), T0), state, 'invalidState', `${pki.localSigning.sha256} is already active`);
  });
});

describe('schedule: what is recorded', () => {
  it('with emailPartner, an email exchange for the one certificate and its usage, and a sendEmail effect', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const result = transition(state, schedule('tlsClient', local(cert), day(3), { emailPartner: true, exchangeId: 'e1' }), T0);
    expect(result.state.outbound['e1']).toMatchObject({
      channel: 'email', status: 'emailed', respondBy: null, xmlContentId: '', activateAt: day(3).toISOString(), emailTo: 'pki@acme.example', responseUrl: null,
      items: [{ fingerprint: cert.sha256, usages: ['tlsClient'], contentId: '', status: 'pending' }],
    });
    expect(shape(result.effects)).toEqual(['sendEmail']);
    expect(result.state.relationships['acme']?.local.tlsClient.successor).toMatchObject({ status: 'scheduled', exchangeId: 'e1', activateAt: day(3).toISOString() });
  });

  it('without emailPartner, no exchange even when an exchange id is given; for the partner side never an email', () => {
    const { state } = establishedState();
    const result = transition(state, schedule('tlsClient', local(makeCert()), day(3), { exchangeId: 'e1' }), T0);
    expect(result.state.outbound).toEqual({});
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']?.local.tlsClient.successor).toMatchObject({ status: 'scheduled', exchangeId: null });
    const partner = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: makeCert(), activateAt: day(3), emailPartner: true, exchangeId: 'e2' } as unknown as CemEvent, T0);
    expect(partner.state.outbound).toEqual({});
    expect(partner.effects).toEqual([]);
  });

  it('at a time already passed, activates at once: cause schedule, the old one archived as replaced, a scheduledActivated alert', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const result = transition(state, schedule('signing', local(cert), T0), day(1));
    const slot = result.state.relationships['acme']!.local.signing;
    expect(slot.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[cert.sha256, 'schedule']]);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[pki.localSigning.sha256, 'replaced']]);
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:scheduledActivated']);
    const alert = result.effects[1];
    expect(alert?.type === 'notify' && alert.alert).toMatchObject({ relationshipId: 'acme', dedupeKey: `scheduledActivated:acme:local:signing:${cert.sha256}`, details: { side: 'local', usage: 'signing', cause: 'schedule' } });
  });

  it('over an expired successor: archives it for signing, keeps our expired encryption certificate decrypting, and closes the Request left with nothing', () => {
    const { state, pki } = establishedState({ maxResponseDays: 5 });
    const [s1, e1] = [makeCert({ label: 's1' }), makeCert({ label: 'e1' })];
    const sent = sendDelivered(state, { signing: local(s1), encryption: local(e1) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    const signing = transition(expired, schedule('signing', local(makeCert()), day(9)), day(6));
    expect(signing.effects).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'local', usage: 'signing', fingerprint: s1.sha256 }]);
    expect(signing.state.outbound[sent.ids.requestId]?.status).toBe('expired');
    const encryption = transition(signing.state, schedule('encryption', local(makeCert()), day(9)), day(6));
    expect(encryption.effects).toEqual([]);
    expect(encryption.state.relationships['acme']!.local.encryption.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[e1.sha256, 'distributed'], [pki.localEncryption.sha256, 'initial']]);
    expect(encryption.state.outbound[sent.ids.requestId]?.status).toBe('closed');
  });

  it('a partner encryption certificate scheduled again replaces the first one (archived, not kept)', () => {
    const { state } = establishedState();
    const [p1, p2] = [makeCert({ label: 'p1' }), makeCert({ label: 'p2' })];
    const partner = (certificate: unknown, at: Date): CemEvent => ({ type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'encryption', certificate, activateAt: at }) as CemEvent;
    const first = transition(state, partner(p1, day(5)), T0).state;
    const second = transition(first, partner(p2, day(6)), T0);
    const slot = second.state.relationships['acme']!.partner.encryption;
    expect(slot.active.map((a) => a.cert.fingerprint)).not.toContain(p1.sha256);
    expect(slot.archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[p1.sha256, 'replaced']]);
    expect(second.effects).toEqual([{ type: 'archiveCertificate', relationshipId: 'acme', side: 'partner', usage: 'encryption', fingerprint: p1.sha256 }]);
  });
});

describe('schedule: the same schedule again', () => {
  it('is a duplicate with its detail; another certificate at the same time replaces it', () => {
    const { state } = establishedState();
    const [c1, c2] = [makeCert({ label: 'c1' }), makeCert({ label: 'c2' })];
    const first = transition(state, schedule('signing', local(c1), day(3)), T0).state;
    expectIgnored(transition(first, schedule('signing', local(c1), day(3)), day(1)), first, 'duplicate', `${c1.sha256} is already scheduled for ${day(3).toISOString()}`);
    const other = transition(first, schedule('signing', local(c2), day(3)), day(1));
    expect(other.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'scheduled', cert: { fingerprint: c2.sha256 } });
  });

  it('emailed: a duplicate says so', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const first = transition(state, schedule('signing', local(cert), day(3), { emailPartner: true, exchangeId: 'e1' }), T0).state;
    expectIgnored(transition(first, schedule('signing', local(cert), day(3), { emailPartner: true, exchangeId: 'e2' }), day(1)), first, 'duplicate', `${cert.sha256} is already scheduled for ${day(3).toISOString()} and was emailed`);
  });

  it('our server certificate at the same time is a duplicate too, and scheduling it gives no alert', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const first = transition(state, schedule('tlsServer', local(server), day(3)), T0);
    expect(first.effects).toEqual([]);
    expect(first.state.relationships['acme']?.serverReadiness).toEqual({ fingerprint: server.sha256, status: 'scheduled', exchangeId: null, activateAt: day(3).toISOString(), reason: null });
    expectIgnored(transition(first.state, schedule('tlsServer', local(server), day(3)), day(1)), first.state, 'duplicate', `${server.sha256} is already scheduled for ${day(3).toISOString()}`);
  });

  it('our server certificate over an expired Request closes that Request', () => {
    const { state, a } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const sent = sendDelivered(state, { signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) });
    const expired = transition(sent.state, { type: 'tick' }, day(5.5)).state;
    expect(expired.outbound[sent.ids.requestId]?.status).toBe('expired');
    const scheduled = transition(expired, schedule('tlsServer', local(server), day(9)), day(6)).state;
    expect(scheduled.outbound[sent.ids.requestId]?.status).toBe('closed');
  });
});

describe('cancelSchedule', () => {
  const cancel = (usage: string, side = 'local'): CemEvent => ({ type: 'cancelSchedule', relationshipId: 'acme', side, usage }) as CemEvent;

  it('refuses an unknown relationship, a bad address, and a slot with nothing scheduled, with their details', () => {
    const { state, pki } = establishedState();
    expectIgnored(transition(state, { ...cancel('signing'), relationshipId: 'nope' } as CemEvent, T0), state, 'unknownRelationship', 'no relationship nope');
    expectIgnored(transition(state, cancel('signing', 'nobody'), T0), state, 'invalidEvent', 'side and usage do not fit together');
    const sent = sendDelivered(state, { signing: local(makeCert()), encryption: local(pki.localEncryption) });
    expectIgnored(transition(sent.state, cancel('signing'), T0), sent.state, 'invalidState', 'the local signing slot of acme has nothing scheduled');
    expectIgnored(transition(state, cancel('tlsServer'), T0), state, 'invalidState', 'acme has no scheduled server certificate');
  });

  it('our server certificate scheduled for this partner only: the candidate is archived as cancelled', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const scheduled = transition(state, schedule('tlsServer', local(server), day(3)), T0).state;
    const archiveBefore = scheduled.servers.HTTP!.archive;
    const cancelled = transition(scheduled, cancel('tlsServer'), day(1));
    expect(cancelled.effects).toEqual([{ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: server.sha256 }]);
    expect(cancelled.state.servers.HTTP?.candidate).toBeNull();
    expect(cancelled.state.servers.HTTP?.archive.map((x) => [x.cert.fingerprint, x.reason])).toEqual([...archiveBefore.map((x) => [x.cert.fingerprint, x.reason]), [server.sha256, 'cancelled']]);
    expect(cancelled.state.relationships['acme']?.serverReadiness).toBeNull();
  });

  it('our server certificate another partner still waits for stays the candidate', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const both = run(state, [
      [schedule('tlsServer', local(server), day(3)), T0],
      [{ ...schedule('tlsServer', local(server), day(3)), relationshipId: 'bolt' } as CemEvent, T0],
    ]).state;
    const cancelled = transition(both, cancel('tlsServer'), day(1));
    expect(cancelled.effects).toEqual([]);
    expect(cancelled.state.servers.HTTP?.candidate?.cert.fingerprint).toBe(server.sha256);
    expect(cancelled.state.relationships['acme']?.serverReadiness).toBeNull();
    expect(cancelled.state.relationships['bolt']?.serverReadiness).toMatchObject({ status: 'scheduled' });
  });
});

describe('schedule and cancelSchedule: more cases', () => {
  const cancel = (relationshipId = 'acme'): CemEvent => ({ type: 'cancelSchedule', relationshipId, side: 'local', usage: 'tlsServer' }) as CemEvent;

  it('schedules a TLS client certificate into a slot that has none active', () => {
    const pki = makePki();
    const { state } = establishedState({}, { local: { signing: local(pki.localSigning), encryption: local(pki.localEncryption) } });
    const cert = makeCert();
    const result = transition(state, schedule('tlsClient', local(cert), day(3)), T0);
    expect(result.state.relationships['acme']?.local.tlsClient).toMatchObject({ active: [], successor: { status: 'scheduled', cert: { fingerprint: cert.sha256 } } });
  });

  it('emails a certificate scheduled for a time already passed, after activating it', () => {
    const { state } = establishedState();
    const result = transition(state, schedule('signing', local(makeCert()), T0, { emailPartner: true, exchangeId: 'e1' }), day(1));
    expect(shape(result.effects)).toEqual(['archiveCertificate', 'notify:scheduledActivated', 'sendEmail']);
    expect(result.state.outbound['e1']).toMatchObject({ channel: 'email', items: [{ usages: ['digitalSignature'] }] });
  });

  it('emails our server certificate with its usage', () => {
    const { state } = twoPartnersOnHttp();
    const server = makeCert({ label: 'server-new' });
    const result = transition(state, schedule('tlsServer', local(server), day(3), { emailPartner: true, exchangeId: 'e1' }), T0);
    expect(result.state.outbound['e1']).toMatchObject({ channel: 'email', items: [{ fingerprint: server.sha256, usages: ['tlsServer'] }] });
    expect(result.state.relationships['acme']?.serverReadiness).toMatchObject({ status: 'scheduled', exchangeId: 'e1' });
  });

  it('cancelling keeps the candidate while its install is requested', () => {
    const pki = makePki();
    const state = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', pki) }, T0],
      [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(makeCert({ label: 'server-old' })) }, T0],
    ]).state;
    const server = makeCert({ label: 'server-new' });
    const scheduled = transition(state, schedule('tlsServer', local(server), day(1)), T0).state;
    const due = transition(scheduled, { type: 'tick' }, day(2));
    expect(due.effects.filter((e) => e.type === 'installServerCertificate')).toHaveLength(1);
    expect(due.state.relationships['acme']?.serverReadiness).toMatchObject({ status: 'scheduled' });
    const cancelled = transition(due.state, cancel(), day(2.1));
    expect(cancelled.effects).toEqual([]);
    expect(cancelled.state.servers.HTTP?.candidate).toMatchObject({ cert: { fingerprint: server.sha256 } });
  });

  it('cancelling archives the candidate once even when it was cancelled before, keeping older archived certificates', () => {
    const { state } = twoPartnersOnHttp();
    const newer = makeCert({ label: 'server-newer' });
    const configured = transition(state, { type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(newer) }, T0).state;
    const older = configured.servers.HTTP!.archive.map((x) => x.cert.fingerprint);
    expect(older).toHaveLength(1);
    const server = makeCert({ label: 'server-new' });
    const again = run(configured, [
      [schedule('tlsServer', local(server), day(3)), T0],
      [cancel(), T0],
      [schedule('tlsServer', local(server), day(4)), day(1)],
      [cancel(), day(1)],
    ]).state;
    expect(again.servers.HTTP?.archive.map((x) => [x.cert.fingerprint, x.reason])).toEqual([[older[0], 'replaced'], [server.sha256, 'cancelled']]);
  });

  it('cancelling archives the candidate although a partner on another listener waits for the same certificate', () => {
    const a = makePki();
    const f = makePki();
    const state = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('ftpco', f, { protocol: 'AS3' }) }, T0],
    ]).state;
    expect(state.relationships['ftpco']?.listener).toBe('FTP');
    const server = makeCert({ label: 'server-shared' });
    const both = run(state, [
      [schedule('tlsServer', local(server), day(3)), T0],
      [{ ...schedule('tlsServer', local(server), day(3)), relationshipId: 'ftpco' } as CemEvent, T0],
    ]).state;
    const cancelled = transition(both, cancel(), day(1));
    expect(cancelled.effects).toEqual([{ type: 'archiveCertificate', relationshipId: null, side: 'local', usage: 'tlsServer', fingerprint: server.sha256 }]);
    expect(cancelled.state.servers.HTTP?.candidate).toBeNull();
    expect(cancelled.state.servers.FTP?.candidate?.cert.fingerprint).toBe(server.sha256);
  });
});
