/**
 * Test PKI made with the real `openssl` command: roots, intermediates and end-entity certificates
 * with chosen subjects, serials, key usages, key sizes and signature digests.
 *
 * Every certificate is written into a fresh temporary folder, so tests can hand the files to
 * `openssl` or to the CLI as well as use the bytes directly.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestCert {
  /** PEM of the certificate alone. */
  readonly pem: string;
  /** DER bytes of the certificate. */
  readonly der: Uint8Array;
  /** Path of the PEM certificate file. */
  readonly certPath: string;
  /** Path of the PEM (PKCS#8) private key file. */
  readonly keyPath: string;
  /** The subject as given to openssl (`/CN=.../O=...`). */
  readonly subject: string;
  /** Serial given to openssl, as a decimal string. */
  readonly serial: string;
  /** Issuer certificate, `undefined` for self-signed ones. */
  readonly issuer: TestCert | undefined;
}

export interface CertOptions {
  /** openssl `-subj` form, e.g. `/C=US/O=Acme/CN=as2.acme.test`. */
  readonly subject: string;
  /** Issuing CA; self-signed when absent. */
  readonly issuer?: TestCert;
  /** Make a CA certificate (basicConstraints CA:TRUE, keyCertSign). */
  readonly ca?: boolean;
  /** keyUsage names as openssl spells them, e.g. `digitalSignature,keyEncipherment`. */
  readonly keyUsage?: string;
  /** extendedKeyUsage names, e.g. `serverAuth,clientAuth`. */
  readonly extendedKeyUsage?: string;
  /** Serial as a decimal string or bigint (up to 20 bytes). A random 16-byte serial by default. */
  readonly serial?: string | bigint;
  /** RSA modulus size, 2048 by default. Ignored when `keyType` is `ec`. */
  readonly bits?: number;
  /** Key type, RSA by default. */
  readonly keyType?: 'rsa' | 'ec' | 'ed25519';
  /** EC curve as openssl names it (`P-256` by default, `P-384`, `P-521`, ...). */
  readonly curve?: string;
  /** Read `subject` as UTF-8 (openssl `-utf8`), for non-ASCII names. */
  readonly utf8?: boolean;
  /** Extra extension lines for the `[v3]` section, e.g. `certificatePolicies=1.2.3`. */
  readonly extensions?: readonly string[];
  /** Leave out subjectKeyIdentifier and authorityKeyIdentifier. */
  readonly noKeyIdentifiers?: boolean;
  /** Leave out basicConstraints (only for end-entity certificates). */
  readonly noBasicConstraints?: boolean;
  /** Reuse the private key of this certificate instead of generating one (faster tests). */
  readonly keyFrom?: TestCert;
  /** Attribute names for unregistered OIDs usable in `subject`, e.g. `{ partnerCode: '1.3.6.1.4.1.99999.1' }`. */
  readonly newOids?: Readonly<Record<string, string>>;
  /** Signature digest, sha256 by default. */
  readonly digest?: 'sha256' | 'sha1' | 'md5' | 'sha384';
  /** Validity in days from now (negative values are not supported by openssl 3.0). */
  readonly days?: number;
}

let counter = 0;
const workDir = mkdtempSync(join(tmpdir(), 'cem-pki-'));

/**
 * RSA-2048 keys made once (test/fixtures/keys, see its SOURCE.md), taken in turn for certificates
 * that ask for no other key: generating a fresh key for each certificate was most of the time of
 * the engine tests. Any 48 certificates made one after the other in a test process have distinct
 * keys. `CEM_TEST_FRESH_KEYS=1` generates every key instead.
 */
const KEY_POOL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keys');
const KEY_POOL_SIZE = 48;
let keyPoolNext = 0;

function pooledRsaKey(options: CertOptions): string | null {
  if (process.env['CEM_TEST_FRESH_KEYS'] === '1') return null;
  if ((options.keyType ?? 'rsa') !== 'rsa' || (options.bits ?? 2048) !== 2048) return null;
  const index = keyPoolNext;
  keyPoolNext = (keyPoolNext + 1) % KEY_POOL_SIZE;
  return join(KEY_POOL_DIR, `rsa2048-${String(index).padStart(2, '0')}.pem`);
}

/** Runs openssl with arguments, failing loudly with its stderr. */
export function openssl(args: readonly string[], input?: string | Uint8Array): Buffer {
  return execFileSync('openssl', args, {
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, OPENSSL_CONF: '/dev/null' },
  });
}

/** A fresh temporary folder for one test's files. */
export function tempDir(prefix = 'cem-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function randomSerial(): bigint {
  counter += 1;
  const hex = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  // keep it positive and non-zero
  return (BigInt(`0x${hex}`) >> 1n) + BigInt(counter);
}

/** Creates one certificate with openssl and returns its files and bytes. */
export function makeCert(options: CertOptions): TestCert {
  counter += 1;
  const base = join(workDir, `c${counter}`);
  const keyPath = options.keyFrom?.keyPath ?? `${base}.key`;
  const certPath = `${base}.pem`;
  const extPath = `${base}.ext`;
  const serial = options.serial === undefined ? randomSerial() : BigInt(options.serial);
  const digest = options.digest ?? 'sha256';

  const pooled = options.keyFrom ? null : pooledRsaKey(options);
  if (options.keyFrom) {
    // the key file already exists
  } else if (pooled !== null) {
    copyFileSync(pooled, keyPath);
  } else if (options.keyType === 'ec') {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${options.curve ?? 'P-256'}`, '-out', keyPath]);
  } else if (options.keyType === 'ed25519') {
    openssl(['genpkey', '-algorithm', 'ED25519', '-out', keyPath]);
  } else {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${options.bits ?? 2048}`, '-out', keyPath]);
  }

  const oids = Object.entries(options.newOids ?? {});
  const ext: string[] = oids.length > 0 ? ['oid_section=new_oids', '[new_oids]', ...oids.map(([n, o]) => `${n}=${o}`)] : [];
  ext.push('[req]', 'distinguished_name=dn', '[dn]', '[v3]');
  if (options.ca) {
    ext.push('basicConstraints=critical,CA:TRUE');
    ext.push(`keyUsage=critical,${options.keyUsage ?? 'keyCertSign,cRLSign'}`);
  } else {
    if (!options.noBasicConstraints) ext.push('basicConstraints=CA:FALSE');
    if (options.keyUsage) ext.push(`keyUsage=critical,${options.keyUsage}`);
  }
  if (options.extendedKeyUsage) ext.push(`extendedKeyUsage=${options.extendedKeyUsage}`);
  if (options.noKeyIdentifiers) {
    // openssl 3 adds both by default unless told "none"
    ext.push('subjectKeyIdentifier=none', 'authorityKeyIdentifier=none');
  } else {
    ext.push('subjectKeyIdentifier=hash');
    if (options.issuer) ext.push('authorityKeyIdentifier=keyid');
  }
  ext.push(...(options.extensions ?? []));
  writeFileSync(extPath, `${ext.join('\n')}\n`);

  const serialArg = serial < 0n ? `-0x${(-serial).toString(16)}` : `0x${serial.toString(16)}`;
  const days = String(options.days ?? 3650);
  // Ed25519 signs without a separate digest
  const digestArgs = options.keyType === 'ed25519' ? [] : [`-${digest}`];
  const subjectArgs = ['-subj', options.subject, ...(options.utf8 ? ['-utf8'] : [])];
  if (options.issuer) {
    const csrPath = `${base}.csr`;
    const csrConfig = oids.length > 0 ? ['-config', extPath] : [];
    openssl(['req', '-new', '-key', keyPath, ...subjectArgs, ...csrConfig, '-out', csrPath]);
    openssl([
      'x509', '-req', '-in', csrPath, '-CA', options.issuer.certPath, '-CAkey', options.issuer.keyPath,
      '-set_serial', serialArg, '-days', days, ...digestArgs, '-extfile', extPath, '-extensions', 'v3',
      '-out', certPath,
    ]);
  } else {
    openssl([
      'req', '-new', '-x509', '-key', keyPath, ...subjectArgs, '-set_serial', serialArg,
      '-days', days, ...digestArgs, '-config', extPath, '-extensions', 'v3', '-out', certPath,
    ]);
  }
  const pem = readFileSync(certPath, 'utf8');
  const der = new Uint8Array(openssl(['x509', '-in', certPath, '-outform', 'DER']));
  return Object.freeze({
    pem,
    der,
    certPath,
    keyPath,
    subject: options.subject,
    serial: serial.toString(10),
    issuer: options.issuer,
  });
}

/** A root CA, an intermediate CA under it, and a factory for end-entity certificates. */
export interface TestPki {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  /** An end-entity certificate issued by the intermediate. */
  leaf(options?: Partial<CertOptions>): TestCert;
  /** The chain of `cert` up to and including the root, end-entity first. */
  chainOf(cert: TestCert): TestCert[];
}

/** Builds a two-level test PKI with openssl. */
export function makePki(name = 'Test'): TestPki {
  const root = makeCert({ subject: `/C=US/O=${name} Trust/CN=${name} Root CA`, ca: true });
  const intermediate = makeCert({
    subject: `/C=US/O=${name} Trust/OU=Issuing/CN=${name} Issuing CA 1`,
    issuer: root,
    ca: true,
  });
  return {
    root,
    intermediate,
    leaf: (options = {}) =>
      makeCert({
        subject: `/C=US/ST=Texas/L=Fort Worth/O=${name} Corp/CN=as2.${name.toLowerCase()}.test`,
        keyUsage: 'digitalSignature,keyEncipherment',
        ...options,
        issuer: options.issuer ?? intermediate,
      }),
    chainOf: (cert) => {
      const chain: TestCert[] = [];
      for (let c: TestCert | undefined = cert; c; c = c.issuer) chain.push(c);
      return chain;
    },
  };
}
