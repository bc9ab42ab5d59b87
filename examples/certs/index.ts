/**
 * The example PKI: certificates and keys made once by `make-certs.sh` (see `README.md` here) and
 * read from this folder with `node:fs`, so the examples need no openssl at run time.
 *
 * Every certificate is issued by "Example Trust Issuing CA 1" under "Example Trust Root CA",
 * valid from 2026-01-01 to 2036-01-01 (UTC), RSA 2048.
 *
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The end-entity certificates of the examples. */
export const EXAMPLE_CERTIFICATES = Object.freeze([
  'acme-sign-1', 'acme-sign-2', 'acme-enc-1', 'acme-enc-2', 'acme-tls-1', 'acme-tls-2',
  'globex-sign-1', 'globex-sign-2', 'globex-enc-1', 'globex-enc-2', 'globex-tls-1', 'globex-tls-2',
  'initech-as2', 'umbrella-as2', 'hooli-as2',
] as const);

/**
 * The name of one example certificate: `<party>-<sign|enc|tls>-<1 old|2 new>`, or
 * `<partner>-as2` (one certificate for signing and encryption).
 *
 * @example
 * ```ts
 * const name: ExampleCertName = 'acme-sign-2'
 * ```
 */
export type ExampleCertName = (typeof EXAMPLE_CERTIFICATES)[number];

/** The CA certificates, nearest first. */
const CHAIN = Object.freeze(['issuing-ca', 'root-ca'] as const);

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const cache = new Map<string, string>();
const fingerprints = new Map<ExampleCertName, string>();
function cached(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    text = read(path);
    cache.set(path, text);
  }
  return text;
}

/**
 * The PEM of one example certificate (the end-entity alone).
 *
 * @example
 * ```ts
 * certificatePem('globex-sign-1').startsWith('-----BEGIN CERTIFICATE-----') // true
 * ```
 * @throws Error when the file is missing (run `make-certs.sh`).
 */
export function certificatePem(name: ExampleCertName | 'issuing-ca' | 'root-ca'): string {
  return cached(`./pem/${name}.pem`);
}

/**
 * The PEMs of the issuing CA and the root, nearest first: the chain of every example certificate.
 *
 * @example
 * ```ts
 * const [issuing, root] = chainPems()
 * ```
 */
export function chainPems(): readonly string[] {
  return Object.freeze(CHAIN.map((name) => certificatePem(name)));
}

/**
 * The private key of one example certificate. These keys are public: examples only.
 *
 * @example
 * ```ts
 * crypto.sign('sha256', data, privateKey('acme-sign-1'))
 * ```
 * @throws Error when the file is missing.
 */
export function privateKey(name: ExampleCertName): KeyObject {
  return createPrivateKey(cached(`./keys/${name}.key`));
}

/**
 * One of our certificates as the engine takes it: PEM, chain, and a key reference (the
 * certificate's name, which {@link privateKey} resolves, the way a host's key store would).
 *
 * @example
 * ```ts
 * await engine.sendCertificates('globex', { signing: localCertificate('acme-sign-2') })
 * ```
 */
export function localCertificate(name: ExampleCertName): { readonly certificate: string; readonly chain: readonly string[]; readonly keyRef: string } {
  return Object.freeze({ certificate: certificatePem(name), chain: chainPems(), keyRef: name });
}

/**
 * A partner's certificate as the engine takes it: PEM and chain.
 *
 * @example
 * ```ts
 * await engine.addRelationship({ ..., partner: { signing: partnerCertificate('globex-sign-1') } })
 * ```
 */
export function partnerCertificate(name: ExampleCertName): { readonly certificate: string; readonly chain: readonly string[] } {
  return Object.freeze({ certificate: certificatePem(name), chain: chainPems() });
}

/**
 * True when `name` is one of the example certificates (for key references read back from the
 * engine).
 *
 * @example
 * ```ts
 * if (isExampleCertName(resolved.keyRef)) privateKey(resolved.keyRef)
 * ```
 */
export function isExampleCertName(name: unknown): name is ExampleCertName {
  return typeof name === 'string' && (EXAMPLE_CERTIFICATES as readonly string[]).includes(name);
}

/**
 * The SHA-256 fingerprint of an example certificate, lowercase hex without colons (the engine's
 * form).
 *
 * @example
 * ```ts
 * resolved.signOutbound?.fingerprint === fingerprint('acme-sign-2')
 * ```
 */
export function fingerprint(name: ExampleCertName): string {
  let fp = fingerprints.get(name);
  if (fp === undefined) {
    fp = new X509Certificate(certificatePem(name)).fingerprint256.replaceAll(':', '').toLowerCase();
    fingerprints.set(name, fp);
  }
  return fp;
}

/**
 * The example certificate with this fingerprint, for readable summaries and timelines; the
 * fingerprint's first 12 digits when it is not an example certificate.
 *
 * @example
 * ```ts
 * nameOf(fingerprint('acme-enc-2')) // 'acme-enc-2'
 * ```
 */
export function nameOf(fp: string): string {
  const wanted = fp.replaceAll(':', '').toLowerCase();
  return EXAMPLE_CERTIFICATES.find((name) => fingerprint(name) === wanted) ?? wanted.slice(0, 12);
}
