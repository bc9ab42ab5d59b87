import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { processIo } from '../../src/cli/io.js';
import { parseCemEntity } from '../../src/messages/entity/parse.js';
import { makePki, openssl, tempDir } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';
import { validateCemXsd } from '../helpers/xsd.js';

interface Captured {
  readonly io: CliIo;
  readonly out: string[];
  readonly err: string[];
}

/** The real file system and clock, with stdout/stderr captured. */
function capture(now = new Date('2026-11-25T10:00:00Z'), zone = 'Asia/Kolkata'): Captured {
  const out: string[] = [];
  const err: string[] = [];
  let n = 0;
  return {
    out,
    err,
    io: {
      ...processIo,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      now: () => now,
      timeZone: () => zone,
      randomHex: (bytes) => {
        n += 1;
        return n.toString(16).padStart(bytes * 2, '0');
      },
    },
  };
}

function cli(argv: string[], c = capture()): { code: number; out: string; err: string } {
  const code = runCli(argv, c.io);
  return { code, out: c.out.join(''), err: c.err.join('') };
}

let pki: TestPki;
let dir: string;
let signing: TestCert;
let tls: TestCert;
let signingBundle: string;
let tlsBundle: string;

beforeAll(() => {
  pki = makePki('Cli');
  dir = tempDir('cem-cli-');
  signing = pki.leaf({ serial: (1n << 158n) + 987654321n, subject: '/C=US/O=Acme, Inc./CN=as2 "signing"' });
  tls = pki.leaf({ keyUsage: 'digitalSignature,keyEncipherment', extendedKeyUsage: 'serverAuth' });
  signingBundle = join(dir, 'signing.pem');
  tlsBundle = join(dir, 'tls.pem');
  writeFileSync(signingBundle, pki.chainOf(signing).map((c) => c.pem).join(''));
  writeFileSync(tlsBundle, pki.chainOf(tls).map((c) => c.pem).join(''));
});

describe('cem request → inspect → respond → inspect', () => {
  it('works end to end on openssl-made certificates, and every XML part validates against the XSD', () => {
    const requestFile = join(dir, 'request.mime');
    const made = cli([
      'request', '--from', 'Acme & Sons', '--response-url', 'https://as2.acme.test/cem?x=1&y=2',
      '--respond-by', '2026-12-31T12:00:00-05:00', '--request-id', 'req-<1>',
      '--cert', `${signingBundle}=keyEncipherment,digitalSignature`, '--cert', `${tlsBundle}=tlsServer`,
      '--out', requestFile,
    ]);
    expect(made).toMatchObject({ code: 0, err: '' });

    const inspected = cli(['inspect', requestFile, '--json']);
    expect(inspected.code).toBe(0);
    const request = JSON.parse(inspected.out);
    expect(Object.keys(request)).toEqual(['kind', 'requestId', 'sender', 'originated', 'trustRequests']);
    expect(request).toMatchObject({
      kind: 'request',
      requestId: 'req-<1>',
      sender: { name: 'Acme & Sons', qualifier: 'AS2' },
      // 10:00Z in Asia/Kolkata, with its true +05:30 offset
      originated: '2026-11-25T15:30:00+05:30',
    });
    expect(request.trustRequests).toHaveLength(2);
    const [sign, server] = request.trustRequests;
    expect(Object.keys(sign)).toEqual(['usages', 'respondBy', 'responseUrl', 'issuer', 'serial', 'contentId', 'certificate']);
    expect(sign.usages).toEqual(['keyEncipherment', 'digitalSignature']);
    expect(sign.respondBy).toBe('2026-12-31T12:00:00-05:00');
    expect(sign.responseUrl).toBe('https://as2.acme.test/cem?x=1&y=2');
    expect(sign.serial).toBe(signing.serial);
    expect(sign.contentId).not.toMatch(/^<|^cid:|>$/);
    expect(server.usages).toEqual(['tlsServer']);
    expect(server.serial).toBe(tls.serial);

    const opensslSerial = openssl(['x509', '-in', signing.certPath, '-noout', '-serial']).toString().trim().split('=')[1] as string;
    const opensslSha = openssl(['x509', '-in', signing.certPath, '-noout', '-fingerprint', '-sha256']).toString().trim().split('=')[1] as string;
    const opensslIssuer = openssl(['x509', '-in', signing.certPath, '-noout', '-issuer', '-nameopt', 'RFC2253']).toString().trim().replace(/^issuer=/, '');
    expect(sign.certificate).toMatchObject({
      serial: BigInt(`0x${opensslSerial}`).toString(10),
      sha256: opensslSha.replace(/:/g, '').toLowerCase(),
      issuer: opensslIssuer,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: [],
    });
    expect(sign.issuer).toBe(opensslIssuer);
    expect(sign.certificate.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sign.certificate.chain.map((c: { serial: string }) => c.serial)).toEqual([pki.intermediate.serial, pki.root.serial]);
    expect(server.certificate.extendedKeyUsage).toEqual(['serverAuth']);

    const responseFile = join(dir, 'response.mime');
    const answered = cli([
      'respond', requestFile, '--from', 'Partner "B"', '--accept-all', '--reject', tls.serial,
      '--reason', 'EKU <serverAuth> & more', '--out', responseFile,
    ]);
    expect(answered).toMatchObject({ code: 0, err: '' });
    const response = JSON.parse(cli(['inspect', responseFile, '--json']).out);
    expect(response).toEqual({
      kind: 'response',
      requestId: 'req-<1>',
      sender: { name: 'Partner "B"', qualifier: 'AS2' },
      originated: '2026-11-25T15:30:00+05:30',
      trustResponses: [
        { status: 'Accepted', reason: null, issuer: sign.issuer, serial: sign.serial },
        { status: 'Rejected', reason: 'EKU <serverAuth> & more', issuer: server.issuer, serial: server.serial },
      ],
    });

    const xmlParts = [requestFile, responseFile].map((f) => parseCemEntity(readFileSync(f)).xml);
    expect(validateCemXsd(xmlParts)).toEqual([[], []]);
    expect(xmlParts.join('')).not.toMatch(/>\s+[^<\s]|[^>\s]\s+</);
  });

  it('echoes the issuer and serial strings exactly as the request wrote them', () => {
    const xml = `<?xml version="1.0"?>
<cem:EDIINTCertificateExchangeRequest xmlns:cem="urn:ietf:params:xml:ns:ediintcertificateexchange"
  xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" requestId="01170702153479-msgAlphaBravo">
  <cem:TradingPartnerInfo><cem:Name qualifier="AS2">DGI_Test_CEM</cem:Name>
  <cem:MessageOriginated>2005-08-30T00:30:00-05:00</cem:MessageOriginated></cem:TradingPartnerInfo>
  <cem:TrustRequest><cem:CertUsage>keyEncipherment</cem:CertUsage><cem:ResponseURL>http://10.1.1.1/as2</cem:ResponseURL>
  <cem:EndEntity><cem:CertificateIdentifier>
   <dsig:X509IssuerName>  CN=Cleo-SP,E=as2selfpacedsupport@drummondgroup.com,O=DGI,OU=DGI,L=Ft. Worth,S=Texas,C=US </dsig:X509IssuerName>
   <dsig:X509SerialNumber>9659684611094873474886</dsig:X509SerialNumber>
  </cem:CertificateIdentifier><cem:CertificateContentID>cid:SignEncCert@example.org</cem:CertificateContentID></cem:EndEntity>
  </cem:TrustRequest></cem:EDIINTCertificateExchangeRequest>`;
    const file = join(dir, 'draft.xml');
    writeFileSync(file, xml);
    const out = join(dir, 'draft-response.mime');
    expect(cli(['respond', file, '--from', 'Partner', '--accept', '9659684611094873474886', '--out', out]).code).toBe(0);
    const parsed = parseCemEntity(readFileSync(out));
    expect(parsed.xml).toContain('<ds:X509IssuerName>CN=Cleo-SP,E=as2selfpacedsupport@drummondgroup.com,O=DGI,OU=DGI,L=Ft. Worth,S=Texas,C=US</ds:X509IssuerName>');
    expect(parsed.xml).toContain('requestId="01170702153479-msgAlphaBravo"');
    expect(parsed.kind === 'response' && parsed.response.trustResponses[0]?.certificate.serial).toBe('9659684611094873474886');
  });

  it('answers a request without requestId (pre-draft-06 peers) without one', () => {
    const xml = `<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <TradingPartnerInfo><Name>OLD</Name><MessageOriginated>2006-03-01T10:00:00-05:00</MessageOriginated></TradingPartnerInfo>
  <TrustRequest><CertUsage>digitalSignature</CertUsage><ResponseURL>http://old.test/as2</ResponseURL>
  <EndEntity><CertificateIdentifier><ds:X509IssuerName>CN=Old CA</ds:X509IssuerName><ds:X509SerialNumber>42</ds:X509SerialNumber></CertificateIdentifier>
  <CertificateContentID>c1@old.test</CertificateContentID></EndEntity></TrustRequest></EDIINTCertificateExchangeRequest>`;
    const file = join(dir, 'no-request-id.xml');
    writeFileSync(file, xml);
    const out = join(dir, 'no-request-id-response.mime');
    expect(cli(['respond', file, '--from', 'NEW', '--accept-all', '--out', out]).code).toBe(0);
    const inspected = JSON.parse(cli(['inspect', out, '--json']).out);
    expect(inspected).toMatchObject({ kind: 'response', requestId: null, trustResponses: [{ status: 'Accepted', issuer: 'CN=Old CA', serial: '42' }] });
    expect(validateCemXsd([parseCemEntity(readFileSync(out)).xml])).toEqual([[]]);
  });

  it('inspects a bare XML request with certificate null, and certificate and PKCS#7 files', () => {
    const requestFile = join(dir, 'bare-source.mime');
    cli(['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', `${signingBundle}=digitalSignature`, '--out', requestFile]);
    const bareXml = join(dir, 'bare.xml');
    writeFileSync(bareXml, parseCemEntity(readFileSync(requestFile)).xml);
    const bare = JSON.parse(cli(['inspect', bareXml, '--json']).out);
    expect(bare.trustRequests[0].certificate).toBeNull();
    expect(bare.trustRequests[0].respondBy).toBeNull();

    const p7c = join(dir, 'chain.p7c');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-outform', 'DER', '-out', p7c]);
    const p7cPem = join(dir, 'chain.p7b');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-out', p7cPem]);
    const derCert = join(dir, 'leaf.cer');
    writeFileSync(derCert, signing.der);
    for (const f of [p7c, p7cPem, derCert, signingBundle]) {
      const res = cli(['inspect', f, '--json']);
      expect(res.code, f).toBe(0);
      const json = JSON.parse(res.out);
      expect(json).toMatchObject({ kind: 'certificate', serial: signing.serial });
      expect(json.chain.length).toBe(f === derCert ? 0 : 2);
    }
    const table = cli(['inspect', p7c]);
    expect(table.out).toMatch(/serial\s+\d+/);
    expect(table.out).toContain(signing.serial);
  });
});

describe('cem errors', () => {
  it.each([
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>', 'CEM_XML_DOCTYPE'],
    ['a wrong root', '<Foo xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange"/>', 'CEM_XML_ROOT'],
    ['truncated XML', '<EDIINTCertificateExchangeRequest xmlns="urn:ietf:params:xml:ns:ediintcertificateexchange"><TradingPartnerInfo>', 'CEM_XML_MALFORMED'],
    ['a PKCS#7 that is not one', '-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n', 'CEM_PKCS7_INVALID'],
    ['an unterminated multipart', 'Content-Type: multipart/related; boundary=b; type="application/ediint-cert-exchange+xml"\r\n\r\n--b\r\nContent-Type: application/ediint-cert-exchange+xml\r\n\r\n<x/>\r\n', 'CEM_MIME_UNTERMINATED'],
  ])('refuses %s: exit 1, `error CODE: message` on stderr, and the JSON error on stdout', (_what, content, code) => {
    const file = join(dir, `bad-${code}.txt`);
    writeFileSync(file, content);
    const plain = cli(['inspect', file]);
    expect(plain.code).toBe(1);
    expect(plain.err).toMatch(new RegExp(`^error ${code}: .+\\n$`));
    expect(plain.out).toBe('');
    const json = cli(['inspect', file, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ error: { code, message: expect.any(String) } });
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['inspect']],
    [['inspect', 'a', 'b']],
    [['inspect', 'a', '--bogus']],
    [['request', '--from', 'A', '--response-url', 'u']],
    [['request', '--from', 'A', '--response-url', 'u', '--cert', 'x.pem=KeyEncipherment']],
    [['request', '--from', 'A', '--response-url', 'u', '--cert', 'x.pem=tlsServer', '--respond-by', 'tomorrow']],
    [['respond', '--from', 'A', '--accept-all']],
    [['respond', 'request.mime', '--from', 'A', '--accept-all', '--reject-all']],
    [['request', '--from', 'A', '--response-url', 'as2.acme.test/as2', '--cert', 'x.pem=tlsServer']],
    [['request', '--from', 'A', '--response-url', '/as2', '--cert', 'x.pem=tlsServer']],
    [['request', '--from', 'A', '--response-url', 'ftp://as2.acme.test/in', '--cert', 'x.pem=tlsServer']],
    [['request', '--from', 'A', '--response-url', 'mailto:pki@acme.test', '--cert', 'x.pem=tlsServer']],
    [['request', '--from', 'A', '--response-url', 'https://as2.acme.test/a b', '--cert', 'x.pem=tlsServer']],
    [['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', 'x.pem=tlsServer', '--respond-by', '2026-12-31T12:00:00']],
  ])('exits 2 on the usage error %j', (argv) => {
    const res = cli(argv as string[]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/^cem: .+\nusage:/);
  });

  it('exits 2 when a serial given to respond is not in the request, or a certificate is left undecided', () => {
    const requestFile = join(dir, 'two.mime');
    cli(['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', `${signingBundle}=digitalSignature`, '--cert', `${tlsBundle}=tlsClient`, '--out', requestFile]);
    expect(cli(['respond', requestFile, '--from', 'B', '--accept', '12345']).code).toBe(2);
    const partial = cli(['respond', requestFile, '--from', 'B', '--accept', signing.serial]);
    expect(partial.code).toBe(2);
    expect(partial.err).toContain(tls.serial);
    expect(cli(['respond', requestFile, '--from', 'B', '--accept', signing.serial, '--reject', tls.serial]).code).toBe(0);
  });

  it('runs as a real process with the same exit codes', () => {
    const file = join(dir, 'doctype.xml');
    writeFileSync(file, '<!DOCTYPE x><x/>');
    const bin = join(process.cwd(), 'src/cli/bin.ts');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const bad = spawnSync(tsx, [bin, 'inspect', file, '--json'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error CEM_XML_DOCTYPE: /);
    expect(JSON.parse(bad.stdout).error.code).toBe('CEM_XML_DOCTYPE');
    const usage = spawnSync(tsx, [bin], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    const ok = spawnSync(tsx, [bin, 'inspect', signingBundle, '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).serial).toBe(signing.serial);
  });
});

describe('cem request --cert: certificate files', () => {
  /** `cem request` with one --cert, returning the inspected JSON of the written Request. */
  function requestWith(certFile: string, usage = 'digitalSignature'): { code: number; err: string; json: () => Record<string, any> } {
    const out = join(dir, `req-${Math.random().toString(16).slice(2)}.mime`);
    const res = cli(['request', '--from', 'A', '--response-url', 'https://x', '--cert', `${certFile}=${usage}`, '--out', out]);
    return { code: res.code, err: res.err, json: () => JSON.parse(cli(['inspect', out, '--json']).out) };
  }

  it('reads PKCS#7 bundles (.p7c DER, .p7b PEM, base64) as well as PEM lists, finding the end-entity in each', () => {
    const p7c = join(dir, 'req-chain.p7c');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-outform', 'DER', '-out', p7c]);
    const p7b = join(dir, 'req-chain.p7b');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-out', p7b]);
    const base64 = join(dir, 'req-chain.b64');
    writeFileSync(base64, `${readFileSync(p7c).toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`);
    // root first: the end-entity is found by its place in the set, not by its place in the file
    const reversed = join(dir, 'req-reversed.pem');
    writeFileSync(reversed, [...pki.chainOf(signing)].reverse().map((c) => c.pem).join(''));
    // a reversed bundle written by openssl keeps that order inside the PKCS#7 too
    const reversedP7c = join(dir, 'req-reversed.p7c');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', reversed, '-outform', 'DER', '-out', reversedP7c]);
    const utf16Pem = join(dir, 'req-chain-utf16.pem');
    writeFileSync(utf16Pem, Buffer.from(`\uFEFF${readFileSync(signingBundle, 'utf8').replace(/\n/g, '\r\n')}`, 'utf16le'));
    for (const file of [signingBundle, p7c, p7b, base64, reversed, reversedP7c, utf16Pem]) {
      const made = requestWith(file);
      expect(made.code, `${file}: ${made.err}`).toBe(0);
      const trust = made.json().trustRequests[0];
      expect(trust.serial, file).toBe(signing.serial);
      expect(trust.certificate.chain.map((c: { serial: string }) => c.serial), file).toEqual([pki.intermediate.serial, pki.root.serial]);
    }
  });

  it('writes the bundle of a .p7c as openssl reads it: the certs-only part holds the end-entity and its chain', () => {
    const p7c = join(dir, 'req-openssl.p7c');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-outform', 'DER', '-out', p7c]);
    const out = join(dir, 'req-openssl.mime');
    expect(cli(['request', '--from', 'A', '--response-url', 'https://x', '--cert', `${p7c}=digitalSignature`, '--out', out]).code).toBe(0);
    const parsed = parseCemEntity(readFileSync(out));
    if (parsed.kind !== 'request') throw new Error('expected a request');
    const part = parsed.certificates[0];
    expect(part?.endEntity.serial).toBe(signing.serial);
    const printed = openssl(['pkcs7', '-inform', 'DER', '-print_certs'], part?.p7c as Uint8Array).toString('utf8');
    expect(printed.match(/^subject=/gm)).toHaveLength(3);
  });

  it('exits 1 for a bundle with certificates off the end-entity path, naming the file', () => {
    const stray = pki.leaf({ subject: '/CN=stray.cli.test' });
    const mixed = join(dir, 'req-mixed.p7c');
    const list = join(dir, 'req-mixed.pem');
    writeFileSync(list, [...pki.chainOf(signing), ...pki.chainOf(stray)].map((c) => c.pem).join(''));
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', list, '-outform', 'DER', '-out', mixed]);
    const res = requestWith(mixed);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(new RegExp(`^error CEM_PKCS7_END_ENTITY: ${mixed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 2 end-entity certificates`));
    const extraRoot = join(dir, 'req-extra-root.pem');
    const otherPki = makePki('CliOther');
    writeFileSync(extraRoot, [...pki.chainOf(signing), otherPki.root].map((c) => c.pem).join(''));
    const extra = requestWith(extraRoot);
    expect(extra.code).toBe(1);
    expect(extra.err).toMatch(/^error CEM_ARGUMENT: .*req-extra-root\.pem: holds certificates off the issuer path/);
  });

  it('exits 1 with CEM_CERT_INVALID or CEM_PKCS7_INVALID for files that hold no certificate', () => {
    const xml = join(dir, 'req-not-a-cert.xml');
    writeFileSync(xml, '<x/>');
    const text = join(dir, 'req-not-a-cert.txt');
    writeFileSync(text, 'hello, world');
    const badP7 = join(dir, 'req-bad.p7b');
    writeFileSync(badP7, '-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n');
    expect(requestWith(xml).err).toMatch(/^error CEM_CERT_INVALID: .*XML/);
    expect(requestWith(text).err).toMatch(/^error CEM_CERT_INVALID: /);
    expect(requestWith(badP7).err).toMatch(/^error CEM_PKCS7_INVALID: /);
  });
});

describe('cem request --respond-by', () => {
  it('writes the offset given, Z as +00:00, and refuses a value without one (exit 2)', () => {
    const out = join(dir, 'respond-by.mime');
    const base = ['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', `${signingBundle}=digitalSignature`, '--out', out];
    expect(cli([...base, '--respond-by', '2026-12-31T12:00:00+05:45']).code).toBe(0);
    expect(JSON.parse(cli(['inspect', out, '--json']).out).trustRequests[0].respondBy).toBe('2026-12-31T12:00:00+05:45');
    expect(cli([...base, '--respond-by', '2026-12-31T12:00:00Z']).code).toBe(0);
    expect(JSON.parse(cli(['inspect', out, '--json']).out).trustRequests[0].respondBy).toBe('2026-12-31T12:00:00+00:00');
    const bare = cli([...base, '--respond-by', '2026-12-31T12:00:00']);
    expect(bare.code).toBe(2);
    expect(bare.err).toMatch(/^cem: --respond-by 2026-12-31T12:00:00: give the UTC offset explicitly/);
  });
});

describe('cem inspect: file detection', () => {
  let requestFile: string;
  let full: Record<string, unknown>;
  beforeAll(() => {
    requestFile = join(dir, 'detect.mime');
    cli(['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', `${signingBundle}=digitalSignature`, '--out', requestFile]);
    full = JSON.parse(cli(['inspect', requestFile, '--json']).out);
  });

  it('reads CEM XML saved as UTF-16 with a byte order mark, either byte order', () => {
    const xml = parseCemEntity(readFileSync(requestFile)).xml.replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const le = Buffer.from(`\uFEFF${xml}`, 'utf16le');
    const utf8 = JSON.parse(cli(['inspect', writeTemp('detect-utf8.xml', Buffer.from(xml.replace('encoding="UTF-16"', 'encoding="UTF-8"'))), '--json']).out);
    for (const bytes of [le, Buffer.from(le).swap16()]) {
      const res = cli(['inspect', writeTemp('detect-utf16.xml', bytes), '--json']);
      expect(res.code, res.err).toBe(0);
      expect(JSON.parse(res.out)).toEqual(utf8);
    }
    const noBom = cli(['inspect', writeTemp('detect-utf16-nobom.xml', Buffer.from(xml, 'utf16le')), '--json']);
    expect(noBom.code).toBe(1);
    expect(JSON.parse(noBom.out).error.code).toBe('CEM_XML_MALFORMED');
  });

  it('reads a multipart body saved without its headers by the boundary of its first line, with a note', () => {
    const bytes = readFileSync(requestFile);
    const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
    expect(body.subarray(0, 2).toString()).toBe('--');
    const file = writeTemp('detect-body.bin', body);
    const res = cli(['inspect', file, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toEqual(full);
    expect(res.err).toMatch(/^cem: note: the file has no MIME headers; it was read as multipart\/related with the boundary "[^"]+" of its first line/);
    const answered = join(dir, 'detect-body-response.mime');
    expect(cli(['respond', file, '--from', 'B', '--accept-all', '--out', answered]).code).toBe(0);
    expect(JSON.parse(cli(['inspect', answered, '--json']).out).trustResponses[0].status).toBe('Accepted');
  });

  it('gives MIME errors saying the headers are missing for a broken headerless body', () => {
    const bytes = readFileSync(requestFile);
    const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
    const truncated = cli(['inspect', writeTemp('detect-truncated.bin', body.subarray(0, body.length - 80)), '--json']);
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.out).error).toEqual({ code: 'CEM_MIME_UNTERMINATED', message: expect.stringContaining('the file has no MIME headers') });
    const notBoundary = cli(['inspect', writeTemp('detect-dashes.txt', Buffer.from('--\r\nhello\r\n')), '--json']);
    expect(notBoundary.code).toBe(1);
    expect(JSON.parse(notBoundary.out).error).toEqual({ code: 'CEM_MIME_MALFORMED', message: expect.stringContaining('no MIME headers') });
  });

  it('reads a certificate PEM saved as UTF-16, and a saved application/pkcs7-mime entity', () => {
    const utf16 = writeTemp('detect-utf16.pem', Buffer.from(`\uFEFF${readFileSync(signingBundle, 'utf8')}`, 'utf16le'));
    expect(JSON.parse(cli(['inspect', utf16, '--json']).out)).toMatchObject({ kind: 'certificate', serial: signing.serial });
    const p7c = join(dir, 'detect.p7c');
    execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', signingBundle, '-outform', 'DER', '-out', p7c]);
    const entity = `Content-Type: application/pkcs7-mime; smime-type=certs-only\r\nContent-Transfer-Encoding: base64\r\n\r\n${readFileSync(p7c).toString('base64')}\r\n`;
    expect(JSON.parse(cli(['inspect', writeTemp('detect-p7.mime', Buffer.from(entity)), '--json']).out)).toMatchObject({ kind: 'certificate', serial: signing.serial });
    const edi = cli(['inspect', writeTemp('detect-edi.mime', Buffer.from('Content-Type: application/edi-consent\r\n\r\nUNA:+.? \'')), '--json']);
    expect(JSON.parse(edi.out).error).toMatchObject({ code: 'CEM_MIME_NOT_CEM', message: expect.stringMatching(/detect-edi\.mime: this file is not a CEM message or a certificate.*\(an application\/edi-consent entity is not a CEM entity\)$/) });
  });
});

describe('cem file errors', () => {
  it('exits 1 with CEM_IO for a file that cannot be read or written', () => {
    const missing = cli(['inspect', '/nonexistent/file']);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe('error CEM_IO: cannot read /nonexistent/file (ENOENT)\n');
    const json = cli(['inspect', dir, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({ error: { code: 'CEM_IO', message: `cannot read ${dir} (EISDIR)` } });
    const cert = cli(['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', '/nonexistent/c.p7c=digitalSignature']);
    expect(cert).toMatchObject({ code: 1, err: 'error CEM_IO: cannot read /nonexistent/c.p7c (ENOENT)\n' });
    const out = cli(['request', '--from', 'A', '--response-url', 'https://a.test/', '--cert', `${signingBundle}=digitalSignature`, '--out', '/nonexistent/dir/r.mime']);
    expect(out).toMatchObject({ code: 1, err: 'error CEM_IO: cannot write /nonexistent/dir/r.mime (ENOENT)\n' });
  });

  it('documents the exit codes in cem --help', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('exit status: 0 done; 1 invalid input or a file that cannot be read or written');
    expect(help.out).toContain('CEM_IO');
    expect(help.out).toMatch(/PKCS#7 bundle \(\.p7c\/\.p7b: DER, PEM or base64\)/);
  });
});

function writeTemp(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
