import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/resolution.js';
import type { CemEvent, RelationshipInit } from '../../src/state/events.js';
import type { CemState } from '../../src/state/model.js';
import { relationshipStatus } from '../../src/state/status.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { alertKinds, day, effectsOf, establishedState, ignoredReason, local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';

const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

function schedule(side: 'local' | 'partner', usage: 'signing' | 'encryption' | 'tlsClient' | 'tlsServer', cert: ReturnType<typeof makeCert>, activateAt: Date, extra: Partial<{ emailPartner: boolean; exchangeId: string; relationshipId: string }> = {}): CemEvent {
  const relationshipId = extra.relationshipId ?? 'acme';
  if (side === 'local') {
    return { type: 'schedule', relationshipId, side, usage: usage as 'signing', certificate: local(cert), activateAt, emailPartner: extra.emailPartner ?? false, ...(extra.exchangeId === undefined ? {} : { exchangeId: extra.exchangeId }) };
  }
  return { type: 'schedule', relationshipId, side, usage, certificate: cert, activateAt };
}

describe('Scheduling 1: schedule local or partner certificates, now or later', () => {
  const slots = [
    ['local', 'signing'], ['local', 'encryption'], ['local', 'tlsClient'],
    ['partner', 'signing'], ['partner', 'encryption'], ['partner', 'tlsClient'], ['partner', 'tlsServer'],
  ] as const;
  it.each(slots)('schedules a %s %s certificate for later: Scheduled', (side, usage) => {
    const { state } = establishedState();
    const cert = makeCert();
    const result = transition(state, schedule(side, usage, cert, day(7)), T0);
    const rel = result.state.relationships['acme'];
    const slot = side === 'local' ? rel?.local[usage as 'signing'] : rel?.partner[usage];
    expect(slot?.successor).toMatchObject({ status: 'scheduled', activateAt: day(7).toISOString(), cert: { fingerprint: cert.sha256 } });
    if (side === 'local') expect(slot?.successor?.cert.keyRef).toBe(`key:${cert.sha256.slice(0, 8)}`);
    expect(relationshipStatus(result.state, 'acme')?.status).toBe('Scheduled');
  });

  it('activates at once when the activation time is now or past', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const result = transition(state, schedule('partner', 'encryption', cert, T0), T0);
    expect(resolveCertificates(result.state, 'acme', T0)?.encryptOutbound?.fingerprint).toBe(cert.sha256);
    expect(effectsOf(result.effects, 'archiveCertificate').map((e) => e.fingerprint)).toEqual([pki.partnerEncryption.sha256]);
    expect(alertKinds(result.effects)).toEqual(['scheduledActivated']);
  });

  it('emails the scheduled certificate to the partner when asked', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const result = transition(state, schedule('local', 'encryption', cert, day(7), { emailPartner: true, exchangeId: 'mail-1' }), T0);
    const [email] = effectsOf(result.effects, 'sendEmail');
    expect(email).toMatchObject({ exchangeId: 'mail-1', to: 'pki@acme.example', fingerprints: [cert.sha256] });
    expect(email?.text).toContain(day(7).toISOString());
    expect(result.state.outbound['mail-1']).toMatchObject({ channel: 'email', status: 'emailed', activateAt: day(7).toISOString() });
    const failed = transition(result.state, { type: 'emailFailed', exchangeId: 'mail-1', error: 'SMTP 550' }, T0);
    expect(alertKinds(failed.effects)).toEqual(['sendFailed']);
    expect(effectsOf(transition(failed.state, { type: 'retry', exchangeId: 'mail-1' }, day(1)).effects, 'sendEmail')).toEqual([email]);
  });

  it('treats the same schedule repeated (a host retrying after a crash) as a duplicate: no second email, state unchanged', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const first = transition(state, schedule('local', 'signing', cert, day(7), { emailPartner: true, exchangeId: 'mail-1' }), T0);
    const again = transition(first.state, schedule('local', 'signing', cert, day(7), { emailPartner: true, exchangeId: 'mail-2' }), T0);
    expect(ignoredReason(again.effects)).toBe('duplicate');
    expect(again.state).toBe(first.state);
    expect(effectsOf(again.effects, 'sendEmail')).toEqual([]);
    const partnerFirst = transition(state, schedule('partner', 'tlsServer', cert, day(7)), T0);
    expect(ignoredReason(transition(partnerFirst.state, schedule('partner', 'tlsServer', cert, day(7)), T0).effects)).toBe('duplicate');
  });

  it('reschedules the same certificate for another time, and emails a schedule that was not emailed before', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const first = transition(state, schedule('local', 'signing', cert, day(7)), T0);
    const moved = transition(first.state, schedule('local', 'signing', cert, day(9)), T0);
    expect(ignoredReason(moved.effects)).toBeUndefined();
    expect(moved.state.relationships['acme']?.local.signing.successor).toMatchObject({ status: 'scheduled', activateAt: day(9).toISOString() });
    const emailed = transition(moved.state, schedule('local', 'signing', cert, day(9), { emailPartner: true, exchangeId: 'mail-1' }), T0);
    expect(effectsOf(emailed.effects, 'sendEmail').map((e) => e.exchangeId)).toEqual(['mail-1']);
  });

  it('cancels a schedule; the certificate is kept as cancelled, never offered for reprocessing', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const scheduled = transition(state, schedule('local', 'encryption', cert, day(7)), T0).state;
    const cancelled = transition(scheduled, { type: 'cancelSchedule', relationshipId: 'acme', side: 'local', usage: 'encryption' }, T0);
    expect(cancelled.state.relationships['acme']?.local.encryption.successor).toBeNull();
    expect(cancelled.state.relationships['acme']?.local.encryption.archive.map((a) => a.reason)).toEqual(['cancelled']);
    expect(resolveCertificates(cancelled.state, 'acme', day(8))?.decryptArchive).toEqual([]);
    expect(ignoredReason(transition(cancelled.state, { type: 'cancelSchedule', relationshipId: 'acme', side: 'local', usage: 'encryption' }, T0).effects)).toBe('invalidState');
  });
});

describe('Scheduling 2: at the activation time', () => {
  it('makes the certificate active, archives the old one and notifies', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const scheduled = transition(state, schedule('local', 'signing', cert, day(7)), T0).state;
    const early = transition(scheduled, { type: 'tick' }, day(6.9));
    expect(early.state.relationships['acme']?.local.signing.successor?.status).toBe('scheduled');
    expect(alertKinds(early.effects)).toEqual([]);
    expect(resolveCertificates(scheduled, 'acme', day(6.9))?.signOutbound?.fingerprint).toBe(pki.localSigning.sha256);
    expect(resolveCertificates(scheduled, 'acme', day(7))?.signOutbound?.fingerprint).toBe(cert.sha256);
    const due = transition(early.state, { type: 'tick' }, day(7));
    expect(due.state.relationships['acme']?.local.signing.active.map((a) => [a.cert.fingerprint, a.cause])).toEqual([[cert.sha256, 'schedule']]);
    expect(effectsOf(due.effects, 'archiveCertificate').map((e) => e.fingerprint)).toEqual([pki.localSigning.sha256]);
    expect(alertKinds(due.effects)).toEqual(['scheduledActivated']);
  });
});

describe('Scheduling 3: first usage of scheduled certificates for AS2/AS3 partners without CEM', () => {
  const cases: readonly [string, Partial<RelationshipInit>, boolean][] = [
    ['AS2 without CEM', { cemOverride: 'incapable' }, true],
    ['AS3 without CEM', { protocol: 'AS3', cemOverride: 'incapable' }, true],
    ['AS2 with CEM', { cemOverride: 'capable' }, false],
    ['FTP', { protocol: 'FTP', cemOverride: 'incapable' }, false],
  ];
  it.each(cases)('%s: early first usage applies = %s', (_name, overrides, early) => {
    const { state, pki } = establishedState({}, overrides);
    const sign = makeCert();
    const enc = makeCert();
    const { state: scheduled } = run(state, [[schedule('partner', 'signing', sign, day(10)), T0], [schedule('local', 'encryption', enc, day(10)), T0]]);
    const resolved = resolveCertificates(scheduled, 'acme', day(1));
    expect(fps(resolved?.verifyInbound)).toEqual(early ? [pki.partnerSigning.sha256, sign.sha256] : [pki.partnerSigning.sha256]);
    expect(fps(resolved?.decryptInbound)).toEqual(early ? [pki.localEncryption.sha256, enc.sha256] : [pki.localEncryption.sha256]);
    const used = transition(scheduled, { type: 'trafficObserved', relationshipId: 'acme', verifiedWith: sign.sha256, decryptedWith: enc.sha256 }, day(1));
    const rel = used.state.relationships['acme'];
    expect(rel?.partner.signing.active[0]?.cert.fingerprint).toBe(early ? sign.sha256 : pki.partnerSigning.sha256);
    expect(rel?.local.encryption.active[0]?.cert.fingerprint).toBe(early ? enc.sha256 : pki.localEncryption.sha256);
    expect(alertKinds(used.effects)).toEqual(early ? ['scheduledActivated', 'scheduledActivated'] : []);
  });
});

describe('Scheduling 4: server certificates need every partner on the listener', () => {
  function twoOnHttp(): CemState {
    return run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', makePki(), { cemOverride: 'incapable' }) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki(), { cemOverride: 'incapable' }) }, T0],
    ]).state;
  }

  it('installs only when every partner has it scheduled and the time has passed', () => {
    const server = makeCert({ label: 'server-2027' });
    const one = transition(twoOnHttp(), schedule('local', 'tlsServer', server, day(5)), T0);
    expect(one.state.servers.HTTP?.candidate?.cert.fingerprint).toBe(server.sha256);
    expect(effectsOf(transition(one.state, { type: 'tick' }, day(6)).effects, 'installServerCertificate')).toEqual([]);
    const both = transition(one.state, schedule('local', 'tlsServer', server, day(8), { relationshipId: 'bolt' }), T0);
    expect(effectsOf(transition(both.state, { type: 'tick' }, day(7)).effects, 'installServerCertificate')).toEqual([]);
    const due = transition(both.state, { type: 'tick' }, day(8));
    expect(effectsOf(due.effects, 'installServerCertificate').map((e) => e.fingerprint)).toEqual([server.sha256]);
    const installed = transition(due.state, { type: 'serverCertificateInstalled', protocol: 'HTTP', fingerprint: server.sha256 }, day(8));
    expect(installed.state.servers.HTTP?.installed).toMatchObject({ cause: 'schedule', cert: { fingerprint: server.sha256 } });
    expect(alertKinds(installed.effects)).toEqual(['scheduledActivated']);
  });

  it('requires later schedules on the same listener to use the same certificate', () => {
    const one = transition(twoOnHttp(), schedule('local', 'tlsServer', makeCert(), day(5)), T0);
    const other = transition(one.state, schedule('local', 'tlsServer', makeCert(), day(5), { relationshipId: 'bolt' }), T0);
    expect(ignoredReason(other.effects)).toBe('serverCertificateMismatch');
  });
});
