/**
 * Relationship events (src/state/relationship/relationships.ts): the behaviours mutation testing
 * found unasserted, driven through `transition` only. Settings changes, adding a relationship
 * (the listener each protocol reaches by default, the defaults of every field, each refusal with
 * its exact detail), duplicates, and the partner's observed CEM capability. Updates and removal:
 * relationships-update-gaps.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createInitialState, DEFAULT_SETTINGS, transition } from '../../src/state/index.js';
import type { CemEvent, CemState } from '../../src/state/index.js';
import { day, establishedState, local, makeCert, makePki, relationshipInit, T0 } from './fixtures.js';
import { expectIgnored } from './assertions.js';

const EMPTY = { active: [], successor: null, archive: [] };
const added = (relationship: unknown, state: CemState = createInitialState()) =>
  transition(state, { type: 'relationshipAdded', relationship } as CemEvent, day(1));

describe('settingsChanged', () => {
  it('merges the defined settings and has no effect', () => {
    const { state } = establishedState();
    const result = transition(state, { type: 'settingsChanged', settings: { maxResponseDays: 9, autoAccept: undefined } }, T0);
    expect(result.effects).toEqual([]);
    expect(result.state.settings).toEqual({ ...DEFAULT_SETTINGS, maxResponseDays: 9 });
    expect(result.state.relationships).toBe(state.relationships);
  });

  it('refuses invalid settings with the problem as detail', () => {
    const { state } = establishedState();
    expectIgnored(transition(state, { type: 'settingsChanged', settings: { maxResponseDays: 0 } }, T0), state, 'invalidEvent', 'maxResponseDays is invalid');
  });
});

describe('relationshipAdded: the default listener of each protocol', () => {
  it.each([
    ['AS2', 'HTTP'],
    ['HTTP', 'HTTP'],
    ['AS3', 'FTP'],
    ['FTP', 'FTP'],
    ['SFTP', 'SSH-FTP'],
    ['OFTP', 'OFTP'],
    ['AS1', null],
  ] as const)('%s → %s', (protocol, listener) => {
    const result = added({ id: 'acme', localName: 'US', partnerName: 'ACME', protocol });
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']?.listener).toBe(listener);
  });

  it('an explicit listener wins over the default, null included', () => {
    expect(added({ id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS2', listener: 'FTP' }).state.relationships['acme']?.listener).toBe('FTP');
    expect(added({ id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS2', listener: null }).state.relationships['acme']?.listener).toBeNull();
  });
});

describe('relationshipAdded: the relationship built', () => {
  it('with only the required fields: every default, every slot empty', () => {
    const before = createInitialState();
    const result = added({ id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS3' }, before);
    expect(result.effects).toEqual([]);
    expect(result.state).toEqual({ ...before, relationships: { acme: {
      id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS3', listener: 'FTP',
      cem: { observed: false, observedAt: null, override: 'auto' },
      autoAccept: 'inherit', partnerEmail: null, responseUrl: null,
      local: { signing: EMPTY, encryption: EMPTY, tlsClient: EMPTY },
      partner: { signing: EMPTY, encryption: EMPTY, tlsClient: EMPTY, tlsServer: EMPTY },
      serverReadiness: null,
    } } });
    expect(Object.isFrozen(result.state.relationships) && Object.isFrozen(result.state.relationships['acme']?.cem)).toBe(true);
  });

  it('with every field: the values given, each certificate active since now (undefined entries skipped)', () => {
    const pki = makePki();
    const init = { ...relationshipInit('acme', pki, { autoAccept: 'off', listener: 'OFTP' }), local: { signing: local(pki.localSigning), tlsClient: undefined }, partner: { tlsServer: pki.partnerTlsServer, encryption: undefined } };
    const result = added(init);
    const since = day(1).toISOString();
    const ref = (c: typeof pki.localSigning) => ({ fingerprint: c.sha256, subject: c.subject, issuer: c.issuer, serial: c.serial, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() });
    expect(result.state.relationships['acme']).toEqual({
      id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS2', listener: 'OFTP',
      cem: { observed: false, observedAt: null, override: 'capable' },
      autoAccept: 'off', partnerEmail: 'pki@acme.example', responseUrl: 'https://us.example/as2/cem',
      local: { signing: { active: [{ cert: { ...ref(pki.localSigning), keyRef: init.local.signing.keyRef }, since, cause: 'initial' }], successor: null, archive: [] }, encryption: EMPTY, tlsClient: EMPTY },
      partner: { signing: EMPTY, encryption: EMPTY, tlsClient: EMPTY, tlsServer: { active: [{ cert: ref(pki.partnerTlsServer), since, cause: 'initial' }], successor: null, archive: [] } },
      serverReadiness: null,
    });
  });

  it('keeps the other relationships', () => {
    const { state } = establishedState();
    const result = added({ id: 'bolt', localName: 'US', partnerName: 'BOLT', protocol: 'AS2' }, state);
    expect(Object.keys(result.state.relationships)).toEqual(['acme', 'bolt']);
    expect(result.state.relationships['acme']).toBe(state.relationships['acme']);
  });
});

describe('relationshipAdded: refusals', () => {
  const base = { id: 'acme', localName: 'US', partnerName: 'ACME', protocol: 'AS2' };
  it.each([
    ['no relationship', null, 'relationship missing'],
    ['a list', [base], 'relationship missing'],
    ['a text', 'acme', 'relationship missing'],
    ['no id', { ...base, id: undefined }, 'id, localName and partnerName are required'],
    ['a blank id', { ...base, id: ' ' }, 'id, localName and partnerName are required'],
    ['no localName', { ...base, localName: undefined }, 'id, localName and partnerName are required'],
    ['a blank partnerName', { ...base, partnerName: '' }, 'id, localName and partnerName are required'],
    ['an unknown protocol', { ...base, protocol: 'SMTP' }, 'protocol is invalid'],
    ['no protocol', { ...base, protocol: undefined }, 'protocol is invalid'],
    ['a numeric partnerEmail', { ...base, partnerEmail: 42 }, 'partnerEmail/responseUrl must be strings or null'],
    ['a numeric responseUrl', { ...base, responseUrl: 42 }, 'partnerEmail/responseUrl must be strings or null'],
    ['an unknown autoAccept', { ...base, autoAccept: 'always' }, 'autoAccept is invalid'],
    ['a null autoAccept', { ...base, autoAccept: null }, 'autoAccept is invalid'],
    ['an unknown cemOverride', { ...base, cemOverride: 'maybe' }, 'cemOverride is invalid'],
    ['an unknown listener', { ...base, listener: 'SMTP' }, 'listener is invalid'],
    ['local certificates as a list', { ...base, local: [] }, 'local certificates are malformed'],
    ['local certificates as null', { ...base, local: null }, 'local certificates are malformed'],
    ['a local certificate of an unknown usage', { ...base, local: { tlsServer: local(makeCert()) } }, 'local certificates are malformed'],
    ['a local certificate without key input', { ...base, local: { signing: makeCert() } }, 'local certificates are malformed'],
    ['partner certificates as a text', { ...base, partner: 'none' }, 'partner certificates are malformed'],
    ['partner certificates as null', { ...base, partner: null }, 'partner certificates are malformed'],
    ['a partner certificate of an unknown usage', { ...base, partner: { decryption: makeCert() } }, 'partner certificates are malformed'],
    ['a malformed partner certificate', { ...base, partner: { signing: { sha256: 'ab' } } }, 'partner certificates are malformed'],
  ])('%s', (_name, relationship, detail) => {
    const before = createInitialState();
    expectIgnored(added(relationship, before), before, 'invalidEvent', detail);
  });

  it('accepts null partnerEmail and responseUrl', () => {
    const rel = added({ ...base, partnerEmail: null, responseUrl: null }).state.relationships['acme'];
    expect([rel?.partnerEmail, rel?.responseUrl]).toEqual([null, null]);
  });

  it('a second relationship with the same id, or the same pair of AS2 names, is a duplicate', () => {
    const { state } = establishedState();
    expectIgnored(added({ ...base, partnerName: 'OTHER' }, state), state, 'duplicate', 'relationship acme exists');
    expectIgnored(added({ ...base, id: 'acme-2' }, state), state, 'duplicate', 'a relationship US ↔ ACME exists');
  });

  it('the same partner name with another local name, or the other way round, is no duplicate', () => {
    const { state } = establishedState();
    expect(Object.keys(added({ ...base, id: 'acme-2', localName: 'US2' }, state).state.relationships)).toEqual(['acme', 'acme-2']);
    expect(Object.keys(added({ ...base, id: 'acme-3', partnerName: 'US', localName: 'ACME' }, state).state.relationships)).toEqual(['acme', 'acme-3']);
  });
});

describe('featuresObserved', () => {
  const observe = (state: CemState, extra: object, at = day(1)) => transition(state, { type: 'featuresObserved', relationshipId: 'acme', features: ['CEM'], ...extra } as CemEvent, at);

  it.each([
    ['an unknown relationship', { relationshipId: 'nope' }, 'unknownRelationship', 'no relationship nope'],
    ['a relationship id that is not text', { relationshipId: 7 }, 'unknownRelationship', 'no relationship 7'],
    ['features that are not a list', { features: 'CEM' }, 'invalidEvent', 'features must be a list'],
  ])('refuses %s', (_name, extra, reason, detail) => {
    const { state } = establishedState({}, { cemOverride: 'auto' });
    expectIgnored(observe(state, extra), state, reason, detail);
  });

  it.each([
    ['an unknown signer', () => 'ff'.repeat(32)],
    ['no signer (null)', () => null],
  ])('a message verified by %s changes nothing (notAuthenticated)', (_name, signer) => {
    const { state } = establishedState({}, { cemOverride: 'auto' });
    expectIgnored(observe(state, { verifiedBy: signer() }), state, 'notAuthenticated', 'EDIINT-Features of a message not verified by an accepted partner signing certificate change nothing');
  });

  it('a message verified by the partner signing certificate records the capability, keeping the override', () => {
    const { state, pki } = establishedState({}, { cemOverride: 'incapable' });
    const result = observe(state, { verifiedBy: pki.partnerSigning.sha256 });
    expect(result.effects).toEqual([]);
    expect(result.state.relationships['acme']).toEqual({ ...state.relationships['acme'], cem: { observed: true, observedAt: day(1).toISOString(), override: 'incapable' } });
    expect(Object.keys(result.state.relationships)).toEqual(['acme']);
  });

  it('the same capability again changes nothing: the same state, no effect, observedAt kept', () => {
    const { state } = establishedState({}, { cemOverride: 'auto' });
    const unchanged = observe(state, { features: ['AS2-Reliability'] });
    expect(unchanged).toEqual({ state, effects: [] });
    expect(unchanged.state).toBe(state);
    const seen = observe(state, {});
    const again = observe(seen.state, { features: [' cem '] }, day(2));
    expect(again.state).toBe(seen.state);
    expect(again.effects).toEqual([]);
  });

  it('CEM no longer advertised: observed false since now', () => {
    const { state } = establishedState({}, { cemOverride: 'auto' });
    const seen = observe(state, {});
    const gone = observe(seen.state, { features: [] }, day(3));
    expect(gone.state.relationships['acme']?.cem).toEqual({ observed: false, observedAt: day(3).toISOString(), override: 'auto' });
  });
});
