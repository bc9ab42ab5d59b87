/**
 * The alert-owner and name indexes (`src/state/indexes/alert-owner.ts`, `name-entry.ts`) on their
 * own: the exact owner of every kind of daily-alert subject, and the exact name entry of a
 * relationship with the answers derived from it.
 */
import { describe, expect, it } from 'vitest';
import { alertOwner } from '../../src/state/indexes/alert-owner.js';
import { featuresChange, featuresIncludeCem, nameEntry, sameNameEntry, type NameEntry } from '../../src/state/indexes/name-entry.js';
import { DEFAULT_SETTINGS, type CemState, type Relationship } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import { day, makeCert, makePki, relationshipInit, requestEvent, run, T0, twoPartners } from './fixtures.js';
import { signingSelection } from './scenarios.js';

/** `acme` with an outbound Request `out-1`, `bolt` with a received Request `bolt/in-1`. */
function withExchanges(): CemState {
  const { state: two, b } = twoPartners();
  const state = run(two, [
    [{ type: 'sendCertificates', relationshipId: 'acme', selection: signingSelection(makeCert()), includeActive: false, ids: { requestId: 'out-1', xmlContentId: 'x@us', contentIds: ['c1@us', 'c2@us'] } }, T0],
  ]).state;
  return transition(state, requestEvent('in-1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], b.partnerSigning, { from: 'BOLT' }), T0).state;
}

describe('alert owner: exchange subjects', () => {
  const acme = { kind: 'relationship', id: 'acme' };
  const bolt = { kind: 'relationship', id: 'bolt' };

  it('requestOverdue, requestAwaitingAnswer and responseOverdue go to the exchange\'s relationship, outbound or inbound', () => {
    const state = withExchanges();
    expect(Object.keys(state.outbound)).toEqual(['out-1']);
    expect(Object.keys(state.inbound)).toEqual(['bolt/in-1']);
    expect(alertOwner(state, 'requestOverdue:out-1')).toEqual(acme);
    expect(alertOwner(state, 'requestAwaitingAnswer:out-1')).toEqual(acme);
    expect(alertOwner(state, 'responseOverdue:bolt/in-1')).toEqual(bolt);
    expect(alertOwner(state, 'requestOverdue:bolt/in-1')).toEqual(bolt);
    expect(alertOwner(state, 'responseOverdue:out-1')).toEqual(acme);
  });

  it('an exchange no longer in the state, or no exchange named, has no owner', () => {
    const state = withExchanges();
    expect(alertOwner(state, 'requestOverdue:out-2')).toBeNull();
    expect(alertOwner(state, 'responseOverdue:acme/in-1')).toBeNull();
    expect(alertOwner(state, 'requestOverdue')).toBeNull();
    expect(alertOwner(state, 'requestOverdue:')).toBeNull();
    expect(alertOwner(state, 'requestOverdue:constructor')).toBeNull();
  });

  it('retryNeeded names the exchange after its second colon', () => {
    const state = withExchanges();
    expect(alertOwner(state, 'retryNeeded:request:out-1')).toEqual(acme);
    expect(alertOwner(state, 'retryNeeded:response:bolt/in-1')).toEqual(bolt);
    expect(alertOwner(state, 'retryNeeded::out-1')).toEqual(acme);
    expect(alertOwner(state, 'retryNeeded:out-1')).toBeNull();
    expect(alertOwner(state, 'retryNeeded:request:out-2')).toBeNull();
    expect(alertOwner(state, 'retryNeeded')).toBeNull();
  });
});

describe('alert owner: certificate and listener subjects', () => {
  /** These subjects are read from their text alone: an empty state. */
  const state: CemState = { settings: DEFAULT_SETTINGS, relationships: {}, servers: {}, outbound: {}, inbound: {}, alertLog: {} };

  it('certificateExpiring goes to the relationship named before side, usage and fingerprint', () => {
    expect(alertOwner(state, 'certificateExpiring:acme:local:signing:ab12')).toEqual({ kind: 'relationship', id: 'acme' });
    expect(alertOwner(state, 'certificateExpiring:a:b:partner:tlsServer:ab12')).toEqual({ kind: 'relationship', id: 'a:b' });
    expect(alertOwner(state, 'certificateExpiring:gone:partner:encryption:ab12')).toEqual({ kind: 'relationship', id: 'gone' });
  });

  it('certificateExpiring of a listener server certificate goes to the listener', () => {
    expect(alertOwner(state, 'certificateExpiring:-:local:HTTP server:ab12')).toEqual({ kind: 'listener', protocol: 'HTTP' });
    expect(alertOwner(state, 'certificateExpiring:-:local:SSH-FTP server:ab12')).toEqual({ kind: 'listener', protocol: 'SSH-FTP' });
  });

  it('a relationship named "-" or a relationship\'s " server" usage is no listener', () => {
    expect(alertOwner(state, 'certificateExpiring:-:local:signing:ab12')).toEqual({ kind: 'relationship', id: '-' });
    expect(alertOwner(state, 'certificateExpiring:x:local:HTTP server:ab12')).toEqual({ kind: 'relationship', id: 'x' });
    expect(alertOwner(state, 'certificateExpiring:-:local:HTTP serverx:ab12')).toEqual({ kind: 'relationship', id: '-' });
    expect(alertOwner(state, 'certificateExpiring:-:local:HTTPserver:ab12')).toEqual({ kind: 'relationship', id: '-' });
  });

  it('certificateExpiring with fewer than four parts has no owner', () => {
    expect(alertOwner(state, 'certificateExpiring:local:signing:ab12')).toBeNull();
    expect(alertOwner(state, 'certificateExpiring:ab12')).toBeNull();
    expect(alertOwner(state, 'certificateExpiring')).toBeNull();
    expect(alertOwner(state, 'certificateExpiring::local:signing:ab12')).toEqual({ kind: 'relationship', id: '' });
  });

  it('server certificate conflict and pending subjects go to the listener named first', () => {
    expect(alertOwner(state, 'serverCertificateConflict:HTTP')).toEqual({ kind: 'listener', protocol: 'HTTP' });
    expect(alertOwner(state, 'serverCertificatePending:FTP:ab12')).toEqual({ kind: 'listener', protocol: 'FTP' });
    expect(alertOwner(state, 'serverCertificatePending:SSH-FTP:ab12')).toEqual({ kind: 'listener', protocol: 'SSH-FTP' });
    expect(alertOwner(state, 'serverCertificateConflict')).toEqual({ kind: 'listener', protocol: '' });
  });

  it('other subjects have no owner', () => {
    expect(alertOwner(state, 'certificateActivated:acme')).toBeNull();
    expect(alertOwner(state, 'sendFailed:out-1')).toBeNull();
    expect(alertOwner(state, '')).toBeNull();
    expect(alertOwner(state, ':requestOverdue:out-1')).toBeNull();
  });
});

/** `acme` with AS2 names `ACME-AS2` → `US-AS2`. */
function named(): { pki: ReturnType<typeof makePki>; state: CemState; rel: Relationship } {
  const pki = makePki();
  const state = run(createInitialState(), [[{ type: 'relationshipAdded', relationship: relationshipInit('acme', pki, { partnerName: 'ACME-AS2', localName: 'US-AS2' }) }, T0]]).state;
  return { pki, state, rel: state.relationships['acme'] as Relationship };
}

describe('name entry', () => {

  it('holds the relationship id, AS2 names, observed capability and accepted partner signers', () => {
    const { pki, state, rel } = named();
    expect(nameEntry(rel)).toEqual({ relationshipId: 'acme', as2From: 'ACME-AS2', as2To: 'US-AS2', cem: false, signers: [pki.partnerSigning.sha256] });
    const observed = transition(state, { type: 'featuresObserved', relationshipId: 'acme', features: ['CEM'], verifiedBy: pki.partnerSigning.sha256 }, day(1)).state;
    expect(nameEntry(observed.relationships['acme'] as Relationship)).toEqual({ relationshipId: 'acme', as2From: 'ACME-AS2', as2To: 'US-AS2', cem: true, signers: [pki.partnerSigning.sha256] });
  });

  it('lists an accepted partner signing successor after the active one, not a pending one', () => {
    const pki = makePki();
    const next = makeCert();
    const plain = run(createInitialState(), [[{ type: 'relationshipAdded', relationship: relationshipInit('acme', pki) }, T0]]).state;
    const pending = transition(plain, requestEvent('r1', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), day(1));
    const afterRequest = pending.state.relationships['acme'] as Relationship;
    expect(afterRequest.partner.signing.successor?.status).toBe('pending');
    expect(nameEntry(afterRequest).signers).toEqual([pki.partnerSigning.sha256]);
    const accepted = transition(pending.state, { type: 'decide', exchangeKey: 'acme/r1', decisions: [{ fingerprint: next.sha256, accept: true }] }, day(1)).state;
    const afterAccept = accepted.relationships['acme'] as Relationship;
    expect(afterAccept.partner.signing.successor?.status).toBe('accepted');
    expect(nameEntry(afterAccept).signers).toEqual([pki.partnerSigning.sha256, next.sha256]);
  });

  it('sameNameEntry compares every field and the signers in order', () => {
    const e: NameEntry = { relationshipId: 'acme', as2From: 'A', as2To: 'U', cem: true, signers: ['s1', 's2'] };
    expect(sameNameEntry(e, { ...e, signers: ['s1', 's2'] })).toBe(true);
    expect(sameNameEntry(e, { ...e, relationshipId: 'bolt' })).toBe(false);
    expect(sameNameEntry(e, { ...e, as2From: 'B' })).toBe(false);
    expect(sameNameEntry(e, { ...e, as2To: 'V' })).toBe(false);
    expect(sameNameEntry(e, { ...e, cem: false })).toBe(false);
    expect(sameNameEntry(e, { ...e, signers: ['s2', 's1'] })).toBe(false);
    expect(sameNameEntry(e, { ...e, signers: ['s1', 's2', 's3'] })).toBe(false);
    expect(sameNameEntry(e, { ...e, signers: ['s1'] })).toBe(false);
    expect(sameNameEntry({ ...e, signers: [] }, { ...e, signers: [] })).toBe(true);
  });

  it('featuresIncludeCem finds cem in any case and with blanks, among other features', () => {
    expect(featuresIncludeCem(['cem'])).toBe(true);
    expect(featuresIncludeCem([' CEM '])).toBe(true);
    expect(featuresIncludeCem(['multiple-attachments', 'Cem'])).toBe(true);
    expect(featuresIncludeCem(['multiple-attachments'])).toBe(false);
    expect(featuresIncludeCem(['cems', 'c em'])).toBe(false);
    expect(featuresIncludeCem([1, null, { cem: true }])).toBe(false);
    expect(featuresIncludeCem([])).toBe(false);
  });

  it('featuresChange only for an accepted signer and a different capability', () => {
    const entry = { cem: false, signers: ['s1', 's2'] };
    expect(featuresChange(entry, ['cem'], 's1')).toBe(true);
    expect(featuresChange(entry, ['cem'], 's2')).toBe(true);
    expect(featuresChange(entry, ['x'], 's1')).toBe(false);
    expect(featuresChange(entry, ['cem'], 's3')).toBe(false);
    expect(featuresChange(entry, ['cem'], null)).toBe(false);
    expect(featuresChange({ cem: true, signers: ['s1'] }, ['x'], 's1')).toBe(true);
    expect(featuresChange({ cem: true, signers: ['s1'] }, ['cem'], 's1')).toBe(false);
  });

  it('agrees with featuresObserved: the entry changes exactly when featuresChange says so', () => {
    const { pki, state, rel } = named();
    const entry = nameEntry(rel);
    for (const [features, verifiedBy] of [[['cem'], pki.partnerSigning.sha256], [['x'], pki.partnerSigning.sha256], [['cem'], makeCert().sha256]] as const) {
      const next = transition(state, { type: 'featuresObserved', relationshipId: 'acme', features, verifiedBy }, day(1)).state;
      expect(!sameNameEntry(entry, nameEntry(next.relationships['acme'] as Relationship))).toBe(featuresChange(entry, features, verifiedBy));
    }
  });
});
