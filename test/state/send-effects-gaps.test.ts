/**
 * The effects that send our certificates (src/state/relationship/emails.ts), the planning of a
 * selection (src/state/relationship/selection.ts) and the closing of settled exchanges
 * (src/state/relationship/settle.ts): the behaviours mutation testing found unasserted, driven
 * through `transition` only.
 */
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/state/index.js';
import type { CemEvent } from '../../src/state/index.js';
import { day, effectsOf, establishedState, local, makeCert, makePki, relationshipInit, run, T0 } from './fixtures.js';
import { sendDelivered } from './scenarios.js';
import { createInitialState } from '../../src/state/transition.js';
import { expectIgnored } from './assertions.js';

const ids = (requestId: string, count = 1) => ({ requestId, xmlContentId: `x-${requestId}@us`, contentIds: Array.from({ length: count }, (_, i) => `c${i}-${requestId}@us`) });
const sendEvent = (selection: unknown, options: { ids?: unknown; relationshipId?: string; includeActive?: boolean } = {}): CemEvent =>
  ({ type: 'sendCertificates', relationshipId: options.relationshipId ?? 'acme', selection, includeActive: options.includeActive ?? false, ids: options.ids ?? ids('r1') }) as CemEvent;

describe('the email announcing our certificates', () => {
  it('lists each certificate with its usages and details, and asks the partner to install them', () => {
    const { state } = establishedState({}, { cemOverride: 'incapable' });
    const [sign, tls] = [makeCert({ label: 'sign' }), makeCert({ label: 'tls' })];
    const sent = transition(state, sendEvent({ signing: local(sign), tlsClient: local(tls) }, { ids: ids('e1', 2) }), T0);
    const [email] = effectsOf(sent.effects, 'sendEmail');
    const block = (index: number, cert: typeof sign, usages: string): string[] => [
      `Certificate ${index} (${usages}):`,
      `  Subject: ${cert.subject}`,
      `  Issuer: ${cert.issuer}`,
      `  Serial: ${cert.serial}`,
      `  Valid: ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`,
      `  SHA-256: ${cert.sha256}`,
      '',
    ];
    expect(email).toEqual({
      type: 'sendEmail', relationshipId: 'acme', exchangeId: 'e1', to: 'pki@acme.example', subject: 'New certificates from US for ACME',
      text: ['US is changing the certificates it uses with ACME.', 'Please install the attached certificates and confirm to your trading partner.', '', ...block(1, sign, 'digitalSignature, keyEncipherment'), ...block(2, tls, 'tlsClient')].join('\n'),
      fingerprints: [sign.sha256, tls.sha256],
    });
  });

  it('says when scheduled certificates become active', () => {
    const { state } = establishedState();
    const cert = makeCert();
    const result = transition(state, { type: 'schedule', relationshipId: 'acme', side: 'local', usage: 'tlsClient', certificate: local(cert), activateAt: day(3), emailPartner: true, exchangeId: 'e1' }, T0);
    const [email] = effectsOf(result.effects, 'sendEmail');
    expect(email?.text.split('\n').slice(0, 3)).toEqual(['US is changing the certificates it uses with ACME.', `They are scheduled to become active at ${day(3).toISOString()}.`, '']);
  });

  it('a retried email goes to the address it was first sent to; a retried Request to its first ResponseURL', () => {
    const { state } = establishedState({}, { cemOverride: 'incapable' });
    const emailed = run(state, [
      [sendEvent({ signing: local(makeCert()) }, { ids: ids('e1') }), T0],
      [{ type: 'emailFailed', exchangeId: 'e1', error: 'SMTP 550' }, T0],
      [{ type: 'relationshipUpdated', relationshipId: 'acme', changes: { partnerEmail: 'new@acme.example' } }, day(1)],
    ]).state;
    expect(effectsOf(transition(emailed, { type: 'retry', exchangeId: 'e1' }, day(2)).effects, 'sendEmail')[0]?.to).toBe('pki@acme.example');
    const { state: cem } = establishedState();
    const failed = run(cem, [
      [sendEvent({ signing: local(makeCert()) }, { ids: ids('r1') }), T0],
      [{ type: 'requestFailed', requestId: 'r1', error: 'HTTP 500' }, T0],
      [{ type: 'relationshipUpdated', relationshipId: 'acme', changes: { responseUrl: 'https://us.example/new' } }, day(1)],
    ]).state;
    expect(effectsOf(transition(failed, { type: 'retry', exchangeId: 'r1' }, day(2)).effects, 'sendRequest')[0]?.responseUrl).toBe('https://us.example/as2/cem');
  });
});

describe('planning a selection: refusals with their details', () => {
  it.each([
    ['ids that are not an object', 'x'],
    ['no requestId', { xmlContentId: 'x@us', contentIds: ['c@us'] }],
    ['a requestId of 256 characters', { requestId: 'r'.repeat(256), xmlContentId: 'x@us', contentIds: ['c@us'] }],
    ['no XML Content-ID', { requestId: 'r1', contentIds: ['c@us'] }],
    ['a Content-ID that is not text', { requestId: 'r1', xmlContentId: 'x@us', contentIds: [7] }],
  ])('%s', (_name, badIds) => {
    const { state } = establishedState();
    expectIgnored(transition(state, sendEvent({ signing: local(makeCert()) }, { ids: badIds }), T0), state, 'invalidEvent', 'ids must hold a requestId, an XML Content-ID and 1 Content-IDs');
  });

  it('needs every Content-ID for the certificates sent', () => {
    const { state, pki } = establishedState();
    const event = sendEvent({ signing: local(makeCert()), encryption: local(pki.localEncryption), tlsClient: local(makeCert()) }, { ids: { requestId: 'r1', xmlContentId: 'x@us', contentIds: ['c@us', 7] } });
    expectIgnored(transition(state, event, T0), state, 'invalidEvent', 'ids must hold a requestId, an XML Content-ID and 2 Content-IDs');
  });

  it('takes a requestId of 255 characters, and ignores Content-IDs beyond the ones needed', () => {
    const { state } = establishedState();
    const long = 'r'.repeat(255);
    expect(transition(state, sendEvent({ signing: local(makeCert()) }, { ids: { requestId: long, xmlContentId: 'x@us', contentIds: ['c@us', 7] } }), T0).state.outbound[long]).toBeDefined();
  });

  it('refuses a selection without signing certificate, with a malformed one, and with nothing new', () => {
    const { state, pki } = establishedState();
    expectIgnored(transition(state, sendEvent({ encryption: local(makeCert()) }), T0), state, 'invalidEvent', 'a signing certificate is required');
    expectIgnored(transition(state, sendEvent({ signing: local(makeCert()), tlsClient: { certificate: 'x' } }), T0), state, 'invalidEvent', 'a selected certificate is malformed');
    expectIgnored(transition(state, sendEvent({ signing: local(pki.localSigning), encryption: local(pki.localEncryption) }), T0), state, 'nothingToSend', 'every selected certificate is already active');
    const sent = sendDelivered(state, { signing: local(makeCert()), encryption: local(pki.localEncryption) });
    expectIgnored(transition(sent.state, sendEvent({ signing: local(makeCert()) }, { ids: ids('r9') }), T0), sent.state, 'alreadyPending', 'the signing certificate of acme already has a pending successor');
  });

  it('our server certificate: no listener, the installed one again, one already pending, another candidate', () => {
    const { state: none, pki: nonePki } = establishedState({}, { listener: null });
    expectIgnored(transition(none, sendEvent({ signing: local(nonePki.localSigning), tlsServer: local(makeCert()) }), T0), none, 'noListener', 'acme has no listener for a TLS server certificate');
    const a = makePki();
    const old = makeCert({ label: 'server-old' });
    const state = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
      [{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(old) }, T0],
    ]).state;
    const base = { signing: local(a.localSigning), encryption: local(a.localEncryption) };
    expectIgnored(transition(state, sendEvent({ ...base, tlsServer: local(old) }), T0), state, 'nothingToSend', 'every selected certificate is already active');
    const server = makeCert({ label: 'server-new' });
    const pending = transition(state, sendEvent({ ...base, tlsServer: local(server) }), T0).state;
    expectIgnored(transition(pending, sendEvent({ ...base, tlsServer: local(server) }, { ids: ids('r2') }), T0), pending, 'alreadyPending', 'a HTTP server certificate is already pending with acme');
    const other = makeCert();
    const boltBase = { signing: local(makeCert()), encryption: local(makeCert()) };
    expectIgnored(transition(pending, sendEvent({ ...boltBase, tlsServer: local(other) }, { relationshipId: 'bolt', ids: ids('r3', 3) }), T0), pending, 'serverCertificateMismatch', `the pending HTTP server certificate is ${server.sha256}`);
    // The installed certificate is no other candidate: sent again (includeActive) it is allowed.
    const again = transition(pending, sendEvent({ ...boltBase, tlsServer: local(old) }, { relationshipId: 'bolt', ids: ids('r4', 3), includeActive: true }), T0);
    expect(again.state.outbound['r4']?.items.map((i) => i.fingerprint)).toContain(old.sha256);
  });

  it('another candidate on a listener with nothing installed is refused too', () => {
    const a = makePki();
    const state = run(createInitialState(), [
      [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
      [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0],
    ]).state;
    const server = makeCert({ label: 'server-new' });
    const pending = transition(state, sendEvent({ signing: local(a.localSigning), encryption: local(a.localEncryption), tlsServer: local(server) }), T0).state;
    expectIgnored(transition(pending, sendEvent({ signing: local(makeCert()), encryption: local(makeCert()), tlsServer: local(makeCert()) }, { relationshipId: 'bolt', ids: ids('r3', 3) }), T0), pending, 'serverCertificateMismatch', `the pending HTTP server certificate is ${server.sha256}`);
  });
});

describe('closing a settled exchange', () => {
  it('keeps a Request open while another of its certificates is still failed', () => {
    const { state, pki } = establishedState();
    const [sign, tls] = [makeCert({ label: 'sign' }), makeCert({ label: 'tls' })];
    const failed = run(state, [
      [sendEvent({ signing: local(sign), encryption: local(pki.localEncryption), tlsClient: local(tls) }, { ids: ids('r1', 2) }), T0],
      [{ type: 'requestFailed', requestId: 'r1', error: 'HTTP 500' }, T0],
    ]).state;
    const manual = transition(failed, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'signing' }, day(1)).state;
    expect(manual.outbound['r1']?.status).toBe('sendFailed');
    const both = transition(manual, { type: 'setActive', relationshipId: 'acme', side: 'local', usage: 'tlsClient' }, day(1)).state;
    expect(both.outbound['r1']?.status).toBe('closed');
  });
});
