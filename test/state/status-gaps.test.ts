/**
 * Status queries (`src/state/status.ts`) exactly: every certificate entry with all its fields, a
 * listener's installed, candidate and archived server certificates, and the statuses that come
 * from exchanges alone (a Request of certificates already active, an answer to one), each
 * counted for its own relationship only.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateInfo } from '../../src/crypto/certificate.js';
import { CemArgumentError } from '../../src/errors.js';
import type { CemState } from '../../src/state/model.js';
import { certificateStatuses, certificateStatusOf, relationshipStatus, type CertificateStatusEntry } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { day, establishedState, local, makeCert, requestEvent, run, T0, twoPartnersOnHttp } from './fixtures.js';
import { send, sendDelivered } from './scenarios.js';

type Rest = Pick<CertificateStatusEntry, 'status' | 'since' | 'activateAt' | 'reason' | 'exchangeId'>;
const entry = (side: 'local' | 'partner', usage: string, cert: CertificateInfo, rest: Rest): CertificateStatusEntry =>
  ({ side, usage, fingerprint: cert.sha256, subject: cert.subject, serial: cert.serial, notAfter: cert.notAfter.toISOString(), ...rest } as CertificateStatusEntry);
const active = (since: Date): Rest => ({ status: 'Active', since: since.toISOString(), activateAt: null, reason: null, exchangeId: null });
const found = (state: CemState, id = 'acme'): readonly string[] | undefined => relationshipStatus(state, id)?.found;

describe('certificateStatusOf', () => {
  it('maps every successor and readiness status, and throws CEM_ARGUMENT for another', () => {
    const mapped = (['pending', 'accepted', 'scheduled', 'emailed', 'rejected', 'expired', 'sendFailed'] as const).map(certificateStatusOf);
    expect(mapped).toEqual(['Pending', 'Accepted', 'Scheduled', 'Emailed', 'Rejected', 'Expired', 'SendFailed']);
    expect(() => certificateStatusOf('active' as 'pending')).toThrow(CemArgumentError);
    expect(() => certificateStatusOf('active' as 'pending')).toThrow('unexpected value "active"');
  });
});

describe('certificateStatuses: every entry exactly', () => {
  it('lists the active certificate of every slot, local then partner, and nothing else', () => {
    const { state, pki } = establishedState();
    expect(certificateStatuses(state, 'acme')).toEqual([
      entry('local', 'signing', pki.localSigning, active(T0)),
      entry('local', 'encryption', pki.localEncryption, active(T0)),
      entry('local', 'tlsClient', pki.localTls, active(T0)),
      entry('partner', 'signing', pki.partnerSigning, active(T0)),
      entry('partner', 'encryption', pki.partnerEncryption, active(T0)),
      entry('partner', 'tlsClient', pki.partnerTlsClient, active(T0)),
      entry('partner', 'tlsServer', pki.partnerTlsServer, active(T0)),
    ]);
    expect(certificateStatuses(state, 'nobody')).toBeNull();
  });

  it('shows a listener\'s installed, candidate and archived server certificates, the candidate only with the partner it was sent to', () => {
    const { state, a, old } = twoPartnersOnHttp();
    const mid = makeCert({ label: 'server-mid' });
    const next = makeCert({ label: 'server-next' });
    const configured = transition(state, { type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(mid) }, day(1)).state;
    const sent = sendDelivered(configured, { signing: local(a.localSigning), tlsServer: local(next) }, day(2));
    const server = (id: string): readonly CertificateStatusEntry[] => (certificateStatuses(sent.state, id) ?? []).filter((c) => c.usage === 'tlsServer' && c.side === 'local');
    const installed = entry('local', 'tlsServer', mid, active(day(1)));
    const archived = entry('local', 'tlsServer', old, { status: 'Archived', since: day(1).toISOString(), activateAt: null, reason: 'replaced', exchangeId: null });
    expect(server('acme')).toEqual([
      installed,
      entry('local', 'tlsServer', next, { status: 'Pending', since: day(2).toISOString(), activateAt: null, reason: null, exchangeId: sent.ids.requestId }),
      archived,
    ]);
    expect(server('bolt')).toEqual([installed, archived]);
    expect(found(sent.state, 'acme')).toEqual(['Pending', 'Active']);
    expect(found(sent.state, 'bolt')).toEqual(['Active']);
  });
});

describe('relationshipStatus: statuses from exchanges alone', () => {
  it('a Request of active certificates only: sending and pending show Pending, a failure SendFailed', () => {
    const { state, pki } = establishedState();
    const sent = send(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption) }, { includeActive: true });
    expect(sent.effects.map((e) => e.type)).toEqual(['sendRequest']);
    expect(certificateStatuses(sent.state, 'acme')?.map((c) => c.status)).toEqual(Array(7).fill('Active'));
    expect(relationshipStatus(sent.state, 'acme')).toEqual({ relationshipId: 'acme', status: 'Pending', established: true, cemChannel: true, found: ['Pending', 'Active'] });
    const delivered = transition(sent.state, { type: 'requestDelivered', requestId: sent.ids.requestId }, T0).state;
    expect(delivered.outbound[sent.ids.requestId]?.status).toBe('pending');
    expect(found(delivered)).toEqual(['Pending', 'Active']);
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    expect(relationshipStatus(failed, 'acme')).toEqual({ relationshipId: 'acme', status: 'SendFailed', established: true, cemChannel: true, found: ['SendFailed', 'Active'] });
  });

  it('a Request of active certificates left unanswered past its respond-by time shows Expired', () => {
    const { state, pki } = establishedState({ maxResponseDays: 2 });
    const sent = send(state, { signing: local(pki.localSigning), encryption: local(pki.localEncryption) }, { includeActive: true });
    const delivered = transition(sent.state, { type: 'requestDelivered', requestId: sent.ids.requestId }, T0);
    const expired = transition(delivered.state, { type: 'tick' }, day(3)).state;
    expect(expired.outbound[sent.ids.requestId]?.status).toBe('expired');
    expect(found(expired)).toEqual(['Expired', 'Active']);
  });

  it('another relationship\'s exchanges do not count', () => {
    const { state, b } = twoPartnersOnHttp();
    const sent = send(state, { signing: local(b.localSigning), encryption: local(b.localEncryption) }, { includeActive: true, relationshipId: 'bolt' });
    const failed = transition(sent.state, { type: 'requestFailed', requestId: sent.ids.requestId, error: 'HTTP 503' }, T0).state;
    const received = transition(failed, requestEvent('r1', [{ cert: b.partnerSigning, usages: ['digitalSignature'] }], b.partnerSigning, { from: 'BOLT' }), T0).state;
    expect(Object.values(received.inbound).map((ex) => [ex.relationshipId, ex.status])).toEqual([['bolt', 'responding']]);
    expect(found(received, 'bolt')).toEqual(['SendFailed', 'Pending', 'Active']);
    expect(found(received, 'acme')).toEqual(['Active']);
  });

  it('a received Request of the active certificate: responding shows Pending, a failed Response SendFailed', () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: pki.partnerSigning, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    expect(received.inbound['acme/r1']?.status).toBe('responding');
    expect(certificateStatuses(received, 'acme')?.map((c) => c.status)).toEqual(Array(7).fill('Active'));
    expect(found(received)).toEqual(['Pending', 'Active']);
    const failed = transition(received, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 502' }, T0).state;
    expect(found(failed)).toEqual(['SendFailed', 'Active']);
  });

  it('a received Request awaiting a decision while a scheduled successor holds the slot shows Pending by its exchange', () => {
    const { state, pki } = establishedState();
    const scheduledCert = makeCert();
    const requested = makeCert();
    const scheduled = run(state, [
      [{ type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'signing', certificate: scheduledCert, activateAt: day(9) }, T0],
      [requestEvent('r2', [{ cert: requested, usages: ['digitalSignature'] }], pki.partnerSigning), T0],
    ]).state;
    expect(scheduled.inbound['acme/r2']?.status).toBe('awaitingDecision');
    expect(certificateStatuses(scheduled, 'acme')?.find((c) => c.fingerprint === requested.sha256)).toBeUndefined();
    expect(found(scheduled)).toEqual(['Pending', 'Scheduled', 'Active']);
  });
});
