/**
 * The record lookups and replacements (`src/state/lookup.ts`) exactly: own properties only, by
 * string ids only, both AS2 names, the accepted partner signers, and the same state back when the
 * stored object is put again.
 */
import { describe, expect, it } from 'vitest';
import { acceptsPartnerSigner, findByNames, getInbound, getOutbound, getRelationship, getServer, own, partnerSigners, putInbound, putOutbound, putServer } from '../../src/state/lookup.js';
import type { InboundExchange, OutboundExchange, Relationship, ServerSlot } from '../../src/state/model.js';
import { transition } from '../../src/state/transition.js';
import { establishedState, local, makeCert, makePki, relationshipInit, requestEvent, run, T0 } from './fixtures.js';
import { send, signingSelection } from './scenarios.js';

describe('lookups', () => {

  it('own and the getters read own properties only, by string', () => {
    const { state } = establishedState();
    expect(own({ a: 1 }, 'a')).toBe(1);
    expect(own({ a: 1 }, 'constructor')).toBeUndefined();
    expect(own({ a: 1 }, '__proto__')).toBeUndefined();
    expect(getRelationship(state, 'acme')?.id).toBe('acme');
    for (const id of ['nobody', 'constructor', 'toString', 7, null]) {
      expect(getRelationship(state, id)).toBeUndefined();
      expect(getOutbound(state, id)).toBeUndefined();
      expect(getInbound(state, id)).toBeUndefined();
    }
    const withNumericKey = { ...state, relationships: { ...state.relationships, 7: state.relationships['acme'] as Relationship } };
    expect(getRelationship(withNumericKey, 7)).toBeUndefined();
    expect(getRelationship(withNumericKey, '7')?.id).toBe('acme');
  });

  it('getOutbound and getInbound find exchanges by id and key', () => {
    const { state, pki } = establishedState();
    const sent = send(state, signingSelection(makeCert()));
    expect(getOutbound(sent.state, sent.ids.requestId)?.id).toBe(sent.ids.requestId);
    expect(getInbound(sent.state, sent.ids.requestId)).toBeUndefined();
    const received = transition(state, requestEvent('r1', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    expect(getInbound(received, 'acme/r1')?.key).toBe('acme/r1');
    expect(getOutbound(received, 'acme/r1')).toBeUndefined();
    // Untrusted JSON may carry an array where an id belongs: its text names the record, it does not.
    expect(getOutbound(sent.state, [sent.ids.requestId])).toBeUndefined();
    expect(getInbound(received, ['acme/r1'])).toBeUndefined();
    expect(getRelationship(received, ['acme'])).toBeUndefined();
  });

  it('findByNames matches AS2-From to the partner name and AS2-To to ours, case-sensitively', () => {
    const { state } = establishedState();
    const two = run(state, [[{ type: 'relationshipAdded', relationship: relationshipInit('bolt', makePki()) }, T0]]).state;
    expect(findByNames(two, 'ACME', 'US')?.id).toBe('acme');
    expect(findByNames(two, 'BOLT', 'US')?.id).toBe('bolt');
    expect(findByNames(two, 'US', 'ACME')).toBeUndefined();
    expect(findByNames(two, 'acme', 'US')).toBeUndefined();
    expect(findByNames(two, 'ACME', 'us')).toBeUndefined();
    expect(findByNames(two, 'ACME', 'OTHER')).toBeUndefined();
  });

  it('partnerSigners and acceptsPartnerSigner: the active signing certificates and an accepted successor', () => {
    const { state, pki } = establishedState();
    const rel = state.relationships['acme'] as Relationship;
    expect(partnerSigners(rel)).toEqual([pki.partnerSigning.sha256]);
    expect(acceptsPartnerSigner(rel, pki.partnerSigning.sha256)).toBe(true);
    expect(acceptsPartnerSigner(rel, pki.partnerEncryption.sha256)).toBe(false);
    expect(acceptsPartnerSigner(rel, null)).toBe(false);
    const next = makeCert();
    const pending = transition(state, requestEvent('r2', [{ cert: next, usages: ['digitalSignature'] }], pki.partnerSigning), T0).state;
    expect(partnerSigners(pending.relationships['acme'] as Relationship)).toEqual([pki.partnerSigning.sha256]);
    expect(acceptsPartnerSigner(pending.relationships['acme'] as Relationship, next.sha256)).toBe(false);
    const accepted = transition(pending, { type: 'decide', exchangeKey: 'acme/r2', decisions: [{ fingerprint: next.sha256, accept: true }] }, T0).state;
    expect(partnerSigners(accepted.relationships['acme'] as Relationship)).toEqual([pki.partnerSigning.sha256, next.sha256]);
    expect(acceptsPartnerSigner(accepted.relationships['acme'] as Relationship, next.sha256)).toBe(true);
    const none = { ...rel, partner: { ...rel.partner, signing: { active: [], successor: null, archive: [] } } };
    expect(partnerSigners(none)).toEqual([]);
  });

  it('putOutbound and putInbound return the same state for the stored object, a new frozen one otherwise', () => {
    const { state, pki } = establishedState();
    const sent = send(state, signingSelection(makeCert()));
    const ex = sent.state.outbound[sent.ids.requestId] as OutboundExchange;
    expect(putOutbound(sent.state, ex)).toBe(sent.state);
    const changed = putOutbound(sent.state, { ...ex, status: 'pending' });
    expect(changed).not.toBe(sent.state);
    expect(changed.outbound[ex.id]?.status).toBe('pending');
    expect(changed.relationships).toBe(sent.state.relationships);
    expect([Object.isFrozen(changed), Object.isFrozen(changed.outbound), Object.isFrozen(changed.outbound[ex.id])]).toEqual([true, true, true]);
    expect(sent.state.outbound[ex.id]?.status).toBe('sending');
    const received = transition(state, requestEvent('r3', [{ cert: makeCert(), usages: ['keyEncipherment'] }], pki.partnerSigning), T0).state;
    const inbound = received.inbound['acme/r3'] as InboundExchange;
    expect(putInbound(received, inbound)).toBe(received);
    const answered = putInbound(received, { ...inbound, status: 'answered' });
    expect(answered.inbound['acme/r3']?.status).toBe('answered');
    expect(answered.outbound).toBe(received.outbound);
    expect([Object.isFrozen(answered), Object.isFrozen(answered.inbound), Object.isFrozen(answered.inbound['acme/r3'])]).toEqual([true, true, true]);
    expect(received.inbound['acme/r3']?.status).toBe('awaitingDecision');
  });

  it('getServer gives the stored slot or an empty frozen one, and putServer replaces it', () => {
    const { state } = establishedState();
    const empty = getServer(state, 'HTTP');
    expect(empty).toEqual({ protocol: 'HTTP', installed: null, candidate: null, archive: [] });
    expect([Object.isFrozen(empty), Object.isFrozen(empty.archive)]).toEqual([true, true]);
    const inherited = getServer(state, 'constructor' as 'HTTP');
    expect(inherited).toEqual({ protocol: 'constructor', installed: null, candidate: null, archive: [] });
    const cert = makeCert();
    const configured = transition(state, { type: 'serverCertificateConfigured', protocol: 'FTP', certificate: local(cert) }, T0).state;
    const slot = getServer(configured, 'FTP');
    expect(slot.installed?.cert.fingerprint).toBe(cert.sha256);
    expect(slot).toBe(configured.servers.FTP);
    expect(putServer(configured, slot)).toBe(configured);
    const cleared: ServerSlot = { ...slot, installed: null };
    const replaced = putServer(configured, cleared);
    expect(replaced.servers.FTP).toEqual(cleared);
    expect(replaced.outbound).toBe(configured.outbound);
    expect([Object.isFrozen(replaced), Object.isFrozen(replaced.servers), Object.isFrozen(replaced.servers.FTP)]).toEqual([true, true, true]);
    expect(configured.servers.FTP?.installed?.cert.fingerprint).toBe(cert.sha256);
  });
});
