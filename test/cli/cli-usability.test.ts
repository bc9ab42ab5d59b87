/**
 * Issue 9, points 12 and 13: the `cem` command as a new user meets it. `--version`; a warning for
 * a `--respond-by` in the past; `inspect` shows the key, the signature algorithm and the
 * suitability problems, and shows a CA certificate (or CA bundle) as it is; serials may be given
 * as openssl prints them; errors name the file; a file that is nothing we read says so plainly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { processIo, type CliIo } from '../../src/cli/io.js';
import { makeCert, makePki, tempDir, type TestCert, type TestPki } from '../helpers/pki.js';

function cli(argv: string[], now = new Date()): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { ...processIo, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => now };
  const code = runCli(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

let pki: TestPki;
let leaf: TestCert;
let weak: TestCert;
let ec: TestCert;
let dir: string;

beforeAll(() => {
  pki = makePki('Usable');
  leaf = pki.leaf({ keyUsage: 'keyEncipherment', keyFrom: pki.intermediate, serial: 0x1f2e3dn });
  weak = makeCert({ subject: '/CN=weak.test', bits: 1024, digest: 'sha1', keyUsage: 'digitalSignature' });
  ec = makeCert({ subject: '/CN=ec.test', keyType: 'ec', keyUsage: 'digitalSignature' });
  dir = tempDir('cem-usable-');
});

describe('cem, as a new user meets it', () => {
  it('--version prints the package version', () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
    for (const flag of ['--version', '-V']) expect(cli([flag])).toEqual({ code: 0, out: `cem (ediint-cem) ${version}\n`, err: '' });
  });

  it('warns on stderr about a --respond-by in the past, and not about one in the future', () => {
    const bundle = join(dir, 'leaf.pem');
    writeFileSync(bundle, pki.chainOf(leaf).map((c) => c.pem).join(''));
    const base = ['request', '--from', 'ACME', '--response-url', 'https://as2.acme.test/as2', '--cert', `${bundle}=keyEncipherment`, '--out', join(dir, 'r.mime')];
    const now = new Date('2026-06-01T00:00:00Z');
    const past = cli([...base, '--respond-by', '2026-05-01T00:00:00Z'], now);
    expect(past.code).toBe(0);
    expect(past.err).toMatch(/^cem: warning: --respond-by 2026-05-01T00:00:00Z is in the past/);
    expect(cli([...base, '--respond-by', '2026-07-01T00:00:00Z'], now).err).toBe('');
  });

  it('inspect shows key algorithm and size, signature algorithm and suitability problems', () => {
    const shown = JSON.parse(cli(['inspect', weak.certPath, '--json']).out);
    expect(shown).toMatchObject({ key: 'RSA 1024', signatureAlgorithm: 'sha1WithRSAEncryption' });
    expect(shown.problems.join('\n')).toMatch(/1024/);
    expect(shown.problems.join('\n')).toMatch(/SHA-1|sha1/i);
    expect(JSON.parse(cli(['inspect', ec.certPath, '--json']).out)).toMatchObject({ key: 'EC P-256 (256 bits)', signatureAlgorithm: 'ecdsa-with-SHA256', problems: [] });
    const table = cli(['inspect', weak.certPath]).out;
    expect(table).toMatch(/^key +RSA 1024$/m);
    expect(table).toMatch(/^signatureAlgorithm +sha1WithRSAEncryption$/m);
  });

  it('inspect shows the problems of a requested certificate for its usages', () => {
    const bundle = join(dir, 'wrong-usage.pem');
    writeFileSync(bundle, pki.chainOf(leaf).map((c) => c.pem).join(''));
    const request = join(dir, 'wrong-usage.mime');
    expect(cli(['request', '--from', 'ACME', '--response-url', 'https://as2.acme.test/as2', '--cert', `${bundle}=digitalSignature`, '--out', request]).code).toBe(0);
    const shown = JSON.parse(cli(['inspect', request, '--json']).out);
    expect(shown.trustRequests[0].certificate.problems.join('\n')).toMatch(/digitalSignature/);
  });

  it('inspect shows an intermediate CA certificate, and a CA bundle, instead of CEM_PKCS7_END_ENTITY', () => {
    const one = cli(['inspect', pki.intermediate.certPath, '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({ kind: 'certificate', subject: expect.stringContaining('Usable Issuing CA 1'), isCA: true, selfSigned: false, chain: [] });
    const bundle = join(dir, 'ca-bundle.pem');
    writeFileSync(bundle, pki.intermediate.pem + pki.root.pem);
    const both = JSON.parse(cli(['inspect', bundle, '--json']).out);
    expect(both.kind).toBe('certificates');
    expect(both.certificates).toHaveLength(2);
  });

  it('accepts serials as openssl prints them (0x…, colon pairs, serial=…)', () => {
    const bundle = join(dir, 'hex.pem');
    writeFileSync(bundle, pki.chainOf(leaf).map((c) => c.pem).join(''));
    const request = join(dir, 'hex.mime');
    expect(cli(['request', '--from', 'ACME', '--response-url', 'https://as2.acme.test/as2', '--cert', `${bundle}=keyEncipherment`, '--out', request]).code).toBe(0);
    for (const serial of ['0x1f2e3d', '1f:2e:3d', 'serial=1F2E3D', String(0x1f2e3d)]) {
      expect(cli(['respond', request, '--from', 'PARTNER', '--accept', serial, '--out', join(dir, 'resp.mime')])).toMatchObject({ code: 0, err: '' });
    }
    expect(cli(['respond', request, '--from', 'PARTNER', '--accept', '0x1f2e3e', '--out', join(dir, 'resp.mime')]).code).toBe(2);
  });

  it('errors name the file, and a file that is nothing cem reads says so in plain words', () => {
    const key = cli(['inspect', leaf.keyPath]);
    expect(key.code).toBe(1);
    expect(key.err).toContain(leaf.keyPath);
    expect(key.err).toContain('PRIVATE KEY');
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
    const shown = cli(['inspect', passwd]);
    expect(shown.code).toBe(1);
    expect(shown.err).toContain(`${passwd}: this file is not a CEM message or a certificate`);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello world\nthis is text\n');
    expect(cli(['inspect', text]).err).toContain('is not a CEM message or a certificate');
  });
});
