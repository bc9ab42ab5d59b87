/**
 * Test data for the lifecycle: certificates as plain `CertificateInfo` values (random
 * fingerprints and serials, chosen key usages and validity), relationships, CEM messages.
 */
import { randomBytes } from 'node:crypto';
import type { CertificateInfo, KeyUsageName } from '../../src/crypto/certificate.js';
import { parseDistinguishedName } from '../../src/crypto/dn.js';
import type { CemDateTime, CemRequest, CemResponse } from '../../src/messages/model.js';
import type { CemEffect } from '../../src/state/effects.js';
import type { CemEvent, LocalCertificateInput, RelationshipInit, RequestIds } from '../../src/state/events.js';
import type { CemSettings, CemState } from '../../src/state/model.js';
import { createInitialState, transition } from '../../src/state/transition.js';
import type { CertStatus, CertUsage } from '../../src/types.js';

/** The start of every scenario. */
export const T0 = new Date('2026-03-02T10:00:00.000Z');

/** `T0` plus days (fractions allowed). */
export function day(days: number): Date {
  return new Date(T0.getTime() + days * 86_400_000);
}

/** Options of {@link makeCert}. */
export interface CertOptions {
  readonly label?: string;
  readonly issuer?: string;
  readonly serial?: string;
  readonly keyUsage?: readonly KeyUsageName[];
  readonly extendedKeyUsage?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly keySize?: number;
  readonly isCA?: boolean;
}

let counter = 0;

/**
 * A certificate as the crypto layer would read it, with a random SHA-256 and serial. Defaults:
 * RSA 2048, sha256WithRSAEncryption, keyUsage digitalSignature + keyEncipherment, EKU
 * serverAuth + clientAuth + emailProtection, valid 2025-01-01 to 2029-01-01.
 */
export function makeCert(options: CertOptions = {}): CertificateInfo {
  counter += 1;
  const label = options.label ?? `cert-${counter}`;
  const subject = `CN=${label},O=Test Partner,C=US`;
  const issuer = options.issuer ?? 'CN=Test Issuing CA,O=Test PKI,C=US';
  const serialBig = options.serial === undefined ? BigInt(`0x${randomBytes(16).toString('hex')}`) : BigInt(options.serial);
  const keyUsage = options.keyUsage ?? ['digitalSignature', 'keyEncipherment'];
  const eku = options.extendedKeyUsage ?? ['serverAuth', 'clientAuth', 'emailProtection'];
  let hex = serialBig.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Object.freeze({
    der: new Uint8Array(randomBytes(64)),
    version: 3,
    subject,
    issuer,
    subjectRdns: parseDistinguishedName(subject),
    issuerRdns: parseDistinguishedName(issuer),
    serial: serialBig.toString(10),
    serialHex: hex,
    notBefore: options.notBefore ?? new Date('2025-01-01T00:00:00Z'),
    notAfter: options.notAfter ?? new Date('2029-01-01T00:00:00Z'),
    sha256: randomBytes(32).toString('hex'),
    sha1: randomBytes(20).toString('hex'),
    keyAlgorithm: 'RSA',
    keySize: options.keySize ?? 2048,
    namedCurve: null,
    signatureAlgorithm: 'sha256WithRSAEncryption',
    signatureHash: 'sha256',
    keyUsage: Object.freeze([...keyUsage]),
    keyUsagePresent: true,
    extendedKeyUsage: Object.freeze([...eku]),
    extendedKeyUsagePresent: true,
    isCA: options.isCA ?? false,
    selfSigned: false,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
  });
}

/** A local certificate input with a key reference. */
export function local(cert: CertificateInfo): LocalCertificateInput {
  return { certificate: cert, keyRef: `key:${cert.sha256.slice(0, 8)}` };
}

/** The certificates of one established relationship. */
export interface Pki {
  readonly localSigning: CertificateInfo;
  readonly localEncryption: CertificateInfo;
  readonly localTls: CertificateInfo;
  readonly partnerSigning: CertificateInfo;
  readonly partnerEncryption: CertificateInfo;
  readonly partnerTlsServer: CertificateInfo;
  readonly partnerTlsClient: CertificateInfo;
}

/** Fresh certificates for an established relationship. */
export function makePki(): Pki {
  return {
    localSigning: makeCert({ label: 'us-sign' }),
    localEncryption: makeCert({ label: 'us-enc' }),
    localTls: makeCert({ label: 'us-tls' }),
    partnerSigning: makeCert({ label: 'partner-sign' }),
    partnerEncryption: makeCert({ label: 'partner-enc' }),
    partnerTlsServer: makeCert({ label: 'partner-tls-server' }),
    partnerTlsClient: makeCert({ label: 'partner-tls-client' }),
  };
}

/** An AS2 relationship `US` ↔ `<partner>` with active certificates both ways. */
export function relationshipInit(id: string, pki: Pki, overrides: Partial<RelationshipInit> = {}): RelationshipInit {
  return {
    id,
    localName: 'US',
    partnerName: id.toUpperCase(),
    protocol: 'AS2',
    partnerEmail: `pki@${id}.example`,
    responseUrl: 'https://us.example/as2/cem',
    cemOverride: 'capable',
    local: { signing: local(pki.localSigning), encryption: local(pki.localEncryption), tlsClient: local(pki.localTls) },
    partner: { signing: pki.partnerSigning, encryption: pki.partnerEncryption, tlsServer: pki.partnerTlsServer, tlsClient: pki.partnerTlsClient },
    ...overrides,
  };
}

/** Applies events in order and returns the final state and every effect. */
export function run(state: CemState, events: readonly (readonly [CemEvent, Date])[]): { state: CemState; effects: CemEffect[] } {
  let current = state;
  const effects: CemEffect[] = [];
  for (const [event, now] of events) {
    const result = transition(current, event, now);
    current = result.state;
    effects.push(...result.effects);
  }
  return { state: current, effects };
}

/** A state with one established relationship `acme` (AS2, CEM-capable) and its certificates. */
export function establishedState(settings: Partial<CemSettings> = {}, overrides: Partial<RelationshipInit> = {}): { state: CemState; pki: Pki } {
  const pki = makePki();
  const state = run(createInitialState(settings), [[{ type: 'relationshipAdded', relationship: relationshipInit('acme', pki, overrides) }, T0]]).state;
  return { state, pki };
}

let idCounter = 0;

/** Fresh request ids. */
export function ids(prefix = 'req'): RequestIds {
  idCounter += 1;
  const n = idCounter;
  return { requestId: `${prefix}-${n}`, xmlContentId: `xml-${n}@us.example`, contentIds: [1, 2, 3, 4].map((i) => `cert-${n}-${i}@us.example`) };
}

/** A CEM dateTime value for an instant. */
export function cemDate(instant: Date): CemDateTime {
  return { lexical: instant.toISOString().replace(/\.\d{3}Z$/, '+00:00'), instant, offsetMinutes: 0 };
}

/** A CEM Response answering certificates of a request. */
export function cemResponse(requestId: string | null, sender: string, answers: readonly { cert: CertificateInfo; status: CertStatus; reason?: string; issuer?: string }[], originated = T0): CemResponse {
  return {
    requestId,
    sender: { name: sender, qualifier: 'AS2' },
    originated: cemDate(originated),
    trustResponses: answers.map((a) => ({ status: a.status, reason: a.reason ?? null, certificate: { issuer: a.issuer ?? a.cert.issuer, serial: a.cert.serial } })),
  };
}

let messageCounter = 0;

/** A `responseReceived` event from `acme`'s partner name, verified with `verifiedBy`. */
export function responseEvent(response: CemResponse, verifiedBy: CertificateInfo, from = 'ACME', messageId?: string | null): CemEvent {
  messageCounter += 1;
  return { type: 'responseReceived', as2From: from, as2To: 'US', verifiedBy: verifiedBy.sha256, messageId: messageId === undefined ? `msg-response-${messageCounter}` : messageId, response };
}

/** One certificate of a received request. */
export interface RequestedCert {
  readonly cert: CertificateInfo;
  readonly usages: readonly CertUsage[];
  readonly respondBy?: Date | null;
  readonly responseUrl?: string;
  /** Issuer string as the peer writes it (defaults to the certificate's). */
  readonly wireIssuer?: string;
}

/** A `requestReceived` event from `ACME` to `US`. */
export function requestEvent(requestId: string | null, certs: readonly RequestedCert[], verifiedBy: CertificateInfo, options: { from?: string; sender?: string; messageId?: string | null; originated?: Date } = {}): CemEvent {
  const request: CemRequest = {
    requestId,
    sender: { name: options.sender ?? options.from ?? 'ACME', qualifier: 'AS2' },
    originated: cemDate(options.originated ?? T0),
    trustRequests: certs.map((c, i) => ({
      usages: c.usages,
      respondBy: c.respondBy === null ? null : cemDate(c.respondBy ?? day(14)),
      responseUrl: c.responseUrl ?? 'https://acme.example/as2',
      certificate: { issuer: c.wireIssuer ?? c.cert.issuer, serial: c.cert.serial },
      contentId: `c${i}@acme.example`,
    })),
  };
  return {
    type: 'requestReceived',
    as2From: options.from ?? 'ACME',
    as2To: 'US',
    verifiedBy: verifiedBy.sha256,
    messageId: options.messageId === undefined ? `msg-${requestId ?? 'none'}` : options.messageId,
    request,
    certificates: certs.map((c, i) => ({ contentId: `<c${i}@acme.example>`, endEntity: c.cert, chain: [] })),
  };
}

/** Effects of one type. */
export function effectsOf<T extends CemEffect['type']>(effects: readonly CemEffect[], type: T): Extract<CemEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<CemEffect, { type: T }> => e.type === type);
}

/** Alert kinds notified, in order. */
export function alertKinds(effects: readonly CemEffect[]): string[] {
  return effectsOf(effects, 'notify').map((e) => e.alert.kind);
}

/** The `ignored` reason, if the effects are a refusal. */
export function ignoredReason(effects: readonly CemEffect[]): string | undefined {
  return effectsOf(effects, 'ignored')[0]?.reason;
}

/** `acme` (partner `a`) and `bolt` (partner `b`), both added at T0 with `settings`. */
export function twoPartners(settings: Partial<CemSettings> = {}): { state: CemState; a: Pki; b: Pki } {
  const a = makePki();
  const b = makePki();
  const state = run(createInitialState(settings), [
    [{ type: 'relationshipAdded', relationship: relationshipInit('acme', a) }, T0],
    [{ type: 'relationshipAdded', relationship: relationshipInit('bolt', b) }, T0],
  ]).state;
  return { state, a, b };
}

/** {@link twoPartners} on the HTTP listener, which presents `old`; by default Requests answerable for 5 days. */
export function twoPartnersOnHttp(settings: Partial<CemSettings> = { maxResponseDays: 5 }): { state: CemState; a: Pki; b: Pki; old: CertificateInfo } {
  const { state: two, a, b } = twoPartners(settings);
  const old = makeCert({ label: 'server-old' });
  const state = run(two, [[{ type: 'serverCertificateConfigured', protocol: 'HTTP', certificate: local(old) }, T0]]).state;
  return { state, a, b, old };
}
