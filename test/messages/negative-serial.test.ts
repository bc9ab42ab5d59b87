/**
 * Issue 9, point 10: negative serial numbers. XMLDSig types X509SerialNumber as xs:integer, Java's
 * BigInteger.toString() writes `-5`, and mendelson sends exactly that for a certificate whose
 * serial is negative (RFC 5280 §4.1.2.2 asks users to handle them). They are read, written and
 * compared by value, in parseCemEntity, the builders and the `cem` command.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/io.js';
import { serialValue } from '../../src/cli/respond.js';
import { readCertificate } from '../../src/crypto/certificate.js';
import { issuerSerialMeaningKey } from '../../src/messages/xml/issuer-serial-key.js';
import { cemDateTime } from '../../src/messages/datetime.js';
import { buildCemRequest } from '../../src/messages/entity/build-request-items.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { serializeCemEntity } from '../../src/messages/entity/serialize.js';
import { parseCemRequest, serializeCemRequest } from '../../src/messages/request-xml.js';
import { makeCert, tempDir, type TestCert } from '../helpers/pki.js';

let negative: TestCert;
beforeAll(() => {
  negative = makeCert({ subject: '/O=Mendelson Partner/CN=as2.negative.test', serial: -5n, keyUsage: 'digitalSignature,keyEncipherment' });
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function built() {
  return buildCemRequest({
    sender: 'ACME', requestId: 'neg-1', originated: cemDateTime(new Date('2026-01-01T00:00:00Z')), xmlContentId: 'xml@acme.test',
    items: [{ usages: ['digitalSignature'], responseUrl: 'https://as2.acme.test/as2', certificates: [negative.der], contentId: 'c1@acme.test' }],
  });
}

describe('negative serial numbers', () => {
  it('reads an openssl-made certificate with serial -5', () => {
    const cert = readCertificate(negative.der);
    expect(cert.serial).toBe('-5');
    expect(cert.serialHex).toBe('-05');
  });

  it('writes -5 and reads back -5, -05 and +5 by value (mendelson writes BigInteger.toString())', () => {
    const entity = built();
    expect(entity.request.trustRequests[0]?.certificate.serial).toBe('-5');
    expect(entity.entity.xml).toContain('<ds:X509SerialNumber>-5</ds:X509SerialNumber>');
    const parsed = parseCemEntity(serializeCemEntity(entity.entity));
    expect(parsed.kind === 'request' && parsed.certificates[0]?.endEntity.serial).toBe('-5');
    const xml = serializeCemRequest(entity.request);
    expect(parseCemRequest(xml.replace('>-5<', '>-0005<')).trustRequests[0]?.certificate.serial).toBe('-0005');
    const bytes = Buffer.from(serializeCemEntity(entity.entity)).toString('latin1');
    const xmlB64 = Buffer.from(entity.entity.xml).toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
    const renamed = (serial: string) => {
      const other = Buffer.from(entity.entity.xml.replace('>-5<', `>${serial}<`)).toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
      return Buffer.from(bytes.replace(xmlB64, other), 'latin1');
    };
    expect(parseCemEntity(renamed('-05')).kind).toBe('request');
    expect(code(() => parseCemEntity(renamed('5')))).toBe('CEM_CERT_MISMATCH');
  });

  it('compares serials by value in issuer/serial keys', () => {
    const key = (serial: string) => issuerSerialMeaningKey({ issuer: 'CN=A', serial });
    expect(key('-5')).toBe(key('-005'));
    expect(key('-0')).toBe(key('0'));
    expect(key('-5')).not.toBe(key('5'));
  });

  it('cem request, inspect and respond handle the negative serial (also given as -0x5)', () => {
    const dir = tempDir('cem-negative-');
    const out: string[] = [];
    const err: string[] = [];
    const io = { ...processIo, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    const requestFile = join(dir, 'request.mime');
    expect(runCli(['request', '--from', 'ACME', '--response-url', 'https://as2.acme.test/as2', '--cert', `${negative.certPath}=digitalSignature`, '--out', requestFile], io)).toBe(0);
    expect(runCli(['inspect', requestFile, '--json'], io)).toBe(0);
    const inspected = JSON.parse(out.join(''));
    expect(inspected.trustRequests[0].serial).toBe('-5');
    expect(inspected.trustRequests[0].certificate.serial).toBe('-5');
    const responseFile = join(dir, 'response.mime');
    expect(runCli(['respond', requestFile, '--from', 'PARTNER', '--accept', '-0x5', '--out', responseFile], io)).toBe(0);
    expect(err.join('')).toBe('');
  });

  it('reads serials as typed or as openssl prints them', () => {
    expect(serialValue('-5')).toBe(-5n);
    expect(serialValue('0x1F')).toBe(31n);
    expect(serialValue('-0x1f')).toBe(-31n);
    expect(serialValue('1f:2e')).toBe(0x1f2en);
    expect(serialValue('serial=1F2E')).toBe(0x1f2en);
    expect(serialValue(' 4096 ')).toBe(4096n);
    expect(() => serialValue('1F')).toThrow(/not a serial number/);
    expect(() => serialValue('9'.repeat(300))).toThrow(/not a serial number/);
  });
});
