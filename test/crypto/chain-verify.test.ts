/**
 * Issue 9, point 6: chains are verified by signature, not matched by name. A forged intermediate
 * (the real intermediate's subject, another key; `openssl verify` refuses the chain) and a forged
 * root are refused with CEM_CHAIN_INVALID by readCertsOnly, splitCertificateBundle, parseCemEntity,
 * buildCemRequest and the `cem` command; genuine chains still pass.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/io.js';
import { readCertificate } from '../../src/crypto/certificate.js';
import { encodeCertsOnly, readCertsOnly, splitCertificateBundle } from '../../src/crypto/certs-only.js';
import { cemDateTime } from '../../src/messages/datetime.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { makeCert, makePki, openssl, tempDir, type TestCert, type TestPki } from '../helpers/pki.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function opensslVerifies(root: TestCert, untrusted: TestCert[], leaf: TestCert): boolean {
  const dir = tempDir('cem-chain-');
  const chainFile = join(dir, 'untrusted.pem');
  writeFileSync(chainFile, untrusted.map((c) => c.pem).join(''));
  try {
    openssl(['verify', '-CAfile', root.certPath, '-untrusted', chainFile, leaf.certPath]);
    return true;
  } catch {
    return false;
  }
}

let pki: TestPki;
let leaf: TestCert;
let forgedIntermediate: TestCert;
let forgedRoot: TestCert;

beforeAll(() => {
  pki = makePki('Chain');
  // no key identifiers: the names alone link the certificates, as the audit's forged chain did
  leaf = pki.leaf({ noKeyIdentifiers: true, keyUsage: 'digitalSignature' });
  forgedIntermediate = makeCert({ subject: pki.intermediate.subject, issuer: pki.root, ca: true, noKeyIdentifiers: true });
  forgedRoot = makeCert({ subject: pki.root.subject, ca: true, noKeyIdentifiers: true });
});

const when = cemDateTime(new Date('2026-01-01T00:00:00Z'));

function request(certificates: Uint8Array[]) {
  return buildCemRequest({
    sender: 'ACME', requestId: 'req-1', originated: when, xmlContentId: 'xml@acme.test',
    items: [{ usages: ['digitalSignature'], responseUrl: 'https://as2.acme.test/as2', certificates, contentId: 'c1@acme.test' }],
  });
}

describe('chain verification by signature', () => {
  it('the forgeries are real forgeries: openssl verify accepts the genuine chain and refuses both forged ones', () => {
    expect(opensslVerifies(pki.root, [pki.intermediate], leaf)).toBe(true);
    expect(opensslVerifies(pki.root, [forgedIntermediate], leaf)).toBe(false);
    expect(opensslVerifies(forgedRoot, [pki.intermediate], leaf)).toBe(false);
  });

  it('readCertsOnly and splitCertificateBundle accept the genuine chain and refuse a forged intermediate or root', () => {
    expect(readCertsOnly(encodeCertsOnly([leaf.der, pki.intermediate.der, pki.root.der])).chain).toHaveLength(2);
    expect(code(() => readCertsOnly(encodeCertsOnly([leaf.der, forgedIntermediate.der, pki.root.der])))).toBe('CEM_CHAIN_INVALID');
    expect(code(() => readCertsOnly(encodeCertsOnly([leaf.der, pki.intermediate.der, forgedRoot.der])))).toBe('CEM_CHAIN_INVALID');
    expect(code(() => splitCertificateBundle([leaf.der, forgedIntermediate.der].map((d) => readCertificate(d))))).toBe('CEM_CHAIN_INVALID');
  });

  it('parseCemEntity refuses a certs-only part whose intermediate is forged', () => {
    const genuine = serializeCemEntity(request([leaf.der, pki.intermediate.der, pki.root.der]).entity);
    expect(parseCemEntity(genuine).kind).toBe('request');
    // the same entity with the genuine intermediate's bytes swapped for the forged one in the P7C
    const forgedP7c = encodeCertsOnly([leaf.der, forgedIntermediate.der, pki.root.der]);
    const genuineP7c = encodeCertsOnly([leaf.der, pki.intermediate.der, pki.root.der]);
    const text = Buffer.from(genuine).toString('latin1');
    const swapped = text.replace(b64Lines(genuineP7c), b64Lines(forgedP7c));
    expect(swapped).not.toBe(text);
    expect(code(() => parseCemEntity(Buffer.from(swapped, 'latin1')))).toBe('CEM_CHAIN_INVALID');
  });

  it('buildCemRequest refuses to send a forged chain', () => {
    expect(code(() => request([leaf.der, forgedIntermediate.der, pki.root.der]))).toBe('CEM_CHAIN_INVALID');
    expect(code(() => request([leaf.der, pki.intermediate.der, forgedRoot.der]))).toBe('CEM_CHAIN_INVALID');
  });

  it('cem request and cem inspect refuse the forged chain (exit 1, CEM_CHAIN_INVALID)', () => {
    const dir = tempDir('cem-chain-cli-');
    const bundle = join(dir, 'forged.pem');
    writeFileSync(bundle, [leaf, forgedIntermediate, pki.root].map((c) => c.pem).join(''));
    const err: string[] = [];
    const io = { ...processIo, stdout: () => undefined, stderr: (t: string) => err.push(t) };
    expect(runCli(['request', '--from', 'ACME', '--response-url', 'https://as2.acme.test/as2', '--cert', `${bundle}=digitalSignature`, '--out', join(dir, 'r.mime')], io)).toBe(1);
    expect(err.join('')).toContain('CEM_CHAIN_INVALID');
    err.length = 0;
    expect(runCli(['inspect', bundle], io)).toBe(1);
    expect(err.join('')).toContain('CEM_CHAIN_INVALID');
  });
});

function b64Lines(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
}
