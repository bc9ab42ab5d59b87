/**
 * Interop with libas2 (npm, an independent AS2 implementation on pkijs 2) over real HTTP on
 * 127.0.0.1, both ways, with MDNs. libas2 0.8.2 is pinned to pkijs 2.1.91 (package.json
 * `overrides`): from pkijs 2.1.93 on, rsaEncryption maps to RSAES-PKCS1-v1_5 and libas2 can no
 * longer sign with an RSA key ("Unsupported signature algorithm: RSAES-PKCS1-v1_5").
 *
 * What does not interoperate, pinned below: libas2 reads only base64 bodies (its MIME parser turns
 * a binary body into text), cannot decrypt RSAES-PKCS1-v1_5 key transport on Node ≥ 20.11 (it
 * calls privateDecrypt with RSA_PKCS1_PADDING, refused since CVE-2023-46809), and signs its MDNs'
 * multipart/report without the part's last CRLF (openssl rejects those MDNs; we accept them by
 * verifying that form too).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AS2Composer, AS2Crypto, AS2Parser } from 'libas2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAs2Message, createAs2Handler, postAs2, readMdn, sendAs2Message, type As2ReceiveReport } from '../../src/adapters/as2/index.js';
import { verifyDetached } from '../../src/adapters/as2/cms-signed.js';
import { readMultipartSigned, splitEntity } from '../../src/adapters/as2/mime.js';
import { makePki, openssl, tempDir, type TestCert } from '../helpers/pki.js';

const pki = makePki('Lib');
const us = pki.leaf({ subject: '/O=Us/CN=us-as2' });
const them = pki.leaf({ subject: '/O=Them/CN=libas2-as2' });
const pem = (c: TestCert): string => c.pem;
const key = (c: TestCert): string => readFileSync(c.keyPath, 'utf8');
const dir = tempDir('cem-libas2-');
const EDI = 'ISA*00*          *00*          *ZZ*THEM*ZZ*US~IEA*1*000000001~';

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2` };
}

describe('libas2 sends to our handler', () => {
  let ours: { server: Server; url: string };
  const reports: As2ReceiveReport[] = [];
  beforeAll(async () => {
    ours = await listen(createAs2Handler({
      trust: async (from, to) => (from === 'THEM' && to === 'US'
        ? { decrypt: [{ certificate: us.der, key: createPrivateKey(key(us)) }], verify: [them.der], signMdn: { certificate: us.der, key: key(us) } }
        : null),
      process: async () => undefined,
      onReport: (r) => reports.push(r),
    }));
  });
  afterAll(() => new Promise<void>((r) => ours.server.close(() => r())));

  it.each(['aes256-CBC', 'aes128-CBC', 'des-EDE3-CBC'] as const)('a signed message encrypted with %s is read, and libas2 verifies our signed MDN with the MIC it expects', async (encryption) => {
    const composer = new AS2Composer({
      message: { filename: 'edi.x12', contentType: 'application/edi-x12', content: EDI },
      agreement: {
        host: { name: 'THEM', id: 'THEM', url: ours.url, certificate: pem(them), privateKey: key(them), decrypt: false, sign: 'sha-256', mdn: { signing: 'sha-256' } },
        partner: { name: 'US', id: 'US', url: ours.url, certificate: pem(us), encrypt: encryption, verify: true },
      },
    });
    const request = await composer.toRequestOptions();
    const body = Buffer.from(request.body ?? '');
    const response = await postAs2(ours.url, request.headers as Record<string, string>, body);
    expect(response.status).toBe(200);
    const report = reports.at(-1);
    expect(report?.disposition).toBe('processed');
    expect(new TextDecoder().decode(report?.read?.body).trim()).toBe(EDI);
    // libas2 reads and verifies our MDN
    const mdnNode = await AS2Parser.parse({ headers: response.headers as Record<string, string>, content: Buffer.from(response.body) });
    const disposition = await mdnNode.dispositionIn({ cert: pem(us) });
    await expect(mdnNode.dispositionIn({ cert: pem(them) })).rejects.toThrow(/verify/); // it does check the signature
    expect(disposition.notification.disposition.processed).toBe(true);
    expect(disposition.notification.originalMessageId).toBe((request.headers as Record<string, string>)['Message-ID']);
    // the MIC libas2 computes for its own message (decrypt and verify it with libas2) is the one we returned
    const sent = await AS2Parser.parse({ headers: request.headers as Record<string, string>, content: body });
    const signed = await sent.decrypt({ cert: pem(us), key: key(us) });
    const verified = await AS2Crypto.verify(signed, { cert: pem(them) }, true);
    expect(disposition.notification.receivedContentMic?.mic).toBe(Buffer.from(verified.digest).toString('base64'));
  });
});

describe('our client sends to a libas2 server', () => {
  let theirs: { server: Server; url: string };
  const received: { processed: boolean; text: string; content: string }[] = [];
  beforeAll(async () => {
    theirs = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void (async () => {
        const node = await AS2Parser.parse({ headers: req.headers as Record<string, string>, content: Buffer.concat(chunks) });
        const { contentNode, dispositionNode, disposition } = await node.dispositionOut({
          agreement: {
            host: { name: 'THEM', id: 'THEM', url: theirs.url, certificate: pem(them), privateKey: key(them), decrypt: true, sign: 'sha-256', mdn: { signing: 'sha-256' } },
            partner: { name: 'US', id: 'US', url: theirs.url, certificate: pem(us), encrypt: false, verify: true, mdn: { signing: 'sha-256' } },
          },
          returnNode: false,
        });
        received.push({ processed: disposition.notification.disposition.processed, text: disposition.notification.disposition.description?.text ?? '', content: String(contentNode?.content ?? '') });
        const { headers, body } = await dispositionNode.buildObject();
        res.writeHead(200, headers).end(body);
      })());
    });
  });
  afterAll(() => new Promise<void>((r) => theirs.server.close(() => r())));

  const message = (keyTransport: 'rsa' | 'rsa-oaep', transferEncoding: 'binary' | 'base64') => buildAs2Message({
    as2From: 'US', as2To: 'THEM', contentType: 'application/edi-x12', body: new TextEncoder().encode(EDI),
    sign: { certificate: pem(us), key: key(us) }, encrypt: { certificate: pem(them), keyTransport }, transferEncoding,
  });

  it('RSAES-OAEP, base64 body: libas2 decrypts and verifies it; its signed MDN says processed with our MIC', async () => {
    const m = await message('rsa-oaep', 'base64');
    const result = await sendAs2Message(theirs.url, m, { verifyMdn: [them.der] });
    expect(received.at(-1)).toMatchObject({ processed: true, content: `${EDI}\r\n` });
    expect(result.problem).toBeNull();
    expect(result.mdn?.disposition.type).toBe('processed');
    expect(result.mdn?.mic?.value).toBe(m.mic.value);
    expect(result.mdn?.verifiedWith).not.toBeNull();
  });

  it('pinned: libas2 signs its MDN without the last CRLF of the multipart/report it sends, so openssl and a strict check reject it', async () => {
    const m = await message('rsa-oaep', 'base64');
    const result = await sendAs2Message(theirs.url, m, { verifyMdn: [them.der] });
    const type = String(result.response.headers['content-type']);
    const entity = Buffer.concat([Buffer.from(`Content-Type: ${type}\r\n\r\n`), result.response.body]);
    const file = join(dir, 'libas2-mdn.eml');
    writeFileSync(file, entity);
    expect(() => openssl(['cms', '-verify', '-purpose', 'any', '-noverify', '-in', file, '-out', join(dir, 'out.txt')])).toThrow(/verification failure/);
    const outer = splitEntity(entity);
    const { signed, signature } = readMultipartSigned(outer.contentType ?? { type: '', subtype: '', essence: '', params: {} }, outer.rawBody);
    expect((await verifyDetached(signed, signature, [them.der])).ok).toBe(false);
    expect((await verifyDetached(signed.subarray(0, signed.length - 2), signature, [them.der])).ok).toBe(true);
  });

  it('pinned: libas2 cannot read a binary body (RFC 4130 §5.2) and answers failed', async () => {
    const m = await message('rsa-oaep', 'binary');
    const result = await sendAs2Message(theirs.url, m, { verifyMdn: [them.der] });
    expect(received.at(-1)?.processed).toBe(false);
    expect(result.problem).toMatch(/the partner reports .*failed/);
  });

  it('pinned: libas2 cannot decrypt RSAES-PKCS1-v1_5 key transport on this Node (CVE-2023-46809) and answers failed', async () => {
    const m = await message('rsa', 'base64');
    const result = await sendAs2Message(theirs.url, m, { verifyMdn: [them.der] });
    expect(received.at(-1)).toMatchObject({ processed: false, text: expect.stringMatching(/RSA_PKCS1_PADDING is no longer supported/) });
    expect(result.problem).toMatch(/the partner reports/);
  });

  it('reads libas2 MDNs with readMdn too', async () => {
    const m = await message('rsa-oaep', 'base64');
    const response = await postAs2(theirs.url, m.headers, m.body);
    const mdn = await readMdn(response.headers, response.body, { verify: [them.der] });
    expect(mdn.ok && mdn.originalMessageId).toBe(m.messageId);
  });
});
