import { describe, expect, it } from 'vitest';
import { resolveCertificates } from '../../src/policy/resolution.js';
import type { CemSettings } from '../../src/state/model.js';
import type { RelationshipInit } from '../../src/state/events.js';
import { certificateStatuses, relationshipStatus } from '../../src/state/status.js';
import { transition } from '../../src/state/transition.js';
import { alertKinds, day, effectsOf, establishedState, ignoredReason, makeCert, requestEvent, run, T0 } from './fixtures.js';

const fps = (certs: readonly { fingerprint: string }[] | undefined): string[] => (certs ?? []).map((c) => c.fingerprint);

describe('Inbound 1: a request from an established, authenticated partner', () => {
  it('stores the certificates as pending, shows Pending and notifies with details and the respond-by date', () => {
    const { state, pki } = establishedState();
    const next = makeCert();
    const result = transition(state, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'], respondBy: day(10) }], pki.partnerSigning), T0);
    expect(result.state.inbound['acme/r1']).toMatchObject({ status: 'awaitingDecision', respondBy: day(10).toISOString(), requestId: 'r1' });
    expect(result.state.relationships['acme']?.partner.signing.successor).toMatchObject({ status: 'pending', exchangeId: 'acme/r1' });
    expect(relationshipStatus(result.state, 'acme')?.status).toBe('Pending');
    const [alert] = effectsOf(result.effects, 'notify');
    expect(alert?.alert).toMatchObject({ kind: 'requestReceived', relationshipId: 'acme', details: { respondBy: day(10).toISOString() } });
    expect(JSON.stringify(alert?.alert.details)).toContain(next.sha256);
    expect(fps(resolveCertificates(result.state, 'acme', T0)?.verifyInbound)).toEqual([pki.partnerSigning.sha256]);
  });

  it('accepts a request signed with the partner\'s accepted (not yet first-used) signing certificate', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const newSigning = makeCert();
    const accepted = transition(state, requestEvent('r1', [{ cert: newSigning, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    expect(accepted.relationships['acme']?.partner.signing.successor?.status).toBe('accepted');
    const second = transition(accepted, requestEvent('r2', [{ cert: makeCert(), usages: ['keyEncipherment'] }], newSigning), day(1));
    expect(ignoredReason(second.effects)).toBeUndefined();
  });

  it.each([
    ['an unknown partner', { from: 'STRANGER' }, 'unknownRelationship'],
    ['an unsigned request', { signer: null }, 'notAuthenticated'],
    ['a request signed by an unknown certificate', { signer: 'other' }, 'notAuthenticated'],
    ['a request signed by the certificate it carries', { signer: 'carried' }, 'notAuthenticated'],
    ['a sender Name other than AS2-From', { sender: 'ACME-OTHER' }, 'nameMismatch'],
  ] as const)('refuses %s with messageRefused and changes nothing', (_name, variant, reason) => {
    const { state, pki } = establishedState({ autoAccept: true });
    const next = makeCert();
    const event = requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning, {
      ...('from' in variant ? { from: variant.from } : {}),
      ...('sender' in variant ? { sender: variant.sender } : {}),
    });
    const signer = 'signer' in variant ? (variant.signer === null ? null : variant.signer === 'other' ? makeCert().sha256 : next.sha256) : pki.partnerSigning.sha256;
    const result = transition(state, { ...event, verifiedBy: signer } as typeof event, T0);
    expect(ignoredReason(result.effects)).toBe(reason);
    expect(alertKinds(result.effects)).toEqual(['messageRefused']);
    expect(result.state).toBe(state);
  });
});

describe('Inbound 2: auto-accept, or the administrator decides', () => {
  const table: readonly [boolean, RelationshipInit['autoAccept'], boolean][] = [
    [false, 'inherit', false],
    [true, 'inherit', true],
    [true, 'off', false],
    [false, 'on', true],
  ];
  it.each(table)('system auto-accept %s with partner override %s → accepted at once: %s', (system, override, accepted) => {
    const { state, pki } = establishedState({ autoAccept: system }, { autoAccept: override });
    const result = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['digitalSignature'] }], pki.partnerSigning), T0);
    expect(effectsOf(result.effects, 'sendResponse')).toHaveLength(accepted ? 1 : 0);
    expect(result.state.inbound['acme/r1']?.status).toBe(accepted ? 'responding' : 'awaitingDecision');
    expect(alertKinds(result.effects).includes('requestReceived')).toBe(!accepted);
    expect(alertKinds(result.effects).includes('requestAutoAccepted')).toBe(accepted);
  });

  it.each([
    ['auto-accepted', { autoAccept: true }, 'suitable', 'accepted', 'autoAccepted'],
    ['already accepted for the usage, auto-accept off', { autoAccept: false }, 'known', 'accepted', 'alreadyAccepted'],
    ['rejected as unsuitable', { autoAccept: true, unsuitable: 'reject' }, 'weak', 'rejected', 'unsuitableRejected'],
  ] as const)('notifies the administrator of a request decided on receipt (%s) with requestAutoAccepted: details, decision and respond-by', (_name, settings, which, decision, cause) => {
    const { state, pki } = establishedState(settings);
    const cert = which === 'known' ? pki.partnerEncryption : which === 'weak' ? makeCert({ keySize: 1024 }) : makeCert();
    const result = transition(state, requestEvent('r1', [{ cert, usages: ['keyEncipherment'], respondBy: day(9) }], pki.partnerSigning), T0);
    expect(alertKinds(result.effects)).not.toContain('requestReceived');
    const alerts = effectsOf(result.effects, 'notify').filter((n) => n.alert.kind === 'requestAutoAccepted');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!.alert;
    expect(alert).toMatchObject({ severity: 'info', relationshipId: 'acme', dedupeKey: 'requestAutoAccepted:acme/r1' });
    expect(alert.details).toMatchObject({ exchangeKey: 'acme/r1', requestId: 'r1', respondBy: day(9).toISOString(), accepted: decision === 'accepted' ? 1 : 0, rejected: decision === 'rejected' ? 1 : 0 });
    const [detail] = alert.details['certificates'] as readonly Record<string, unknown>[];
    expect(detail).toMatchObject({
      fingerprint: cert.sha256, subject: cert.subject, issuer: cert.issuer, serial: cert.serial,
      notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(), usages: ['keyEncipherment'], decision, cause,
    });
    const [response] = effectsOf(result.effects, 'sendResponse');
    expect(response?.items[0]?.status).toBe(decision === 'accepted' ? 'Accepted' : 'Rejected');
    expect(detail?.['reason']).toBe(response?.items[0]?.reason);
    expect(decision === 'rejected' ? (detail?.['problems'] as string[]) : []).toEqual(decision === 'rejected' ? expect.arrayContaining(['weakKey']) : []);
  });

  it('keeps requestReceived (not requestAutoAccepted) when any certificate still waits for the administrator', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const waiting = makeCert();
    const result = transition(state, requestEvent('r1', [
      { cert: pki.partnerEncryption, usages: ['keyEncipherment'] },
      { cert: waiting, usages: ['digitalSignature'] },
    ], pki.partnerSigning), T0);
    expect(alertKinds(result.effects)).toEqual(['requestReceived']);
    const [alert] = effectsOf(result.effects, 'notify');
    expect((alert?.alert.details['certificates'] as readonly { fingerprint: string }[]).map((c) => c.fingerprint)).toEqual([waiting.sha256]);
  });

  it('lets the administrator decide any subset; the Responses go to each ResponseURL echoing the wire identifiers', () => {
    const { state, pki } = establishedState();
    const sign = makeCert();
    const enc = makeCert();
    const tls = makeCert();
    const wireIssuer = 'C=US, O=Test PKI, CN=Test Issuing CA';
    const received = transition(state, requestEvent('r1', [
      { cert: sign, usages: ['digitalSignature'], wireIssuer },
      { cert: enc, usages: ['keyEncipherment'] },
      { cert: tls, usages: ['tlsServer'], responseUrl: 'https://acme.example/other' },
    ], pki.partnerSigning), T0).state;
    const partial = transition(received, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: sign.sha256, accept: true }] }, day(1));
    expect(effectsOf(partial.effects, 'sendResponse')).toEqual([]);
    expect(partial.state.inbound['acme/r1']?.status).toBe('awaitingDecision');
    const rest = transition(partial.state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [
      { fingerprint: enc.sha256, accept: false, reason: 'key too short' },
      { fingerprint: tls.sha256, accept: true },
    ] }, day(2));
    const responses = effectsOf(rest.effects, 'sendResponse');
    expect(responses.map((r) => [r.responseUrl, r.requestId, r.originated])).toEqual([
      ['https://acme.example/as2', 'r1', day(2).toISOString()],
      ['https://acme.example/other', 'r1', day(2).toISOString()],
    ]);
    expect(responses[0]?.items).toEqual([
      { status: 'Accepted', reason: null, issuer: wireIssuer, serial: sign.serial },
      { status: 'Rejected', reason: 'key too short', issuer: enc.issuer, serial: enc.serial },
    ]);
    expect(rest.state.inbound['acme/r1']?.status).toBe('responding');
    const answered = transition(rest.state, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(2));
    expect(answered.state.inbound['acme/r1']?.status).toBe('answered');
  });

  it('turns a failed Response into responseFailed with an alert, and retry sends the identical Responses', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    const failed = transition(received.state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 500' }, day(1));
    expect(failed.state.inbound['acme/r1']?.status).toBe('responseFailed');
    expect(alertKinds(failed.effects)).toEqual(['sendFailed']);
    const retried = transition(failed.state, { type: 'retry', exchangeId: 'acme/r1' }, day(3));
    expect(effectsOf(retried.effects, 'sendResponse')).toEqual(effectsOf(received.effects, 'sendResponse'));
  });

  it('omits the requestId in the Response when the Request had none, keyed by Message-ID', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const result = transition(state, requestEvent(null, [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning, { messageId: 'm-77' }), T0);
    expect(Object.keys(result.state.inbound)).toEqual(['acme/message:m-77']);
    expect(effectsOf(result.effects, 'sendResponse')[0]?.requestId).toBeNull();
  });

  it('refuses decisions on unknown certificates (unknownCertificate)', () => {
    const { state, pki } = establishedState();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const result = transition(received, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: makeCert().sha256, accept: true }] }, day(1));
    expect(ignoredReason(result.effects)).toBe('unknownCertificate');
    expect(result.state).toBe(received);
  });
});

describe('Inbound 3: on accept', () => {
  it('replaces the partner encryption certificate at once (old archived)', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const enc = makeCert();
    const result = transition(state, requestEvent('r1', [{ cert: enc, usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    expect(resolveCertificates(result.state, 'acme', T0)?.encryptOutbound?.fingerprint).toBe(enc.sha256);
    expect(effectsOf(result.effects, 'archiveCertificate').map((e) => e.fingerprint)).toEqual([pki.partnerEncryption.sha256]);
  });

  it.each([
    ['signing', 'digitalSignature', 'verifiedWith', 'verifyInbound'],
    ['tlsServer', 'tlsServer', 'partnerTlsServer', 'tlsServerTrust'],
    ['tlsClient', 'tlsClient', 'partnerTlsClient', 'tlsClientTrust'],
  ] as const)('keeps the old %s certificate acceptable with the new one until first usage archives it', (slot, usage, observed, list) => {
    const { state, pki } = establishedState({ autoAccept: true });
    const old = slot === 'signing' ? pki.partnerSigning : slot === 'tlsServer' ? pki.partnerTlsServer : pki.partnerTlsClient;
    const next = makeCert();
    const accepted = transition(state, requestEvent('r1', [{ cert: next, usages: [usage] }], pki.partnerSigning), T0).state;
    expect(accepted.relationships['acme']?.partner[slot].successor?.status).toBe('accepted');
    expect(fps(resolveCertificates(accepted, 'acme', T0)?.[list])).toEqual([old.sha256, next.sha256]);
    const oldUse = transition(accepted, { type: 'trafficObserved', relationshipId: 'acme', [observed]: old.sha256 }, day(1));
    expect(oldUse.state).toBe(accepted);
    const firstUse = transition(accepted, { type: 'trafficObserved', relationshipId: 'acme', [observed]: next.sha256 }, day(1));
    expect(fps(resolveCertificates(firstUse.state, 'acme', day(1))?.[list])).toEqual([next.sha256]);
    expect(firstUse.state.relationships['acme']?.partner[slot].archive.map((a) => [a.cert.fingerprint, a.reason])).toEqual([[old.sha256, 'firstUsage']]);
    expect(alertKinds(firstUse.effects)).toEqual(['certificateActivated']);
  });
});

describe('Inbound 4: already accepted, repeated and superseded requests', () => {
  it('answers Accepted for a certificate already accepted for the same usage, even with auto-accept off', () => {
    const { state, pki } = establishedState({ autoAccept: false });
    const result = transition(state, requestEvent('r1', [{ cert: pki.partnerEncryption, usages: ['keyEncipherment'] }], pki.partnerSigning), T0);
    expect(effectsOf(result.effects, 'sendResponse')[0]?.items).toEqual([{ status: 'Accepted', reason: null, issuer: pki.partnerEncryption.issuer, serial: pki.partnerEncryption.serial }]);
    expect(alertKinds(result.effects)).toEqual(['requestAutoAccepted']);
  });

  it('keeps usages cumulative: a certificate active for signing, now requested for encryption, keeps both', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const result = transition(state, requestEvent('r1', [{ cert: pki.partnerSigning, usages: ['keyEncipherment', 'digitalSignature'] }], pki.partnerSigning), T0);
    const resolved = resolveCertificates(result.state, 'acme', T0);
    expect(resolved?.encryptOutbound?.fingerprint).toBe(pki.partnerSigning.sha256);
    expect(fps(resolved?.verifyInbound)).toEqual([pki.partnerSigning.sha256]);
  });

  it.each([
    ['the same requestId while it awaits a decision', { messageId: 'other-message' }],
    ['the same Message-ID', { messageId: 'msg-r1', requestId: 'r1-again' }],
  ] as const)('is idempotent on %s', (_name, variant) => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const first = transition(state, requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    const again = transition(first, requestEvent('requestId' in variant ? variant.requestId : 'r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning, { messageId: variant.messageId }), day(1));
    expect(ignoredReason(again.effects)).toBe('duplicate');
    expect(again.state).toBe(first);
  });

  /** Request r1 (two ResponseURLs) in the given state, then the same Request again under `messageId`. */
  function repeated(status: 'awaitingDecision' | 'responding' | 'responseFailed' | 'answered', messageId: string | null) {
    const { state, pki } = establishedState({ autoAccept: status !== 'awaitingDecision' });
    const sign = makeCert();
    const weak = makeCert({ keySize: 1024 });
    const certs = [
      { cert: sign, usages: ['digitalSignature'] as const },
      { cert: weak, usages: ['keyEncipherment'] as const, responseUrl: 'https://acme.example/other' },
    ];
    const received = transition(state, requestEvent('r1', certs, pki.partnerSigning, { messageId: 'msg-first' }), T0);
    const follow = status === 'answered' ? 'responseDelivered' : status === 'responseFailed' ? 'responseFailed' : null;
    const before = follow === null ? received.state : transition(received.state, { type: follow, exchangeKey: 'acme/r1', error: 'HTTP 502' }, day(0.1)).state;
    expect(before.inbound['acme/r1']?.status).toBe(status);
    const again = transition(before, requestEvent('r1', certs, pki.partnerSigning, { messageId }), day(5));
    return { received, before, again, pki, certs };
  }

  it.each([
    ['awaitingDecision', 'msg-resent'],
    ['responding', 'msg-resent'],
    ['responseFailed', 'msg-resent'],
    ['answered', 'msg-first'],
    ['answered', null],
  ] as const)('treats the same requestId in state %s under Message-ID %s as a duplicate that changes nothing', (status, messageId) => {
    const { before, again } = repeated(status, messageId);
    expect(ignoredReason(again.effects)).toBe('duplicate');
    expect(effectsOf(again.effects, 'sendResponse')).toEqual([]);
    expect(again.state).toBe(before);
  });

  it('sends the identical Responses again when an answered Request arrives again under a new Message-ID (our Response may be lost)', () => {
    const { received, before, again } = repeated('answered', 'msg-resent');
    expect(ignoredReason(again.effects)).toBeUndefined();
    const original = effectsOf(received.effects, 'sendResponse');
    expect(original).toHaveLength(2);
    expect(again.effects).toEqual(original);
    expect(original.map((r) => [r.requestId, r.originated, r.items[0]?.status])).toEqual([['r1', T0.toISOString(), 'Accepted'], ['r1', T0.toISOString(), 'Rejected']]);
    const ex = again.state.inbound['acme/r1'];
    // Sending again is activity: the retention of the answered Request starts again (finishedAt).
    expect(before.inbound['acme/r1']?.finishedAt).toBe(day(0.1).toISOString());
    expect(ex).toEqual({ ...before.inbound['acme/r1'], attempts: 2, finishedAt: day(5).toISOString() });
    expect(again.state.relationships).toBe(before.relationships);
    // The resent Responses are delivered (nothing to record) or fail and are retried identically.
    expect(ignoredReason(transition(again.state, { type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(5)).effects)).toBe('duplicate');
    const failed = transition(again.state, { type: 'responseFailed', exchangeKey: 'acme/r1', error: 'HTTP 503' }, day(5));
    expect(effectsOf(failed.effects, 'notify').map((n) => n.alert.dedupeKey)).toEqual(['sendFailed:acme/r1:2']);
    expect(transition(failed.state, { type: 'retry', exchangeId: 'acme/r1' }, day(6)).effects).toEqual(original);
  });

  it('answers again with the administrator\'s decisions, unchanged, also after a later manual override', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const { state: answered, effects } = run(state, [
      [requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning, { messageId: 'm1' }), T0],
      [{ type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: cert.sha256, accept: false, reason: 'unknown CA' }] }, day(1)],
      [{ type: 'responseDelivered', exchangeKey: 'acme/r1' }, day(1)],
      [{ type: 'setActive', relationshipId: 'acme', side: 'partner', usage: 'signing' }, day(2)],
    ]);
    // Set active, the new certificate is now the partner's only signing certificate: it signs the repeat.
    const again = transition(answered, requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], cert, { messageId: 'm2' }), day(3));
    expect(again.effects).toEqual(effectsOf(effects, 'sendResponse'));
    expect(effectsOf(again.effects, 'sendResponse')[0]?.items).toEqual([{ status: 'Rejected', reason: 'unknown CA', issuer: cert.issuer, serial: cert.serial }]);
    expect(again.state.inbound['acme/r1']?.items).toBe(answered.inbound['acme/r1']?.items);
  });

  it('treats a new requestId under a Message-ID already seen as a duplicate', () => {
    const { before, pki, certs } = repeated('answered', 'unused');
    const again = transition(before, requestEvent('r2', certs, pki.partnerSigning, { messageId: 'msg-first' }), day(5));
    expect(ignoredReason(again.effects)).toBe('duplicate');
    expect(again.state).toBe(before);
  });

  it('lets a newer request for the same usage supersede an unanswered older one', () => {
    const { state, pki } = establishedState();
    const older = makeCert();
    const newer = makeCert();
    const { state: result } = run(state, [
      [requestEvent('r1', [{ cert: older, usages: ['digitalSignature'] }], pki.partnerSigning), T0],
      [requestEvent('r2', [{ cert: newer, usages: ['digitalSignature'] }], pki.partnerSigning), day(1)],
    ]);
    expect(result.inbound['acme/r1']?.status).toBe('superseded');
    expect(result.inbound['acme/r1']?.items[0]?.decision).toBe('superseded');
    expect(result.relationships['acme']?.partner.signing.successor).toMatchObject({ status: 'pending', exchangeId: 'acme/r2', cert: { fingerprint: newer.sha256 } });
  });
});

describe('Inbound 5: daily alerts while a received request awaits our answer', () => {
  it('reminds daily before the respond-by date, then daily as overdue, and stops once answered', () => {
    const { state, pki } = establishedState();
    const cert = makeCert();
    const received = transition(state, requestEvent('r1', [{ cert, usages: ['digitalSignature'], respondBy: day(3) }], pki.partnerSigning), T0);
    const kinds = (at: Date, s = received.state): string[] => alertKinds(transition(s, { type: 'tick' }, at).effects);
    expect(kinds(day(0.2))).toEqual([]);
    expect(kinds(day(1))).toEqual(['requestAwaitingAnswer']);
    const ticked = transition(received.state, { type: 'tick' }, day(1)).state;
    expect(kinds(day(1.1), ticked)).toEqual([]);
    expect(kinds(day(3.5), ticked)).toEqual(['responseOverdue']);
    const answered = transition(ticked, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: cert.sha256, accept: true }] }, day(2)).state;
    expect(kinds(day(4), answered)).toEqual([]);
  });
});

describe('Inbound 6: unsuitable certificates are never auto-accepted', () => {
  const weak = (): ReturnType<typeof makeCert> => makeCert({ keySize: 1024, keyUsage: ['keyEncipherment'] });
  it.each<[CemSettings['unsuitable'], string]>([
    ['reject', 'responding'],
    ['manual', 'awaitingDecision'],
  ])('with unsuitable = %s the exchange is %s', (unsuitable, status) => {
    const { state, pki } = establishedState({ autoAccept: true, unsuitable });
    const cert = weak();
    const result = transition(state, requestEvent('r1', [{ cert, usages: ['digitalSignature'] }], pki.partnerSigning), T0);
    const item = result.state.inbound['acme/r1']?.items[0];
    expect(result.state.inbound['acme/r1']?.status).toBe(status);
    expect(item?.problems).toEqual(expect.arrayContaining(['weakKey', 'keyUsageMissing']));
    if (unsuitable === 'reject') {
      const [response] = effectsOf(result.effects, 'sendResponse');
      expect(response?.items[0]?.status).toBe('Rejected');
      expect(response?.items[0]?.reason).toMatch(/digitalSignature/);
      expect(certificateStatuses(result.state, 'acme')?.find((c) => c.fingerprint === cert.sha256)?.status).toBe('Rejected');
    } else {
      expect(item?.decision).toBe('pending');
      const accepted = transition(result.state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: cert.sha256, accept: true }] }, day(1));
      expect(effectsOf(accepted.effects, 'sendResponse')[0]?.items[0]?.status).toBe('Accepted');
    }
  });

  it('rejects a certificate the CertificateIdentifier does not name', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const result = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'], wireIssuer: 'CN=Somebody Else' }], pki.partnerSigning), T0);
    expect(result.state.inbound['acme/r1']?.items[0]?.problems).toEqual(['identifierMismatch']);
    expect(effectsOf(result.effects, 'sendResponse')[0]?.items[0]?.status).toBe('Rejected');
  });
});

describe('Inbound 4: a later Request naming a certificate already accepted or scheduled', () => {
  it('leaves the accepted successor accepted (still trusted) while the rest is decided, and a newer certificate never drops it', () => {
    const { state, pki } = establishedState({ autoAccept: true });
    const client = makeCert({ label: 'partner-tls-client-next' });
    const first = transition(state, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }], pki.partnerSigning), T0).state;
    expect(first.relationships['acme']?.partner.tlsClient.successor).toMatchObject({ cert: { fingerprint: client.sha256 }, status: 'accepted' });
    const manual = transition(first, { type: 'relationshipUpdated', relationshipId: 'acme', changes: { autoAccept: 'off' } }, T0).state;
    const other = makeCert({ label: 'partner-tls-client-other' });
    const second = transition(manual, requestEvent('r2', [{ cert: client, usages: ['tlsClient', 'digitalSignature'] }, { cert: other, usages: ['tlsClient'] }], pki.partnerSigning), day(1)).state;
    const tls = second.relationships['acme']!.partner.tlsClient;
    // The newer certificate took the successor place; the accepted one joined the trusted certificates.
    expect(tls.active.map((a) => a.cert.fingerprint)).toContain(client.sha256);
    expect(fps(resolveCertificates(second, 'acme', day(1))?.tlsClientTrust)).toContain(client.sha256);
    const rejected = transition(second, { type: 'decide', exchangeKey: 'acme/r2', decisions: [{ fingerprint: client.sha256, accept: false, reason: 'no' }, { fingerprint: other.sha256, accept: false }] }, day(2)).state;
    expect(fps(resolveCertificates(rejected, 'acme', day(2))?.tlsClientTrust)).toContain(client.sha256);
  });

  it('keeps a certificate the administrator scheduled when a Request for it is rejected', () => {
    const { state, pki } = establishedState();
    const client = makeCert({ label: 'partner-tls-client-next' });
    const scheduled = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'partner', usage: 'tlsClient', certificate: client, activateAt: day(5) }, T0).state;
    const received = transition(scheduled, requestEvent('r1', [{ cert: client, usages: ['tlsClient'] }, { cert: makeCert(), usages: ['tlsClient'] }], pki.partnerSigning), day(1)).state;
    const rejected = transition(received, { type: 'decide', exchangeKey: 'acme/r1', decisions: received.inbound['acme/r1']!.items.map((i) => ({ fingerprint: i.cert.fingerprint, accept: false })) }, day(2)).state;
    expect(rejected.relationships['acme']?.partner.tlsClient.successor).toMatchObject({ cert: { fingerprint: client.sha256 }, status: 'scheduled', activateAt: day(5).toISOString() });
    expect(fps(resolveCertificates(rejected, 'acme', day(5))?.tlsClientTrust)).toContain(client.sha256);
  });
});
