/**
 * `CEM_DEMO_CAPTURE`: every AS2 message and MDN the demo sent over HTTP decrypts and verifies
 * with openssl, with the certificates and keys written next to them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main as demo } from '../../examples/demo.js';
import { openssl, tempDir } from '../helpers/pki.js';

interface Entry {
  readonly file: string;
  readonly kind: string;
  readonly signedWith: string;
  readonly encryptedTo: string;
  readonly mdnSignedWith: string;
  readonly mdn?: string;
}

/** Splits a captured `headers CRLF CRLF body` file. */
function split(bytes: Buffer): { headers: Record<string, string>; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of bytes.subarray(0, end).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: bytes.subarray(end + 4) };
}

describe('demo capture', () => {
  const dir = tempDir('cem-capture-');
  let entries: Entry[] = [];
  beforeAll(async () => {
    await demo({ capture: dir });
    entries = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Entry[];
    writeFileSync(join(dir, 'ca.pem'), readFileSync(join(dir, 'certs', 'issuing-ca.pem'), 'utf8') + readFileSync(join(dir, 'certs', 'root-ca.pem'), 'utf8'));
  }, 60_000);

  it('captured every message (payloads, Requests, Responses) with its MDN', () => {
    expect(entries.length).toBeGreaterThanOrEqual(9);
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(['payload', 'request', 'response']));
    expect(entries.every((e) => e.mdn !== undefined)).toBe(true);
  });

  it('openssl decrypts every message with the named recipient key and verifies its signer against the CA', () => {
    for (const e of entries) {
      const { headers, body } = split(readFileSync(join(dir, e.file)));
      expect(headers['ediint-features']).toBe('CEM, multiple-attachments');
      expect(headers['content-type']).toMatch(/^application\/pkcs7-mime; smime-type=enveloped-data/);
      const p7m = join(dir, `${e.file}.p7m`);
      writeFileSync(p7m, body);
      const cert = join(dir, 'certs', `${e.encryptedTo}.pem`);
      const signed = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', p7m, '-recip', cert, '-inkey', join(dir, 'certs', `${e.encryptedTo}.key`)]);
      const signerOut = join(dir, `${e.file}.signer.pem`);
      const content = openssl(['cms', '-verify', '-purpose', 'any', '-CAfile', join(dir, 'ca.pem'), '-signer', signerOut], signed).toString('latin1');
      expect(readFileSync(signerOut, 'utf8').trim()).toBe(readFileSync(join(dir, 'certs', `${e.signedWith}.pem`), 'utf8').trim());
      if (e.kind === 'payload') expect(content).toMatch(/^Content-Type: application\/edifact/);
      else expect(content).toMatch(/^Content-Type: multipart\/related; type="application\/ediint-cert-exchange\+xml"/);
    }
  });

  it('openssl verifies every MDN, signed by the receiver, reporting processed', () => {
    for (const e of entries) {
      const { headers, body } = split(readFileSync(join(dir, e.mdn ?? '')));
      const entity = Buffer.concat([Buffer.from(`Content-Type: ${headers['content-type'] ?? ''}\r\n\r\n`), body]);
      const signerOut = join(dir, `${e.file}.mdn-signer.pem`);
      const report = openssl(['cms', '-verify', '-purpose', 'any', '-CAfile', join(dir, 'ca.pem'), '-signer', signerOut], entity).toString('latin1');
      expect(readFileSync(signerOut, 'utf8').trim()).toBe(readFileSync(join(dir, 'certs', `${e.mdnSignedWith}.pem`), 'utf8').trim());
      expect(report).toMatch(/Disposition: automatic-action\/MDN-sent-automatically; processed\r?\n/);
    }
  });
});
